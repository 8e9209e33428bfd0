package terraform

import (
	"strings"
	"testing"
)

const evalModule = `
variable "env" { default = "prod" }
variable "multi" {}
variable "retention" { default = 30 }
locals {
  prefix = "acme-${var.env}"
  tags   = merge({ Environment = var.env }, { Team = "shop" })
  name   = format("%s-%02d", local.prefix, 7)
  loop_a = local.loop_b
  loop_b = local.loop_a
  flag   = var.env == "prod" ? true : false
  cond   = var.multi ? 2 : 1
}
resource "x" "y" {
  literal     = 0
  bool_string = "true"
  via_var     = var.retention
  via_local   = local.name
  wrapped     = "${var.retention}"
  tags        = local.tags
  flag        = local.flag
  missing     = var.multi
  cond        = local.cond
  ref         = aws_s3_bucket.logs.id
  workspace   = terraform.workspace == "prod"
  each_value  = each.value
  func        = cidrsubnet("10.0.0.0/8", 8, 1)
  cycle       = local.loop_a
  undeclared  = var.nope
  big_format  = format("%099999999d", 1)
  list        = [1, var.multi, 3]
  try_default = try(var.multi, 5)
}
`

func evalCase(t *testing.T) (*Instance, *Resource) {
	t.Helper()
	f := parseOne(t, "env/prod/main.tf", evalModule)
	m := NewModule("env/prod", []*File{f}, nil)
	return Instances([]*Module{m})[0], m.Resources[0]
}

func TestEval(t *testing.T) {
	in, r := evalCase(t)
	for _, c := range []struct {
		attr, display, why, via, from string
	}{
		{attr: "literal", display: "0", from: "env/prod/main.tf:15:17"},
		{attr: "bool_string", display: `"true"`},
		{attr: "via_var", display: "30", via: "var.retention", from: "env/prod/main.tf:4:24"},
		{attr: "via_local", display: `"acme-prod-07"`, via: "local.name", from: "env/prod/main.tf:8:12"},
		{attr: "wrapped", display: "30", via: "var.retention"},
		{attr: "tags", display: `{Environment = "prod", Team = "shop"}`, via: "local.tags"},
		{attr: "flag", display: "true", via: "local.flag"},
		{attr: "missing", display: "(known after apply)", why: "var.multi has no default", via: "var.multi"},
		{attr: "cond", display: "(known after apply)", why: "var.multi has no default", via: "local.cond"},
		{attr: "ref", display: "(known after apply)", why: "depends on aws_s3_bucket.logs.id, known only when Terraform applies"},
		{attr: "workspace", display: "(known after apply)", why: "depends on terraform.workspace, which is chosen when Terraform runs"},
		{attr: "each_value", display: "(known after apply)", why: "depends on each.value, which differs per instance"},
		{attr: "func", display: "(known after apply)", why: `Call to unknown function: There is no function named "cidrsubnet"`},
		{attr: "cycle", display: "(known after apply)", why: "local.loop_a refers to itself", via: "local.loop_a ← local.loop_b ← local.loop_a"},
		{attr: "undeclared", display: "(known after apply)", why: "Unsupported attribute"},
		{attr: "big_format", display: "(known after apply)", why: "format width too large"},
		{attr: "list", display: "[1, (known after apply), 3]", why: "var.multi has no default"},
		{attr: "try_default", display: "(known after apply)", why: "var.multi has no default"},
	} {
		v := in.Eval(r.Attr(c.attr))
		if got := v.Display(); got != c.display {
			t.Errorf("%s = %s, want %s (why %q)", c.attr, got, c.display, v.Why)
		}
		if c.why == "" && v.Why != "" || !strings.Contains(v.Why, c.why) {
			t.Errorf("%s: why %q, want %q", c.attr, v.Why, c.why)
		}
		if v.Via != c.via {
			t.Errorf("%s: via %q, want %q", c.attr, v.Via, c.via)
		}
		if c.from != "" && v.From.String() != c.from {
			t.Errorf("%s: from %s, want %s", c.attr, v.From, c.from)
		}
	}
}

