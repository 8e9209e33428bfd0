package terraform

import (
	"path"
	"sort"
	"strings"
)

// Resource is a resource or data block.
type Resource struct {
	*Block
	Data       bool
	Type, Name string
}

// Address is the resource's address within its module: aws_s3_bucket.logs, or
// data.aws_iam_policy_document.x.
func (r *Resource) Address() string {
	if r.Data {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// Call is a module block: the call of a child module with its input arguments.
type Call struct {
	*Block
	Name string
	// Source is the literal source address ("../../modules/db",
	// "terraform-aws-modules/rds/aws"); empty when it is not a literal string.
	Source string
	// Version is the literal version constraint, if any.
	Version string
}

// metaArguments are the module block arguments that are not inputs of the child.
var metaArguments = map[string]bool{
	"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true,
}

// Inputs lists the input arguments the call passes, sorted by name.
func (c *Call) Inputs() []*Attribute {
	var out []*Attribute
	for name, a := range c.Attrs {
		if !metaArguments[name] {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Local reports whether the source is a directory of the same repository.
func (c *Call) Local() bool {
	return strings.HasPrefix(c.Source, "./") || strings.HasPrefix(c.Source, "../")
}

// Variable is a variable block.
type Variable struct {
	Name    string
	Default *Attribute
	Pos     Pos
}

// VarFile is a variables file of a root module.
type VarFile struct {
	*File
	// Auto is set for the files Terraform reads by itself (terraform.tfvars and
	// *.auto.tfvars); others apply only when named with -var-file.
	Auto bool
}

// Module is the configuration in one directory.
type Module struct {
	Dir       string
	Files     []*File
	Resources []*Resource
	Calls     []*Call
	Variables map[string]*Variable
	Locals    map[string]*Attribute
	Providers []*Block
	VarFiles  []*VarFile
	// Errors holds the parse errors of the directory's files. A file with errors
	// contributes no blocks, so anything decided by the absence of a block in this module
	// is uncertain while Errors is not empty.
	Errors []Diagnostic
	// Broken lists the files that contributed nothing because of errors.
	Broken []string
}

// IsVarFile reports whether p names a Terraform variables file.
func IsVarFile(p string) bool {
	return strings.HasSuffix(p, ".tfvars") || strings.HasSuffix(p, ".tfvars.json")
}

// IsConfigFile reports whether p names a Terraform configuration file. Override files
// (override.tf, *_override.tf) merge into other blocks in ways this package does not
// model; they are read as ordinary files.
func IsConfigFile(p string) bool {
	return strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".tf.json")
}

func isAutoVarFile(p string) bool {
	base := path.Base(p)
	return base == "terraform.tfvars" || base == "terraform.tfvars.json" ||
		strings.HasSuffix(base, ".auto.tfvars") || strings.HasSuffix(base, ".auto.tfvars.json")
}

// NewModule builds a module from the parsed files of one directory. errs are each file's
// parse errors, keyed by path.
func NewModule(dir string, files []*File, errs map[string][]Diagnostic) *Module {
	m := &Module{Dir: dir, Variables: map[string]*Variable{}, Locals: map[string]*Attribute{}}
	sorted := append([]*File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	for _, f := range sorted {
		if d := errs[f.Path]; len(d) > 0 {
			m.Errors = append(m.Errors, d...)
			m.Broken = append(m.Broken, f.Path)
			continue
		}
		if IsVarFile(f.Path) {
			m.VarFiles = append(m.VarFiles, &VarFile{File: f, Auto: isAutoVarFile(f.Path)})
			continue
		}
		m.Files = append(m.Files, f)
		for _, b := range f.Blocks {
			m.add(b)
		}
	}
	// Terraform reads terraform.tfvars before the *.auto.tfvars files, which it reads in
	// lexical order; a later file wins.
	sort.SliceStable(m.VarFiles, func(i, j int) bool {
		return varFileRank(m.VarFiles[i].Path) < varFileRank(m.VarFiles[j].Path)
	})
	return m
}

func varFileRank(p string) int {
	switch path.Base(p) {
	case "terraform.tfvars":
		return 0
	case "terraform.tfvars.json":
		return 1
	}
	return 2
}

func (m *Module) add(b *Block) {
	switch b.Type {
	case "resource", "data":
		if len(b.Labels) == 2 {
			m.Resources = append(m.Resources, &Resource{Block: b, Data: b.Type == "data", Type: b.Labels[0], Name: b.Labels[1]})
		}
	case "module":
		if len(b.Labels) == 1 {
			c := &Call{Block: b, Name: b.Labels[0]}
			c.Source, _ = literalString(b.Attr("source"))
			c.Version, _ = literalString(b.Attr("version"))
			m.Calls = append(m.Calls, c)
		}
	case "variable":
		if len(b.Labels) == 1 {
			m.Variables[b.Labels[0]] = &Variable{Name: b.Labels[0], Default: b.Attr("default"), Pos: b.Pos}
		}
	case "locals":
		for name, a := range b.Attrs {
			m.Locals[name] = a
		}
	case "provider":
		m.Providers = append(m.Providers, b)
	}
}

// ResourcesOfType returns the managed resources (not data sources) of type typ.
func (m *Module) ResourcesOfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range m.Resources {
		if !r.Data && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// File returns the parsed file at p, or nil.
func (m *Module) File(p string) *File {
	for _, f := range m.Files {
		if f.Path == p {
			return f
		}
	}
	for _, f := range m.VarFiles {
		if f.Path == p {
			return f.File
		}
	}
	return nil
}

// literalString is the value of an attribute written as a plain string.
func literalString(a *Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.Type().Equals(ctyString) {
		return "", false
	}
	return v.AsString(), true
}

// Group builds one module per directory from parsed files; errs holds each file's parse
// errors by path. Modules are sorted by directory.
func Group(files []*File, errs map[string][]Diagnostic) []*Module {
	byDir := map[string][]*File{}
	for _, f := range files {
		d := path.Dir(f.Path)
		byDir[d] = append(byDir[d], f)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	out := make([]*Module, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, NewModule(d, byDir[d], errs))
	}
	return out
}
