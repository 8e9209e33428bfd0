package host

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

// fakeServer accepts one connection at a time on loopback and runs handle on it.
func fakeServer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

func replyAfter(n int, reply string) func(net.Conn) {
	return func(c net.Conn) {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		_, _ = io.WriteString(c, reply)
	}
}

func mysqlPacket(seq byte, payload []byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

func greeting(plugin string) []byte {
	var b bytes.Buffer
	b.WriteByte(10)
	b.WriteString("10.11.6-MariaDB\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint32(7))
	b.WriteString("abcdefgh\x00")
	caps := uint32(clientProtocol41 | clientSecureConnection | clientPluginAuth | clientLongPassword)
	_ = binary.Write(&b, binary.LittleEndian, uint16(caps))
	b.WriteByte(33)
	b.Write([]byte{2, 0})
	_ = binary.Write(&b, binary.LittleEndian, uint16(caps>>16))
	b.WriteByte(21)
	b.Write(make([]byte, 10))
	b.WriteString("ijklmnopqrst\x00")
	b.WriteString(plugin + "\x00")
	return b.Bytes()
}

// fakeMySQL greets, reads the login, and answers with each of replies in turn, reading a
// client packet between them.
func fakeMySQL(plugin string, replies ...[]byte) func(net.Conn) {
	return func(c net.Conn) {
		_, _ = c.Write(mysqlPacket(0, greeting(plugin)))
		seq := byte(2)
		for _, rep := range replies {
			s, p, err := readMySQLPacket(c)
			if err != nil {
				return
			}
			if s == 1 && !bytes.Contains(p, []byte("root\x00\x00")) {
				return // not an empty-password login: hang up
			}
			_, _ = c.Write(mysqlPacket(seq, rep))
			seq += 2
		}
		_, _, _ = readMySQLPacket(c) // COM_QUIT
	}
}

func pgMsg(typ byte, body []byte) []byte {
	return append(binary.BigEndian.AppendUint32([]byte{typ}, uint32(len(body)+4)), body...)
}

func pgStartup(reply []byte) func(net.Conn) {
	return func(c net.Conn) {
		var n uint32
		if err := binary.Read(c, binary.BigEndian, &n); err != nil || n > 1000 {
			return
		}
		buf := make([]byte, n-4)
		if _, err := io.ReadFull(c, buf); err != nil || !bytes.Contains(buf, []byte("user\x00postgres\x00")) {
			return
		}
		_, _ = c.Write(reply)
	}
}

func TestServices(t *testing.T) {
	errPacket := func(code uint16, msg string) []byte {
		return append(binary.LittleEndian.AppendUint16([]byte{0xFF}, code), []byte("#28000"+msg)...)
	}
	es := func(status int, body string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				t.Error("credentials sent to Elasticsearch")
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(s.Close)
		return strings.TrimPrefix(s.URL, "http://")
	}
	tests := []struct {
		name    string
		kind    string
		addr    string
		open    bool
		unknown string
	}{
		{"redis open", Redis, fakeServer(t, replyAfter(14, "+PONG\r\n")), true, ""},
		{"redis noauth", Redis, fakeServer(t, replyAfter(14, "-NOAUTH Authentication required.\r\n")), false, ""},
		{"redis garbage", Redis, fakeServer(t, replyAfter(14, "HTTP/1.1 400 Bad\r\n")), false, "not a RESP reply"},
		{"redis silent", Redis, fakeServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }), false, "no answer before the timeout"},
		{"memcached open", Memcached, fakeServer(t, replyAfter(7, "STAT pid 1\r\nSTAT uptime 2\r\nEND\r\n")), true, ""},
		{"memcached sasl", Memcached, fakeServer(t, replyAfter(7, "CLIENT_ERROR unauthenticated\r\n")), false, ""},
		{"mysql open", MySQL, fakeServer(t, fakeMySQL(mysqlNativePassword, []byte{0, 0, 0, 2, 0, 0, 0})), true, ""},
		{"mysql denied", MySQL, fakeServer(t, fakeMySQL(mysqlNativePassword, errPacket(1045, "Access denied for user 'root'@'localhost'"))), false, ""},
		{"mysql switch native then ok", MySQL, fakeServer(t, fakeMySQL(mysqlNativePassword, []byte("\xfemysql_native_password\x00abcdefghijklmnopqrst\x00"), []byte{0, 0, 0, 2, 0, 0, 0})), true, ""},
		{"mysql switch ed25519", MySQL, fakeServer(t, fakeMySQL(mysqlNativePassword, []byte("\xfeclient_ed25519\x00abc"))), false, `"client_ed25519" authentication plugin`},
		{"mysql host refused", MySQL, fakeServer(t, func(c net.Conn) { _, _ = c.Write(mysqlPacket(0, errPacket(1130, "Host is not allowed"))) }), false, ""},
		{"postgres trust", PostgreSQL, fakeServer(t, pgStartup(pgMsg('R', []byte{0, 0, 0, 0}))), true, ""},
		{"postgres scram", PostgreSQL, fakeServer(t, pgStartup(pgMsg('R', append([]byte{0, 0, 0, 10}, "SCRAM-SHA-256\x00\x00"...)))), false, ""},
		{"postgres no hba", PostgreSQL, fakeServer(t, pgStartup(pgMsg('E', []byte("SFATAL\x00C28000\x00Mno pg_hba.conf entry\x00\x00")))), false, ""},
		{"elasticsearch open", Elasticsearch, es(200, `{"cluster_name":"x","tagline":"You Know, for Search"}`), true, ""},
		{"elasticsearch secured", Elasticsearch, es(401, `{"error":"security_exception"}`), false, ""},
		{"elasticsearch other", Elasticsearch, es(200, `hello`), false, "without an Elasticsearch banner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := treeEnv(t.TempDir(), false)
			e.timeout = 500 * time.Millisecond
			p := &servicesProbe{env: e, services: []Service{{tt.kind, tt.addr}}}
			start := time.Now()
			r := run(t, p)
			if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
				t.Fatalf("took %v", d)
			}
			s := summary(p, r)
			if (len(r.Findings) == 1) != tt.open {
				t.Fatalf("open = %v, want %v:\n%s", len(r.Findings) == 1, tt.open, s)
			}
			if tt.unknown != "" && !strings.Contains(r.Unknown[ctlServices], tt.unknown) {
				t.Fatalf("unknown %q lacks %q", r.Unknown[ctlServices], tt.unknown)
			}
			if tt.unknown == "" && !tt.open && r.Evidence[ctlServices] == "" {
				t.Fatalf("protected service without evidence:\n%s", s)
			}
		})
	}
}

