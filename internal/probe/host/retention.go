package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/confparse/logrotate"
	"github.com/posture-dev/posture/internal/confparse/systemdconf"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules of the retention probe.
const (
	RuleLogrotateForever = "host/logrotate-keeps-forever"
	RuleJournalNoMaxAge  = "host/journald-no-time-limit"
	RuleLogNoRetention   = "host/log-without-retention"
)

const (
	ctlRetention   = "SC-5"
	ctlRetentionLG = "LG-3"
)

const logrotateConf = "/etc/logrotate.conf"

// Bounds of the /var/log walk that looks for logs no rule covers.
const (
	maxLogEntries = 20000
	maxLogDepth   = 6
	maxFindings   = 100
)

type retentionProbe struct{ *env }

func (*retentionProbe) Name() string               { return "host/log-retention" }
func (*retentionProbe) Controls() []string         { return []string{ctlRetention, ctlRetentionLG} }
func (*retentionProbe) Kinds() []policy.TargetKind { return hostKinds }
func (*retentionProbe) Description() string {
	return "journald has a time limit on persistent logs, logrotate never keeps rotated logs forever, and every log file under /var/log is covered by a logrotate rule or is the journal"
}

func (p *retentionProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	var evidence []string
	used := false

	j := p.journald()
	ps := p.readProcs()
	_, jpids := ps.running("systemd-journald")
	if len(jpids) > 0 || len(j.cfg.Files) > 0 || p.isDir("/var/log/journal") {
		used = true
		if ev := p.journalRetention(r, j, len(jpids) > 0); ev != "" {
			evidence = append(evidence, ev)
		}
	}

	var stanzas []logrotate.Stanza
	lr, err := logrotate.Load(p, logrotateConf)
	switch {
	case err == nil:
		used = true
		stanzas = lr.Stanzas
		if ev := logrotateRetention(r, lr); ev != "" {
			evidence = append(evidence, ev)
		}
	case os.IsNotExist(err):
		if p.isDir("/etc/logrotate.d") {
			r.MarkUnknown(ctlRetention, "/etc/logrotate.d exists but /etc/logrotate.conf does not: logrotate is started with some other configuration, which posture cannot find")
		}
	default:
		r.MarkUnknown(ctlRetention, fmt.Sprintf("%s: %v", logrotateConf, err))
	}

	lgEvidence := p.uncovered(r, stanzas, j)
	if !used && len(lgEvidence) == 0 && !hasControl(r, ctlRetentionLG) {
		r.MarkNotApplicable(ctlRetention, "no journald or logrotate configuration and no log files under /var/log")
		r.MarkNotApplicable(ctlRetentionLG, "no journald or logrotate configuration and no log files under /var/log")
		return r, nil
	}
	if !used {
		r.MarkNotApplicable(ctlRetention, "neither journald nor logrotate is configured, so no retention is set to judge (log files without a rule are reported under LG-3)")
	}
	if len(evidence) > 0 {
		r.Attest(ctlRetention, strings.Join(evidence, "; "))
		r.Attest(ctlRetentionLG, strings.Join(append(evidence, lgEvidence...), "; "))
	} else if len(lgEvidence) > 0 {
		r.Attest(ctlRetentionLG, strings.Join(lgEvidence, "; "))
	}
	return r, nil
}

func hasControl(r *probe.Result, c string) bool {
	for _, f := range r.Findings {
		if f.Control == c {
			return true
		}
	}
	return r.Unknown[c] != ""
}

