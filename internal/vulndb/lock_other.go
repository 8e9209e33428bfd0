//go:build !unix

package vulndb

import "os"

// lock is best effort where flock(2) does not exist: writers still replace files by
// rename, so readers never see a half-written index.
func lock(dir string) (func(), error) {
	return func() {}, os.MkdirAll(dir, 0o755)
}
