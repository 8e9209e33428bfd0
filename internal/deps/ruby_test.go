package deps

import (
	"strings"
	"testing"
)

func TestParseGemfileLockFixture(t *testing.T) {
	ps, err := ParseGemfileLock("Gemfile.lock", readFixture(t, "ruby/Gemfile.lock"))
	if err != nil {
		t.Fatal(err)
	}
	// nokogiri is locked for three platforms and reported once; the second GEM section is
	// a private server over plain HTTP.
	wantSame(t, describe(ps), strings.Join([]string{
		"audit_trail@2.1.0:6+direct s=git+https://github.com/example-org/audit_trail.git#9b1c7e3f5a2d4c6e8f0a1b3d5c7e9f1a3b5d7c9e commit=9b1c7e3f5a2d4c6e8f0a1b3d5c7e9f1a3b5d7c9e",
		"billing@0.1.0:12+direct s=path:engines/billing",
		"actionpack@7.1.3.2:18+direct",
		"activerecord@7.1.3.2:20",
		"activesupport@7.1.3.2:22",
		"concurrent-ruby@1.2.3:25",
		"i18n@1.14.4:26",
		"mini_portile2@2.8.5:28",
		"money@6.19.0:29",
		"nokogiri@1.16.3:31+direct",
		"racc@1.7.3:38",
		"rack@3.0.9.1:39",
		"rspec-core@3.13.0:40+direct",
		"rspec-support@3.13.1:42",
		"corp_sso@4.2.0:47+direct s=http://gems.example.internal/",
	}, "\n"))
}

func TestParseGemfileLock(t *testing.T) {
	cases := []struct{ name, in, want, err string }{
		{"platform-only lock",
			"GEM\n  remote: https://rubygems.org/\n  specs:\n    ffi (1.16.3-x64-mingw-ucrt)\n    grpc (1.62.0-x86_64-linux)\n      google-protobuf (~> 3.25)\n    google-protobuf (3.25.3-x86_64-linux)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  grpc (~> 1.62)\n",
			"ffi@1.16.3:4 grpc@1.62.0:5+direct google-protobuf@3.25.3:7", ""},
		{"prerelease versions keep their dots",
			"GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (8.0.0.beta1)\n\nDEPENDENCIES\n  rails (= 8.0.0.beta1)\n",
			"rails@8.0.0.beta1:4+direct", ""},
		{"GIT settings after specs still apply",
			"GIT\n  specs:\n    tool (0.1.0)\n  remote: https://example.com/tool.git\n  revision: 1111111111111111111111111111111111111111\n",
			"tool@0.1.0:3", ""},
		{"CRLF and gems.locked content", "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n    rake (13.1.0)\r\n\r\nDEPENDENCIES\r\n  rake\r\n",
			"rake@13.1.0:4+direct", ""},
		{"malformed spec keeps the rest",
			"GEM\n  remote: https://rubygems.org/\n  specs:\n    rake 13.1.0\n    rack (3.0.9)\n",
			"rack@3.0.9:5", `Gemfile.lock:4: malformed spec "rake 13.1.0", expected "name (version)"`},
		{"empty version", "GEM\n  specs:\n    rake ()\n", "", `Gemfile.lock:3: malformed spec "rake ()"`},
		{"odd indentation", "GEM\n  specs:\n     rake (13.1.0)\n    rack (3.0.9)\n", "rack@3.0.9:4", "Gemfile.lock:3: unexpected indentation of 5 spaces in GEM"},
		{"tabs", "GEM\n  specs:\n\trake (13.1.0)\n", "", "Gemfile.lock:3: tab in indentation"},
		{"spec before specs:", "GEM\n  remote: https://rubygems.org/\n    rake (13.1.0)\n", "", `Gemfile.lock:3: gem "rake (13.1.0)" outside specs`},
		{"setting without colon", "GIT\n  remote https://x\n", "", `Gemfile.lock:2: malformed GIT setting "remote https://x"`},
		{"bad dependency", "DEPENDENCIES\n  (~> 1.0)\n", "", `Gemfile.lock:2: malformed dependency "(~> 1.0)"`},
		{"unknown sections are skipped", "FUTURE SECTION\n  anything: here\n      deeply (nested)\nGEM\n  specs:\n    rake (13.1.0)\n", "rake@13.1.0:6", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseGemfileLock("Gemfile.lock", []byte(c.in))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
			checkPackages(t, "Gemfile.lock", []byte(c.in), ps)
		})
	}
	if f, ok := FormatFor("app/gems.locked"); !ok || f.Name != "Gemfile.lock" {
		t.Errorf("gems.locked is not read as a Gemfile.lock")
	}
}

func TestParseGemfileLockHugeLine(t *testing.T) {
	in := "GEM\n  specs:\n    " + strings.Repeat("x", 100<<10) + " (1.0)\n    rake (13.1.0)\n"
	ps, err := ParseGemfileLock("Gemfile.lock", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[1].Name != "rake" || ps[1].Line != 4 {
		t.Fatalf("got %s", summary(ps))
	}
}

func FuzzParseGemfileLock(f *testing.F) {
	f.Add([]byte("GIT\n  remote: r\n  revision: abc\n  specs:\n    a (1.0)\n      b (>= 1)\n\nDEPENDENCIES\n  a!\n"))
	f.Add([]byte("GEM\n  specs:\n    a (1.0-x86_64-linux)\n    a (1.0)\n"))
	f.Add(readFixture(f, "ruby/Gemfile.lock"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, _ := ParseGemfileLock("Gemfile.lock", data)
		checkPackages(t, "Gemfile.lock", data, ps)
		for _, p := range ps {
			if p.Version == "" {
				t.Fatalf("gem without a version: %+v", p)
			}
		}
	})
}
