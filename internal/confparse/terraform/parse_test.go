package terraform

import (
	"strings"
	"testing"
)

func parseOne(t *testing.T, name, src string) *File {
	t.Helper()
	f, diags := Parse(name, []byte(src))
	if len(diags) > 0 {
		t.Fatalf("%s: %v", name, diags)
	}
	return f
}

func TestParseBlocksAndPositions(t *testing.T) {
	src := `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.rules
    iterator = r
    content {
      enabled = r.value.enabled
    }
  }
}
`
	f := parseOne(t, "env/prod/s3.tf", src)
	if len(f.Blocks) != 1 {
		t.Fatalf("blocks: %d", len(f.Blocks))
	}
	b := f.Blocks[0]
	if b.Type != "resource" || strings.Join(b.Labels, ",") != "aws_s3_bucket,logs" || b.Pos.String() != "env/prod/s3.tf:1:1" {
		t.Errorf("resource block %+v at %s", b.Labels, b.Pos)
	}
	if a := b.Attr("bucket"); a == nil || a.Pos.String() != "env/prod/s3.tf:2:3" {
		t.Errorf("bucket attribute: %+v", a)
	}
	sse := b.Nested("server_side_encryption_configuration")
	if len(sse) != 1 || sse[0].Pos.Line != 4 {
		t.Fatalf("sse: %+v", sse)
	}
	alg := sse[0].Nested("rule")[0].Nested("apply_server_side_encryption_by_default")[0].Attr("sse_algorithm")
	if alg == nil || alg.Pos.Line != 7 || alg.Pos.Column != 9 {
		t.Errorf("sse_algorithm: %+v", alg)
	}
	dyn := b.Nested("lifecycle_rule")
	if len(dyn) != 1 || !dyn[0].Dynamic || dyn[0].Iterator != "r" || dyn[0].ForEach == nil || dyn[0].Attr("enabled") == nil || dyn[0].Pos.Line != 12 {
		t.Errorf("dynamic block: %+v", dyn)
	}
	if got := f.Line(7); strings.TrimSpace(got) != `sse_algorithm = "aws:kms"` {
		t.Errorf("Line(7) = %q", got)
	}
	if f.Line(99) != "" || f.Line(0) != "" {
		t.Error("lines outside the file are not empty")
	}
}

func TestParseErrorsCarryPositions(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"main.tf", "resource \"a\" \"b\" {\n  x = \n}\n", "main.tf:2:"},
		{"main.tf", "module \"db\" {\n  source = \"./db\"\n", "main.tf:1:13: Unclosed configuration block: There is no closing brace for this block before the end of the file"},
		{"main.tf.json", "{\"resource\": [1,}", "main.tf.json:1:"},
	} {
		_, diags := Parse(c.name, []byte(c.src))
		if len(diags) == 0 {
			t.Errorf("%q: no error", c.src)
			continue
		}
		if got := diags[0].Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: error %q, want prefix %q", c.src, got, c.want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	src := `{
  "variable": {"env": {"default": "prod"}},
  "locals": {"name": "acme-${var.env}"},
  "module": {"db": {"source": "../modules/db", "multi_az": true}},
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "bucket": "${local.name}-logs",
        "server_side_encryption_configuration": {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}},
        "lifecycle_rule": [{"enabled": true}, {"enabled": false}],
        "dynamic": {"logging": {"for_each": "${var.targets}", "content": {"target_bucket": "x"}}}
      }
    }
  }
}`
	f := parseOne(t, "env/prod/main.tf.json", src)
	m := NewModule("env/prod", []*File{f}, nil)
	if len(m.Resources) != 1 || m.Resources[0].Address() != "aws_s3_bucket.logs" {
		t.Fatalf("resources: %+v", m.Resources)
	}
	r := m.Resources[0]
	if len(r.Nested("server_side_encryption_configuration")) != 1 || len(r.Nested("lifecycle_rule")) != 2 {
		t.Errorf("nested blocks: %+v", r.Blocks)
	}
	if d := r.Nested("logging"); len(d) != 1 || !d[0].Dynamic || d[0].Attr("target_bucket") == nil {
		t.Errorf("dynamic block: %+v", d)
	}
	if len(m.Calls) != 1 || m.Calls[0].Source != "../modules/db" || !m.Calls[0].Local() {
		t.Errorf("calls: %+v", m.Calls)
	}
	in := Instances([]*Module{m})[0]
	if v := in.Eval(r.Attr("bucket")); v.Display() != `"acme-prod-logs"` {
		t.Errorf("bucket = %s (%s)", v.Display(), v.Why)
	}
	if r.Pos.Path != "env/prod/main.tf.json" || r.Pos.Line != 7 {
		t.Errorf("resource position %s", r.Pos)
	}
}

func TestVarFilesAndModuleGrouping(t *testing.T) {
	files := []*File{
		parseOne(t, "env/prod/variables.tf", `variable "a" { default = 1 }
variable "b" { default = "x" }
variable "c" {}
variable "d" { default = true }`),
		parseOne(t, "env/prod/terraform.tfvars", "a = 2\n"),
		parseOne(t, "env/prod/z.auto.tfvars", "a = 3\n"),
		parseOne(t, "env/prod/blue.tfvars", "b = \"y\"\nd = true\n"),
		parseOne(t, "modules/x/main.tf", `resource "null_resource" "n" {}`),
	}
	mods := Group(files, nil)
	if len(mods) != 2 || mods[0].Dir != "env/prod" || mods[1].Dir != "modules/x" {
		t.Fatalf("modules: %+v", mods)
	}
	in := Instances(mods)[0]
	if v := in.Var("a"); v.Display() != "3" || v.From.Path != "env/prod/z.auto.tfvars" {
		t.Errorf("a = %s from %s; *.auto.tfvars is read after terraform.tfvars", v.Display(), v.From)
	}
	if v := in.Var("b"); v.Known() || !strings.Contains(v.Why, "blue.tfvars") {
		t.Errorf("b = %s (%s); a value from a -var-file is not known", v.Display(), v.Why)
	}
	if v := in.Var("c"); v.Known() || !strings.Contains(v.Why, "no default") {
		t.Errorf("c = %s (%s)", v.Display(), v.Why)
	}
	if v := in.Var("d"); !v.Known() {
		t.Errorf("d: a -var-file that agrees with the default leaves it known: %s", v.Why)
	}
}

func TestBrokenFileContributesNothing(t *testing.T) {
	good := parseOne(t, "m/a.tf", `resource "aws_ebs_volume" "a" {}`)
	bad, diags := Parse("m/b.tf", []byte("resource \"aws_ebs_volume\" \"b\" {\n"))
	m := NewModule("m", []*File{good, bad}, map[string][]Diagnostic{"m/b.tf": diags})
	if len(m.Resources) != 1 || len(m.Broken) != 1 || m.Broken[0] != "m/b.tf" || len(m.Errors) == 0 {
		t.Errorf("module: %d resources, broken %v, errors %v", len(m.Resources), m.Broken, m.Errors)
	}
}
