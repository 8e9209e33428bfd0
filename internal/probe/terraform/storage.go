package terraform

import (
	"fmt"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// storage checks encryption at rest and automated backups of the AWS data stores whose
// encryption the configuration decides (SC-4).
//
// DynamoDB is deliberately absent: every table is encrypted at rest, and
// server_side_encryption { enabled = false } only means the key is owned by AWS rather
// than held in the account's KMS. Which key protects a table is a key-management choice,
// not a gap in encryption, so no finding is raised for it (docs/terraform.md).
func (s *scan) storage() {
	for _, x := range s.resources("aws_db_instance", "aws_rds_cluster") {
		s.rdsEncryption(x)
		if x.r.Type == "aws_db_instance" {
			s.rdsBackups(x)
		}
	}
	s.ebs()
	for _, x := range s.resources("aws_efs_file_system") {
		s.requireTrue(x, x.arg("encrypted"), issue{
			control: ctlBackups, rule: RuleEFSUnencrypted, key: "encrypted",
			fix: "Set encrypted = true (with kms_key_id = aws_kms_key.efs.arn for a customer-managed key); an existing file system cannot be encrypted in place, so create an encrypted one and copy the data across (for example with AWS DataSync).",
		}, "encrypted", "so the file system and the backups taken of it are stored unencrypted")
	}
	for _, x := range s.resources("aws_elasticache_replication_group") {
		if engine, _ := x.arg("engine").str(); engine == "valkey" && !x.arg("at_rest_encryption_enabled").set() {
			continue // Valkey replication groups are encrypted at rest unless told otherwise.
		}
		s.requireTrue(x, x.arg("at_rest_encryption_enabled"), issue{
			control: ctlBackups, rule: RuleElastiCacheUnencrypted, key: "at_rest_encryption_enabled",
			fix: "Set at_rest_encryption_enabled = true (with kms_key_id = aws_kms_key.cache.arn for a customer-managed key); the setting only applies when the replication group is created, so plan for its replacement.",
		}, "at_rest_encryption_enabled", "so the cache's data on disk and its snapshots are stored unencrypted")
	}
}

// requireTrue reports a boolean argument that is not true: unset (the provider default
// is false) or false. An unknown value makes the control undecided instead.
func (s *scan) requireTrue(x subject, a arg, is issue, name, consequence string) {
	st, why := boolState(a)
	switch st {
	case stTrue:
		return
	case stUnknown:
		s.undecided(is.control, a.attr.Pos, x.label(), "cannot tell if "+name+" is true: "+why)
		return
	case stUnset:
		is.message = fmt.Sprintf("%s does not set %s (the default is false), %s.", x.label(), name, consequence)
	default:
		is.attr = a.attr
		is.message = fmt.Sprintf("%s sets %s, %s.", x.label(), describe(name, a.v), consequence)
	}
	s.report(x, is)
}

// replicaOf says whether a database copies another, and from what: a replica's
// encryption and backups follow its source.
func replicaOf(x subject) (string, bool) {
	for _, name := range []string{"replicate_source_db", "replication_source_identifier"} {
		if a := x.arg(name); a.set() {
			return name, true
		}
	}
	return "", false
}

func (s *scan) rdsEncryption(x subject) {
	if _, ok := replicaOf(x); ok {
		return
	}
	enc := x.arg("storage_encrypted")
	st, _ := boolState(enc)
	if st == stTrue {
		return
	}
	if mode, _ := x.arg("engine_mode").str(); x.r.Type == "aws_rds_cluster" && mode == "serverless" && st == stUnset {
		return // Aurora Serverless v1 clusters are always encrypted.
	}
	if snap := x.arg("snapshot_identifier"); snap.set() {
		s.undecided(ctlBackups, snap.attr.Pos, x.label(), "it is restored from snapshot_identifier, so its encryption is the snapshot's, which the configuration does not show")
		return
	}
	s.requireTrue(x, enc, issue{
		control: ctlBackups, rule: RuleRDSUnencrypted, key: "storage_encrypted",
		fix: "Set storage_encrypted = true (with kms_key_id = aws_kms_key.rds.arn for a customer-managed key); RDS cannot encrypt an existing database in place, so restore an encrypted copy of a snapshot and switch over.",
	}, "storage_encrypted", "so the database storage, its automated backups and its snapshots are unencrypted")
}

func (s *scan) rdsBackups(x subject) {
	if _, ok := replicaOf(x); ok {
		return
	}
	ret := x.arg("backup_retention_period")
	if !ret.set() {
		return // The API default keeps automated backups for a day or more.
	}
	e := s.env(x)
	if e.class == envNonProduction {
		return
	}
	if ret.unknown() {
		s.undecided(ctlBackups, ret.attr.Pos, x.label(), "cannot tell if automated backups are on: backup_retention_period "+ret.v.Reason())
		return
	}
	if n, ok := ret.number(); !ok || n != 0 {
		return
	}
	s.report(x, issue{
		control: ctlBackups, rule: RuleRDSNoBackups, attr: ret.attr, key: "backup_retention_period",
		message: fmt.Sprintf("%s sets %s, which turns automated backups and point-in-time recovery off (%s).", x.label(), describe("backup_retention_period", ret.v), envWhy(e)),
		fix:     "Set backup_retention_period = 7 (or the retention the data needs, up to 35 days), and add the database to an aws_backup_selection so copies outlive the instance.",
	})
}

// envWhy explains why a check that concerns production applied to a resource.
func envWhy(e environment) string {
	switch e.class {
	case envProduction:
		return "production: " + e.why
	case envNonProduction:
		return "non-production: " + e.why
	}
	return "the environment is not recognisably non-production: " + e.why
}

// ebs checks volumes against the encryption-by-default setting of their configuration:
// when a root configuration turns EBS encryption by default on, every new volume of the
// account and region is encrypted whatever the volume says.
func (s *scan) ebs() {
	type byDefault struct {
		st  state
		why string
	}
	defaults := map[*tf.Instance]byDefault{}
	for _, x := range s.resources("aws_ebs_encryption_by_default") {
		a := x.arg("enabled")
		st, why := boolState(a)
		if st == stUnset {
			st = stTrue // enabled defaults to true.
		}
		prev, seen := defaults[x.in.Root]
		if !seen || st == stTrue || (st == stUnknown && prev.st == stFalse) {
			defaults[x.in.Root] = byDefault{st, why}
		}
		if st == stFalse {
			s.report(x, issue{
				control: ctlBackups, rule: RuleEBSDefaultOff, attr: a.attr, key: "enabled",
				message: fmt.Sprintf("%s sets %s, which turns EBS encryption by default off for the account and region, so any volume created without encrypted = true is stored unencrypted.", x.label(), describe("enabled", a.v)),
				fix:     "Set enabled = true, so that every new EBS volume and snapshot copy in the region is encrypted.",
			})
		}
	}
	for _, x := range s.resources("aws_ebs_volume") {
		enc := x.arg("encrypted")
		if st, _ := boolState(enc); st == stTrue {
			continue
		}
		switch d := defaults[x.in.Root]; d.st {
		case stTrue:
			continue
		case stUnknown:
			s.undecided(ctlBackups, x.r.Pos, x.label(), "cannot tell if EBS encryption by default is on: "+d.why)
			continue
		}
		if snap := x.arg("snapshot_id"); snap.set() && !enc.set() {
			s.undecided(ctlBackups, snap.attr.Pos, x.label(), "it is created from snapshot_id, so its encryption is the snapshot's, which the configuration does not show")
			continue
		}
		s.requireTrue(x, enc, issue{
			control: ctlBackups, rule: RuleEBSUnencrypted, key: "encrypted",
			fix: "Set encrypted = true (with kms_key_id = aws_kms_key.ebs.arn for a customer-managed key), or turn encryption on for every new volume with resource \"aws_ebs_encryption_by_default\" \"this\" { enabled = true }.",
		}, "encrypted", "and this configuration does not turn EBS encryption by default on, so the volume and its snapshots are unencrypted unless that is done for the account outside Terraform")
	}
}
