package terraform

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
)

func run(t *testing.T, files map[string]string, opt fileset.Options) *probe.Result {
	t.Helper()
	r, err := New().Run(context.Background(), testutil.RepoTarget(t, files, opt))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// summary renders findings as sorted "control rule path:line [severity]" lines.
func summary(r *probe.Result) []string {
	var out []string
	for _, f := range r.Findings {
		s := fmt.Sprintf("%s %s %s:%d", f.Control, f.Rule, f.Location.Path, f.Location.Line)
		if f.Severity != "" {
			s += " [" + string(f.Severity) + "]"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// prod wraps resources in a production root module.
func prod(body string) map[string]string {
	return map[string]string{"environments/prod/main.tf": body}
}

type probeCase struct {
	name     string
	files    map[string]string
	findings []string
	// unknown lists "CONTROL: substring" expectations; controls not listed must not be
	// unknown.
	unknown []string
	// backups keeps the repository-level backup-plan finding, which other cases leave
	// out to stay about their own check.
	backups bool
}

var probeCases = []probeCase{
	// SC-4: S3 encryption.
	{name: "bucket without encryption", files: prod(`resource "aws_s3_bucket" "a" { bucket = "acme-a" }`),
		findings: []string{"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:1 [low]"}},
	{name: "bucket encrypted by the split resource, by reference or by name", files: prod(`
resource "aws_s3_bucket" "a" { bucket = "acme-a" }
resource "aws_s3_bucket" "b" { bucket = "acme-b" }
resource "aws_s3_bucket_server_side_encryption_configuration" "a" {
  bucket = aws_s3_bucket.a.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = "acme-b"
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}`)},
	{name: "bucket encrypted inline", files: prod(`
resource "aws_s3_bucket" "a" {
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
    }
  }
}`)},
	{name: "encryption for every bucket of a for_each", files: prod(`
resource "aws_s3_bucket" "a" {}
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket_server_side_encryption_configuration" "all" {
  for_each = toset([aws_s3_bucket.a.id, aws_s3_bucket.b.id])
  bucket   = each.value
}`)},
	{name: "encryption for a bucket that cannot be resolved", files: prod(`
variable "bucket" {}
resource "aws_s3_bucket" "a" {}
resource "aws_s3_bucket_server_side_encryption_configuration" "x" { bucket = var.bucket }`),
		unknown: []string{"SC-4: environments/prod/main.tf:3: aws_s3_bucket.a in environments/prod: declares no server-side encryption itself, and cannot tell which bucket aws_s3_bucket_server_side_encryption_configuration.x configures: var.bucket has no default"}},
	{name: "bucket with a count of zero is not created", files: prod(`resource "aws_s3_bucket" "a" { count = 0 }`)},
	{name: "dynamic encryption block with unknown for_each", files: prod(`
variable "sse" {}
resource "aws_s3_bucket" "a" {
  dynamic "server_side_encryption_configuration" {
    for_each = var.sse
    content {}
  }
}`), unknown: []string{"SC-4: environments/prod/main.tf:3: aws_s3_bucket.a in environments/prod: cannot tell if it declares server-side encryption: the for_each of its dynamic"}},

	// SC-4: RDS.
	{name: "database without storage encryption", files: prod(`
resource "aws_db_instance" "a" {
  multi_az = true
}
resource "aws_db_instance" "b" {
  storage_encrypted = false
  multi_az          = true
}
resource "aws_rds_cluster" "c" {}
resource "aws_rds_cluster_instance" "c" {
  count              = 2
  cluster_identifier = aws_rds_cluster.c.id
}`), findings: []string{
		"SC-4 terraform/rds-storage-unencrypted environments/prod/main.tf:2",
		"SC-4 terraform/rds-storage-unencrypted environments/prod/main.tf:6",
		"SC-4 terraform/rds-storage-unencrypted environments/prod/main.tf:9",
	}, unknown: nil},
	{name: "encrypted database, replica and serverless cluster", files: prod(`
resource "aws_db_instance" "a" {
  storage_encrypted = "true"
  multi_az          = true
}
resource "aws_db_instance" "replica" { replicate_source_db = aws_db_instance.a.identifier }
resource "aws_rds_cluster" "s" { engine_mode = "serverless" }`)},
	{name: "database restored from a snapshot", files: prod(`
resource "aws_db_instance" "a" {
  snapshot_identifier = "rds:prod-2024-01-01"
  multi_az            = true
}`), unknown: []string{"SC-4: environments/prod/main.tf:3: aws_db_instance.a in environments/prod: it is restored from snapshot_identifier"}},
	{name: "backups off in production, not in development", files: map[string]string{
		"environments/prod/db.tf": "resource \"aws_db_instance\" \"a\" {\n  storage_encrypted = true\n  multi_az = true\n  backup_retention_period = 0\n}\n",
		"environments/dev/db.tf":  "resource \"aws_db_instance\" \"a\" {\n  storage_encrypted = true\n  backup_retention_period = 0\n}\n",
		"environments/prod/ok.tf": "resource \"aws_db_instance\" \"b\" {\n  storage_encrypted = true\n  multi_az = true\n  backup_retention_period = 7\n}\n",
	}, findings: []string{"SC-4 terraform/rds-backups-disabled environments/prod/db.tf:4"}},

	// SC-4: EBS, EFS, ElastiCache, DynamoDB.
	{name: "volumes and encryption by default", files: map[string]string{
		"environments/prod/main.tf": `
resource "aws_ebs_volume" "plain" {}
resource "aws_ebs_volume" "off" { encrypted = false }
resource "aws_ebs_volume" "on" { encrypted = true }
resource "aws_ebs_volume" "snap" { snapshot_id = "snap-1" }`,
		"accounts/tooling/main.tf": `
resource "aws_ebs_encryption_by_default" "this" {}
resource "aws_ebs_volume" "covered" {}`,
		"accounts/legacy/main.tf": `
resource "aws_ebs_encryption_by_default" "this" { enabled = false }`,
	}, findings: []string{
		"SC-4 terraform/ebs-encryption-by-default-off accounts/legacy/main.tf:2",
		"SC-4 terraform/ebs-unencrypted environments/prod/main.tf:2",
		"SC-4 terraform/ebs-unencrypted environments/prod/main.tf:3",
	}, unknown: []string{"SC-4: environments/prod/main.tf:5: aws_ebs_volume.snap in environments/prod: it is created from snapshot_id"}},
	{name: "file systems and caches", files: prod(`
resource "aws_efs_file_system" "plain" {}
resource "aws_efs_file_system" "on" { encrypted = true }
resource "aws_elasticache_replication_group" "plain" {
  automatic_failover_enabled = true
}
resource "aws_elasticache_replication_group" "on" {
  at_rest_encryption_enabled = true
  automatic_failover_enabled = true
}
resource "aws_elasticache_replication_group" "valkey" {
  engine                     = "valkey"
  automatic_failover_enabled = true
}`), findings: []string{
		"SC-4 terraform/efs-unencrypted environments/prod/main.tf:2",
		"SC-4 terraform/elasticache-unencrypted environments/prod/main.tf:4",
	}},
	{name: "a DynamoDB table with an AWS-owned key is encrypted", files: map[string]string{"environments/dev/main.tf": `
resource "aws_dynamodb_table" "t" {
  server_side_encryption { enabled = false }
}`}},

	// SC-4: backup plans.
	{name: "no backup plan", files: prod(`
resource "aws_efs_file_system" "a" { encrypted = true }
resource "aws_dynamodb_table" "t" {}`),
		findings: []string{"SC-4 terraform/no-backup-plan :0"}, backups: true},
	{name: "every store selected by reference, tag, wildcard or EFS backup policy", files: prod(`
resource "aws_efs_file_system" "a" { encrypted = true }
resource "aws_efs_backup_policy" "a" {
  file_system_id = aws_efs_file_system.a.id
  backup_policy { status = "ENABLED" }
}
resource "aws_dynamodb_table" "t" { tags = { Backup = "yes" } }
resource "aws_db_instance" "d" {
  storage_encrypted = true
  multi_az          = true
}
resource "aws_ebs_volume" "v" { encrypted = true }
resource "aws_backup_plan" "p" {}
resource "aws_backup_selection" "refs" { resources = [aws_db_instance.d.arn] }
resource "aws_backup_selection" "tags" {
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "Backup"
    value = "yes"
  }
}
resource "aws_backup_selection" "arns" { resources = ["arn:aws:ec2:*:*:volume/*"] }`)},
	{name: "a selection that cannot be resolved leaves coverage unknown", files: prod(`
variable "arns" {}
resource "aws_dynamodb_table" "t" {}
resource "aws_backup_plan" "p" {}
resource "aws_backup_selection" "s" { resources = var.arns }`),
		unknown: []string{"SC-4: environments/prod/main.tf:3: aws_dynamodb_table.t in environments/prod: cannot tell if an AWS Backup plan copies it: environments/prod/main.tf:5: aws_backup_selection.s in environments/prod selects resources that are not known"}},
	{name: "development data stores need no backup plan", files: map[string]string{"environments/dev/main.tf": `resource "aws_dynamodb_table" "t" {}`}},

	// SC-5.
	{name: "log groups", files: prod(`
variable "days" {}
resource "aws_cloudwatch_log_group" "none" {}
resource "aws_cloudwatch_log_group" "zero" { retention_in_days = 0 }
resource "aws_cloudwatch_log_group" "month" { retention_in_days = 30 }
resource "aws_cloudwatch_log_group" "var" { retention_in_days = var.days }`),
		findings: []string{
			"SC-5 terraform/log-group-retention environments/prod/main.tf:3",
			"SC-5 terraform/log-group-retention environments/prod/main.tf:4",
		},
		unknown: []string{"SC-5: environments/prod/main.tf:6: aws_cloudwatch_log_group.var in environments/prod: cannot tell how long its events are kept: retention_in_days var.days has no default"}},
	{name: "log buckets", files: prod(`
resource "aws_s3_bucket" "access_logs" { bucket = "acme-access-logs" }
resource "aws_s3_bucket" "catalog" { bucket = "acme-catalog" }
resource "aws_s3_bucket" "target" { bucket = "acme-target" }
resource "aws_s3_bucket" "site" { bucket = "acme-site" }
resource "aws_s3_bucket_logging" "site" {
  bucket        = aws_s3_bucket.site.id
  target_bucket = aws_s3_bucket.target.id
}
resource "aws_s3_bucket" "expiring_logs" { bucket = "acme-expiring-logs" }
resource "aws_s3_bucket_lifecycle_configuration" "expiring" {
  bucket = aws_s3_bucket.expiring_logs.id
  rule {
    id     = "expire"
    status = "Enabled"
    expiration { days = 30 }
  }
}
resource "aws_s3_bucket" "disabled_logs" { bucket = "acme-disabled-logs" }
resource "aws_s3_bucket_lifecycle_configuration" "disabled" {
  bucket = aws_s3_bucket.disabled_logs.id
  rule {
    id     = "expire"
    status = "Disabled"
    expiration { days = 30 }
  }
}
resource "aws_s3_bucket" "inline_logs" {
  bucket = "acme-inline-logs"
  lifecycle_rule {
    enabled = true
    expiration { days = 30 }
  }
}`),
		findings: []string{
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:10 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:19 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:2 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:28 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:3 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:4 [low]",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:5 [low]",
			"SC-5 terraform/log-bucket-no-expiration environments/prod/main.tf:19",
			"SC-5 terraform/log-bucket-no-expiration environments/prod/main.tf:2",
			"SC-5 terraform/log-bucket-no-expiration environments/prod/main.tf:4",
		}},

	// SC-7.
	{name: "single-AZ databases in production only", files: map[string]string{
		"environments/prod/main.tf": `
resource "aws_db_instance" "single" { storage_encrypted = true }
resource "aws_db_instance" "multi" {
  storage_encrypted = true
  multi_az          = true
}
resource "aws_db_instance" "replica" { replicate_source_db = "x" }`,
		"environments/dev/main.tf": `resource "aws_db_instance" "single" { storage_encrypted = true }`,
	}, findings: []string{"SC-7 terraform/rds-single-az environments/prod/main.tf:2"}},
	{name: "aurora cluster instances", files: prod(`
resource "aws_rds_cluster" "one" { storage_encrypted = true }
resource "aws_rds_cluster_instance" "one" { cluster_identifier = aws_rds_cluster.one.id }
resource "aws_rds_cluster" "two" {
  cluster_identifier = "acme-two"
  storage_encrypted  = true
}
resource "aws_rds_cluster_instance" "two" {
  for_each           = toset(["a", "b"])
  cluster_identifier = "acme-two"
}
resource "aws_rds_cluster" "none" { storage_encrypted = true }
resource "aws_rds_cluster" "maz" {
  storage_encrypted         = true
  db_cluster_instance_class = "db.m6gd.large"
}`), findings: []string{"SC-7 terraform/aurora-single-instance environments/prod/main.tf:2"},
		unknown: []string{"SC-7: environments/prod/main.tf:12: aws_rds_cluster.none in environments/prod: no aws_rds_cluster_instance of its module refers to it"}},
	{name: "cache failover", files: prod(`
resource "aws_elasticache_replication_group" "single" {
  at_rest_encryption_enabled = true
  num_cache_clusters         = 1
}
resource "aws_elasticache_replication_group" "off" {
  at_rest_encryption_enabled = true
  automatic_failover_enabled = false
  num_cache_clusters         = 2
}
resource "aws_elasticache_replication_group" "on" {
  at_rest_encryption_enabled = true
  automatic_failover_enabled = true
  num_cache_clusters         = 2
}`), findings: []string{
		"SC-7 terraform/elasticache-no-failover environments/prod/main.tf:2",
		"SC-7 terraform/elasticache-no-failover environments/prod/main.tf:8",
	}},

	// SC-3.
	{name: "autoscaling groups", files: map[string]string{
		"environments/prod/main.tf": `
resource "aws_autoscaling_group" "pinned" {
  min_size = 1
  max_size = 1
}
resource "aws_autoscaling_group" "one" {
  min_size         = 1
  max_size         = 3
  desired_capacity = 1
}
resource "aws_autoscaling_group" "many" {
  min_size         = 2
  max_size         = 6
  desired_capacity = 2
}
resource "aws_autoscaling_group" "off" {
  min_size = 0
  max_size = 0
}`,
		"environments/dev/main.tf": "resource \"aws_autoscaling_group\" \"pinned\" {\n  max_size = 1\n}\n",
		"shared/main.tf":           "resource \"aws_autoscaling_group\" \"pinned\" {\n  max_size = 1\n}\n",
		"shared/tagged.tf": `
resource "aws_autoscaling_group" "tagged" {
  max_size = 1
  tag {
    key                 = "Environment"
    value               = "production"
    propagate_at_launch = true
  }
}`,
	}, findings: []string{
		"SC-3 terraform/asg-single-instance environments/prod/main.tf:4",
		"SC-3 terraform/asg-single-instance environments/prod/main.tf:9",
		"SC-3 terraform/asg-single-instance shared/tagged.tf:3",
	}, unknown: []string{"SC-3: shared/main.tf:2: aws_autoscaling_group.pinned in shared: max_size = 1, so it can never run more than one instance, but posture cannot tell if it runs in production"}},
	{name: "ECS services and their autoscaling", files: prod(`
resource "aws_ecs_service" "single" { desired_count = 1 }
resource "aws_ecs_service" "scaled" { desired_count = 1 }
resource "aws_appautoscaling_target" "scaled" {
  resource_id  = "service/main/${aws_ecs_service.scaled.name}"
  min_capacity = 2
}
resource "aws_ecs_service" "daemon" {
  desired_count       = 1
  scheduling_strategy = "DAEMON"
}
resource "aws_ecs_service" "two" { desired_count = 2 }`),
		findings: []string{"SC-3 terraform/ecs-single-task environments/prod/main.tf:2"}},

	// ZT-2.
	{name: "admin ports", files: prod(`
resource "aws_security_group" "a" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = ["sg-123"]
  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "udp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["192.0.2.0/24"]
}
resource "aws_security_group_rule" "egress" {
  type        = "egress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "aws_vpc_security_group_ingress_rule" "rdp6" {
  cidr_ipv6   = "::/0"
  from_port   = 3389
  to_port     = 3389
  ip_protocol = "tcp"
}`), findings: []string{
		"ZT-2 terraform/admin-port-ip-allowlist environments/prod/main.tf:19 [medium]",
		"ZT-2 terraform/admin-port-ip-allowlist environments/prod/main.tf:39 [low]",
		"ZT-2 terraform/admin-port-open-to-internet environments/prod/main.tf:49",
		"ZT-2 terraform/admin-port-open-to-internet environments/prod/main.tf:7",
	}},
	{name: "dynamic ingress", files: prod(`
variable "ports" { default = [22, 443] }
variable "unknown" {}
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  dynamic "ingress" {
    for_each = var.unknown
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`), findings: []string{"ZT-2 terraform/admin-port-open-to-internet environments/prod/main.tf:11"},
		unknown: []string{`ZT-2: environments/prod/main.tf:14: aws_security_group.a in environments/prod: cannot tell which ports its dynamic "ingress" block (line 14) opens: for_each var.unknown has no default`}},
	{name: "unknown address list", files: prod(`
variable "cidrs" {}
resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = var.cidrs
}`), unknown: []string{"ZT-2: environments/prod/main.tf:8: aws_security_group_rule.ssh in environments/prod: cannot tell where it admits port 22 (SSH) from: cidr_blocks var.cidrs has no default"}},

	// Registry modules.
	{name: "registry modules", files: prod(`
module "db" {
  source                  = "terraform-aws-modules/rds/aws"
  backup_retention_period = 0
  storage_encrypted       = false
}
module "db_ok" {
  source   = "terraform-aws-modules/rds/aws"
  multi_az = true
}
module "replica" {
  source              = "terraform-aws-modules/rds/aws"
  replicate_source_db = "x"
}
module "logs" {
  source = "terraform-aws-modules/s3-bucket/aws"
  bucket = "acme-logs"
}
module "logs_ok" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=v4.6.0"
  bucket = "acme-more-logs"
  server_side_encryption_configuration = {
    rule = { apply_server_side_encryption_by_default = { sse_algorithm = "AES256" } }
  }
  lifecycle_rule = [{ id = "x", enabled = true, expiration = { days = 30 } }]
}
module "notification" {
  source = "terraform-aws-modules/s3-bucket/aws//modules/notification"
  bucket = "acme-logs"
}
resource "aws_backup_plan" "p" {}
resource "aws_backup_selection" "s" { resources = [module.db.db_instance_arn, module.db_ok.db_instance_arn] }`),
		findings: []string{
			"SC-4 terraform/rds-backups-disabled environments/prod/main.tf:4",
			"SC-4 terraform/rds-storage-unencrypted environments/prod/main.tf:5",
			"SC-4 terraform/s3-encryption-not-declared environments/prod/main.tf:15 [low]",
			"SC-5 terraform/log-bucket-no-expiration environments/prod/main.tf:15",
			"SC-7 terraform/rds-single-az environments/prod/main.tf:2",
		}},

	// Child modules are judged with their caller's arguments.
	{name: "module instances", files: map[string]string{
		"modules/db/main.tf": `
variable "multi_az" { default = false }
resource "aws_db_instance" "this" {
  storage_encrypted = true
  multi_az          = var.multi_az
}`,
		"environments/prod/main.tf": `
module "good" {
  source   = "../../modules/db"
  multi_az = true
}
module "bad" {
  source   = "../../modules/db"
  multi_az = false
}
resource "aws_backup_plan" "p" {}
resource "aws_backup_selection" "s" { resources = [module.good.arn, module.bad.arn] }`,
	}, findings: []string{"SC-7 terraform/rds-single-az modules/db/main.tf:5"}},

	// Files that do not parse.
	{name: "a broken file makes the controls unknown, others go on", files: map[string]string{
		"environments/prod/main.tf":   `resource "aws_cloudwatch_log_group" "a" {}`,
		"environments/prod/broken.tf": "resource \"aws_s3_bucket\" \"b\" {\n",
	}, findings: []string{"SC-5 terraform/log-group-retention environments/prod/main.tf:1"},
		unknown: []string{
			"SC-3: environments/prod/broken.tf:1:30: Unclosed configuration block",
			"SC-4: environments/prod/broken.tf:1:30: Unclosed configuration block",
			"SC-5: environments/prod/broken.tf:1:30: Unclosed configuration block",
			"SC-7: environments/prod/broken.tf:1:30: Unclosed configuration block",
			"ZT-2: environments/prod/broken.tf:1:30: Unclosed configuration block",
		}},
	{name: "a broken file leaves absent encryption undecided", files: map[string]string{
		"environments/prod/main.tf":   `resource "aws_s3_bucket" "a" {}`,
		"environments/prod/broken.tf": "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"a\" {\n",
	}, unknown: []string{
		"SC-3: environments/prod/broken.tf:1",
		"SC-4: declares no server-side encryption, but environments/prod/broken.tf does not parse",
		"SC-5: environments/prod/broken.tf:1",
		"SC-7: environments/prod/broken.tf:1",
		"ZT-2: environments/prod/broken.tf:1",
	}},
	{name: "terraform caches are not the configuration", files: map[string]string{
		".terraform/modules/x/main.tf":  `resource "aws_cloudwatch_log_group" "a" {}`,
		"infra/.terraform/modules/y.tf": `resource "aws_cloudwatch_log_group" "a" {}`,
		"infra/main.tf":                 `resource "aws_cloudwatch_log_group" "a" { retention_in_days = 7 }`,
	}},
}

func TestProbe(t *testing.T) {
	for _, c := range probeCases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.files, fileset.Options{})
			got := summary(r)
			if !c.backups {
				got = slices.DeleteFunc(got, func(s string) bool { return strings.Contains(s, RuleNoBackupPlan) })
			}
			if got, want := strings.Join(got, "\n"), strings.Join(c.findings, "\n"); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
			seen := map[string]bool{}
			for _, u := range c.unknown {
				ctl, sub, _ := strings.Cut(u, ": ")
				seen[ctl] = true
				if !strings.Contains(r.Unknown[ctl], sub) {
					t.Errorf("%s unknown = %q, want it to contain %q", ctl, r.Unknown[ctl], sub)
				}
			}
			for ctl, reason := range r.Unknown {
				if !seen[ctl] {
					t.Errorf("%s unexpectedly unknown: %s", ctl, reason)
				}
			}
			if len(r.NotApplicable) > 0 {
				t.Errorf("not applicable: %v", r.NotApplicable)
			}
		})
	}
}