func TestServicesNothingListening(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	p := &servicesProbe{env: treeEnv(t.TempDir(), false), services: []Service{{Redis, addr}}}
	if r := run(t, p); r.NotApplicable[ctlServices] == "" {
		t.Fatalf("%s", summary(p, r))
	}
}

func TestDiscover(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{
		"proc/net/tcp": "  sl  local_address rem_address   st\n" +
			"   0: 0100007F:18EB 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n" + // 127.0.0.1:6379
			"   1: 00000000:0CEA 00000000:0000 0A 0:0 0:0 0 0 0 2 1\n" + // 0.0.0.0:3306
			"   2: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 3 1\n", // 8080: not a known service
		"proc/net/tcp6": "  sl  local_address remote_address st\n" +
			"   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 4 1\n", // [::]:5432
	})
	p := &servicesProbe{env: treeEnv(root, false)}
	got, err := p.discover()
	if err != nil {
		t.Fatal(err)
	}
	want := []Service{{Redis, "127.0.0.1:6379"}, {MySQL, "127.0.0.1:3306"}, {PostgreSQL, "[::1]:5432"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got[i], want[i])
		}
	}
	none := &servicesProbe{env: treeEnv(testutil.WriteTree(t, map[string]string{"proc/net/tcp": "  sl\n"}), false)}
	if r := run(t, none); r.NotApplicable[ctlServices] == "" {
		t.Fatalf("%s", summary(none, r))
	}
}

func TestReadRESP(t *testing.T) {
	r, err := readRESP(bufio.NewReader(strings.NewReader("*2\r\n$3\r\nfoo\r\n:12\r\n")), 0)
	if err != nil || r.kind != '*' || len(r.items) != 2 || r.items[0].text != "foo" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"$5\r\nab\r\n", "*9999999\r\n", ":x\r\n", "+ok\n", strings.Repeat("*1\r\n", 20) + ":1\r\n"} {
		if _, err := readRESP(bufio.NewReader(strings.NewReader(bad)), 0); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseMySQLGreeting(t *testing.T) {
	g, err := parseMySQLGreeting(greeting(cachingSHA2Password))
	if err != nil || g.Version != "10.11.6-MariaDB" || g.Plugin != cachingSHA2Password || len(g.Salt) != 20 {
		t.Fatalf("%+v %v", g, err)
	}
	for _, bad := range [][]byte{nil, {9}, {10, 'a'}, {10, 0, 1, 2}} {
		if _, err := parseMySQLGreeting(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseChrony(t *testing.T) {
	d, err := parseChronyTracking(chronyOK)
	if err != nil || !d.synced || !d.hasOff || d.offset != 12345*time.Nanosecond {
		t.Fatalf("%+v %v", d, err)
	}
	if _, err := parseChronyTracking("506 Cannot talk to daemon"); err == nil {
		t.Fatal("no leap status accepted")
	}
	n, err := parseNtpqRV("associd=0 status=0618 leap_none, sync_ntp,\nleap=00, offset=-0.25\n")
	if err != nil || !n.synced || n.offset != -250*time.Microsecond {
		t.Fatalf("%+v %v", n, err)
	}
}
