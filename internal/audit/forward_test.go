package audit

import (
	"bufio"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rfc5424 matches the header posture writes: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG.
var rfc5424 = regexp.MustCompile(`^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \S+ posture \d+ (\S+) \[posture@32473 seq="(\d+)" actor="((?:[^"\\]|\\.)*)" object="[^"]*" outcome="(\w+)" request_id="[^"]*" hash="[0-9a-f]{64}"\] (\{.*\})$`)

func checkSyslogMessage(t *testing.T, msg string, wantSeq int64) {
	t.Helper()
	m := rfc5424.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("not an RFC 5424 message as expected: %q", msg)
	}
	if m[3] != strconv.FormatInt(wantSeq, 10) {
		t.Errorf("seq %s, want %d", m[3], wantSeq)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(m[6]), &j); err != nil {
		t.Errorf("MSG is not JSON: %v", err)
	}
	pri, _ := strconv.Atoi(m[1])
	if pri/8 != facilityAuthpriv {
		t.Errorf("facility %d", pri/8)
	}
}

func TestSyslogTransports(t *testing.T) {
	evs := []Event{ev(1), ev(2)}
	for i := range evs {
		evs[i].Seq = int64(i + 1)
		evs[i].Time = t0
		evs[i].Hash = make([]byte, 32)
	}
	evs[1].Outcome = Denied
	evs[1].Actor = `login:"evil] x`

	t.Run("udp", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		s, _ := NewSyslog(SyslogOptions{Network: "udp", Addr: pc.LocalAddr().String(), Hostname: "h"})
		defer s.Close()
		if err := s.Send(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8192)
		for i := range evs {
			pc.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			checkSyslogMessage(t, string(buf[:n]), int64(i+1))
			if i == 1 && (!strings.HasPrefix(string(buf[:n]), "<84>1 ") || !strings.Contains(string(buf[:n]), `actor="login:\"evil\] x"`)) {
				t.Errorf("denied event: %q", buf[:n])
			}
		}
	})
	t.Run("tcp", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		got := make(chan string, 4)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				// Octet counting: "LEN SP MSG".
				l, err := r.ReadString(' ')
				if err != nil {
					return
				}
				n, _ := strconv.Atoi(strings.TrimSpace(l))
				b := make([]byte, n)
				if _, err := io.ReadFull(r, b); err != nil {
					return
				}
				got <- string(b)
			}
		}()
		s, _ := NewSyslog(SyslogOptions{Network: "tcp", Addr: ln.Addr().String()})
		defer s.Close()
		if err := s.Send(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
		for i := range evs {
			select {
			case m := <-got:
				checkSyslogMessage(t, m, int64(i+1))
			case <-time.After(5 * time.Second):
				t.Fatal("no message")
			}
		}
	})
	t.Run("unix", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log.sock")
		pc, err := net.ListenPacket("unixgram", path)
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		s, _ := NewSyslog(SyslogOptions{Network: "unix", Addr: path})
		defer s.Close()
		if err := s.Send(context.Background(), evs[:1]); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8192)
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		checkSyslogMessage(t, string(buf[:n]), 1)
	})
	if _, err := NewSyslog(SyslogOptions{Network: "smoke", Addr: "x"}); err == nil {
		t.Error("unknown network accepted")
	}
}

func TestWebhookSignsAndRetries(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	var fails atomic.Int32
	fails.Store(2)
	var mu sync.Mutex
	var seqs []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		want := WebhookSignature(secret, r.Header.Get("X-Posture-Timestamp"), body)
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Posture-Signature"))) || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("bad signature or content type")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var b struct{ Events []map[string]any }
		json.Unmarshal(body, &b)
		mu.Lock()
		for _, e := range b.Events {
			seqs = append(seqs, int64(e["seq"].(float64)))
		}
		mu.Unlock()
	}))
	defer srv.Close()
	wh, err := NewWebhook(WebhookOptions{URL: srv.URL + "/hook?key=secretquery", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(wh.Name(), "secretquery") {
		t.Errorf("Name leaks the query: %s", wh.Name())
	}
	f := NewForwarder(ForwarderOptions{Sinks: []Sink{wh}, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	for i := 1; i <= 5; i++ {
		f.Enqueue(Event{Seq: int64(i), Actor: "a", Action: "b", Outcome: Success})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seqs) != 5 || seqs[0] != 1 || seqs[4] != 5 {
		t.Errorf("delivered %v", seqs)
	}
	st := f.Stats()[0]
	if st.Sent != 5 || st.Failed < 2 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}

	for _, bad := range []WebhookOptions{{URL: "http://example.com/x", Secret: secret}, {URL: srv.URL, Secret: []byte("short")}, {URL: "::", Secret: secret}} {
		if _, err := NewWebhook(bad); err == nil {
			t.Errorf("NewWebhook(%q) accepted", bad.URL)
		}
	}
}

// blockingSink never acknowledges until released.
type blockingSink struct {
	release chan struct{}
	got     atomic.Int64
}

func (b *blockingSink) Name() string { return "blocking" }
func (b *blockingSink) Send(ctx context.Context, evs []Event) error {
	select {
	case <-b.release:
		b.got.Add(int64(len(evs)))
		return nil
	case <-ctx.Done():
		return errors.New("timeout")
	}
}
func (b *blockingSink) Close() error { return nil }

// A dead sink fills its bounded queue and then drops, while appends go on at full speed
// and the stored log stays complete.
func TestDeadSinkNeverBlocksTheLog(t *testing.T) {
	sink := &blockingSink{release: make(chan struct{})}
	f := NewForwarder(ForwarderOptions{Sinks: []Sink{sink}, QueueSize: 10, BatchSize: 5})
	e := newEnv(t, sqliteBackend.fresh(t), Options{Forwarder: f})
	done := make(chan struct{})
	go func() { appendN(t, e.log, 0, 100); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("appends blocked behind a dead sink")
	}
	requireOK(t, mustVerify(t, e))
	if rep := mustVerify(t, e); rep.Events != 100 {
		t.Errorf("stored %d events", rep.Events)
	}
	st := f.Stats()[0]
	if st.Dropped < 100-10-5 {
		t.Errorf("dropped %d, want at least 85", st.Dropped)
	}
	close(sink.release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f.Close(ctx)
	if got := sink.got.Load(); got+f.Stats()[0].Dropped != 100 {
		t.Errorf("delivered %d + dropped %d != 100", got, f.Stats()[0].Dropped)
	}
}
