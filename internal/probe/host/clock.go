package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules of the clock probe.
const (
	RuleClockUnsynced = "host/clock-unsynchronised"
	RuleClockOffset   = "host/clock-offset"
)

const ctlClock = "SC-1"

// maxOffset is the offset SC-1 allows.
const maxOffset = time.Second

// Kernel NTP status bits and states (include/uapi/linux/timex.h).
const (
	staUnsync   = 0x0040
	staNano     = 0x2000
	timeError   = 5
	kernelMaxEr = 16 * time.Second // the kernel declares the clock unsynchronised here
)

// kernelClock is the kernel's view of clock discipline (adjtimex with no modes set,
// which any user may call).
type kernelClock struct {
	State    int
	Status   int64
	Offset   time.Duration
	MaxError time.Duration
	EstError time.Duration
}

func (k kernelClock) unsynced() bool { return k.Status&staUnsync != 0 || k.State == timeError }

func readAdjtimex() (kernelClock, error) {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	if err != nil {
		return kernelClock{}, fmt.Errorf("adjtimex: %w", err)
	}
	off := time.Duration(tx.Offset) * time.Microsecond
	if int64(tx.Status)&staNano != 0 {
		off = time.Duration(tx.Offset)
	}
	return kernelClock{
		State: state, Status: int64(tx.Status), Offset: off,
		MaxError: time.Duration(tx.Maxerror) * time.Microsecond,
		EstError: time.Duration(tx.Esterror) * time.Microsecond,
	}, nil
}

type clockProbe struct{ *env }

func (*clockProbe) Name() string               { return "host/clock" }
func (*clockProbe) Controls() []string         { return []string{ctlClock} }
func (*clockProbe) Kinds() []policy.TargetKind { return hostKinds }
func (*clockProbe) Description() string {
	return "the kernel reports the clock synchronised (adjtimex) and chrony, systemd-timesyncd or ntpd, when present, report an offset under 1 s"
}

// daemonReading is what a time daemon said.
type daemonReading struct {
	source   string // "chronyc tracking"
	synced   bool
	offset   time.Duration
	hasOff   bool
	evidence string
}

func (p *clockProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	if p.adjtimex == nil {
		r.MarkUnknown(ctlClock, "the kernel clock state is read only on the live machine (Root is "+p.root+")")
		return r, nil
	}
	k, err := p.adjtimex()
	if err != nil {
		r.MarkUnknown(ctlClock, err.Error())
		return r, nil
	}
	ps := p.readProcs()
	daemon, _ := ps.running("chronyd", "systemd-timesyncd", "ntpd", "openntpd", "ptp4l", "phc2sys")
	var readings []daemonReading
	var notes []string
	for _, q := range []func(context.Context) (*daemonReading, error){p.chrony, p.ntpq, p.timedatectl} {
		d, err := q(ctx)
		switch {
		case err != nil && !errors.Is(err, errNoCommand):
			notes = append(notes, err.Error())
		case d != nil:
			readings = append(readings, *d)
		}
	}
	kern := fmt.Sprintf("kernel: %s, offset %s, max error %s, estimated error %s", syncWord(!k.unsynced()), k.Offset, k.MaxError, k.EstError)

	// A daemon's own report is the most direct evidence: it knows its offset from its
	// sources, which the kernel does not.
	for _, d := range readings {
		switch {
		case !d.synced:
			add(r, ctlClock, RuleClockUnsynced, "", 0, "daemon:"+d.source,
				d.evidence+"; "+kern,
				fmt.Sprintf("The clock is not synchronised: %s reports no synchronisation.", d.source),
				"Make the time daemon reach its NTP servers (check network access to them and its configuration), then confirm with `chronyc tracking` or `timedatectl`.")
			return r, nil
		case d.hasOff && absDur(d.offset) >= maxOffset:
			add(r, ctlClock, RuleClockOffset, "", 0, "daemon:"+d.source,
				d.evidence,
				fmt.Sprintf("The clock is %s away from the time servers (%s), 1 s or more.", absDur(d.offset), d.source),
				"Let the daemon step the clock (chrony: `makestep`; ntpd: restart with -g) and find why it drifted.")
			return r, nil
		}
	}
	if len(readings) > 0 {
		d := readings[0]
		r.Attest(ctlClock, d.evidence+"; "+kern)
		return r, nil
	}

	if k.unsynced() {
		if daemon != "" {
			add(r, ctlClock, RuleClockUnsynced, "", 0, "kernel",
				kern+"; "+daemon+" runs",
				fmt.Sprintf("The kernel reports the clock unsynchronised although %s runs: it has not synchronised yet or cannot reach its servers.", daemon),
				"Check the daemon's status and its access to NTP servers.")
			return r, nil
		}
		if ps.hidden != "" {
			r.MarkUnknown(ctlClock, "the kernel reports the clock unsynchronised, and no time daemon is visible, but "+ps.hidden)
			return r, nil
		}
		if c := p.container(); c != "" {
			r.MarkUnknown(ctlClock, fmt.Sprintf("this looks like a container (%s): its clock is the host kernel's, which reports itself unsynchronised (STA_UNSYNC set, %s), and no time daemon (chronyd, systemd-timesyncd, ntpd) runs in the container; whether the host keeps time by other means (a hypervisor clock, PTP) cannot be seen from here — check the host", c, kern))
			return r, nil
		}
		add(r, ctlClock, RuleClockUnsynced, "", 0, "kernel",
			kern+"; no chronyd, systemd-timesyncd, ntpd or ptp4l process runs",
			"The clock is not synchronised: the kernel reports it unsynchronised (STA_UNSYNC) and no time daemon runs.",
			"Install and enable a time daemon (chrony or systemd-timesyncd) pointed at reliable NTP servers.")
		return r, nil
	}
	switch {
	case absDur(k.Offset) >= maxOffset:
		add(r, ctlClock, RuleClockOffset, "", 0, "kernel", kern,
			fmt.Sprintf("The kernel's remaining clock offset is %s, 1 s or more.", absDur(k.Offset)),
			"Let the time daemon step the clock and find why it drifted.")
	case k.MaxError >= maxOffset:
		add(r, ctlClock, RuleClockOffset, "", 0, "kernel", kern,
			fmt.Sprintf("The kernel's error bound on the clock is %s: the time daemon has not updated it for a long while, so the offset is not known to be under 1 s.", k.MaxError),
			"Check that the time daemon still reaches its servers.")
	default:
		ev := kern
		if daemon != "" {
			ev += "; " + daemon + " runs"
		}
		if len(notes) > 0 {
			ev += "; " + strings.Join(notes, "; ")
		}
		r.Attest(ctlClock, ev)
	}
	return r, nil
}

