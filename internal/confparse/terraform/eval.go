package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Eval evaluates an argument in this instance: literals, variables (from module
// arguments, .tfvars or defaults), locals, operators, conditionals and the pure functions
// configurations use to build names and tags. Anything else (resource attributes, data
// sources, module outputs, each/count, the workspace, functions not listed here) is
// unknown, and so is everything computed from it.
func (in *Instance) Eval(a *Attribute) Value {
	if a == nil {
		return Unset()
	}
	return in.eval(a.Expr, a.Pos, map[string]bool{}, nil)
}

// Iteration is one element of a dynamic block's for_each, as its content sees it.
type Iteration struct {
	Name       string
	Key, Value cty.Value
}

// Iterations expands the for_each of a dynamic block. ok is false, with the value and
// its reason, when the collection is not known.
func (in *Instance) Iterations(b *Block) ([]Iteration, Value, bool) {
	v := in.Eval(b.ForEach)
	if b.ForEach == nil || !v.Known() || v.IsNull() || !v.V.CanIterateElements() {
		return nil, v, false
	}
	var out []Iteration
	for it := v.V.ElementIterator(); it.Next(); {
		k, e := it.Element()
		out = append(out, Iteration{Name: b.Iterator, Key: k, Value: e})
	}
	return out, v, true
}

// EvalIn evaluates an argument of a dynamic block's content for the given elements
// (outermost first), so that ingress.value.from_port resolves.
func (in *Instance) EvalIn(a *Attribute, its []Iteration) Value {
	if a == nil {
		return Unset()
	}
	bind := map[string]cty.Value{}
	for _, it := range its {
		bind[it.Name] = cty.ObjectVal(map[string]cty.Value{"key": it.Key, "value": it.Value})
	}
	return in.eval(a.Expr, a.Pos, map[string]bool{}, bind)
}

// EvalExpr evaluates an expression that is not an attribute (a for_each, an element).
func (in *Instance) EvalExpr(expr hcl.Expression) Value {
	if expr == nil {
		return Unset()
	}
	return in.eval(expr, posOf(expr.StartRange().Start, in.Module.Dir), map[string]bool{}, nil)
}

// maxLocalDepth bounds chains of locals referring to locals; beyond it, values are
// unknown rather than evaluated by unbounded recursion.
const maxLocalDepth = 100

func (in *Instance) eval(expr hcl.Expression, at Pos, visiting map[string]bool, bind map[string]cty.Value) Value {
	if v, ok := in.plainReference(expr, visiting); ok {
		return v
	}
	ctx, whys := in.context(expr, visiting, bind)
	at = exprPos(expr, at)
	if tooComplexToEvaluate(expr, ctx) {
		return unknown(tooComplex, at)
	}
	v, diags := safeValue(expr, ctx)
	if tooLarge(v) {
		return unknown(tooComplex, at)
	}
	if diags.HasErrors() {
		d := convertDiags(diags, at.Path, nil)
		why := "cannot be evaluated"
		if len(d) > 0 {
			why = d[0].Error()
		}
		if len(whys) > 0 {
			why = strings.Join(whys, "; ")
		}
		return unknown(why, at)
	}
	out := Value{V: v, From: at}
	if !v.IsWhollyKnown() {
		out.Why = strings.Join(whys, "; ")
	}
	return out
}

func exprPos(expr hcl.Expression, fallback Pos) Pos {
	r := expr.StartRange()
	if r.Filename == "" || r.Start.Line < 1 {
		return fallback
	}
	return posOf(r.Start, r.Filename)
}

// safeValue shields the scan from a panic inside the expression library on odd input:
// the value becomes unknown with the reason, and the scan goes on.
func safeValue(expr hcl.Expression, ctx *hcl.EvalContext) (v cty.Value, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			v = cty.DynamicVal
			diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: fmt.Sprintf("expression could not be evaluated (%v)", r), Subject: expr.StartRange().Ptr()}}
		}
	}()
	return expr.Value(ctx)
}

