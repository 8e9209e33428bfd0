package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/policy"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// bucket is an aws_s3_bucket with what other resources say about it.
type bucket struct {
	x    subject
	name string // the bucket name when known
	// sse and expiry are set when some resource declares server-side encryption or an
	// expiring lifecycle rule for the bucket.
	sse, expiry bool
	// sseWhy and expiryWhy say why that could not be decided, when it could not.
	sseWhy, expiryWhy string
	// logWhy says why the bucket is taken to hold logs; empty when it is not.
	logWhy string
}

// bucketIndex finds buckets by address within an instance, and by name anywhere (bucket
// names are global, so a literal name identifies one bucket).
type bucketIndex struct {
	all    []*bucket
	byAddr map[*tf.Instance]map[string]*bucket
	byName map[string][]*bucket
	// unresolved collects, per root instance, companion resources whose bucket could
	// not be resolved, by what they would have declared ("encryption", "lifecycle",
	// "logs").
	unresolved map[*tf.Instance]map[string][]string
}

func (s *scan) bucketIndex() *bucketIndex {
	idx := &bucketIndex{byAddr: map[*tf.Instance]map[string]*bucket{}, byName: map[string][]*bucket{}, unresolved: map[*tf.Instance]map[string][]string{}}
	for _, x := range s.resources("aws_s3_bucket") {
		b := &bucket{x: x}
		if n, ok := x.arg("bucket").str(); ok {
			b.name = n
			idx.byName[n] = append(idx.byName[n], b)
		}
		if idx.byAddr[x.in] == nil {
			idx.byAddr[x.in] = map[string]*bucket{}
		}
		idx.byAddr[x.in][x.r.Address()] = b
		idx.all = append(idx.all, b)
	}
	return idx
}

// targets resolves an argument that names a bucket (by reference, name, ARN or domain
// name) to the buckets of the configuration it names. ok is false, with the reason, when
// it cannot be told which bucket is meant; a literal name of a bucket the configuration
// does not create resolves to none.
func (idx *bucketIndex) targets(x subject, a arg) (out []*bucket, why string, ok bool) {
	if a.attr == nil {
		return nil, "", true
	}
	in, found := x.in, tf.ResourceRefs(a.attr)
	if len(found) == 0 && refersToEach(a.attr) {
		// bucket = each.value under for_each = { logs = aws_s3_bucket.logs.id, ... }:
		// the instances together configure every bucket the for_each names.
		found = tf.ResourceRefs(x.r.Attr("for_each"))
	}
	for _, ref := range found {
		if b := idx.byAddr[in][ref]; b != nil && strings.HasPrefix(ref, "aws_s3_bucket.") {
			out = append(out, b)
		}
	}
	if len(out) > 0 {
		return out, "", true
	}
	name, known := a.str()
	if !known {
		return nil, a.v.Reason(), false
	}
	name = strings.TrimPrefix(name, "arn:aws:s3:::")
	if i := strings.Index(name, ".s3."); i > 0 {
		name = name[:i]
	}
	name = strings.TrimSuffix(name, ".s3.amazonaws.com")
	return idx.byName[name], "", true
}

func refersToEach(a *tf.Attribute) bool {
	for _, r := range tf.Refs(a) {
		if strings.HasPrefix(r, "each.") {
			return true
		}
	}
	return false
}

func (idx *bucketIndex) unresolvedIn(in *tf.Instance, kind, reason string) {
	root := in.Root
	if idx.unresolved[root] == nil {
		idx.unresolved[root] = map[string][]string{}
	}
	idx.unresolved[root][kind] = append(idx.unresolved[root][kind], reason)
}

func (s *scan) buckets() {
	idx := s.bucketIndex()
	if len(idx.all) == 0 {
		return
	}
	// Inline configuration, as written with AWS provider versions before 4.
	for _, b := range idx.all {
		in, r := b.x.in, b.x.r
		if present, why, decided := blockState(in, r.Block, "server_side_encryption_configuration"); present {
			b.sse = true
		} else if !decided {
			b.sseWhy = why
		}
		s.inlineLifecycle(b)
		if has, target := inlineLogging(b.x); has {
			for _, t := range idx.fromLogging(b.x, target) {
				t.logWhy = fmt.Sprintf("%s writes access logs to it", b.x.in.Address(r))
			}
		}
	}
	s.splitEncryption(idx)
	s.splitLifecycle(idx)
	s.logTargets(idx)
	for _, b := range idx.all {
		s.bucketEncryption(idx, b)
		s.bucketExpiration(idx, b)
	}
}

func (idx *bucketIndex) fromLogging(x subject, a arg) []*bucket {
	targets, why, ok := idx.targets(x, a)
	if !ok {
		idx.unresolvedIn(x.in, "logs", fmt.Sprintf("%s (%s): cannot tell which bucket %s writes logs to: %s", a.attr.Pos.Short(), x.label(), x.in.Address(x.r), why))
	}
	return targets
}

