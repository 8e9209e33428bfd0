package store

import (
	"strconv"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", `SELECT 1`, `SELECT 1`},
		{"simple", `SELECT * FROM t WHERE a = ? AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = $2`},
		{"adjacent", `VALUES (?,?),(?,?)`, `VALUES ($1,$2),($3,$4)`},
		{"string", `SELECT '?', ?`, `SELECT '?', $1`},
		{"doubled quote", `SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{"escape string", `SELECT E'\'?', ?`, `SELECT E'\'?', $1`},
		{"lowercase escape string", `SELECT e'a\'?', ?`, `SELECT e'a\'?', $1`},
		{"E ending an identifier is not an escape", `SELECT name'?', ?`, `SELECT name'?', $1`},
		{"backslash in a standard string", `SELECT 'a\', ?`, `SELECT 'a\', $1`},
		{"identifier", `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"doubled identifier quote", `SELECT "a""?" , ?`, `SELECT "a""?" , $1`},
		{"line comment", "SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"line comment at end", "SELECT ? -- why?", "SELECT $1 -- why?"},
		{"block comment", `SELECT /* ? */ ?`, `SELECT /* ? */ $1`},
		{"nested block comment", `SELECT /* a /* ? */ ? */ ?`, `SELECT /* a /* ? */ ? */ $1`},
		{"dollar quote", `SELECT $$?$$, ?`, `SELECT $$?$$, $1`},
		{"tagged dollar quote", `SELECT $fn$ $$ ? $fn$, ?`, `SELECT $fn$ $$ ? $fn$, $1`},
		{"positional is not a quote", `SELECT $1x, ?`, `SELECT $1x, $1`},
		{"dollar inside identifier", `SELECT a$b$, ?`, `SELECT a$b$, $1`},
		{"minus alone", `SELECT 1 - ?`, `SELECT 1 - $1`},
		{"slash alone", `SELECT 1 / ?`, `SELECT 1 / $1`},
		{"unterminated string", `SELECT ?, 'abc ?`, `SELECT $1, 'abc ?`},
		{"unterminated comment", `SELECT ? /* ?`, `SELECT $1 /* ?`},
		{"unterminated dollar", `SELECT ?, $x$ ?`, `SELECT $1, $x$ ?`},
		{"ten and more", strings.Repeat("?,", 11), "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"},
		{"multibyte", `SELECT 'é?', ?, "ü"`, `SELECT 'é?', $1, "ü"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Postgres.Rebind(tt.in); got != tt.want {
				t.Errorf("Postgres.Rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if got := SQLite.Rebind(tt.in); got != tt.in {
				t.Errorf("SQLite.Rebind changed %q to %q", tt.in, got)
			}
		})
	}
}

// FuzzRebind checks the rewriter's contract on any input: it never panics, it changes
// nothing but the placeholders it reports, those are `?` bytes numbered from $1 in
// order, every `?` of SQL without quotes or comments is one, and a leading `?` neither
// hides nor invents any other.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		`SELECT ? FROM t WHERE a = '?' AND b = "?" -- ?` + "\n" + `AND c = ?`,
		`/* /* ? */ */ $$?$$ $a$?$a$ E'\'?' ?`, `$1 ? a$b ?`, `'`, `"`, `/*`, `$$`, `--`, `E'\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out, offsets := rewritePlaceholders(q)
		var want strings.Builder
		last := 0
		for i, off := range offsets {
			if q[off] != '?' {
				t.Fatalf("offset %d of %q is %q, not ?", off, q, q[off])
			}
			if i > 0 && off <= offsets[i-1] {
				t.Fatalf("offsets not increasing: %v", offsets)
			}
			want.WriteString(q[last:off])
			want.WriteString("$" + strconv.Itoa(i+1))
			last = off + 1
		}
		want.WriteString(q[last:])
		if out != want.String() {
			t.Fatalf("rewrite of %q changed more than its placeholders:\n got %q\nwant %q", q, out, want.String())
		}
		if strings.Count(out, "?") != strings.Count(q, "?")-len(offsets) {
			t.Fatalf("placeholder count mismatch for %q", q)
		}
		// Without any quoting or comment syntax, every ? is a placeholder.
		if !strings.ContainsAny(q, `'"-/$`) && len(offsets) != strings.Count(q, "?") {
			t.Fatalf("%q: %d placeholders, want %d", q, len(offsets), strings.Count(q, "?"))
		}
		// A leading ? is always a placeholder and does not change how the rest lexes.
		_, prefixed := rewritePlaceholders("?" + q)
		if len(prefixed) != len(offsets)+1 || prefixed[0] != 0 {
			t.Fatalf("%q: leading ? changed the placeholders: %v vs %v", q, prefixed, offsets)
		}
		for i, off := range offsets {
			if prefixed[i+1] != off+1 {
				t.Fatalf("%q: leading ? changed the placeholders: %v vs %v", q, prefixed, offsets)
			}
		}
		if rebindDollar(q) != out {
			t.Fatalf("rebindDollar disagrees with rewritePlaceholders on %q", q)
		}
	})
}
