// Package terraform checks Terraform configurations for the AWS provider: encryption at
// rest and backups (SC-4), log retention (SC-5), redundancy (SC-7), single-instance
// production services (SC-3), and security groups that leave an address list as the only
// gate in front of an administrative service (ZT-2). docs/terraform.md lists every rule
// and the decisions behind them.
package terraform

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// Rules this probe reports.
const (
	RuleS3Encryption           = "terraform/s3-encryption-not-declared"
	RuleRDSUnencrypted         = "terraform/rds-storage-unencrypted"
	RuleRDSNoBackups           = "terraform/rds-backups-disabled"
	RuleEBSUnencrypted         = "terraform/ebs-unencrypted"
	RuleEBSDefaultOff          = "terraform/ebs-encryption-by-default-off"
	RuleEFSUnencrypted         = "terraform/efs-unencrypted"
	RuleElastiCacheUnencrypted = "terraform/elasticache-unencrypted"
	RuleNoBackupPlan           = "terraform/no-backup-plan"
	RuleLogGroupRetention      = "terraform/log-group-retention"
	RuleLogBucketExpiration    = "terraform/log-bucket-no-expiration"
	RuleRDSSingleAZ            = "terraform/rds-single-az"
	RuleAuroraSingleInstance   = "terraform/aurora-single-instance"
	RuleElastiCacheFailover    = "terraform/elasticache-no-failover"
	RuleASGSingleInstance      = "terraform/asg-single-instance"
	RuleECSSingleTask          = "terraform/ecs-single-task"
	RuleAdminPortOpen          = "terraform/admin-port-open-to-internet"
	RuleAdminPortAllowList     = "terraform/admin-port-ip-allowlist"
)

const (
	ctlReplicas   = "SC-3"
	ctlBackups    = "SC-4"
	ctlLogs       = "SC-5"
	ctlRedundancy = "SC-7"
	ctlNetwork    = "ZT-2"
)

var controls = []string{ctlNetwork, ctlReplicas, ctlBackups, ctlLogs, ctlRedundancy}

// New returns the Terraform probe.
func New() probe.Probe { return tfProbe{} }

type tfProbe struct{}

