package deps

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// ParseCargoLock reads Cargo.lock: a sequence of [[package]] tables with name, version and
// source. Packages without a source are the workspace's own crates, not dependencies.
func ParseCargoLock(lockPath string, data []byte) ([]Package, error) {
	var out []Package
	var cur *Package
	source := false
	flush := func() {
		if cur != nil && cur.Name != "" && cur.Version != "" && source {
			out = append(out, *cur)
		}
		cur, source = nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "[[package]]":
			flush()
			cur = &Package{Ecosystem: "crates.io", Path: lockPath, Line: n}
		case strings.HasPrefix(line, "["):
			flush()
		case cur != nil && strings.Contains(line, "="):
			k, v, _ := strings.Cut(line, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if k == "name" || k == "version" || k == "source" {
				s, ok := tomlString(v)
				if !ok {
					return out, fmt.Errorf("%s:%d: %s is not a string", lockPath, n, k)
				}
				switch k {
				case "name":
					cur.Name = s
				case "version":
					cur.Version = s
				case "source":
					source = strings.HasPrefix(s, "registry+")
				}
			}
		}
	}
	flush()
	return out, sc.Err()
}

func tomlString(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1], true
	}
	return "", false
}