func TestVarFilesBelowTheRoot(t *testing.T) {
	files := []*File{
		parseOne(t, "infra/main.tf", "variable \"multi_az\" { default = false }\nvariable \"size\" { default = 1 }\n"),
		parseOne(t, "infra/envs/prod.tfvars", "multi_az = true\n"),
		parseOne(t, "infra/modules/x/main.tf", "variable \"a\" {}\n"),
		parseOne(t, "other/prod.tfvars", "size = 3\n"),
	}
	in := Instances(Group(files, nil))[0]
	if in.Module.Dir != "infra" {
		t.Fatalf("first root %s", in.Module.Dir)
	}
	if v := in.Var("multi_az"); v.Known() || !strings.Contains(v.Why, "infra/envs/prod.tfvars, which applies only when that file is passed with -var-file") {
		t.Errorf("multi_az = %s (%s)", v.Display(), v.Why)
	}
	if v := in.Var("size"); v.Display() != "1" {
		t.Errorf("size = %s: a variables file outside the root's tree is not its", v.Display())
	}
}

func TestValueConversions(t *testing.T) {
	in, r := evalCase(t)
	if b, ok := in.Eval(r.Attr("bool_string")).Bool(); !ok || !b {
		t.Error(`"true" is true for a bool argument`)
	}
	if n, ok := in.Eval(r.Attr("via_var")).Number(); !ok || n != 30 {
		t.Errorf("number %v %v", n, ok)
	}
	if _, ok := in.Eval(r.Attr("missing")).Bool(); ok {
		t.Error("an unknown value converts to nothing")
	}
	tags := in.Eval(r.Attr("tags"))
	if s, ok := tags.Get("Environment").Str(); !ok || s != "prod" {
		t.Errorf("tags.Environment = %q", s)
	}
	if !tags.Get("Nope").IsNull() {
		t.Error("a missing key is null")
	}
	if keys, ok := tags.Keys(); !ok || strings.Join(keys, ",") != "Environment,Team" {
		t.Errorf("keys %v", keys)
	}
	elems, ok := in.Eval(r.Attr("list")).Elements()
	if !ok || len(elems) != 3 || elems[1].Known() || !elems[0].Known() {
		t.Errorf("elements %+v", elems)
	}
	if !Unset().IsNull() || in.Eval(nil).Known() && !in.Eval(nil).IsNull() {
		t.Error("an unset argument is null")
	}
}

