//go:build unix

package fileset

import "syscall"

// readable asks the kernel whether this process may read the file, without opening it,
// so unreadable files are reported even when no probe asks for them.
func readable(full string) error {
	const rOK = 4
	return syscall.Access(full, rOK)
}