func inlineLogging(x subject) (bool, arg) {
	for _, l := range x.r.Nested("logging") {
		if l.Dynamic {
			continue
		}
		return true, argOf(x.in, l, "target_bucket")
	}
	return false, arg{}
}

func (s *scan) splitEncryption(idx *bucketIndex) {
	for _, x := range s.resources("aws_s3_bucket_server_side_encryption_configuration") {
		targets, why, ok := idx.targets(x, x.arg("bucket"))
		if !ok {
			idx.unresolvedIn(x.in, "encryption", fmt.Sprintf("cannot tell which bucket %s configures: %s", x.in.Address(x.r), why))
			continue
		}
		for _, b := range targets {
			b.sse = true
		}
	}
}

func (s *scan) bucketEncryption(idx *bucketIndex, b *bucket) {
	x := b.x
	if b.sse {
		return
	}
	if b.sseWhy != "" {
		s.undecided(ctlBackups, x.r.Pos, x.label(), "cannot tell if it declares server-side encryption: "+b.sseWhy)
		return
	}
	if reasons := idx.unresolved[x.in.Root]["encryption"]; len(reasons) > 0 {
		s.undecided(ctlBackups, x.r.Pos, x.label(), "declares no server-side encryption itself, and "+reasons[0])
		return
	}
	if file, broken := s.absenceUncertain(x.in); broken {
		s.undecided(ctlBackups, x.r.Pos, x.label(), "declares no server-side encryption, but "+file+" does not parse and may configure it")
		return
	}
	name := x.r.Name
	s.report(x, issue{
		control: ctlBackups, rule: RuleS3Encryption, key: "server_side_encryption", severity: policy.Low,
		message: fmt.Sprintf("%s declares no server-side encryption: it has no server_side_encryption_configuration block and no aws_s3_bucket_server_side_encryption_configuration refers to it. S3 has encrypted new objects with S3-managed keys by default since January 2023, but objects written earlier stay as they were, and the configuration neither shows nor controls the key that protects the data.", x.label()),
		fix:     fmt.Sprintf("Declare it: resource \"aws_s3_bucket_server_side_encryption_configuration\" %q { bucket = %s.id  rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\"  kms_master_key_id = aws_kms_key.s3.arn } } }.", name, x.r.Address()),
	})
}

// logTokens are the name parts that mark a bucket as holding logs. Matching whole parts
// keeps "catalog", "blog" and "login" buckets out.
var logTokens = map[string]bool{
	"log": true, "logs": true, "logging": true, "accesslogs": true, "flowlogs": true,
	"auditlogs": true, "alblogs": true, "elblogs": true, "cloudtrail": true, "trail": true,
}

func logName(s string) bool {
	for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if logTokens[part] {
			return true
		}
	}
	return false
}

// logTargets marks the buckets that hold logs: by name, by tag, or because a logging
// configuration, trail, load balancer, flow log or distribution writes to them.
func (s *scan) logTargets(idx *bucketIndex) {
	for _, b := range idx.all {
		x := b.x
		switch {
		case b.logWhy != "":
		case b.name != "" && logName(b.name):
			b.logWhy = fmt.Sprintf("its name %q says so", b.name)
		case logName(x.r.Name):
			b.logWhy = fmt.Sprintf("its resource name %q says so", x.r.Name)
		default:
			if p, ok := x.arg("bucket_prefix").str(); ok && logName(p) {
				b.logWhy = fmt.Sprintf("its name prefix %q says so", p)
				continue
			}
			tags, _ := tagsOf(x.in.Eval(x.r.Attr("tags")))
			for _, t := range tags {
				if v, ok := t.v.Str(); ok && logName(v) {
					b.logWhy = fmt.Sprintf("its %s tag is %q", t.key, v)
					break
				}
			}
		}
	}
	writers := []struct {
		typ, block, attr, what string
	}{
		{"aws_s3_bucket_logging", "", "target_bucket", "access logs"},
		{"aws_cloudtrail", "", "s3_bucket_name", "CloudTrail logs"},
		{"aws_lb", "access_logs", "bucket", "load balancer access logs"},
		{"aws_alb", "access_logs", "bucket", "load balancer access logs"},
		{"aws_elb", "access_logs", "bucket", "load balancer access logs"},
		{"aws_cloudfront_distribution", "logging_config", "bucket", "CloudFront access logs"},
		{"aws_flow_log", "", "log_destination", "VPC flow logs"},
	}
	for _, w := range writers {
		for _, x := range s.resources(w.typ) {
			blocks := []*tf.Block{x.r.Block}
			if w.block != "" {
				blocks = x.r.Nested(w.block)
			}
			if w.typ == "aws_flow_log" {
				if t, ok := x.arg("log_destination_type").str(); !ok || t != "s3" {
					continue
				}
			}
			for _, blk := range blocks {
				if blk.Dynamic {
					continue
				}
				a := argOf(x.in, blk, w.attr)
				if !a.set() {
					continue
				}
				for _, b := range idx.fromLogging(x, a) {
					if b.logWhy == "" || strings.HasPrefix(b.logWhy, "its ") {
						b.logWhy = fmt.Sprintf("%s writes %s to it", x.in.Address(x.r), w.what)
					}
				}
			}
		}
	}
}