// journalRetention judges journald: a persistent journal needs a time limit
// (MaxRetentionSec); a volatile one is bounded by the next reboot and RuntimeMaxUse.
func (p *retentionProbe) journalRetention(r *probe.Result, j journaldState, running bool) string {
	for _, e := range j.cfg.Errors {
		r.MarkUnknown(ctlRetention, "journald configuration: "+e.Error())
	}
	where := "/etc/systemd/journald.conf"
	if len(j.cfg.Files) > 0 {
		where = j.cfg.Files[0]
	}
	switch j.effective {
	case "none":
		return "journald stores nothing (Storage=none)"
	case "volatile":
		return "journald keeps logs in /run only (Storage=" + j.storage + "), lost at reboot"
	case "persistent":
	default:
		r.MarkUnknown(ctlRetention, fmt.Sprintf("%s:%d: unknown journald Storage=%s", j.at.File, j.at.Line, j.storage))
		return ""
	}
	size := "SystemMaxUse default (10% of the file system, at most 4G)"
	if e, ok := j.cfg.Get("Journal", "SystemMaxUse"); ok {
		size = fmt.Sprintf("SystemMaxUse=%s (%s:%d)", e.Value, e.File, e.Line)
	}
	e, ok := j.cfg.Get("Journal", "MaxRetentionSec")
	if ok {
		d, finite, err := systemdconf.ParseTimespan(e.Value)
		switch {
		case err != nil:
			r.MarkUnknown(ctlRetention, fmt.Sprintf("%s:%d: MaxRetentionSec=%s: %v", e.File, e.Line, e.Value, err))
			return ""
		case finite && d > 0:
			return fmt.Sprintf("journald (persistent) deletes entries older than %s (MaxRetentionSec=%s, %s:%d); %s", days(d), e.Value, e.File, e.Line, size)
		}
		where = e.File
	}
	line := 0
	if ok {
		line = e.Line
	}
	state := "configured persistent"
	if j.storage == "auto" {
		state = "persistent because /var/log/journal exists"
	}
	if !running {
		state += ", though systemd-journald is not running now"
	}
	add(r, ctlRetention, RuleJournalNoMaxAge, where, line, "MaxRetentionSec",
		"journald storage "+state+"; MaxRetentionSec unset or 0; "+size,
		"The persistent journal has no time limit: entries are kept until the size limit forces them out, which on a quiet host can be years.",
		"Set MaxRetentionSec= in a drop-in (/etc/systemd/journald.conf.d/retention.conf, [Journal] section) to the period your retention rules require, e.g. MaxRetentionSec=3month.")
	return ""
}

func days(d time.Duration) string {
	n := d.Hours() / 24
	if n >= 1 {
		return fmt.Sprintf("%.0f days", n)
	}
	return d.String()
}

// logrotateRetention reports stanzas that keep rotated logs forever and returns what the
// others bound retention to.
func logrotateRetention(r *probe.Result, c *logrotate.Config) string {
	for _, e := range c.Errors {
		r.MarkUnknown(ctlRetention, "logrotate configuration: "+e.Error())
	}
	var longest float64
	var longestAt string
	bySize := 0
	for _, s := range c.Stanzas {
		o := s.Options
		pats := strings.Join(s.Patterns, " ")
		if o.RotateCount() < 0 && o.MaxAgeDays() == 0 {
			add(r, ctlRetention, RuleLogrotateForever, o.Rotate.File, o.Rotate.Line, "rotate:"+pats,
				fmt.Sprintf("%s (stanza at %s:%d): rotate -1 and no maxage", pats, s.File, s.Line),
				"logrotate keeps every rotated file of "+pats+" forever (rotate -1 without maxage).",
				"Set a finite `rotate` count, or add `maxage DAYS`, matching how long these logs may be kept.")
			continue
		}
		var d float64
		switch {
		case o.MaxAgeDays() > 0 && o.RotateCount() < 0:
			d = float64(o.MaxAgeDays())
		case o.Criterion.Days() > 0:
			d = float64(o.RotateCount()+1) * o.Criterion.Days()
			if m := o.MaxAgeDays(); m > 0 && float64(m) < d {
				d = float64(m)
			}
		default:
			bySize++
			continue
		}
		if d > longest {
			longest, longestAt = d, fmt.Sprintf("%s at %s:%d", pats, s.File, s.Line)
		}
	}
	if len(c.Stanzas) == 0 {
		return "logrotate has no stanzas"
	}
	ev := fmt.Sprintf("logrotate: %d stanza%s", len(c.Stanzas), plural(len(c.Stanzas)))
	if longestAt != "" {
		ev += fmt.Sprintf(", longest time-bounded retention about %.0f days (%s)", longest, longestAt)
	}
	if bySize > 0 {
		ev += fmt.Sprintf(", %d rotated by size only (kept for a count of rotations, not a period)", bySize)
	}
	return ev
}

