package terraform

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var ctyString = cty.String

// Value is what an expression evaluates to before Terraform runs. When V is not wholly
// known, Why says which reference made it so; checks report that instead of deciding.
type Value struct {
	V   cty.Value
	Why string
	// From is where the value was written: the expression itself or, when the
	// expression only names a variable or local, where that variable got its value
	// (a default, a module argument, a .tfvars line).
	From Pos
	// Via is the reference chain that led to From ("var.multi_az"), empty for a value
	// written in place.
	Via string
}

// Unset is the value of an argument that is not written at all.
func Unset() Value { return Value{V: cty.NullVal(cty.DynamicPseudoType)} }

func unknown(why string, from Pos) Value {
	return Value{V: cty.DynamicVal, Why: why, From: from}
}

// Known reports whether the whole value is known statically.
func (v Value) Known() bool { return v.V != cty.NilVal && v.V.IsWhollyKnown() }

// IsNull reports a known null: an argument that is absent or set to null, which
// Terraform treats alike.
func (v Value) IsNull() bool { return v.V == cty.NilVal || (v.V.IsKnown() && v.V.IsNull()) }

// Reason is Why, or a generic reason for a value that is unknown without one.
func (v Value) Reason() string {
	if v.Why != "" {
		return v.Why
	}
	return "the value is only known when Terraform runs"
}

func (v Value) convert(ty cty.Type) (cty.Value, bool) {
	if v.IsNull() || !v.Known() {
		return cty.NilVal, false
	}
	c, err := convert.Convert(v.V, ty)
	if err != nil || c.IsNull() || !c.IsKnown() {
		return cty.NilVal, false
	}
	return c, true
}

// Bool converts the value as Terraform does for a bool argument ("true" is true). ok is
// false when the value is null, unknown or not a bool.
func (v Value) Bool() (b, ok bool) {
	c, ok := v.convert(cty.Bool)
	if !ok {
		return false, false
	}
	return c.True(), true
}

// Number converts the value to a number. ok is false when it is null, unknown or not a
// number.
func (v Value) Number() (float64, bool) {
	c, ok := v.convert(cty.Number)
	if !ok {
		return 0, false
	}
	f, _ := c.AsBigFloat().Float64()
	return f, true
}

// Str converts the value to a string. ok is false when it is null, unknown or not a
// primitive.
func (v Value) Str() (string, bool) {
	if v.Known() && !v.IsNull() && !v.V.Type().IsPrimitiveType() {
		return "", false
	}
	c, ok := v.convert(cty.String)
	if !ok {
		return "", false
	}
	return c.AsString(), true
}

// Get returns the element key of a map or object value. A missing key is null; an
// unknown collection gives an unknown element, with the collection's reason.
func (v Value) Get(key string) Value {
	out := Value{From: v.From, Via: v.Via}
	switch {
	case v.IsNull():
		out.V = cty.NullVal(cty.DynamicPseudoType)
	case !v.V.IsKnown():
		out.V, out.Why = cty.DynamicVal, v.Why
	case v.V.Type().IsObjectType():
		if !v.V.Type().HasAttribute(key) {
			out.V = cty.NullVal(cty.DynamicPseudoType)
		} else {
			out.V = v.V.GetAttr(key)
		}
	case v.V.Type().IsMapType():
		k := cty.StringVal(key)
		if v.V.HasIndex(k).True() {
			out.V = v.V.Index(k)
		} else {
			out.V = cty.NullVal(cty.DynamicPseudoType)
		}
	default:
		out.V = cty.NullVal(cty.DynamicPseudoType)
	}
	if !out.V.IsWhollyKnown() && out.Why == "" {
		out.Why = v.Why
	}
	return out
}

// Keys lists the keys of a known map or object value, sorted.
func (v Value) Keys() ([]string, bool) {
	if v.IsNull() || !v.V.IsKnown() {
		return nil, false
	}
	t := v.V.Type()
	if !t.IsObjectType() && !t.IsMapType() {
		return nil, false
	}
	var out []string
	for it := v.V.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		out = append(out, k.AsString())
	}
	sort.Strings(out)
	return out, true
}

// Elements lists the elements of a list, tuple or set value of known length.
func (v Value) Elements() ([]Value, bool) {
	if v.IsNull() || !v.V.IsKnown() {
		return nil, false
	}
	t := v.V.Type()
	if !t.IsListType() && !t.IsTupleType() && !t.IsSetType() {
		return nil, false
	}
	var out []Value
	for it := v.V.ElementIterator(); it.Next(); {
		_, e := it.Element()
		ev := Value{V: e, From: v.From, Via: v.Via}
		if !e.IsWhollyKnown() {
			ev.Why = v.Reason()
		}
		out = append(out, ev)
	}
	return out, true
}

// Display renders a value for a message, the way it would be written in HCL. Long
// collections are shortened.
func (v Value) Display() string {
	if v.V == cty.NilVal {
		return "null"
	}
	return display(v.V, 0)
}

func display(v cty.Value, depth int) string {
	switch {
	case !v.IsKnown():
		return "(known after apply)"
	case v.IsNull():
		return "null"
	}
	t := v.Type()
	switch {
	case t == cty.String:
		s := v.AsString()
		if r := []rune(s); len(r) > 60 {
			s = string(r[:57]) + "..."
		}
		return strconv.Quote(s)
	case t == cty.Bool:
		return strconv.FormatBool(v.True())
	case t == cty.Number:
		return formatNumber(v.AsBigFloat())
	case depth > 2:
		return "…"
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if len(parts) == 4 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, display(e, depth+1))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case t.IsMapType() || t.IsObjectType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if len(parts) == 4 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, k.AsString()+" = "+display(e, depth+1))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%#v", v)
}

func formatNumber(f *big.Float) string {
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			return strconv.FormatInt(i, 10)
		}
	}
	return f.Text('g', 10)
}
