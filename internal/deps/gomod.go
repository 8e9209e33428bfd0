package deps

import (
	"errors"
	"fmt"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// ParseGoMod reads go.mod with the Go team's own parser. Since Go 1.17 go.mod lists every
// module in the build graph, and `// indirect` marks those the main module does not import
// itself. A `replace` directive decides what is built: a replacement module and version is
// reported instead of the required one (at the replace line), and a replacement by a local
// directory is reported as a path source, which is the project's own code.
func ParseGoMod(modPath string, data []byte) (pkgs []Package, err error) {
	defer func() {
		if r := recover(); r != nil {
			pkgs, err = nil, fmt.Errorf("%s: cannot be parsed: %v", modPath, r)
		}
	}()
	f, err := modfile.Parse(modPath, data, nil)
	if err != nil {
		return nil, goModError(modPath, err)
	}
	byVersion := map[module.Version]*modfile.Replace{}
	byPath := map[string]*modfile.Replace{}
	for _, r := range f.Replace {
		if r.Old.Version != "" {
			byVersion[r.Old] = r
		} else {
			byPath[r.Old.Path] = r
		}
	}
	for _, r := range f.Require {
		p := Package{Ecosystem: "Go", Name: r.Mod.Path, Version: r.Mod.Version, Path: modPath, Direct: !r.Indirect}
		if r.Syntax != nil {
			p.Line = r.Syntax.Start.Line
		}
		rep := byVersion[r.Mod]
		if rep == nil {
			rep = byPath[r.Mod.Path]
		}
		if rep != nil {
			if rep.Syntax != nil {
				p.Line = rep.Syntax.Start.Line
			}
			if rep.New.Version == "" {
				p.Source = "path:" + rep.New.Path
			} else {
				p.Name, p.Version = rep.New.Path, rep.New.Version
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// goModError keeps modfile's "file:line: message" form and joins several problems.
func goModError(modPath string, err error) error {
	var list modfile.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return fmt.Errorf("%s", list[0].Error())
	}
	if err.Error() == "" {
		return fmt.Errorf("%s: cannot be parsed", modPath)
	}
	return err
}
