package nginxtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill nginx when the test binary dies: a binary killed by
// -timeout runs no cleanup, and nginx must not outlive it holding ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
