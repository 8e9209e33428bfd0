package cli

import "testing"

// The containers fixture is a small shop deployed with Dockerfiles, compose files and
// Kubernetes manifests (plain, Helm-rendered and a Kustomize overlay), with one finding
// and one near miss per check; testdata/p4/containers/README.md lists which is which.
func TestGoldenContainers(t *testing.T) {
	goldenScan(t, "containers", "--only", "SC-2,SC-3,SC-8,ZT-3", "testdata/p4/containers")
}
