//go:build integration

package host

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

var local = &target.Target{Kind: policy.KindHost, Name: "host:local", Host: "local"}

// need skips when a server is not reachable, unless CI requires the integration suite.
func need(t *testing.T, addr, what string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		return
	}
	if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
		t.Fatalf("%s is not listening on %s: %v", what, addr, err)
	}
	t.Skipf("%s is not listening on %s", what, addr)
}

func runServices(t *testing.T, svcs []Service) *probe.Result {
	t.Helper()
	p := &servicesProbe{env: newEnv(Options{}), services: svcs}
	r, err := p.Run(context.Background(), local)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func openAt(r *probe.Result, kind, addr string) bool {
	for _, f := range r.Findings {
		if f.Rule == RuleUnauthenticatedService && f.Location.URL == kind+"://"+addr {
			return true
		}
	}
	return false
}

// The Redis, MariaDB and PostgreSQL of this test machine accept unauthenticated access on
// loopback: posture must find each of them, by discovery from /proc/net/tcp.
func TestDiscoversUnauthenticatedServices(t *testing.T) {
	need(t, "127.0.0.1:6379", "Redis")
	need(t, "127.0.0.1:3306", "MariaDB")
	need(t, "127.0.0.1:5432", "PostgreSQL")
	r := runServices(t, nil)
	for _, s := range []Service{{Redis, "127.0.0.1:6379"}, {MySQL, "127.0.0.1:3306"}, {PostgreSQL, "127.0.0.1:5432"}} {
		if !openAt(r, s.Kind, s.Addr) {
			t.Errorf("%s at %s not reported as unauthenticated; findings %+v unknown %v", s.Kind, s.Addr, r.Findings, r.Unknown)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A Redis that requires a password passes.
func TestRedisWithPasswordPasses(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
			t.Fatal("redis-server is not installed")
		}
		t.Skip("redis-server is not installed")
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--requirepass", "posture-test-"+fmt.Sprint(time.Now().UnixNano()),
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := runServices(t, []Service{{Redis, addr}})
	if len(r.Findings) != 0 || len(r.Unknown) != 0 {
		t.Fatalf("password-protected Redis: findings %+v unknown %v", r.Findings, r.Unknown)
	}
	if ev := r.Evidence[ctlServices]; !strings.Contains(ev, "NOAUTH") {
		t.Fatalf("evidence %q should say NOAUTH", ev)
	}
	// And the unauthenticated one next to it is still found.
	need(t, "127.0.0.1:6379", "Redis")
	r = runServices(t, []Service{{Redis, addr}, {Redis, "127.0.0.1:6379"}})
	if !openAt(r, Redis, "127.0.0.1:6379") || openAt(r, Redis, addr) {
		t.Fatalf("findings %+v", r.Findings)
	}
}

// Memcached is tried when it runs; CI installs it (apt package memcached) and sets
// POSTURE_REQUIRE_INTEGRATION.
func TestMemcached(t *testing.T) {
	bin, err := exec.LookPath("memcached")
	if err != nil {
		if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
			t.Fatal("memcached is not installed")
		}
		t.Skip("memcached is not installed")
	}
	port := freePort(t)
	args := []string{"-l", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "0", "-m", "8"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody")
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("memcached did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := runServices(t, []Service{{Memcached, addr}})
	if !openAt(r, Memcached, addr) {
		t.Fatalf("memcached without SASL not found: %+v %v", r.Findings, r.Unknown)
	}
}

// Every host probe runs against this machine without error and decides or explains each
// of its controls.
func TestAllProbesLive(t *testing.T) {
	for _, p := range New(Options{}) {
		r, err := p.Run(context.Background(), local)
		if err != nil {
			t.Fatalf("%s: %v", p.Name(), err)
		}
		for _, c := range p.Controls() {
			decided := r.Unknown[c] != "" || r.NotApplicable[c] != "" || r.Evidence[c] != ""
			for _, f := range r.Findings {
				decided = decided || f.Control == c
			}
			if !decided {
				t.Errorf("%s: %s has no finding, evidence, unknown or not-applicable reason", p.Name(), c)
			}
		}
		t.Logf("%s: %d findings, unknown %v, n/a %v, evidence %v", p.Name(), len(r.Findings), r.Unknown, r.NotApplicable, r.Evidence)
		for _, f := range r.Findings {
			t.Logf("  %s %s %s: %s", f.Control, f.Rule, f.Location, f.Message)
		}
	}
}
