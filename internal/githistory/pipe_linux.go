package githistory

import (
	"os"
	"syscall"
)

// fSetPipeSize is F_SETPIPE_SZ from <fcntl.h>.
const fSetPipeSize = 1031

// growPipe asks for a 1 MiB pipe buffer (Linux allows it unprivileged), so that
// git and the reader wake each other up per megabyte rather than per 64 KiB.
func growPipe(f any) {
	if file, ok := f.(*os.File); ok {
		if rc, err := file.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) {
				syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, 1<<20)
			})
		}
	}
}
