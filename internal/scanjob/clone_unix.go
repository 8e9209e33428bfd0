//go:build unix

package scanjob

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts git in a process group of its own and makes cancelling kill the
// whole group: git runs its transport (git-remote-https, ssh) as children, which would
// otherwise outlive a clone killed for its time or size limit and keep writing.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
