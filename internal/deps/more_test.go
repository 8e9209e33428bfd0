package deps

import (
	"strings"
	"testing"
)

func TestParseGoMod(t *testing.T) {
	in := "module example.com/app\n\ngo 1.22\n\nrequire github.com/a/b v1.2.3\n\nrequire (\n\tgolang.org/x/text v0.14.0 // indirect\n\t\"github.com/c/d\" v0.0.0-20240101000000-abcdef123456\n)\n"
	ps, err := ParseGoMod("go.mod", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(ps), "github.com/a/b@v1.2.3:5+direct golang.org/x/text@v0.14.0:8 github.com/c/d@v0.0.0-20240101000000-abcdef123456:9+direct"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := ParseGoMod("go.mod", []byte("require (\n\tbad\n)\n")); err == nil {
		t.Error("malformed require accepted")
	}
}

func TestParseCargoLock(t *testing.T) {
	in := "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.197\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"abc\"\n"
	ps, err := ParseCargoLock("Cargo.lock", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(ps), "serde@1.0.197:10"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func FuzzParseLineLockfiles(f *testing.F) {
	f.Add([]byte("require (\n\ta v1\n)\n"))
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1\"\nsource = \"registry+x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func(string, []byte) ([]Package, error){ParseGoMod, ParseCargoLock} {
			ps, _ := parse("lock", data)
			for _, p := range ps {
				if p.Line < 1 || p.Name == "" || p.Version == "" {
					t.Fatalf("bad package %+v", p)
				}
			}
		}
	})
}

func TestParseGoModReplace(t *testing.T) {
	in := "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/mod v0.15.0\n\texample.com/lib v1.0.0\n\tgithub.com/x/y v1.1.0\n)\n\nreplace golang.org/x/mod => golang.org/x/mod v0.16.0\n\nreplace example.com/lib => ../lib\n\nreplace github.com/x/y v1.0.0 => github.com/x/y v1.0.1\n"
	ps, err := ParseGoMod("go.mod", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(ps), "golang.org/x/mod@v0.16.0:11+direct example.com/lib@v1.0.0:13+direct github.com/x/y@v1.1.0:8+direct"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if ps[1].Source != "path:../lib" {
		t.Errorf("local replacement: %+v", ps[1])
	}
}

func TestParseGoModErrorsHaveLines(t *testing.T) {
	_, err := ParseGoMod("sub/go.mod", []byte("module m\n\nrequire (\n\tgithub.com/a/b\n)\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "sub/go.mod:4") {
		t.Fatalf("got %v", err)
	}
}
