//go:build !linux

package githistory

// growPipe is a no-op where pipe buffers cannot be resized.
func growPipe(any) {}