// plainReference follows an expression that is nothing but var.x or local.x (possibly
// wrapped in "${…}"), so that a finding can point to where the value was really written.
func (in *Instance) plainReference(expr hcl.Expression, visiting map[string]bool) (Value, bool) {
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 {
		return Value{}, false
	}
	attr, ok := st.Traversal[1].(hcl.TraverseAttr)
	if !ok {
		return Value{}, false
	}
	switch st.Traversal.RootName() {
	case "var":
		if _, declared := in.Module.Variables[attr.Name]; !declared {
			return Value{}, false
		}
		v := in.Var(attr.Name)
		v.Via = joinVia("var."+attr.Name, v.Via)
		return v, true
	case "local":
		if _, defined := in.Module.Locals[attr.Name]; !defined {
			return Value{}, false
		}
		v := in.local(attr.Name, visiting)
		v.Via = joinVia("local."+attr.Name, v.Via)
		return v, true
	}
	return Value{}, false
}

func joinVia(a, b string) string {
	if b == "" {
		return a
	}
	return a + " ← " + b
}

// Var returns the value of an input variable of this instance.
func (in *Instance) Var(name string) Value {
	if v, ok := in.vars[name]; ok {
		return v
	}
	return unknown("var."+name+" is not declared", Pos{Path: in.Module.Dir})
}

func (in *Instance) local(name string, visiting map[string]bool) Value {
	if v, ok := in.locals[name]; ok {
		return v
	}
	a := in.Module.Locals[name]
	if a == nil {
		return unknown("local."+name+" is not defined", Pos{Path: in.Module.Dir})
	}
	if visiting[name] || len(visiting) >= maxLocalDepth {
		return unknown("local."+name+" refers to itself", a.Pos)
	}
	visiting[name] = true
	v := in.eval(a.Expr, a.Pos, visiting, nil)
	delete(visiting, name)
	in.locals[name] = v
	return v
}

// context builds the evaluation context for expr: only what it refers to, with unknown
// placeholders (and the reason) for everything posture does not resolve.
func (in *Instance) context(expr hcl.Expression, visiting map[string]bool, bind map[string]cty.Value) (*hcl.EvalContext, []string) {
	vars := map[string]cty.Value{}
	locals := map[string]cty.Value{}
	var whys []string
	seen := map[string]bool{}
	addWhy := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			whys = append(whys, w)
		}
	}
	for _, t := range expr.Variables() {
		root := t.RootName()
		if b, ok := bind[root]; ok {
			vars[root] = b
			if !b.IsWhollyKnown() {
				addWhy("depends on " + TraversalString(t, 3) + ", which is not known")
			}
			continue
		}
		switch root {
		case "var":
			if _, done := vars["var"]; !done {
				vars["var"] = in.varObject()
			}
			if name := attrStep(t, 1); name != "" {
				if v, ok := in.vars[name]; ok && !v.Known() {
					addWhy(v.Reason())
				}
			}
		case "local":
			name := attrStep(t, 1)
			if name == "" || in.Module.Locals[name] == nil {
				continue
			}
			v := in.local(name, visiting)
			locals[name] = v.V
			if !v.Known() {
				addWhy(v.Reason())
			}
		default:
			vars[root] = cty.DynamicVal
			addWhy(refReason(t))
		}
	}
	if len(locals) > 0 {
		vars["local"] = cty.ObjectVal(locals)
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}, whys
}

func (in *Instance) varObject() cty.Value {
	if in.varObj != cty.NilVal {
		return in.varObj
	}
	m := map[string]cty.Value{}
	for name, v := range in.vars {
		if v.V == cty.NilVal {
			m[name] = cty.NullVal(cty.DynamicPseudoType)
			continue
		}
		m[name] = v.V
	}
	in.varObj = cty.ObjectVal(m)
	return in.varObj
}

