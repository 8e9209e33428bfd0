package terraform

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/policy"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// registryModule is a widely used public module whose inputs posture knows: the module's
// own resources are not in the repository, so its inputs are all there is to judge.
type registryModule int

const (
	notRegistry registryModule = iota
	s3BucketModule
	rdsModule
)

// registryKind recognises terraform-aws-modules' s3-bucket and rds modules from the
// registry or from their GitHub repositories. Submodules (//modules/...) make other
// resources and are not judged.
func registryKind(source string) registryModule {
	src := strings.ToLower(source)
	if strings.Contains(src, "//modules/") || strings.HasSuffix(src, "//modules") {
		return notRegistry
	}
	src = strings.TrimPrefix(src, "registry.terraform.io/")
	src = strings.TrimPrefix(src, "git::")
	switch {
	case src == "terraform-aws-modules/s3-bucket/aws",
		strings.Contains(src, "github.com/terraform-aws-modules/terraform-aws-s3-bucket"):
		return s3BucketModule
	case src == "terraform-aws-modules/rds/aws",
		strings.Contains(src, "github.com/terraform-aws-modules/terraform-aws-rds.git"),
		strings.HasSuffix(strings.SplitN(src, "?", 2)[0], "github.com/terraform-aws-modules/terraform-aws-rds"):
		return rdsModule
	}
	return notRegistry
}

// registryCalls lists the calls of a known registry module, as subjects whose address is
// the module call's (module.db).
func (s *scan) registryCalls(kind registryModule) []subject {
	var out []subject
	for _, in := range s.instances {
		for _, c := range in.Module.Calls {
			if registryKind(c.Source) != kind {
				continue
			}
			if n, ok := in.Count(c.Block); ok && n == 0 {
				continue
			}
			x := subject{in: in, r: &tf.Resource{Block: c.Block, Type: "module", Name: c.Name}}
			create := "create_bucket"
			if kind == rdsModule {
				create = "create_db_instance"
			}
			if st, _ := boolState(x.arg(create)); st == stFalse {
				continue
			}
			out = append(out, x)
		}
	}
	return out
}

func moduleLabel(x subject) string {
	return fmt.Sprintf("%s (%s)", x.label(), sourceOf(x))
}

func sourceOf(x subject) string {
	src, _ := x.arg("source").str()
	return src
}

// registryModules checks the inputs of the known registry modules. Defaults are the
// modules' own: the rds module encrypts storage unless told not to and is single-AZ
// unless told otherwise; the s3-bucket module adds no encryption or lifecycle
// configuration unless given one.
func (s *scan) registryModules() {
	for _, x := range s.registryCalls(rdsModule) {
		if x.arg("replicate_source_db").set() {
			continue
		}
		enc := x.arg("storage_encrypted")
		switch st, why := boolState(enc); {
		case st == stUnknown:
			s.undecided(ctlBackups, enc.attr.Pos, moduleLabel(x), "cannot tell if storage_encrypted is true: "+why)
		case st == stFalse && x.arg("snapshot_identifier").set():
			s.undecided(ctlBackups, enc.attr.Pos, moduleLabel(x), "it is restored from snapshot_identifier, so its encryption is the snapshot's")
		case st == stFalse:
			s.report(x, issue{
				control: ctlBackups, rule: RuleRDSUnencrypted, attr: enc.attr, key: "storage_encrypted",
				message: fmt.Sprintf("%s sets %s, so the database storage, its automated backups and its snapshots are unencrypted.", moduleLabel(x), describe("storage_encrypted", enc.v)),
				fix:     "Remove storage_encrypted = false (the module encrypts by default) or set it to true, with kms_key_id for a customer-managed key; an existing database is encrypted by restoring an encrypted snapshot copy.",
			})
		}
		e := s.env(x)
		if e.class == envNonProduction {
			continue
		}
		ret := x.arg("backup_retention_period")
		switch {
		case ret.unknown():
			s.undecided(ctlBackups, ret.attr.Pos, moduleLabel(x), "cannot tell if automated backups are on: backup_retention_period "+ret.v.Reason())
		case isNumber(ret, 0):
			s.report(x, issue{
				control: ctlBackups, rule: RuleRDSNoBackups, attr: ret.attr, key: "backup_retention_period",
				message: fmt.Sprintf("%s sets %s, which turns automated backups and point-in-time recovery off (%s).", moduleLabel(x), describe("backup_retention_period", ret.v), envWhy(e)),
				fix:     "Set backup_retention_period = 7 (or the retention the data needs, up to 35 days), and add the database to an aws_backup_selection so copies outlive the instance.",
			})
		}
		maz := x.arg("multi_az")
		switch st, why := boolState(maz); st {
		case stUnknown:
			s.undecided(ctlRedundancy, maz.attr.Pos, moduleLabel(x), "cannot tell if multi_az is true: "+why)
		case stUnset, stFalse:
			what := "does not set multi_az (the module's default is false)"
			if st == stFalse {
				what = "sets " + describe("multi_az", maz.v)
			}
			s.report(x, issue{
				control: ctlRedundancy, rule: RuleRDSSingleAZ, attr: maz.attr, key: "multi_az",
				message: fmt.Sprintf("%s %s, so the database runs in one Availability Zone with no standby to fail over to (%s).", moduleLabel(x), what, envWhy(e)),
				fix:     "Pass multi_az = true to the module for a synchronous standby in a second Availability Zone, or record the decision to run in one zone as an approved deviation.",
			})
		}
	}
	for _, x := range s.registryCalls(s3BucketModule) {
		s.moduleBucket(x)
	}
}

