// Package engine runs probes against targets and turns what they report into a status per
// control and target, applying the policy pack, scope and deviations.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Options configure one scan.
type Options struct {
	Pack   *policy.Pack
	Probes []probe.Probe
	// Jobs bounds how many probes run at once; 0 means one per CPU.
	Jobs int
	// NetJobs bounds how many probes of endpoint targets run at once. They wait on the
	// network, not the CPU, so a sweep of many endpoints needs far more than Jobs in
	// flight; netx still limits connections per host. 0 means DefaultNetJobs.
	NetJobs int
	// Progress, when set, is told after each probe finishes how many of all have.
	Progress func(done, total int)
	// Now is the scan's clock (fixed in tests).
	Now         func() time.Time
	MaxFileSize int64
	// Exclude takes paths out of scope of repository targets.
	Exclude []fileset.Exclusion
	// Only and Skip select controls by ID ("CR-4") or section ("CR").
	Only, Skip []string
	// Deviations come from outside the repository (a posture server's approved ones,
	// pulled by `posture scan --server`). They are judged and applied to every target
	// exactly like those of the repository's deviations file.
	Deviations []deviation.Deviation
	Logger     *slog.Logger
}

// task is one probe to run on one target.
type task struct {
	t     *targetRun
	probe probe.Probe
}

// targetRun gathers what the probes of one target produced.
type targetRun struct {
	target   *target.Target
	res      *TargetResult
	mu       sync.Mutex
	out      map[string]*probeOutcome // by probe name
	setupErr error
}

type probeOutcome struct {
	result *probe.Result
	err    error
}

