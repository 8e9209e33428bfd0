package host

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
)

// procs is what /proc says about running processes.
type procs struct {
	byName map[string][]int
	// hidden says /proc shows only some processes to us (hidepid, or a PID namespace
	// view that lacks PID 1), so a process not seen may still run.
	hidden string
	err    error
}

// maxProcs bounds the /proc scan.
const maxProcs = 100000

// readProcs lists process names from /proc/PID/comm.
func (e *env) readProcs() *procs {
	p := &procs{byName: map[string][]int{}}
	ents, err := e.ReadDir("/proc")
	if err != nil {
		p.err = fmt.Errorf("cannot list /proc: %w", err)
		return p
	}
	n := 0
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid <= 0 {
			continue
		}
		if n++; n > maxProcs {
			break
		}
		b, err := e.ReadFile("/proc/" + ent.Name() + "/comm")
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(b))
		p.byName[name] = append(p.byName[name], pid)
	}
	if n == 0 {
		p.err = errors.New("/proc lists no processes (not mounted?)")
		return p
	}
	if !e.exists("/proc/1") && e.notRoot() {
		p.hidden = "/proc shows only this user's processes (mounted with hidepid); run as root to see the others"
	}
	return p
}

// running returns the first of names that runs, with its PIDs.
func (p *procs) running(names ...string) (string, []int) {
	for _, n := range names {
		if pids := p.byName[n]; len(pids) > 0 {
			sort.Ints(pids)
			return n, pids
		}
	}
	return "", nil
}

// container says why the host looks like a container, or "" when it does not.
func (e *env) container() string {
	for _, f := range []string{"/.dockerenv", "/run/.containerenv"} {
		if e.exists(f) {
			return f + " exists"
		}
	}
	if b, err := e.ReadFile("/run/systemd/container"); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return "/run/systemd/container says " + s
		}
	}
	if b, err := e.ReadFile("/proc/1/cgroup"); err == nil {
		for _, m := range []string{"docker", "kubepods", "containerd", "libpod", "lxc"} {
			if strings.Contains(string(b), m) {
				return "/proc/1/cgroup names " + m
			}
		}
	}
	return ""
}

// socket is one listening TCP socket from /proc/net/tcp or tcp6.
type socket struct {
	Addr  netip.AddrPort
	Inode string
	UID   int
}

// tcpListen is the socket state LISTEN in /proc/net/tcp.
const tcpListen = "0A"

// maxSocketLines bounds the lines read from one /proc/net/tcp file.
const maxSocketLines = 200000

// parseProcNetTCP reads the listening sockets of /proc/net/tcp or /proc/net/tcp6. The
// addresses are hex words in host byte order (little-endian on every platform posture
// runs on), the port big-endian hex.
func parseProcNetTCP(data []byte) ([]socket, error) {
	var out []socket
	lines := strings.Split(string(data), "\n")
	if len(lines) > maxSocketLines {
		lines = lines[:maxSocketLines]
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if i == 0 || len(f) < 10 {
			continue
		}
		if f[3] != tcpListen {
			continue
		}
		ap, err := parseHexAddrPort(f[1])
		if err != nil {
			return out, fmt.Errorf("line %d: %w", i+1, err)
		}
		uid, _ := strconv.Atoi(f[7])
		out = append(out, socket{Addr: ap, Inode: f[9], UID: uid})
	}
	return out, nil
}

func parseHexAddrPort(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("address %q has no port", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port %q: %w", p, err)
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("address %q is not 8 or 32 hex digits", a)
	}
	// Each 32-bit word is in host (little-endian) order.
	for w := 0; w < len(raw); w += 4 {
		raw[w], raw[w+1], raw[w+2], raw[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}

// listening reads both socket tables. An error means neither could be read.
func (e *env) listening() ([]socket, error) {
	var out []socket
	var errs []string
	read := 0
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := e.ReadFile(f)
		if err != nil {
			if !os.IsNotExist(err) {
				errs = append(errs, err.Error())
			}
			continue
		}
		read++
		s, err := parseProcNetTCP(b)
		out = append(out, s...)
		if err != nil {
			errs = append(errs, f+": "+err.Error())
		}
	}
	if read == 0 {
		return nil, fmt.Errorf("cannot read /proc/net/tcp or tcp6: %s", strings.Join(errs, "; "))
	}
	return out, nil
}
