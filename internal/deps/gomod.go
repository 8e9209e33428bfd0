package deps

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// ParseGoMod reads the require directives of go.mod. Since Go 1.17 go.mod lists every
// module in the build graph, and `// indirect` marks those the main module does not
// import itself. Replaced modules keep the version required here (replacements are a
// separate question for VM-1).
func ParseGoMod(modPath string, data []byte) ([]Package, error) {
	var out []Package
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	inBlock := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		comment := ""
		if i := strings.Index(line, "//"); i >= 0 {
			line, comment = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+2:])
		}
		switch {
		case line == "":
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case line == "require (" || line == "require(":
			inBlock = true
			continue
		case strings.HasPrefix(line, "require ") || strings.HasPrefix(line, "require\t"):
			line = strings.TrimSpace(line[len("require"):])
		case !inBlock:
			continue
		}
		f := strings.Fields(line)
		name := ""
		if len(f) == 2 {
			name = strings.Trim(f[0], `"`)
		}
		if name == "" {
			return out, fmt.Errorf("%s:%d: malformed require %q", modPath, n, line)
		}
		out = append(out, Package{Ecosystem: "Go", Name: name, Version: f[1], Path: modPath, Line: n,
			Direct: !strings.HasPrefix(comment, "indirect")})
	}
	if inBlock {
		return out, fmt.Errorf("%s: require block is not closed", modPath)
	}
	return out, sc.Err()
}
