package secrets

import (
	"context"
	"sync"

	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// runStaged scans only what is staged for the next commit: the pre-commit hook mode, where
// speed matters and the rest of the tree was checked when it was committed.
func (p *Probe) runStaged(ctx context.Context, t *target.Target) (*probe.Result, error) {
	p.init()
	r := &probe.Result{}
	var mu sync.Mutex
	err := githistory.Staged(ctx, t.Root, func(b githistory.Blob, content []byte) error {
		if !t.Files.InScope(b.Path) || p.allowedPath(b.Path) {
			return nil
		}
		found := p.scanContent(b.Path, content)
		mu.Lock()
		for _, h := range found {
			r.Add(h.finding)
		}
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
