package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestDialHoldsPerHostSlotUntilClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	n := New(Options{PerHost: 2, Timeout: time.Second})
	ctx := context.Background()
	a, err := n.Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := n.Dial(short, ln.Addr().String()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third connection to one host with PerHost 2: err = %v, want it to wait until the deadline", err)
	}
	a.Close()
	a.Close() // a second Close must not free a second slot
	c, err := n.Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatalf("after one Close a slot must be free: %v", err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if _, err := n.Dial(short2, ln.Addr().String()); err == nil {
		t.Fatal("a double Close freed two slots")
	}
	b.Close()
	c.Close()
}

func TestDialDoesNotRetryRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := New(Options{Retries: 5, Timeout: time.Second})
	start := time.Now()
	_, err = n.Dial(context.Background(), addr)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want connection refused", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("a refused connection took %v: it was retried with backoff", d)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{syscall.ECONNREFUSED, false},
		{syscall.ECONNRESET, true},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{&net.DNSError{Err: "server misbehaving", IsTemporary: true}, true},
		{&net.OpError{Op: "dial", Err: timeoutErr{}}, true},
		{errors.New("tls: bad certificate"), false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestReadBodyBounded(t *testing.T) {
	var reads atomic.Int64
	r := endless{&reads}
	b, truncated, err := ReadBody(r, 1000)
	if err != nil || !truncated || len(b) != 1000 {
		t.Fatalf("len %d truncated %v err %v; want 1000 bytes, truncated", len(b), truncated, err)
	}
	b, truncated, err = ReadBody(strings.NewReader("short"), 1000)
	if err != nil || truncated || string(b) != "short" {
		t.Fatalf("got %q truncated %v err %v", b, truncated, err)
	}
}

type endless struct{ n *atomic.Int64 }

func (e endless) Read(p []byte) (int, error) {
	e.n.Add(1)
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestInspectTLSVerifiesButDoesNotRefuse(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())
	for _, tt := range []struct {
		name     string
		roots    *x509.CertPool
		verifies bool
	}{
		{"unknown authority", x509.NewCertPool(), false},
		{"trusted root", trusted, true},
	} {
		n := New(Options{RootCAs: tt.roots, Timeout: time.Second})
		var got error
		called := false
		// httptest's certificate names example.com, so verify against that name.
		cfg := n.InspectTLS("example.com", func(_ tls.ConnectionState, err error) { called, got = true, err })
		conn, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatalf("%s: an inspecting handshake must complete: %v", tt.name, err)
		}
		conn.Close()
		if !called || (got == nil) != tt.verifies {
			t.Errorf("%s: callback called %v with %v; want verified=%v", tt.name, called, got, tt.verifies)
		}
	}
}