func syncWord(ok bool) string {
	if ok {
		return "synchronised"
	}
	return "unsynchronised"
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// chrony asks chronyd through chronyc. A chronyc that cannot reach chronyd is not a reading.
func (p *clockProbe) chrony(ctx context.Context) (*daemonReading, error) {
	out, err := p.run(ctx, "chronyc", "-n", "tracking")
	if err != nil {
		if errors.Is(err, errNoCommand) {
			return nil, err
		}
		return nil, fmt.Errorf("chronyc tracking failed: %w", err)
	}
	return parseChronyTracking(string(out))
}

func parseChronyTracking(s string) (*daemonReading, error) {
	d := &daemonReading{source: "chronyc tracking"}
	var leap, sys string
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Leap status":
			leap = strings.TrimSpace(v)
		case "System time":
			sys = strings.TrimSpace(v)
		}
	}
	if leap == "" {
		return nil, errors.New("chronyc tracking: no leap status in its output")
	}
	d.synced = leap != "Not synchronised"
	d.evidence = "chronyc: leap status " + leap
	// "0.000012345 seconds fast of NTP time"
	if f := strings.Fields(sys); len(f) >= 3 {
		if secs, err := strconv.ParseFloat(f[0], 64); err == nil && !math.IsNaN(secs) && !math.IsInf(secs, 0) && math.Abs(secs) < 1e9 {
			if f[2] == "slow" {
				secs = -secs
			}
			d.offset, d.hasOff = time.Duration(secs*float64(time.Second)), true
			d.evidence += ", system time " + sys
		}
	}
	return d, nil
}

// ntpq asks ntpd for its leap indicator and offset (milliseconds).
func (p *clockProbe) ntpq(ctx context.Context) (*daemonReading, error) {
	out, err := p.run(ctx, "ntpq", "-n", "-c", "rv 0 leap,offset")
	if err != nil {
		if errors.Is(err, errNoCommand) {
			return nil, err
		}
		return nil, fmt.Errorf("ntpq failed: %w", err)
	}
	return parseNtpqRV(string(out))
}

func parseNtpqRV(s string) (*daemonReading, error) {
	vals := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			vals[k] = strings.TrimSpace(v)
		}
	}
	leap, ok := vals["leap"]
	if !ok {
		return nil, errors.New("ntpq: no leap indicator in its output")
	}
	d := &daemonReading{source: "ntpq", synced: leap != "11" && leap != "3", evidence: "ntpd: leap " + leap}
	if ms, err := strconv.ParseFloat(vals["offset"], 64); err == nil && math.Abs(ms) < 1e12 {
		d.offset, d.hasOff = time.Duration(ms*float64(time.Millisecond)), true
		d.evidence += ", offset " + vals["offset"] + " ms"
	}
	return d, nil
}

// timedatectl asks systemd; it fails where systemd does not run, which is not a reading.
func (p *clockProbe) timedatectl(ctx context.Context) (*daemonReading, error) {
	out, err := p.run(ctx, "timedatectl", "show", "--property=NTP", "--property=NTPSynchronized")
	if err != nil {
		if errors.Is(err, errNoCommand) {
			return nil, err
		}
		// Without systemd as PID 1 there is no timedated to ask; the kernel state decides.
		return nil, nil
	}
	vals := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[k] = strings.TrimSpace(v)
		}
	}
	s, ok := vals["NTPSynchronized"]
	if !ok || vals["NTP"] != "yes" {
		// NTP=no: timesyncd is off; another daemon may still discipline the clock.
		return nil, nil
	}
	return &daemonReading{source: "timedatectl", synced: s == "yes", evidence: "timedatectl: NTPSynchronized=" + s}, nil
}
