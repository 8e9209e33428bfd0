package host

import "testing"

func FuzzParseProcNetTCP(f *testing.F) {
	f.Add("sl local\n 0: 0100007F:18EB 00000000:0000 0A 0:0 0:0 0 0 0 5226 1\n")
	f.Add("sl\n 0: 00000000000000000000000001000000:1111 0:0 0A a b c 106 0 6813\n")
	f.Add("x\n 0: 0100007F 0:0 0A a b c d e f\n")
	f.Fuzz(func(t *testing.T, s string) {
		socks, _ := parseProcNetTCP([]byte(s))
		for _, so := range socks {
			if !so.Addr.IsValid() {
				t.Fatalf("invalid address from %q", s)
			}
		}
	})
}
