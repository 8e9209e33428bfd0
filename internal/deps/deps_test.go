package deps

import (
	"fmt"
	"strings"
	"testing"
)

func summary(ps []Package) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s@%s:%d", p.Name, p.Version, p.Line)+flags(p))
	}
	return strings.Join(s, " ")
}

func flags(p Package) string {
	f := ""
	if p.Direct {
		f += "+direct"
	}
	if p.Dev {
		f += "+dev"
	}
	return f
}

func TestParseNPMLock(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"v3", `{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": {
      "name": "app",
      "dependencies": {"left-pad": "^1.3.0"},
      "devDependencies": {"jest": "^29"}
    },
    "node_modules/left-pad": {
      "version": "1.3.0"
    },
    "node_modules/jest": {
      "version": "29.7.0",
      "dev": true
    },
    "node_modules/jest/node_modules/chalk": {
      "version": "4.1.2",
      "dev": true
    },
    "packages/ui": {
      "name": "ui"
    }
  }
}`, "left-pad@1.3.0:10+direct jest@29.7.0:13+direct+dev chalk@4.1.2:17+dev"},
		{"v1", `{
  "lockfileVersion": 1,
  "dependencies": {
    "lodash": {
      "version": "4.17.20"
    },
    "mocha": {
      "version": "10.0.0",
      "dev": true,
      "dependencies": {
        "ms": {
          "version": "2.1.3",
          "dev": true
        }
      }
    }
  }
}`, "lodash@4.17.20:4+direct mocha@10.0.0:7+direct+dev ms@2.1.3:11+dev"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseNPMLock("package-lock.json", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(ps); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestParseComposerLock(t *testing.T) {
	in := `{
    "content-hash": "x",
    "packages": [
        {
            "name": "monolog/monolog",
            "version": "3.5.0"
        },
        {
            "name": "psr/log",
            "version": "v3.0.0"
        }
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "10.5.1"
        }
    ]
}`
	ps, err := ParseComposerLock("composer.lock", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(ps), "monolog/monolog@3.5.0:4 psr/log@3.0.0:8 phpunit/phpunit@10.5.1:14+dev"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestMalformedLockfilesSayWhere(t *testing.T) {
	for name, parse := range map[string]func(string, []byte) ([]Package, error){"npm": ParseNPMLock, "composer": ParseComposerLock} {
		_, err := parse("lock.json", []byte("{\n  \"packages\": {\n    \"x\": [1,,]\n"))
		if err == nil || !strings.Contains(err.Error(), "lock.json") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzParseLockfiles(f *testing.F) {
	f.Add([]byte(`{"packages": {"": {}, "node_modules/a": {"version": "1.0.0"}}}`))
	f.Add([]byte(`{"dependencies": {"a": {"version": "1", "dependencies": {"b": {"version": "2"}}}}}`))
	f.Add([]byte(`{"packages": [{"name": "a/b", "version": "1.0"}], "packages-dev": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, parse := range []func(string, []byte) ([]Package, error){ParseNPMLock, ParseComposerLock} {
			ps, err := parse("lock", data)
			if err != nil {
				continue
			}
			for _, p := range ps {
				if p.Line < 1 || p.Line > lines || p.Name == "" || p.Version == "" {
					t.Fatalf("bad package %+v (%d lines)", p, lines)
				}
			}
		}
	})
}
