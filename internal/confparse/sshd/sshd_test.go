package sshd

import (
	"errors"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type mapFS map[string]string

func (m mapFS) ReadFile(name string) ([]byte, error) {
	s, ok := m[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(s), nil
}

func (m mapFS) Glob(pattern string) ([]string, error) {
	var out []string
	for k := range m {
		if ok, err := path.Match(pattern, k); err != nil {
			return nil, err
		} else if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func TestSplitLine(t *testing.T) {
	tests := []struct {
		in   string
		kw   string
		args []string
		err  bool
	}{
		{"", "", nil, false},
		{"   # comment", "", nil, false},
		{"PasswordAuthentication no", "PasswordAuthentication", []string{"no"}, false},
		{"passwordauthentication=no", "passwordauthentication", []string{"no"}, false},
		{"PermitRootLogin = yes # trailing", "PermitRootLogin", []string{"yes"}, false},
		{`Banner "/etc/my banner"`, "Banner", []string{"/etc/my banner"}, false},
		{`AuthorizedKeysFile 'a b' c\ d`, "AuthorizedKeysFile", []string{"a b", "c d"}, false},
		{`Banner "unterminated`, "Banner", nil, true},
		{"\tMatch Address 10.0.0.0/8,192.168.*", "Match", []string{"Address", "10.0.0.0/8,192.168.*"}, false},
		{"Subsystem sftp internal-sftp#x", "Subsystem", []string{"sftp", "internal-sftp#x"}, false},
		{"X", "X", nil, false},
	}
	for _, tt := range tests {
		kw, args, err := SplitLine(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if tt.err {
			continue
		}
		if kw != tt.kw || !reflect.DeepEqual(args, tt.args) {
			t.Errorf("%q: got %q %q, want %q %q", tt.in, kw, args, tt.kw, tt.args)
		}
	}
}

func TestLoadIncludesAndMatch(t *testing.T) {
	fsys := mapFS{
		"/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\n" +
			"PasswordAuthentication yes\nPermitRootLogin no\n" +
			"Match Address 10.0.0.0/8\n  PasswordAuthentication yes\n  Include inner.conf\n  PermitEmptyPasswords yes\n" +
			"Match User bob\n  PermitRootLogin yes\n",
		"/etc/ssh/sshd_config.d/10-a.conf": "PasswordAuthentication no\n",
		"/etc/ssh/sshd_config.d/20-b.conf": "passwordauthentication yes\nMatch Group x\nX11Forwarding yes\n",
		"/etc/ssh/inner.conf":              "KbdInteractiveAuthentication yes\n",
	}
	c, err := Load(fsys, "/etc/ssh/sshd_config")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Errors) != 0 {
		t.Fatalf("errors: %v", c.Errors)
	}
	d, ok := c.GlobalValue("passwordauthentication")
	if !ok || d.Value() != "no" || d.File != "/etc/ssh/sshd_config.d/10-a.conf" || d.Line != 1 {
		t.Fatalf("first value should win, from the drop-in: %+v", d)
	}
	// The Match in 20-b.conf ends with that file: PermitRootLogin no is global.
	if d, ok := c.GlobalValue("permitrootlogin"); !ok || d.Value() != "no" {
		t.Fatalf("PermitRootLogin global: %+v", d)
	}
	if len(c.Matches) != 3 {
		t.Fatalf("want 3 match blocks, got %d", len(c.Matches))
	}
	m := c.Matches[1]
	if !m.Has("address") || m.Criteria[0].Value != "10.0.0.0/8" {
		t.Fatalf("criteria: %+v", m.Criteria)
	}
	var kws []string
	for _, d := range m.Directives {
		kws = append(kws, d.Keyword)
	}
	want := []string{"passwordauthentication", "kbdinteractiveauthentication", "permitemptypasswords"}
	if !reflect.DeepEqual(kws, want) {
		t.Fatalf("match directives %v, want %v", kws, want)
	}
	if len(c.Files) != 4 {
		t.Fatalf("files: %v", c.Files)
	}
}

func TestLoadBadIncludes(t *testing.T) {
	fsys := mapFS{
		"/etc/ssh/sshd_config": "Include loop.conf\nInclude missing.conf\nInclude ~/x\nInclude /etc/ssh/none/*.conf\nMatch Bogus x\nMatch Address\n",
		"/etc/ssh/loop.conf":   "Include loop.conf\n",
	}
	c, err := Load(fsys, "/etc/ssh/sshd_config")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range c.Errors {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"nested too deep", "missing.conf", "home-relative", "unsupported criterion", "has no value"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "none") {
		t.Errorf("a glob matching nothing is not an error:\n%s", all)
	}
	var se *SyntaxError
	if !errors.As(c.Errors[len(c.Errors)-1], &se) || se.Line != 6 {
		t.Errorf("last error should be a syntax error on line 6: %v", c.Errors[len(c.Errors)-1])
	}
}
