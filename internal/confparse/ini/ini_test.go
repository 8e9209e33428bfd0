package ini

import (
	"fmt"
	"strings"
	"testing"
)

func dump(f *File) string {
	var b strings.Builder
	for _, e := range f.Entries {
		fmt.Fprintf(&b, "%d %d [%s] %s", e.Line, e.Kind, e.Section, e.Key)
		if e.HasValue {
			fmt.Fprintf(&b, "=%q", e.Value)
		}
		b.WriteString("\n")
	}
	for _, e := range f.Errors {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	return b.String()
}

func TestPHP(t *testing.T) {
	src := "\xef\xbb\xbf; comment\n[PHP]\ndisplay_errors = On ; trailing\r\nexpose_php=\"Off\"\n" +
		"error_log = 'C:\\logs\\php.log'\ninclude_path = \".:/usr/share/php\" ; x\n" +
		"open_basedir = \"/var/www\n/tmp\"\nbad line\nempty =\n[HOST=www.example.com]\n" +
		"mixed = \"  a \" b  \nunterminated = 'x\n"
	want := `3 0 [PHP] display_errors="On"
4 0 [PHP] expose_php="Off"
5 0 [PHP] error_log="C:\\logs\\php.log"
6 0 [PHP] include_path=".:/usr/share/php"
7 0 [PHP] open_basedir="/var/www\n/tmp"
10 0 [PHP] empty=""
12 0 [HOST=www.example.com] mixed="  a  b"
error line 9: "bad line" is not a setting (want name = value)
error line 13: unterminated single-quoted value
`
	if got := dump(Parse([]byte(src), PHP)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMySQL(t *testing.T) {
	src := "skip-networking\n[mysqld]\nskip-grant-tables # why\nbind-address = 0.0.0.0  # all\n" +
		"ssl=0\n!includedir /etc/mysql/conf.d/\n!include\t/etc/mysql/extra.cnf\n" +
		"password = \"p#ss\\\"w\" # quoted hash\nsocket = /var/run/my\\sql.sock\n; c\n# c\n" +
		"[client]\nuser='root\nhost = 'a' b\n!bogus x\n[broken\n"
	want := `3 0 [mysqld] skip-grant-tables
4 0 [mysqld] bind-address="0.0.0.0"
5 0 [mysqld] ssl="0"
6 2 [mysqld] !includedir="/etc/mysql/conf.d/"
7 1 [mysqld] !include="/etc/mysql/extra.cnf"
8 0 [mysqld] password="p#ss\\\"w"
9 0 [mysqld] socket="/var/run/my ql.sock"
error line 1: option "skip-networking" before any [group]
error line 13: unterminated quoted value
error line 14: unexpected text after quoted value: "b"
error line 15: unknown directive !bogus
error line 16: section header "[broken" has no closing ]
`
	if got := dump(Parse([]byte(src), MySQL)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestBool(t *testing.T) {
	for in, want := range map[string][2]bool{"On": {true, true}, " yes": {true, true}, "0": {false, true}, "None": {false, true}, "stderr": {false, false}} {
		if v, ok := Bool(in); v != want[0] || ok != want[1] {
			t.Errorf("Bool(%q) = %v, %v", in, v, ok)
		}
	}
}