func TestNoTerraform(t *testing.T) {
	r := run(t, map[string]string{"main.go": "package main"}, fileset.Options{})
	for _, c := range controls {
		if r.NotApplicable[c] != "no Terraform configuration (*.tf, *.tf.json) found" {
			t.Errorf("%s: %q", c, r.NotApplicable[c])
		}
	}
}

func TestSkippedFileIsUnknown(t *testing.T) {
	big := `resource "aws_cloudwatch_log_group" "a" {}` + strings.Repeat("\n# padding", 40)
	r := run(t, map[string]string{"main.tf": big, "ok.tf": "# nothing"}, fileset.Options{MaxFileSize: 64})
	for _, c := range controls {
		if !strings.HasPrefix(r.Unknown[c], "main.tf: larger than") {
			t.Errorf("%s unknown = %q", c, r.Unknown[c])
		}
	}
}

func TestFindingDetails(t *testing.T) {
	r := run(t, map[string]string{
		"modules/db/main.tf":          "variable \"encrypted\" { default = false }\nresource \"aws_db_instance\" \"this\" {\n  storage_encrypted = var.encrypted\n  multi_az = true\n}\n",
		"environments/prod/main.tf":   "module \"db\" {\n  source = \"../../modules/db\"\n  encrypted = local.off\n}\n",
		"environments/prod/local.tf":  "locals {\n  off = false\n}\n",
		"environments/prod/backup.tf": "resource \"aws_backup_plan\" \"p\" {}\nresource \"aws_backup_selection\" \"s\" { resources = [\"*\"] }\n",
	}, fileset.Options{})
	if len(r.Findings) != 1 {
		t.Fatalf("findings: %v", summary(r))
	}
	f := r.Findings[0]
	want := "module.db.aws_db_instance.this in environments/prod sets storage_encrypted = false (through var.encrypted ← local.off, set at environments/prod/local.tf:2)"
	if !strings.HasPrefix(f.Message, want) {
		t.Errorf("message %q, want prefix %q", f.Message, want)
	}
	if f.Location.Path != "modules/db/main.tf" || f.Location.Line != 3 || f.Evidence.Text != "storage_encrypted = var.encrypted" {
		t.Errorf("location %+v evidence %q", f.Location, f.Evidence.Text)
	}
	if f.Severity != "" || f.Key == "" || !strings.Contains(f.Fix, "storage_encrypted = true") {
		t.Errorf("finding %+v", f)
	}
}

