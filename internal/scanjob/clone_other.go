//go:build !unix

package scanjob

import "os/exec"

// ownProcessGroup: elsewhere only git itself is killed; WaitDelay bounds the wait for
// its children.
func ownProcessGroup(*exec.Cmd) {}