// rotatedName matches files logrotate or the program itself already rotated: x.1,
// x.2.gz, x-20240101, x.old, compressed files.
var rotatedName = regexp.MustCompile(`(\.[0-9]+|-[0-9]{8}([0-9]{2})?|\.old)(\.(gz|xz|bz2|zst|lz4|Z))?$|\.(gz|xz|bz2|zst|lz4|Z)$`)

// notLogs are files under /var/log that are not growing logs: fixed-size login
// databases and the journal, which journald bounds itself.
var notLogs = map[string]bool{"/var/log/lastlog": true, "/var/log/faillog": true, "/var/log/README": true, "/var/log/tallylog": true}

// uncovered reports log files under /var/log that no logrotate pattern covers (LG-3).
func (p *retentionProbe) uncovered(r *probe.Result, stanzas []logrotate.Stanza, j journaldState) []string {
	var patterns []string
	for _, s := range stanzas {
		patterns = append(patterns, s.Patterns...)
	}
	var files []string
	var unreadable []string
	seen := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > maxLogDepth || seen > maxLogEntries {
			return
		}
		ents, err := p.ReadDir(dir)
		if err != nil {
			unreadable = append(unreadable, fmt.Sprintf("%s (%v)", dir, errReason(err)))
			return
		}
		for _, ent := range ents {
			if seen++; seen > maxLogEntries {
				return
			}
			name := path.Join(dir, ent.Name())
			switch {
			case ent.Type()&fs.ModeSymlink != 0:
			case ent.IsDir():
				if name == "/var/log/journal" || name == "/var/log/private" {
					continue
				}
				walk(name, depth+1)
			case ent.Type().IsRegular():
				if notLogs[name] || rotatedName.MatchString(ent.Name()) {
					continue
				}
				if fi, err := ent.Info(); err != nil || fi.Size() == 0 {
					continue
				}
				files = append(files, name)
			}
		}
	}
	if !p.isDir("/var/log") {
		return nil
	}
	walk("/var/log", 0)
	sort.Strings(files)
	missing := 0
	for _, f := range files {
		if coveredBy(f, patterns) {
			continue
		}
		missing++
		if missing > maxFindings {
			continue
		}
		add(r, ctlRetentionLG, RuleLogNoRetention, f, 0, "no-rule",
			"no logrotate pattern matches "+f,
			"No retention rule covers "+f+": it is never rotated or deleted, so it grows and is kept forever.",
			"Add a logrotate stanza for it (e.g. /etc/logrotate.d/<app>) with `rotate` and a period matching how long this kind of log may be kept, or send the program's logs to journald.")
	}
	if missing > maxFindings {
		r.Warnings = append(r.Warnings, fmt.Sprintf("host/log-retention: %d log files have no retention rule; only the first %d are listed", missing, maxFindings))
	}
	if len(unreadable) > 0 {
		reason := "could not read " + strings.Join(unreadable, ", ")
		if p.notRoot() {
			reason += "; run as root to examine them"
		}
		r.MarkUnknown(ctlRetentionLG, reason)
	}
	if seen > maxLogEntries {
		r.MarkUnknown(ctlRetentionLG, fmt.Sprintf("/var/log has more than %d entries; only the first were examined", maxLogEntries))
	}
	if len(files) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d of %d log files under /var/log are covered by logrotate", len(files)-missing, len(files))}
}

// coveredBy matches a file against logrotate patterns, which are shell globs where "*"
// does not cross "/".
func coveredBy(file string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, file); ok {
			return true
		}
	}
	return false
}

func errReason(err error) string {
	if os.IsPermission(err) {
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
