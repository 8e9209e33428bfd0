package hygiene

import (
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/target"
)

// skippedNamed finds a file the inventory could not examine that this probe would have
// looked at, so the probe can say "unknown" instead of "missing".
func skippedNamed(t *target.Target, names, dirs []string) (fileset.Skip, bool) {
	for _, s := range t.Files.Skipped() {
		base := strings.ToLower(path.Base(s.Path))
		for _, n := range names {
			if base == n && (dirs == nil || containsDir(dirs, path.Dir(s.Path))) {
				return s, true
			}
		}
	}
	return fileset.Skip{}, false
}
