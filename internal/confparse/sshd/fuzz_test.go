package sshd

import (
	"strings"
	"testing"
)

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"PasswordAuthentication no\nMatch Address 10.0.0.0/8\n PasswordAuthentication yes\n",
		"Include a.conf b/*.conf\nPermitRootLogin=yes\n",
		`Banner "a b" 'c' d\ e # x`,
		"Match User a Address=1.2.3.4 All\nInclude a.conf\n",
		"Include /etc/ssh/a.conf\n\"\n",
	} {
		f.Add(s, "Include a.conf\nMatch all\nX y")
	}
	f.Fuzz(func(t *testing.T, top, other string) {
		fsys := mapFS{"/etc/ssh/sshd_config": top, "/etc/ssh/a.conf": other, "/etc/ssh/b/x.conf": top}
		c, err := Load(fsys, "/etc/ssh/sshd_config")
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string]int{"/etc/ssh/sshd_config": strings.Count(top, "\n") + 1, "/etc/ssh/a.conf": strings.Count(other, "\n") + 1, "/etc/ssh/b/x.conf": strings.Count(top, "\n") + 1}
		check := func(b *Block) {
			for _, d := range b.Directives {
				if d.Line < 1 || d.Line > lines[d.File] || d.Keyword == "" || d.Keyword != strings.ToLower(d.Keyword) {
					t.Fatalf("bad directive %+v", d)
				}
			}
		}
		check(c.Global)
		for _, m := range c.Matches {
			check(m)
			if m.Match == nil || len(m.Criteria) == 0 {
				t.Fatalf("match block without criteria: %+v", m)
			}
		}
	})
}
