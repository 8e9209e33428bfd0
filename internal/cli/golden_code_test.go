package cli

import "testing"

// The code fixture is a small shop in Go, PHP, JavaScript/TypeScript and Python with the
// service configs it runs on (php.ini, redis.conf, my.cnf, WordPress dev configs): one
// finding and one near miss per rule; testdata/p4/code/README.md lists which is which.
func TestGoldenCode(t *testing.T) {
	goldenScan(t, "code", "--only", "CR-1,CR-3,ST-1,ZT-2,ZT-3,SC-2", "testdata/p4/code")
}
