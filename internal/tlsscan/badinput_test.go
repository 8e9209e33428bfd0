package tlsscan

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

// Every failure must be an error that says what happened, reached within a small
// multiple of the timeout; none may look like a server that accepts nothing.
func TestBadServers(t *testing.T) {
	const timeout = 400 * time.Millisecond
	readHello := func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = c.Read(make([]byte, 4096))
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := closed.Addr().String()
	closed.Close()

	for _, c := range []struct {
		name   string
		addr   func() string
		want   string
		notTLS bool
	}{
		{name: "unreachable port", addr: func() string { return unreachable }, want: "connection refused"},
		{name: "reset mid-handshake", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3})
				time.Sleep(50 * time.Millisecond) // let the partial record arrive before the reset
				_ = c.(*net.TCPConn).SetLinger(0)
			})
		}, want: "closed in the middle"},
		{name: "reset on hello", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				_ = c.(*net.TCPConn).SetLinger(0)
			})
		}, want: "connection reset"},
		{name: "never answers", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				time.Sleep(3 * time.Second)
			})
		}, want: "no answer from the server within the timeout"},
		{name: "http banner", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n")
			})
		}, want: "does not speak TLS", notTLS: true},
		{name: "ssh banner", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
				readHello(c)
			})
		}, want: "SSH-2.0", notTLS: true},
		{name: "gigantic record", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0xff, 0xff})
				_, _ = c.Write(make([]byte, 70000))
			})
		}, want: "exceeds the TLS limit"},
		{name: "endless handshake message", addr: func() string {
			return rawServer(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0x40, 0x00, 2, 0x7f, 0xff, 0xff})
				chunk := append([]byte{22, 3, 3, 0x40, 0x00}, make([]byte, 0x4000)...)
				for i := 0; i < 1000; i++ {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			})
		}, want: "exceeds the limit"},
		{name: "closes at once", addr: func() string {
			return rawServer(t, func(c net.Conn) {})
		}, want: "every version was refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := c.addr()
			start := time.Now()
			rep, err := scan(t, testNet(nil, timeout), addr, Options{})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("no error; accepted %v", rep.Accepted())
			}
			if !errors.Is(err, ErrNoTLS) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrNoTLS with %q", err, c.want)
			}
			var nt *NotTLSError
			if errors.As(err, &nt) != c.notTLS {
				t.Errorf("NotTLSError = %v, want %v", errors.As(err, &nt), c.notTLS)
			}
			if rep != nil && len(rep.Accepted()) > 0 {
				t.Errorf("accepted %v", rep.Accepted())
			}
			if bound := testutil.WorkBound(4 * timeout); elapsed > bound {
				t.Errorf("took %v, bound %v", elapsed, bound)
			}
		})
	}
}
