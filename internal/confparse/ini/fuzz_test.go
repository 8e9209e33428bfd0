package ini

import (
	"bytes"
	"testing"
)

// FuzzParse: any input parses without panicking, and every entry and error points at a
// line of the input, with entries in file order.
func FuzzParse(f *testing.F) {
	f.Add([]byte("[mysqld]\nskip-grant-tables\nbind-address=0.0.0.0 # x\n!includedir /etc/mysql/conf.d\n"), false)
	f.Add([]byte("[PHP]\ndisplay_errors = \"On\nstill\" ; c\nexpose_php='On'\n"), true)
	f.Add([]byte("a = \"\\\"\n[b\n!include\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, php bool) {
		d := MySQL
		if php {
			d = PHP
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		file := Parse(data, d)
		prev := 0
		for _, e := range file.Entries {
			if e.Line < 1 || e.Line > lines || e.Line < prev {
				t.Fatalf("entry %q at line %d (previous %d, %d lines)", e.Key, e.Line, prev, lines)
			}
			if e.Key == "" {
				t.Fatalf("entry without a key at line %d", e.Line)
			}
			prev = e.Line
		}
		for _, e := range file.Errors {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error at line %d of %d", e.Line, lines)
			}
		}
	})
}
