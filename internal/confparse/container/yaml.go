// Package container reads the YAML that deploys containers, docker-compose files and
// Kubernetes manifests, into models that keep the line of every setting, so that checks
// can point at the service or container they judge.
package container

import "github.com/posture-dev/posture/internal/yamlfile"

// The tree is yamlfile's: compose files share settings through x- extensions and
// <<: *anchor, and yamlfile resolves those (within a node budget) so that the readers
// here only ever see plain values. The names stay, because the container probes use them.
type (
	Node     = yamlfile.Node
	Kind     = yamlfile.Kind
	Error    = yamlfile.Error
	Document = yamlfile.Document
)

const (
	Scalar = yamlfile.Scalar
	Map    = yamlfile.Map
	Seq    = yamlfile.Seq
)

// ParseYAML reads every document in data; every problem is a positioned *Error.
func ParseYAML(data []byte) ([]Document, error) { return yamlfile.ParseTree(data) }