func TestClassifyName(t *testing.T) {
	for name, want := range map[string]envClass{
		"prod": envProduction, "Production": envProduction, "prod-eu": envProduction, "eu_prod": envProduction, "live": envProduction,
		"dev": envNonProduction, "staging": envNonProduction, "stage-eu": envNonProduction, "nonprod": envNonProduction, "qa": envNonProduction,
		"product": envUnclassified, "producer": envUnclassified, "environments": envUnclassified, "tooling": envUnclassified, "eu-prod-dev": envNonProduction,
	} {
		if got := classifyName(name); got != want {
			t.Errorf("classifyName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLogName(t *testing.T) {
	for name, want := range map[string]bool{
		"acme-logs": true, "acme_access_logs": true, "cloudtrail-acme": true, "acme.log.archive": true, "acme-alblogs": true,
		"acme-catalog": false, "blog-assets": false, "login-page": false, "logo": false, "": false,
	} {
		if got := logName(name); got != want {
			t.Errorf("logName(%q) = %v", name, got)
		}
	}
}

func TestRegistryKind(t *testing.T) {
	for src, want := range map[string]registryModule{
		"terraform-aws-modules/rds/aws":                                                   rdsModule,
		"registry.terraform.io/terraform-aws-modules/rds/aws":                             rdsModule,
		"git::https://github.com/terraform-aws-modules/terraform-aws-rds.git?ref=v6.10.0": rdsModule,
		"github.com/terraform-aws-modules/terraform-aws-rds":                              rdsModule,
		"terraform-aws-modules/rds-aurora/aws":                                            notRegistry,
		"github.com/terraform-aws-modules/terraform-aws-rds-aurora":                       notRegistry,
		"terraform-aws-modules/rds/aws//modules/db_instance":                              notRegistry,
		"terraform-aws-modules/s3-bucket/aws":                                             s3BucketModule,
		"terraform-aws-modules/s3-bucket/aws//modules/notification":                       notRegistry,
		"../../modules/rds": notRegistry,
	} {
		if got := registryKind(src); got != want {
			t.Errorf("registryKind(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestSeverities(t *testing.T) {
	for _, f := range run(t, prod(`
resource "aws_s3_bucket" "a" {}
resource "aws_vpc_security_group_ingress_rule" "es" {
  cidr_ipv4   = "10.0.0.0/8"
  from_port   = 9200
  to_port     = 9200
  ip_protocol = "tcp"
}`), fileset.Options{}).Findings {
		want := map[string]policy.Severity{RuleS3Encryption: policy.Low, RuleAdminPortAllowList: policy.Medium}[f.Rule]
		if f.Severity != want {
			t.Errorf("%s: severity %q, want %q", f.Rule, f.Severity, want)
		}
	}
}
