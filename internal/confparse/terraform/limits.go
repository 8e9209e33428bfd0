package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A scanned repository is untrusted input, and Terraform's language can describe values
// far larger than their source (a local that doubles another forty times, nested for
// expressions over long lists). These bounds keep evaluation proportional to the input;
// anything beyond them is unknown, which real configurations never come near.
const (
	maxValueNodes    = 10_000
	maxValueBytes    = 1 << 20
	maxForDepth      = 2
	maxForCollection = 1_000
)

const tooComplex = "the expression is too large or too deeply nested to evaluate"

// tooLarge reports a value with more than maxValueNodes elements or maxValueBytes of
// strings. The walk stops as soon as the budget is spent, so its cost is bounded even
// when the value shares structure exponentially.
func tooLarge(v cty.Value) bool {
	nodes, bytes := maxValueNodes, maxValueBytes
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		nodes--
		if nodes < 0 {
			return true
		}
		if !v.IsKnown() || v.IsNull() {
			return false
		}
		t := v.Type()
		switch {
		case t == cty.String:
			bytes -= len(v.AsString())
			return bytes < 0
		case t.IsListType(), t.IsSetType(), t.IsMapType(), t.IsTupleType(), t.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				if k.Type() == cty.String {
					bytes -= len(k.AsString())
				}
				if bytes < 0 || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// forDepth is a walker that finds the for expressions of an expression and how deeply
// they nest.
type forDepth struct {
	depth, max int
	colls      []hclsyntax.Expression
}

func (w *forDepth) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if f, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth++
		w.max = max(w.max, w.depth)
		w.colls = append(w.colls, f.CollExpr)
	}
	return nil
}

func (w *forDepth) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth--
	}
	return nil
}

// tooComplexToEvaluate refuses expressions whose for expressions could iterate without
// bound: nested more than maxForDepth deep, or over a collection longer than
// maxForCollection. Collections that depend on an outer iteration cannot be sized ahead;
// they are elements of an outer collection that is itself bounded.
func tooComplexToEvaluate(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	node, ok := expr.(hclsyntax.Node)
	if !ok {
		return jsonTemplateLoops(expr)
	}
	w := &forDepth{}
	hclsyntax.Walk(node, w)
	if w.max > maxForDepth {
		return true
	}
	for _, c := range w.colls {
		v, diags := safeValue(c, ctx)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
			continue
		}
		if n := v.LengthInt(); n > maxForCollection {
			return true
		}
	}
	return false
}

// jsonTemplateLoops finds template for directives in the strings of a JSON expression,
// which the JSON syntax evaluates as templates without exposing their syntax tree.
func jsonTemplateLoops(expr hcl.Expression) bool {
	v, diags := safeValue(expr, nil)
	if diags.HasErrors() {
		return false
	}
	loops, budget := 0, maxValueNodes
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		budget--
		if budget < 0 || !v.IsKnown() || v.IsNull() {
			return
		}
		switch t := v.Type(); {
		case t == cty.String:
			loops += strings.Count(v.AsString(), "%{")
		case t.IsListType(), t.IsSetType(), t.IsMapType(), t.IsTupleType(), t.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				walk(e)
			}
		}
	}
	walk(v)
	return loops > maxForDepth || budget < 0
}
