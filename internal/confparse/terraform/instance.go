package terraform

import (
	"path"

	"github.com/hashicorp/hcl/v2"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Instance is a module evaluated in one place: a root module with its variables files and
// defaults, or a child module with the arguments its caller passes. A module called from
// two environments is two instances, and each is judged with its own inputs.
type Instance struct {
	Module *Module
	Root   *Instance // the root instance this one belongs to (itself for a root)
	Parent *Instance
	Call   *Call // the module block that made this instance; nil for a root
	// Path is the module address prefix: "" for a root, "module.db." for a child.
	Path     string
	Children []*Instance

	vars   map[string]Value
	varObj cty.Value
	locals map[string]Value
}

// Address is a resource's address from the root module, as Terraform prints it.
func (in *Instance) Address(r *Resource) string { return in.Path + r.Address() }

// CallAddress is the address of a module call made by this instance.
func (in *Instance) CallAddress(c *Call) string { return in.Path + "module." + c.Name }

// IsRoot reports whether this instance is a root module.
func (in *Instance) IsRoot() bool { return in.Parent == nil }

// maxModuleDepth bounds the expansion of nested local module calls.
const maxModuleDepth = 16

// Instances evaluates every module reachable from the root modules: directories whose
// configuration no other directory calls as a local module (./ or ../ sources). A
// directory that is only ever called (modules/rds) is evaluated once per call, with the
// caller's arguments, not on its own. Roots are returned sorted by directory, each
// followed by its children depth first; directories that only call each other in a cycle
// come last, the first of each cycle taken as its root.
func Instances(mods []*Module) []*Instance {
	byDir := map[string]*Module{}
	for _, m := range mods {
		byDir[m.Dir] = m
	}
	called := map[string]bool{}
	for _, m := range mods {
		for _, c := range m.Calls {
			if dir, ok := LocalSource(m.Dir, c); ok && dir != m.Dir && byDir[dir] != nil {
				called[dir] = true
			}
		}
	}
	sorted := append([]*Module(nil), mods...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Dir < sorted[j].Dir })
	var out []*Instance
	reached := map[string]bool{}
	add := func(m *Module) {
		root := newRoot(m, varFilesBelow(m, sorted))
		out = append(out, root)
		out = append(out, expand(root, byDir, reached, map[string]bool{m.Dir: true}, 0)...)
		reached[m.Dir] = true
	}
	for _, m := range sorted {
		if !called[m.Dir] {
			add(m)
		}
	}
	// Directories that call each other in a cycle have no root; they are still read.
	for _, m := range sorted {
		if !reached[m.Dir] {
			add(m)
		}
	}
	return out
}

// LocalSource resolves a call's source to a directory of the target when it is a local
// path that stays inside it.
func LocalSource(dir string, c *Call) (string, bool) {
	if !c.Local() {
		return "", false
	}
	p := path.Clean(path.Join(dir, c.Source))
	if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return "", false
	}
	return p, true
}

func expand(parent *Instance, byDir map[string]*Module, reached, onPath map[string]bool, depth int) []*Instance {
	if depth >= maxModuleDepth {
		return nil
	}
	var out []*Instance
	for _, c := range parent.Module.Calls {
		dir, ok := LocalSource(parent.Module.Dir, c)
		child := byDir[dir]
		if !ok || child == nil || onPath[dir] {
			continue
		}
		if n, ok := parent.Count(c.Block); ok && n == 0 {
			continue
		}
		reached[dir] = true
		in := newChild(parent, child, c)
		parent.Children = append(parent.Children, in)
		out = append(out, in)
		onPath[dir] = true
		out = append(out, expand(in, byDir, reached, onPath, depth+1)...)
		delete(onPath, dir)
	}
	return out
}

func newInstance(m *Module) *Instance {
	return &Instance{Module: m, vars: map[string]Value{}, locals: map[string]Value{}}
}

// varFilesBelow finds variables files kept in directories under a root module that hold
// no configuration of their own (envs/prod.tfvars next to main.tf's directory): they can
// only be meant for -var-file, so the variables they set are not known.
func varFilesBelow(root *Module, mods []*Module) []*VarFile {
	var out []*VarFile
	for _, m := range mods {
		if m == root || len(m.Files) > 0 || !under(m.Dir, root.Dir) {
			continue
		}
		for _, vf := range m.VarFiles {
			out = append(out, &VarFile{File: vf.File, Auto: false})
		}
	}
	return out
}

func under(dir, root string) bool {
	return root == "." || strings.HasPrefix(dir, root+"/")
}

func newRoot(m *Module, elsewhere []*VarFile) *Instance {
	in := newInstance(m)
	in.Root = in
	for name, v := range m.Variables {
		val := unknown("var."+name+" has no default and no value in terraform.tfvars or *.auto.tfvars", v.Pos)
		if v.Default != nil {
			val = constant(v.Default)
		}
		for _, vf := range m.VarFiles {
			if a := vf.Attrs[name]; a != nil && vf.Auto {
				val = constant(a)
			}
		}
		for _, vf := range append(append([]*VarFile(nil), m.VarFiles...), elsewhere...) {
			a := vf.Attrs[name]
			if a == nil || vf.Auto {
				continue
			}
			if other := constant(a); !sameValue(val, other) {
				val = unknown("var."+name+" is set in "+vf.Path+", which applies only when that file is passed with -var-file", a.Pos)
				break
			}
		}
		in.vars[name] = val
	}
	return in
}

func newChild(parent *Instance, m *Module, c *Call) *Instance {
	in := newInstance(m)
	in.Root, in.Parent, in.Call = parent.Root, parent, c
	in.Path = parent.Path + "module." + c.Name + "."
	for name, v := range m.Variables {
		switch a := c.Attr(name); {
		case a != nil && !metaArguments[name]:
			in.vars[name] = parent.Eval(a)
		case v.Default != nil:
			in.vars[name] = constant(v.Default)
		default:
			in.vars[name] = unknown("var."+name+" has no default and "+parent.Path+"module."+c.Name+" does not set it", v.Pos)
		}
	}
	return in
}

// defaultsContext has no variables: defaults and .tfvars values are constants, and a
// reference in one is an error, so the value is unknown.
var defaultsContext = hcl.EvalContext{Functions: functions}

// constant evaluates a variable default or .tfvars value, which Terraform requires to
// be a constant.
func constant(a *Attribute) Value {
	v, diags := safeValue(a.Expr, &defaultsContext)
	if diags.HasErrors() {
		d := convertDiags(diags, a.Pos.Path, nil)
		why := "cannot be evaluated"
		if len(d) > 0 {
			why = d[0].Error()
		}
		return unknown(why, a.Pos)
	}
	return Value{V: v, From: a.Pos}
}

func sameValue(a, b Value) bool {
	if !a.Known() || !b.Known() {
		return false
	}
	eq := a.V.Equals(b.V)
	return eq.IsKnown() && eq.True()
}

// Count is the number of instances a resource or module block makes, when its count or
// for_each is known. Blocks with neither make one.
func (in *Instance) Count(b *Block) (int, bool) {
	if a := b.Attr("count"); a != nil {
		n, ok := in.Eval(a).Number()
		if !ok || n < 0 {
			return 0, false
		}
		return int(n), true
	}
	if a := b.Attr("for_each"); a != nil {
		v := in.Eval(a)
		if !v.V.IsKnown() || v.IsNull() || !v.V.CanIterateElements() {
			return 0, false
		}
		if v.V.Type().IsSetType() && !v.V.IsWhollyKnown() {
			return 0, false
		}
		return v.V.LengthInt(), true
	}
	return 1, true
}
