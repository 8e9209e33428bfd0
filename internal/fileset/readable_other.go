//go:build !unix

package fileset

// readable cannot ask ahead on this platform; unreadable files are reported when read.
func readable(string) error { return nil }