func TestInstances(t *testing.T) {
	files := []*File{
		parseOne(t, "environments/prod/main.tf", `
module "db" {
  source   = "../../modules/db"
  multi_az = true
  name     = "prod-${local.suffix}"
}
module "off" {
  source = "../../modules/db"
  count  = 0
}
module "registry" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.10.0"
}
module "outside" {
  source = "../../../elsewhere"
}
locals { suffix = "main" }
`),
		parseOne(t, "environments/dev/main.tf", `
module "db" {
  source = "../../modules/db"
}
`),
		parseOne(t, "modules/db/main.tf", `
variable "multi_az" { default = false }
variable "name" {}
module "inner" {
  source = "./inner"
  depth  = 1
}
resource "aws_db_instance" "this" {
  multi_az   = var.multi_az
  identifier = var.name
}
`),
		parseOne(t, "modules/db/inner/main.tf", `
variable "depth" {}
module "loop" { source = "../" }
`),
		parseOne(t, "cycle/a/main.tf", `module "b" { source = "../b" }`),
		parseOne(t, "cycle/b/main.tf", `module "a" { source = "../a" }`),
	}
	var got []string
	var prodDB, devDB *Instance
	for _, in := range Instances(Group(files, nil)) {
		got = append(got, in.Root.Module.Dir+":"+in.Path+"@"+in.Module.Dir)
		if in.Module.Dir == "modules/db" && in.Root.Module.Dir == "environments/prod" {
			prodDB = in
		}
		if in.Module.Dir == "modules/db" && in.Root.Module.Dir == "environments/dev" {
			devDB = in
		}
	}
	want := []string{
		"environments/dev:@environments/dev", "environments/dev:module.db.@modules/db", "environments/dev:module.db.module.inner.@modules/db/inner",
		"environments/prod:@environments/prod", "environments/prod:module.db.@modules/db", "environments/prod:module.db.module.inner.@modules/db/inner",
		"cycle/a:@cycle/a", "cycle/a:module.b.@cycle/b",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("instances:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r := prodDB.Module.Resources[0]
	if v := prodDB.Eval(r.Attr("multi_az")); v.Display() != "true" || v.From.String() != "environments/prod/main.tf:4:14" || v.Via != "var.multi_az" {
		t.Errorf("prod multi_az = %s from %s via %s", v.Display(), v.From, v.Via)
	}
	if v := prodDB.Eval(r.Attr("identifier")); v.Display() != `"prod-main"` {
		t.Errorf("prod identifier = %s (%s)", v.Display(), v.Why)
	}
	if v := devDB.Eval(r.Attr("multi_az")); v.Display() != "false" || v.From.Path != "modules/db/main.tf" {
		t.Errorf("dev multi_az = %s from %s", v.Display(), v.From)
	}
	if v := devDB.Eval(r.Attr("identifier")); v.Known() || !strings.Contains(v.Why, "module.db does not set it") {
		t.Errorf("dev identifier = %s (%s)", v.Display(), v.Why)
	}
	if prodDB.Address(r) != "module.db.aws_db_instance.this" {
		t.Errorf("address %s", prodDB.Address(r))
	}
}

func TestIterations(t *testing.T) {
	f := parseOne(t, "main.tf", `
variable "cidrs" { default = ["10.0.0.0/8", "192.168.0.0/16"] }
variable "unknown" {}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.cidrs
    iterator = rule
    content {
      cidr_blocks = [rule.value]
      from_port   = rule.key
    }
  }
  dynamic "egress" {
    for_each = var.unknown
    content { cidr_blocks = egress.value }
  }
}`)
	m := NewModule(".", []*File{f}, nil)
	in := Instances([]*Module{m})[0]
	b := m.Resources[0].Nested("ingress")[0]
	its, _, ok := in.Iterations(b)
	if !ok || len(its) != 2 {
		t.Fatalf("iterations: %v %d", ok, len(its))
	}
	if v := in.EvalIn(b.Attr("cidr_blocks"), its[1:2]); v.Display() != `["192.168.0.0/16"]` {
		t.Errorf("cidr_blocks = %s (%s)", v.Display(), v.Why)
	}
	if v := in.EvalIn(b.Attr("from_port"), its[0:1]); v.Display() != "0" {
		t.Errorf("from_port = %s", v.Display())
	}
	if _, v, ok := in.Iterations(m.Resources[0].Nested("egress")[0]); ok || !strings.Contains(v.Why, "var.unknown has no default") {
		t.Errorf("unknown for_each: %v %q", ok, v.Why)
	}
	if n, ok := in.Count(m.Resources[0].Block); !ok || n != 1 {
		t.Errorf("count of a plain resource: %d %v", n, ok)
	}
}

func TestReferences(t *testing.T) {
	f := parseOne(t, "main.tf", `
resource "aws_backup_selection" "s" {
  resources = [aws_db_instance.main.arn, module.db.arn, "arn:aws:rds:*:*:db:*", data.aws_x.y.arn, var.z, aws_efs_file_system.fs[0].arn]
  bucket    = "${aws_s3_bucket.logs.id}/${aws_s3_bucket.logs.arn}"
}`)
	r := f.Blocks[0]
	if got := strings.Join(ResourceRefs(r.Attrs["resources"]), ","); got != "aws_db_instance.main,aws_efs_file_system.fs" {
		t.Errorf("resource refs: %s", got)
	}
	if got := strings.Join(ModuleRefs(r.Attrs["resources"]), ","); got != "db" {
		t.Errorf("module refs: %s", got)
	}
	if got := strings.Join(ResourceRefs(r.Attrs["bucket"]), ","); got != "aws_s3_bucket.logs" {
		t.Errorf("bucket refs: %s", got)
	}
	elems, ok := r.Attrs["resources"].Elements()
	if !ok || len(elems) != 6 || elems[2].Pos.Line != 3 || elems[2].Name != "resources[2]" {
		t.Errorf("elements: %v %d", ok, len(elems))
	}
	if _, ok := r.Attrs["bucket"].Elements(); ok {
		t.Error("a template is not a list")
	}
}
