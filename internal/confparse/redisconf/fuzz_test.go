package redisconf

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse: no panic, lines in range and in order, names lower case, and an unquoted
// argument never contains a blank (quotes are the only way to put one in).
func FuzzParse(f *testing.F) {
	f.Add([]byte("bind 0.0.0.0\nrequirepass \"a\\x4g\\\"b\"\nuser default on nopass ~* +@all\n"))
	f.Add([]byte("x 'a\\'\ny \"\\x41\" 'b'c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		file := Parse(data)
		prev := 0
		for _, d := range file.Directives {
			if d.Line < 1 || d.Line > lines || d.Line <= prev {
				t.Fatalf("directive at line %d (previous %d, %d lines)", d.Line, prev, lines)
			}
			if d.Name != strings.ToLower(d.Name) || d.Name == "" && !strings.HasPrefix(strings.TrimSpace(d.Text), "\"") && !strings.HasPrefix(strings.TrimSpace(d.Text), "'") {
				t.Fatalf("bad name %q in %q", d.Name, d.Text)
			}
			prev = d.Line
		}
		for _, e := range file.Errors {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error at line %d of %d", e.Line, lines)
			}
		}
	})
}
