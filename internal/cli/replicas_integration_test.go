//go:build integration

package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil/pgtest"
)

// replica is one `posture serve` process on the shared PostgreSQL database.
type replica struct {
	cmd    *exec.Cmd
	addr   string
	client *http.Client
	done   chan error
}

var (
	listeningRE = regexp.MustCompile(`listening on https://(\S+)`)
	caFileRE    = regexp.MustCompile(`import (\S+?)\.?\n`)
)

func startReplica(t *testing.T, args ...string) *replica {
	t.Helper()
	argv, _ := json.Marshal(append([]string{"serve", "--listen", "127.0.0.1:0"}, args...))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "POSTURE_CLI_CHILD="+string(argv))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-r.done })
	var head bytes.Buffer
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		head.WriteString(line + "\n")
		if m := listeningRE.FindStringSubmatch(line); m != nil {
			r.addr = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stderr); r.done <- cmd.Wait() }()
	m := caFileRE.FindStringSubmatch(head.String())
	if r.addr == "" || m == nil {
		t.Fatalf("replica did not start:\n%s", head.String())
	}
	pem, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	r.client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return r
}

// TestTwoReplicasSurviveKill9 runs two servers on one PostgreSQL database under load,
// kills one with SIGKILL mid-load, and checks that the other keeps serving, that the
// audit chain verifies, and that every request that was answered (each one audited
// before it was served) has its event in the log.
func TestTwoReplicasSurviveKill9(t *testing.T) {
	dbURL := pgtest.URL(t)
	key := filepath.Join(t.TempDir(), "audit-signing.key")
	dataA, dataB := t.TempDir(), t.TempDir()
	common := []string{"--database", dbURL, "--key-file", key}

	var out, errb bytes.Buffer
	if code := run(context.Background(), realEnv(&out, &errb), append([]string{"admin", "token", "create", "--data", dataA, "--name", "load", "--scope", "read", "--expires", "1h"}, common...)); code != 0 {
		t.Fatalf("token create: %d %s", code, errb.String())
	}
	token := regexp.MustCompile(`pst_\S+`).FindString(out.String() + errb.String())
	if token == "" {
		t.Fatalf("no token printed:\n%s%s", out.String(), errb.String())
	}

	a := startReplica(t, append([]string{"--data", dataA}, common...)...)
	b := startReplica(t, append([]string{"--data", dataB}, common...)...)

	var acked, ackedBAfterKill atomic.Int64
	var killed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, r := range []*replica{a, b, a, b, a, b} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", "https://"+r.addr+"/api/v1/systems", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := r.client.Do(req)
				if err != nil {
					if r == a && killed.Load() {
						time.Sleep(20 * time.Millisecond)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					acked.Add(1)
					if r == b && killed.Load() {
						ackedBAfterKill.Add(1)
					}
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
		b.done <- nil // for the cleanup's receive
	case <-time.After(30 * time.Second):
		t.Fatal("replica B did not stop on SIGTERM")
	}

	if ackedBAfterKill.Load() == 0 {
		t.Fatal("replica B served nothing after A was killed")
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logged int64
	if err := db.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'token.use'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged < acked.Load() {
		t.Errorf("%d requests were answered but only %d token.use events are in the log: acknowledged events were lost", acked.Load(), logged)
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), realEnv(&out, &errb), append([]string{"audit", "verify", "--data", dataB}, common...)); code != 0 {
		t.Errorf("audit verify after kill -9: exit %d\n%s%s", code, out.String(), errb.String())
	}
	t.Logf("%d requests answered (%d by B after A was killed); %d token.use events logged", acked.Load(), ackedBAfterKill.Load(), logged)
}
