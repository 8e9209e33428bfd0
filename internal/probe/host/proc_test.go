package host

import (
	"net/netip"
	"testing"
)

func TestParseProcNetTCP(t *testing.T) {
	v4 := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5226 1 0000 100 0 0 10 0\n" +
		"   1: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 10087 1 0000 100 0 0 10 0\n" +
		"   2: 0100007F:0CEA 0100007F:D1A2 01 00000000:00000000 00:00000000 00000000   107        0 0 1 0000 100 0 0 10 0\n"
	s, err := parseProcNetTCP([]byte(v4))
	if err != nil {
		t.Fatal(err)
	}
	want := []socket{
		{netip.MustParseAddrPort("127.0.0.1:6379"), "5226", 0},
		{netip.MustParseAddrPort("0.0.0.0:3306"), "10087", 107},
	}
	if len(s) != 2 || s[0] != want[0] || s[1] != want[1] {
		t.Fatalf("got %+v", s)
	}
	v6 := "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 00000000000000000000000001000000:1111 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6813 1 0 100 0 0 10 0\n" +
		"   1: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6814 1 0 100 0 0 10 0\n" +
		"   2: 0000000000000000FFFF00000100007F:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6815 1 0 100 0 0 10 0\n"
	s, err = parseProcNetTCP([]byte(v6))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3 || s[0].Addr.String() != "[::1]:4369" || s[1].Addr.String() != "[::]:5432" || s[2].Addr.String() != "127.0.0.1:9090" {
		t.Fatalf("got %+v", s)
	}
	if _, err := parseProcNetTCP([]byte("h\n 0: XYZ:0 0:0 0A a b c 0 0 1\n")); err == nil {
		t.Fatal("bad address accepted")
	}
}
