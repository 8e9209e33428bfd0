package hygiene

import (
	"errors"
	"fmt"

	"github.com/posture-dev/posture/internal/yamlfile"
)

// parseYAML reads every document of a CI file. CI systems lean on anchors, aliases and
// merge keys to share steps between jobs; yamlfile resolves those, so the CI readers only
// ever see plain maps, lists and scalars.
func parseYAML(data []byte) ([]*yamlfile.Node, error) {
	docs, err := yamlfile.ParseTree(data)
	if err != nil {
		return nil, err
	}
	roots := make([]*yamlfile.Node, len(docs))
	for i, d := range docs {
		roots[i] = d.Root
	}
	return roots, nil
}

// yamlProblem describes why a CI file could not be read, with its line when known.
func yamlProblem(p string, err error) string {
	var ye *yamlfile.Error
	if errors.As(err, &ye) && ye.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p, ye.Line, ye.Msg)
	}
	return fmt.Sprintf("%s: %s", p, err)
}
