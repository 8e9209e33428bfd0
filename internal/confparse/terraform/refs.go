package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// notResources are the reference roots that do not name a managed resource type.
var notResources = map[string]bool{
	"var": true, "local": true, "module": true, "data": true, "each": true, "count": true,
	"self": true, "path": true, "terraform": true,
}

// ResourceRefs lists the managed resources an expression refers to, by address within
// the module ("aws_s3_bucket.logs" for aws_s3_bucket.logs.id), in order of appearance and
// without repeats. It is how one resource is tied to another (a bucket's encryption
// configuration to its bucket) without evaluating anything.
func ResourceRefs(a *Attribute) []string {
	if a == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range a.Expr.Variables() {
		root := t.RootName()
		name := attrStep(t, 1)
		if notResources[root] || name == "" {
			continue
		}
		addr := root + "." + name
		if !seen[addr] {
			seen[addr] = true
			out = append(out, addr)
		}
	}
	return out
}

// Refs lists every reference an expression makes, rendered like var.x or
// aws_s3_bucket.logs.id, for messages.
func Refs(a *Attribute) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, t := range a.Expr.Variables() {
		out = append(out, TraversalString(t, 3))
	}
	return out
}

// ModuleRefs lists the module calls an expression refers to (db for
// module.db.db_instance_arn), in order of appearance and without repeats.
func ModuleRefs(a *Attribute) []string {
	if a == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range a.Expr.Variables() {
		name := attrStep(t, 1)
		if t.RootName() != "module" || name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// Elements splits an argument written as a list ([a, b]) into one attribute per element,
// so that each element can be resolved on its own; ok is false when the argument is not
// a literal list (var.arns, concat(...)).
func (a *Attribute) Elements() ([]*Attribute, bool) {
	if a == nil {
		return nil, false
	}
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		return nil, false
	}
	out := make([]*Attribute, 0, len(exprs))
	for i, e := range exprs {
		at := a.Pos
		if r := e.StartRange(); r.Filename != "" {
			at = posOf(r.Start, r.Filename)
		}
		out = append(out, &Attribute{Name: fmt.Sprintf("%s[%d]", a.Name, i), Expr: e, Pos: at})
	}
	return out, true
}