// inlineLifecycle reads the lifecycle_rule blocks of AWS provider versions before 4.
func (s *scan) inlineLifecycle(b *bucket) {
	x := b.x
	for _, rule := range x.r.Nested("lifecycle_rule") {
		if rule.Dynamic {
			if n, ok := collectionLen(x.in.Eval(rule.ForEach)); !ok || n > 0 {
				b.expiryWhy = fmt.Sprintf("its rules come from a dynamic \"lifecycle_rule\" block (line %d), which posture does not expand", rule.Pos.Line)
			}
			continue
		}
		st, why := boolState(argOf(x.in, rule, "enabled"))
		if st == stFalse || st == stUnset {
			continue
		}
		exp, expWhy := expires(x.in, rule)
		switch {
		case st == stUnknown:
			b.expiryWhy = fmt.Sprintf("cannot tell if its lifecycle_rule (line %d) is enabled: %s", rule.Pos.Line, why)
		case exp:
			b.expiry = true
		case expWhy != "":
			b.expiryWhy = expWhy
		}
	}
}

// expires reports whether a lifecycle rule has an expiration that deletes current
// objects after a number of days or on a date.
func expires(in *tf.Instance, rule *tf.Block) (bool, string) {
	for _, e := range rule.Nested("expiration") {
		if e.Dynamic {
			return false, fmt.Sprintf("its dynamic \"expiration\" block (line %d) is not expanded", e.Pos.Line)
		}
		days, date := argOf(in, e, "days"), argOf(in, e, "date")
		if days.set() || date.set() {
			if n, ok := days.number(); ok && n <= 0 && !date.set() {
				continue
			}
			return true, ""
		}
	}
	return false, ""
}

func (s *scan) splitLifecycle(idx *bucketIndex) {
	for _, x := range s.resources("aws_s3_bucket_lifecycle_configuration") {
		targets, why, ok := idx.targets(x, x.arg("bucket"))
		if !ok {
			idx.unresolvedIn(x.in, "lifecycle", fmt.Sprintf("cannot tell which bucket %s configures: %s", x.in.Address(x.r), why))
			continue
		}
		exp, expWhy := false, ""
		for _, rule := range x.r.Nested("rule") {
			if rule.Dynamic {
				expWhy = fmt.Sprintf("%s makes its rules with a dynamic block (line %d), which posture does not expand", x.in.Address(x.r), rule.Pos.Line)
				continue
			}
			status := argOf(x.in, rule, "status")
			st, known := status.str()
			if !known {
				if status.unknown() {
					expWhy = fmt.Sprintf("cannot tell if a rule of %s (line %d) is enabled: %s", x.in.Address(x.r), rule.Pos.Line, status.v.Reason())
				}
				continue
			}
			if st != "Enabled" {
				continue
			}
			if e, w := expires(x.in, rule); e {
				exp = true
			} else if w != "" {
				expWhy = w
			}
		}
		for _, b := range targets {
			if exp {
				b.expiry = true
			} else if expWhy != "" && b.expiryWhy == "" {
				b.expiryWhy = expWhy
			}
		}
	}
}

func (s *scan) bucketExpiration(idx *bucketIndex, b *bucket) {
	x := b.x
	if b.expiry {
		return
	}
	unresolved := idx.unresolved[x.in.Root]
	if b.logWhy == "" {
		if reasons := unresolved["logs"]; len(reasons) > 0 {
			sort.Strings(reasons)
			s.undecided(ctlLogs, x.r.Pos, x.label(), "has no expiring lifecycle rule, and it may receive logs: "+reasons[0])
		}
		return
	}
	switch {
	case b.expiryWhy != "":
		s.undecided(ctlLogs, x.r.Pos, x.label(), "holds logs ("+b.logWhy+"), and "+b.expiryWhy)
		return
	case len(unresolved["lifecycle"]) > 0:
		s.undecided(ctlLogs, x.r.Pos, x.label(), "holds logs ("+b.logWhy+") and has no expiring lifecycle rule of its own, and "+unresolved["lifecycle"][0])
		return
	}
	if file, broken := s.absenceUncertain(x.in); broken {
		s.undecided(ctlLogs, x.r.Pos, x.label(), "holds logs ("+b.logWhy+") and has no expiring lifecycle rule, but "+file+" does not parse and may configure one")
		return
	}
	name := x.r.Name
	s.report(x, issue{
		control: ctlLogs, rule: RuleLogBucketExpiration, key: "lifecycle",
		message: fmt.Sprintf("%s holds logs (%s) and has no enabled lifecycle rule that expires objects, so the logs are kept forever.", x.label(), b.logWhy),
		fix:     fmt.Sprintf("Expire them after the retention they need: resource \"aws_s3_bucket_lifecycle_configuration\" %q { bucket = %s.id  rule { id = \"expire-logs\"  status = \"Enabled\"  filter {}  expiration { days = 90 } } }.", name, x.r.Address()),
	})
}
