package terraform

import (
	"strconv"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// arg is one argument of a resource or block as evaluated in an instance.
type arg struct {
	attr *tf.Attribute // nil when not written
	v    tf.Value
}

func (a arg) set() bool { return a.attr != nil && !a.v.IsNull() }

// unknown reports an argument whose value posture cannot know.
func (a arg) unknown() bool { return a.attr != nil && !a.v.IsNull() && !a.v.Known() }

func (a arg) boolean() (value, ok bool) { return a.v.Bool() }

func (a arg) number() (float64, bool) { return a.v.Number() }

func (a arg) str() (string, bool) { return a.v.Str() }

func argOf(in *tf.Instance, b *tf.Block, name string) arg {
	a := b.Attr(name)
	return arg{attr: a, v: in.Eval(a)}
}

func (x subject) arg(name string) arg { return argOf(x.in, x.r.Block, name) }

// state is what a boolean argument says.
type state int

const (
	stUnset state = iota
	stTrue
	stFalse
	stUnknown
)

// boolState evaluates a boolean argument. A value that is known but not a bool is
// reported as unknown, with the reason: Terraform itself would reject it.
func boolState(a arg) (state, string) {
	switch {
	case !a.set():
		return stUnset, ""
	case a.unknown():
		return stUnknown, a.v.Reason()
	}
	b, ok := a.boolean()
	switch {
	case !ok:
		return stUnknown, a.v.Display() + " is not a bool"
	case b:
		return stTrue, ""
	}
	return stFalse, ""
}

// blockState says whether a nested block exists in an instance: written plainly, made
// by a dynamic block whose for_each is known, or undecidable.
func blockState(in *tf.Instance, b *tf.Block, typ string) (present bool, why string, decided bool) {
	var undecided string
	for _, n := range b.Nested(typ) {
		if !n.Dynamic {
			return true, "", true
		}
		if n.ForEach == nil {
			continue
		}
		v := in.Eval(n.ForEach)
		elems, ok := collectionLen(v)
		switch {
		case !ok:
			undecided = "the for_each of its dynamic \"" + typ + "\" block (line " + strconv.Itoa(n.Pos.Line) + ") is not known: " + v.Reason()
		case elems > 0:
			return true, "", true
		}
	}
	if undecided != "" {
		return false, undecided, false
	}
	return false, "", true
}

func collectionLen(v tf.Value) (int, bool) {
	if !v.Known() || v.IsNull() {
		return 0, false
	}
	if !v.V.CanIterateElements() {
		return 0, false
	}
	return v.V.LengthInt(), true
}

// refs lists the resources an argument refers to, by address within its module.
func refs(a arg) []string { return tf.ResourceRefs(a.attr) }
