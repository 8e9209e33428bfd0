package host

import (
	"bufio"
	"bytes"
	"testing"
)

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

func FuzzReadRESP(f *testing.F) {
	for _, s := range []string{"+PONG\r\n", "-NOAUTH Authentication required.\r\n", "*2\r\n$3\r\nfoo\r\n:1\r\n", "$-1\r\n", "*-1\r\n", "$3\r\nab"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := readRESP(bufio.NewReaderSize(bytes.NewReader(b), 4096), 0)
		if err == nil && r.kind == 0 {
			t.Fatal("reply without a kind")
		}
	})
}

func FuzzParseMySQLGreeting(f *testing.F) {
	f.Add(greeting(mysqlNativePassword))
	f.Add(greeting(cachingSHA2Password))
	f.Add([]byte{0xFF, 0x6a, 0x04, '#', 'H', 'Y', '0', '0', '0', 'x'})
	f.Add([]byte{10, 'v', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseMySQLGreeting(b)
		if err == nil && (g == nil || len(g.Salt) > len(b)) {
			t.Fatalf("bad greeting %+v", g)
		}
	})
}

func FuzzParseChronyTracking(f *testing.F) {
	f.Add("System time     : 0.000012345 seconds fast of NTP time\nLeap status     : Normal\n")
	f.Add("System time : 1e308 seconds slow\nLeap status : Not synchronised")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseChronyTracking(s)
		_, _ = parseNtpqRV(s)
	})
}