func (s *scan) moduleBucket(x subject) {
	sse := x.arg("server_side_encryption_configuration")
	switch {
	case sse.unknown():
		s.undecided(ctlBackups, sse.attr.Pos, moduleLabel(x), "cannot tell if it declares server-side encryption: server_side_encryption_configuration "+sse.v.Reason())
	case emptyCollection(sse):
		s.report(x, issue{
			control: ctlBackups, rule: RuleS3Encryption, attr: sse.attr, key: "server_side_encryption", severity: policy.Low,
			message: fmt.Sprintf("%s passes no server_side_encryption_configuration, so the module declares no server-side encryption for the bucket. S3 has encrypted new objects with S3-managed keys by default since January 2023, but objects written earlier stay as they were, and the configuration neither shows nor controls the key that protects the data.", moduleLabel(x)),
			fix:     "Pass server_side_encryption_configuration = { rule = { apply_server_side_encryption_by_default = { sse_algorithm = \"aws:kms\", kms_master_key_id = aws_kms_key.s3.arn } } } to the module.",
		})
	}
	name, _ := x.arg("bucket").str()
	if name == "" {
		name, _ = x.arg("bucket_prefix").str()
	}
	if !logName(name) {
		return
	}
	rules := x.arg("lifecycle_rule")
	switch {
	case rules.unknown():
		s.undecided(ctlLogs, rules.attr.Pos, moduleLabel(x), "holds logs (its name says so), and cannot tell if lifecycle_rule expires them: "+rules.v.Reason())
		return
	case moduleRulesExpire(rules):
		return
	}
	s.report(x, issue{
		control: ctlLogs, rule: RuleLogBucketExpiration, attr: rules.attr, key: "lifecycle",
		message: fmt.Sprintf("%s holds logs (its name %q says so) and passes no enabled lifecycle rule with an expiration, so the logs are kept forever.", moduleLabel(x), name),
		fix:     "Pass lifecycle_rule = [{ id = \"expire-logs\", enabled = true, expiration = { days = 90 } }] to the module, with the retention the logs need.",
	})
}

func emptyCollection(a arg) bool {
	if !a.set() {
		return true
	}
	if keys, ok := a.v.Keys(); ok {
		return len(keys) == 0
	}
	if elems, ok := a.v.Elements(); ok {
		return len(elems) == 0
	}
	return false
}

// moduleRulesExpire reports whether the s3-bucket module's lifecycle_rule input has an
// enabled rule with an expiration.
func moduleRulesExpire(a arg) bool {
	elems, ok := a.v.Elements()
	if !ok {
		return false
	}
	for _, e := range elems {
		if on, ok := e.Get("enabled").Bool(); ok && !on {
			continue
		}
		exp := e.Get("expiration")
		if exp.IsNull() {
			continue
		}
		if !exp.Get("days").IsNull() || !exp.Get("date").IsNull() {
			return true
		}
	}
	return false
}
