package code

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/posture-dev/posture/internal/testutil"
)

// FuzzScan runs every rule over arbitrary content in every language: no panic, locations
// in range, the match is on the line reported, and evidence never grows past its bound.
func FuzzScan(f *testing.F) {
	rules, err := DefaultRules()
	if err != nil {
		f.Fatal(err)
	}
	sc := NewScanner(rules)
	f.Add(uint8(0), []byte("tr := &tls.Config{InsecureSkipVerify: true}\n"))
	f.Add(uint8(1), []byte("<?php\n$sql = \"SELECT * FROM t WHERE id = \" . $_GET['id'];\n$h = md5($password);\n"))
	f.Add(uint8(2), []byte("const t = Math.random();\n// token\nconst u = 'http://a:b@host.net/?token=x';\n"))
	f.Add(uint8(3), []byte("def make_token():\n    return random.choice(x)\n\r\n"))
	f.Add(uint8(5), []byte("env:\n  - name: NODE_TLS_REJECT_UNAUTHORIZED\n    value: \"0\"\n"))
	f.Fuzz(func(t *testing.T, lang uint8, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		l := languages[int(lang)%len(languages)]
		lines := strings.Split(string(data), "\n")
		for _, m := range sc.Scan(l, data) {
			if m.Line < 1 || m.Line > len(lines) || m.Column < 1 {
				t.Fatalf("location %d:%d out of range (%d lines)", m.Line, m.Column, len(lines))
			}
			line := lines[m.Line-1]
			if !strings.Contains(line, m.LineText) || m.Column-1+len(m.Text) > len(line) || line[m.Column-1:m.Column-1+len(m.Text)] != m.Text {
				t.Fatalf("match %q at %d:%d is not on line %q", m.Text, m.Line, m.Column, line)
			}
			e := evidence(m)
			if utf8.RuneCountInString(e.Text) > 202 {
				t.Fatalf("evidence of %d runes", utf8.RuneCountInString(e.Text))
			}
		}
	})
}

// A generated or minified file with one huge line full of keyword hits must cost time in
// proportion to its size, not to hits times line length.
func TestLongLinesStayLinear(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScanner(rules)
	for name, unit := range map[string]string{
		"xor operators":    "a^key[i%n]^",
		"keywords":         "ecb rand. iv http:// $_get req. verify sslmode ",
		"matches":          `rejectUnauthorized:false,`,
		"near, no pattern": "token Math.random",
	} {
		data := []byte(strings.Repeat(unit, testutil.WorkSize(2<<20)/len(unit)))
		start := time.Now()
		ms := sc.Scan(JS, data)
		if d := time.Since(start); d > testutil.WorkBound(10*time.Second) {
			t.Errorf("%s: %v", name, d)
		}
		if name == "matches" && len(ms) != 1 {
			t.Errorf("%s: %d matches on one line, want one per rule and line", name, len(ms))
		}
	}
}