// Run scans every target. It returns a result even when ctx is cancelled part-way:
// whatever finished is reported, and whatever did not is "unknown".
func Run(ctx context.Context, targets []*target.Target, opt Options) (*Result, error) {
	if opt.Pack == nil {
		return nil, fmt.Errorf("engine: no policy pack")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.GOMAXPROCS(0)
	}
	if opt.NetJobs <= 0 {
		opt.NetJobs = DefaultNetJobs
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkSelection(opt.Pack, opt.Only, opt.Skip); err != nil {
		return nil, err
	}
	res := &Result{Pack: opt.Pack, StartedAt: opt.Now(), Only: opt.Only, Skip: opt.Skip}
	if w := opt.Pack.ExpiryWarning(res.StartedAt); w != "" {
		res.Warnings = append(res.Warnings, w)
	}

	runs := make([]*targetRun, len(targets))
	for i, t := range targets {
		runs[i] = &targetRun{target: t, res: &TargetResult{Name: t.Name, Kind: t.Kind}, out: map[string]*probeOutcome{}}
	}
	prepare(ctx, runs, opt)

	var tasks []task
	for _, tr := range runs {
		if tr.setupErr != nil {
			continue
		}
		for _, p := range opt.Probes {
			if slices.Contains(p.Kinds(), tr.target.Kind) && speaksForSelected(p, opt) {
				tasks = append(tasks, task{t: tr, probe: p})
			}
		}
	}
	var local, remote []task
	for _, tk := range tasks {
		if tk.t.target.Kind == policy.KindEndpoint {
			remote = append(remote, tk)
		} else {
			local = append(local, tk)
		}
	}
	prog := newProgress(len(tasks), opt.Progress)
	var pools sync.WaitGroup
	pools.Go(func() { runTasks(ctx, local, opt.Jobs, opt, prog) })
	pools.Go(func() { runTasks(ctx, remote, opt.NetJobs, opt, prog) })
	pools.Wait()

	if ctx.Err() != nil {
		res.Interrupted = true
		res.Warnings = append(res.Warnings, "scan interrupted before it finished: controls whose probes did not complete are reported as unknown")
	}
	seen := map[string]bool{}
	for _, tr := range runs {
		res.Targets = append(res.Targets, evaluate(tr, opt, res.StartedAt))
		for _, name := range slices.Sorted(maps.Keys(tr.out)) {
			if r := tr.out[name].result; r != nil {
				for _, w := range r.Warnings {
					if !seen[w] {
						seen[w] = true
						res.Warnings = append(res.Warnings, w)
					}
				}
			}
		}
	}
	res.FinishedAt = opt.Now()
	return res, nil
}

// prepare builds the inventory of each repository target, a few at a time.
func prepare(ctx context.Context, runs []*targetRun, opt Options) {
	sem := make(chan struct{}, opt.Jobs)
	var wg sync.WaitGroup
	for _, tr := range runs {
		if tr.target.Kind != policy.KindRepo {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fs, err := fileset.Build(ctx, tr.target.Root, fileset.Options{MaxFileSize: opt.MaxFileSize, Exclude: opt.Exclude})
			if err != nil {
				tr.setupErr = fmt.Errorf("listing files: %w", err)
				return
			}
			tr.target.Files = fs
		}()
	}
	wg.Wait()
}

// DefaultNetJobs is how many endpoint probes run at once unless told otherwise.
const DefaultNetJobs = 32

// progress counts finished probes for Options.Progress.
type progress struct {
	mu          sync.Mutex
	done, total int
	report      func(done, total int)
}

func newProgress(total int, report func(int, int)) *progress {
	return &progress{total: total, report: report}
}

func (p *progress) step() {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.report(p.done, p.total)
}

// runTasks runs probes on a pool of size jobs. Cancellation stops new probes from
// starting; running probes see the cancelled context.
func runTasks(ctx context.Context, tasks []task, jobs int, opt Options, prog *progress) {
	if len(tasks) == 0 {
		return
	}
	queue := make(chan task)
	var wg sync.WaitGroup
	for range min(jobs, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tk := range queue {
				runOne(ctx, tk, opt)
				prog.step()
			}
		}()
	}
	for _, tk := range tasks {
		if ctx.Err() != nil {
			break
		}
		select {
		case queue <- tk:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}

func runOne(ctx context.Context, tk task, opt Options) {
	name := tk.probe.Name()
	if ctx.Err() != nil {
		return
	}
	start := opt.Now()
	r, err := safeRun(ctx, tk.probe, tk.t.target)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", ctx.Err())
	}
	d := opt.Now().Sub(start)
	opt.Logger.Debug("probe finished", "probe", name, "target", tk.t.target.Name, "duration", d, "error", err)
	tk.t.mu.Lock()
	defer tk.t.mu.Unlock()
	tk.t.out[name] = &probeOutcome{result: r, err: err}
	run := ProbeRun{Probe: name, Duration: d}
	switch {
	case err != nil:
		run.Error = err.Error()
	case len(r.Incomplete) > 0:
		run.Error = "incomplete: " + strings.Join(r.Incomplete, "; ")
	}
	tk.t.res.Probes = append(tk.t.res.Probes, run)
}

// safeRun turns a probe panic into an error so one broken probe cannot end the scan.
func safeRun(ctx context.Context, p probe.Probe, t *target.Target) (r *probe.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("probe crashed: %v", v)
			slog.Default().Debug("probe panic", "probe", p.Name(), "stack", string(debug.Stack()))
		}
	}()
	r, err = p.Run(ctx, t)
	if r == nil && err == nil {
		err = fmt.Errorf("probe returned no result")
	}
	return r, err
}

// selected reports whether --only/--skip keep control c.
func selected(c *policy.Control, opt Options) bool {
	match := func(pats []string) bool {
		for _, p := range pats {
			if strings.EqualFold(p, c.ID) || strings.EqualFold(p, c.Section) {
				return true
			}
		}
		return false
	}
	if len(opt.Only) > 0 && !match(opt.Only) {
		return false
	}
	return !match(opt.Skip)
}

func speaksForSelected(p probe.Probe, opt Options) bool {
	for _, id := range p.Controls() {
		if c := opt.Pack.Control(id); c != nil && selected(c, opt) && c.NotApplicable == "" {
			return true
		}
	}
	return false
}

func checkSelection(pack *policy.Pack, lists ...[]string) error {
	for _, l := range lists {
		for _, p := range l {
			if pack.Control(strings.ToUpper(p)) == nil && pack.Section(strings.ToUpper(p)) == nil {
				return fmt.Errorf("--only/--skip: %q is neither a control nor a section of the policy pack", p)
			}
		}
	}
	return nil
}

// sortFindings orders findings for stable output: control, path, line, rule, key.
func sortFindings(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Control != b.Control {
			return a.Control < b.Control
		}
		if a.Location.Path != b.Location.Path {
			return a.Location.Path < b.Location.Path
		}
		if a.Location.URL != b.Location.URL {
			return a.Location.URL < b.Location.URL
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Key < b.Key
	})
}