func attrStep(t hcl.Traversal, i int) string {
	if len(t) <= i {
		return ""
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// refReason says why a reference is unknown before Terraform runs.
func refReason(t hcl.Traversal) string {
	s := TraversalString(t, 3)
	switch t.RootName() {
	case "terraform":
		return "depends on " + s + ", which is chosen when Terraform runs"
	case "each", "count":
		return "depends on " + s + ", which differs per instance"
	case "module":
		return "depends on " + s + ", an output of another module"
	case "data":
		return "depends on " + s + ", read when Terraform runs"
	case "path", "self":
		return "depends on " + s
	}
	return "depends on " + s + ", known only when Terraform applies the configuration"
}

// TraversalString renders up to max steps of a reference, e.g. aws_s3_bucket.logs.id.
func TraversalString(t hcl.Traversal, max int) string {
	var b strings.Builder
	for i, step := range t {
		if i == max {
			break
		}
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			switch {
			case !s.Key.IsKnown() || s.Key.IsNull():
				b.WriteString("[…]")
			case s.Key.Type() == cty.String:
				b.WriteString(fmt.Sprintf("[%q]", s.Key.AsString()))
			case s.Key.Type() == cty.Number:
				b.WriteString("[" + formatNumber(s.Key.AsBigFloat()) + "]")
			default:
				b.WriteString("[…]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// formatVerbWidth finds widths or precisions too large for a real format string; they
// would make format() allocate without bound on hostile input.
var formatVerbWidth = regexp.MustCompile(`%[^a-zA-Z%]*[0-9]{4,}`)

var boundedFormat = function.New(&function.Spec{
	Params:   stdlib.FormatFunc.Params(),
	VarParam: stdlib.FormatFunc.VarParam(),
	Type:     function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String &&
			formatVerbWidth.MatchString(args[0].AsString()) {
			return cty.DynamicVal, fmt.Errorf("format width too large")
		}
		return stdlib.FormatFunc.Call(args)
	},
})

// functions are Terraform's pure functions that configurations use to build names, tags
// and flags. Functions that read files, time or the network stay undefined (so unknown),
// and so do those whose output size is not bounded by their input (range, setproduct).
var functions = map[string]function.Function{
	"abs":          stdlib.AbsoluteFunc,
	"ceil":         stdlib.CeilFunc,
	"floor":        stdlib.FloorFunc,
	"max":          stdlib.MaxFunc,
	"min":          stdlib.MinFunc,
	"coalesce":     stdlib.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc,
	"compact":      stdlib.CompactFunc,
	"concat":       stdlib.ConcatFunc,
	"contains":     stdlib.ContainsFunc,
	"distinct":     stdlib.DistinctFunc,
	"element":      stdlib.ElementFunc,
	"flatten":      stdlib.FlattenFunc,
	"keys":         stdlib.KeysFunc,
	"values":       stdlib.ValuesFunc,
	"length":       stdlib.LengthFunc,
	"lookup":       stdlib.LookupFunc,
	"merge":        stdlib.MergeFunc,
	"zipmap":       stdlib.ZipmapFunc,
	"reverse":      stdlib.ReverseListFunc,
	"slice":        stdlib.SliceFunc,
	"sort":         stdlib.SortFunc,
	"setunion":     stdlib.SetUnionFunc,
	"lower":        stdlib.LowerFunc,
	"upper":        stdlib.UpperFunc,
	"title":        stdlib.TitleFunc,
	"join":         stdlib.JoinFunc,
	"split":        stdlib.SplitFunc,
	"substr":       stdlib.SubstrFunc,
	"trimspace":    stdlib.TrimSpaceFunc,
	"trim":         stdlib.TrimFunc,
	"trimprefix":   stdlib.TrimPrefixFunc,
	"trimsuffix":   stdlib.TrimSuffixFunc,
	"format":       boundedFormat,
	"tobool":       stdlib.MakeToFunc(cty.Bool),
	"tonumber":     stdlib.MakeToFunc(cty.Number),
	"tostring":     stdlib.MakeToFunc(cty.String),
	"tolist":       stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"toset":        stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tomap":        stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"try":          tryfunc.TryFunc,
	"can":          tryfunc.CanFunc,
}
