package httpcheck

import (
	"regexp"
	"strings"
	"testing"
)

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		in      string
		want    HSTS
		wantErr string
	}{
		{"max-age=31536000", HSTS{MaxAge: 31536000}, ""},
		{"max-age=63072000; includeSubDomains; preload", HSTS{MaxAge: 63072000, IncludeSubDomains: true, Preload: true}, ""},
		{`MAX-AGE="15552000" ; INCLUDESUBDOMAINS`, HSTS{MaxAge: 15552000, IncludeSubDomains: true}, ""},
		{"max-age=0", HSTS{}, ""},
		{"max-age=99999999999999999999999", HSTS{MaxAge: maxAgeCap}, ""},
		{"includeSubDomains", HSTS{}, "no max-age"},
		{"max-age=1; max-age=2", HSTS{}, "twice"},
		{"max-age=-1", HSTS{}, "not a number"},
		{"max-age=1d", HSTS{}, "not a number"},
		{"max-age", HSTS{}, "without a value"},
		{`max-age="12`, HSTS{}, "unterminated"},
		{"max-age=1; includeSubDomains=yes", HSTS{}, "takes no value"},
		{"max-age=1; foo=bar", HSTS{MaxAge: 1}, ""},
		{"max-age=1;; ;", HSTS{MaxAge: 1}, ""},
		{"max age=1", HSTS{}, "malformed"},
		{"", HSTS{}, "no max-age"},
	}
	for _, tt := range tests {
		got, err := ParseHSTS(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseHSTS(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseHSTS(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseHSTS(f *testing.F) {
	for _, s := range []string{"max-age=31536000; includeSubDomains", `max-age="1"`, "max-age=1;max-age=2", `max-age="\"`, ";;", "max-age=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHSTS(s)
		if err == nil && (h.MaxAge < 0 || h.MaxAge > maxAgeCap) {
			t.Fatalf("ParseHSTS(%q) max-age %d out of range", s, h.MaxAge)
		}
	})
}

func TestDetectListing(t *testing.T) {
	tests := []struct {
		name, body string
		want       Listing
		ok         bool
	}{
		{"nginx", "<html>\r\n<head><title>Index of /a/</title></head>\r\n<body>\r\n<h1>Index of /a/</h1><hr><pre><a href=\"../\">../</a>\r\n<a href=\"x\">x</a> 1\r\n<a href=\"y/\">y/</a> 2\r\n</pre><hr></body></html>", Listing{"nginx", "/a/", 2}, true},
		{"apache fancy", "<html><head><title>Index of /b</title></head><body><h1>Index of /b</h1><table><tr><th><a href=\"?C=N;O=D\">Name</a></th></tr><tr><td><img alt=\"[PARENTDIR]\"><a href=\"/\">Parent Directory</a></td></tr><tr><td><a href=\"f.zip\">f.zip</a></td></tr></table></body></html>", Listing{"apache", "/b", 1}, true},
		{"apache plain", "<html><head><title>Index of /c</title></head><body><h1>Index of /c</h1><ul><li><a href=\"/\"> Parent Directory</a></li><li><a href=\"z\"> z</a></li></ul></body></html>", Listing{"apache", "/c", 1}, true},
		{"python", "<html><head><title>Directory listing for /</title></head><body><h1>Directory listing for /</h1>\n<hr>\n<ul>\n<li><a href=\"a.txt\">a.txt</a></li>\n</ul>\n<hr>\n</body></html>", Listing{"python", "/", 1}, true},
		{"lighttpd", "<html><head><title>Index of /d/</title></head><body><h2>x</h2><h1>Index of /d/</h1><div class=\"list\"><table summary=\"Directory Listing\"><tr><td><a href=\"../\">..</a></td></tr></table></div></body></html>", Listing{"lighttpd", "/d/", 0}, true},
		{"iis", "<html><head><title>host - /e/</title></head><body><H1>host - /e/</H1><hr><pre><A HREF=\"/\">[To Parent Directory]</A><br><br> 1/1/2020 <A HREF=\"/e/f.txt\">f.txt</A></pre></body></html>", Listing{"iis", "/e/", 1}, true},
		{"title only", "<html><head><title>Index of /x</title></head><body>blog</body></html>", Listing{}, false},
		{"mismatched heading", "<html><head><title>Index of /x</title></head><body><h1>Index of /y</h1><hr><pre><a href=\"../\">../</a></pre></body></html>", Listing{}, false},
		{"heading, no generator markup", "<html><head><title>Index of /x</title></head><body><h1>Index of /x</h1><p>text</p></body></html>", Listing{}, false},
		{"empty", "", Listing{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DetectListing([]byte(tt.body))
			if ok != tt.ok || got != tt.want {
				t.Fatalf("DetectListing = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzDetectListing(f *testing.F) {
	f.Add("<html><head><title>Index of /a/</title></head><body><h1>Index of /a/</h1><hr><pre><a href=\"../\">../</a>\n</pre></body></html>")
	f.Add("<title>Directory listing for /</title><h1>Directory listing for /</h1><hr><ul></ul>")
	f.Add("<A HREF=\"/\">[To Parent Directory]</A><title>h - /x</title>")
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := DetectListing([]byte(s))
		if ok && (l.Server == "" || l.Entries < 0) {
			t.Fatalf("listing %+v from %q", l, s)
		}
	})
}

func FuzzParseRules(f *testing.F) {
	f.Add(string(defaultRulesYAML))
	f.Add("rules:\n  - id: x\n    control: ST-1\n    paths: [/x]\n    body: ['(?P<evidence>x)']\n    evidence: match\n    description: d\n    message: m\n    fix: f\n")
	f.Add("error_signatures:\n  - id: s\n    name: n\n    all: ['a(?P<where>b)']\n")
	f.Add("rules: !00\n00")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRules("fuzz.yaml", []byte(s))
		if err != nil {
			return
		}
		// Whatever loads must run on any body without failing.
		for _, r := range rs.Paths {
			r.confirm(&response{status: r.Status[0], body: []byte(s)})
		}
		for _, sig := range rs.Signatures {
			sig.match([]byte(s))
		}
	})
}

// FuzzConfirm runs every embedded rule and signature on arbitrary bodies. Evidence of
// files that hold secrets may list names only: identifiers, never free text.
func FuzzConfirm(f *testing.F) {
	f.Add("APP_KEY=secret value\n", 200)
	f.Add("<?php define('DB_PASSWORD', 'secret value');", 200)
	f.Add("[{\"slug\":\"x\"}]", 200)
	f.Add("Traceback (most recent call last):\n  File \"/a.py\", line 1", 500)
	rs, err := DefaultRules()
	if err != nil {
		f.Fatal(err)
	}
	namesOnly := regexp.MustCompile(`; (?:keys|defines) (?:[A-Za-z_][A-Za-z0-9_.]*|…)(?:, (?:[A-Za-z_][A-Za-z0-9_.]*|…))* \(values not shown\)$`)
	f.Fuzz(func(t *testing.T, body string, status int) {
		r := &response{status: status, body: []byte(body)}
		for _, rule := range rs.Paths {
			ev, ok := rule.confirm(r)
			if ok && (rule.Evidence == "keys" || rule.Evidence == "defines") && !namesOnly.MatchString(ev) {
				t.Fatalf("rule %s quotes more than names: %q", rule.ID, ev)
			}
		}
		for _, sig := range rs.Signatures {
			sig.match([]byte(body))
		}
	})
}
