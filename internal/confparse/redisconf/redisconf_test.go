package redisconf

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := "# comment\n  BIND 0.0.0.0 -::1\nrequirepass \"p a\\x41ss\\n\"\nuser alice on >'it\\'s' ~* +@all\n" +
		"acl 'it\\'s'\n" +
		"protected-mode no\nbad \"open\n\nrename-command CONFIG \"\"\nx \"a\"b\n"
	var b strings.Builder
	f := Parse([]byte(src))
	for _, d := range f.Directives {
		fmt.Fprintf(&b, "%d %s %q\n", d.Line, d.Name, d.Args)
	}
	for _, e := range f.Errors {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	want := `2 bind ["0.0.0.0" "-::1"]
3 requirepass ["p aAss\n"]
4 user ["alice" "on" ">'it\\'s'" "~*" "+@all"]
5 acl ["it's"]
6 protected-mode ["no"]
9 rename-command ["CONFIG" ""]
error line 7: unbalanced quotes
error line 10: closing quote must be followed by a space
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