func (tfProbe) Name() string               { return "terraform/aws" }
func (tfProbe) Controls() []string         { return append([]string(nil), controls...) }
func (tfProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (tfProbe) Description() string {
	return "Terraform configurations (*.tf, *.tf.json) for AWS encrypt and back up data stores, expire logs, run production services and databases redundantly, and do not leave administrative ports behind an address list alone"
}

// relevant reports whether a path is Terraform configuration or variables that posture
// reads. .terraform/ holds provider binaries and downloaded modules: a cache, not the
// repository's configuration.
func relevant(p string) bool {
	if strings.HasPrefix(p, ".terraform/") || strings.Contains(p, "/.terraform/") {
		return false
	}
	return tf.IsConfigFile(p) || tf.IsVarFile(p)
}

func (tfProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var files []fileset.File
	for _, f := range t.Files.Files() {
		if relevant(f.Path) {
			files = append(files, f)
		}
	}
	// Taken before reading, so that this probe's own read failures (which the inventory
	// also records) are not reported twice.
	var skipped []fileset.Skip
	for _, s := range t.Files.Skipped() {
		if _, inScope := t.Files.Lookup(s.Path); !inScope && relevant(s.Path) {
			skipped = append(skipped, s)
		}
	}
	if len(files) == 0 && len(skipped) == 0 {
		for _, c := range controls {
			r.MarkNotApplicable(c, "no Terraform configuration (*.tf, *.tf.json) found")
		}
		return r, nil
	}
	s := newScan(r)
	for _, sk := range skipped {
		s.undecidedAll(sk.Path + ": " + sk.Reason + "; its resources were not checked")
	}
	var parsed []*tf.File
	errs := map[string][]tf.Diagnostic{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := t.Files.Read(f)
		if err != nil {
			s.undecidedAll(err.Error() + "; its resources were not checked")
			continue
		}
		pf, diags := tf.Parse(f.Path, data)
		parsed = append(parsed, pf)
		s.files[f.Path] = pf
		if len(diags) > 0 {
			errs[f.Path] = diags
			s.undecidedAll(diags[0].Error() + "; the file does not parse, so its resources were not checked")
		}
	}
	s.mods = tf.Group(parsed, errs)
	for _, m := range s.mods {
		if len(m.Errors) > 0 {
			s.brokenDirs[m.Dir] = true
		}
	}
	s.instances = tf.Instances(s.mods)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.run()
	s.flush()
	return r, nil
}

// scan holds one run over a repository's Terraform configuration.
type scan struct {
	r          *probe.Result
	files      map[string]*tf.File
	mods       []*tf.Module
	instances  []*tf.Instance
	brokenDirs map[string]bool
	unknown    map[string][]string
}

func newScan(r *probe.Result) *scan {
	return &scan{r: r, files: map[string]*tf.File{}, brokenDirs: map[string]bool{}, unknown: map[string][]string{}}
}

func (s *scan) run() {
	s.storage()
	s.buckets()
	s.logGroups()
	s.backupPlans()
	s.redundancy()
	s.replicas()
	s.securityGroups()
	s.registryModules()
}

// subject is one resource as evaluated in one module instance.
type subject struct {
	in *tf.Instance
	r  *tf.Resource
}

// resources lists the managed resources of the given types in every instance, leaving
// out those whose count or for_each is known to create nothing.
func (s *scan) resources(types ...string) []subject {
	var out []subject
	for _, in := range s.instances {
		for _, r := range in.Module.Resources {
			if r.Data || !contains(types, r.Type) {
				continue
			}
			if n, ok := in.Count(r.Block); ok && n == 0 {
				continue
			}
			out = append(out, subject{in, r})
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rootName names the configuration an instance belongs to: its root module's directory.
func rootName(in *tf.Instance) string {
	if d := in.Root.Module.Dir; d != "." {
		return d
	}
	return "the root module"
}

// label names a resource for messages: its address from the root and the root's
// directory, e.g. module.db.aws_db_instance.this in environments/prod.
func (x subject) label() string { return x.in.Address(x.r) + " in " + rootName(x.in) }

func (x subject) key() string { return x.in.Root.Module.Dir + "|" + x.in.Address(x.r) }

// absenceUncertain reports whether an absence-based conclusion about this resource's module could
// be wrong because one of the module's files did not parse.
func (s *scan) absenceUncertain(in *tf.Instance) (string, bool) {
	for p := in; p != nil; p = p.Parent {
		if s.brokenDirs[p.Module.Dir] {
			return p.Module.Broken[0], true
		}
	}
	return "", false
}

// rootBroken reports a file that did not parse anywhere in a root configuration: its
// own directory or a module it calls.
func (s *scan) rootBroken(root *tf.Instance) (string, bool) {
	for _, in := range s.instances {
		if in.Root == root && s.brokenDirs[in.Module.Dir] {
			return in.Module.Broken[0], true
		}
	}
	return "", false
}

// undecided records that control could not be decided for one resource, and why.
func (s *scan) undecided(control string, at tf.Pos, who, reason string) {
	s.markUnknown(control, fmt.Sprintf("%s: %s: %s", at.Short(), who, reason))
}

func (s *scan) undecidedAll(reason string) {
	for _, c := range controls {
		s.markUnknown(c, reason)
	}
}

func (s *scan) markUnknown(control, reason string) {
	for _, r := range s.unknown[control] {
		if r == reason {
			return
		}
	}
	s.unknown[control] = append(s.unknown[control], reason)
}

// maxUnknownReasons keeps a configuration full of unresolved values from producing a
// reason pages long; the count of the rest is kept.
const maxUnknownReasons = 8

func (s *scan) flush() {
	for _, c := range controls {
		reasons := s.unknown[c]
		sort.Strings(reasons)
		if len(reasons) > maxUnknownReasons {
			rest := len(reasons) - maxUnknownReasons
			reasons = append(reasons[:maxUnknownReasons:maxUnknownReasons], fmt.Sprintf("and %d more undecided", rest))
		}
		for _, reason := range reasons {
			s.r.MarkUnknown(c, reason)
		}
	}
}

// issue is one finding about a resource, before it is located.
type issue struct {
	control, rule string
	// attr is the argument the finding is about, when it is written; the finding then
	// points at it rather than at the resource block.
	attr     *tf.Attribute
	key      string
	message  string
	fix      string
	severity policy.Severity
}

func (s *scan) report(x subject, is issue) {
	at := x.r.Pos
	if is.attr != nil {
		at = is.attr.Pos
	}
	s.add(at, x.key()+"|"+is.key, is)
}

func (s *scan) add(at tf.Pos, key string, is issue) {
	f := finding.Finding{
		Control: is.control, Rule: is.rule, Severity: is.severity, Key: key,
		Location: finding.Location{Path: at.Path, Line: at.Line},
		Message:  is.message, Fix: is.fix,
	}
	if at.Path == "" {
		f.Location = finding.Location{}
	}
	if line := strings.TrimSpace(s.files[at.Path].Line(at.Line)); line != "" {
		f.Evidence = finding.Plain(line)
	}
	s.r.Add(f)
}

// describe says how an argument got its value, for messages: "multi_az = false", with
// the variable or local it came through and where that was written when it is not the
// argument itself.
func describe(name string, v tf.Value) string {
	s := name + " = " + v.Display()
	if v.Via != "" {
		s += fmt.Sprintf(" (through %s, set at %s)", v.Via, v.From.Short())
	}
	return s
}

// dirSegments splits a directory into its lower-case path segments.
func dirSegments(dir string) []string {
	if dir == "." || dir == "" {
		return nil
	}
	return strings.Split(strings.ToLower(path.Clean(dir)), "/")
}
