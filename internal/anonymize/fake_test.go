package anonymize

import (
	"bytes"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/pii"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Unique columns stay unique: 100,000 distinct addresses and logins give 100,000 distinct
// fakes, also when the column is as short as wp_users.user_nicename.
func TestFakesStayUnique(t *testing.T) {
	f := newFaker([]byte("uniqueness"))
	for _, tc := range []struct {
		kind string
		lim  colLimit
	}{{"email", colLimit{100, false}}, {"email", colLimit{25, false}}, {"username", colLimit{50, false}}, {"username", colLimit{14, false}}} {
		seen := make(map[string]bool, 100000)
		for i := 0; i < 100000; i++ {
			in := fmt.Sprintf("customer%d@shop%d.example.de", i, i%7)
			if tc.kind == "username" {
				in = fmt.Sprintf("customer%d", i)
			}
			out := string(f.fake(tc.kind, []byte(in), false, tc.lim))
			if len(out) > tc.lim.n {
				t.Fatalf("%s %q is longer than %d", tc.kind, out, tc.lim.n)
			}
			if seen[out] {
				t.Fatalf("%s limit %d: collision after %d values on %q", tc.kind, tc.lim.n, i, out)
			}
			seen[out] = true
		}
	}
}

// With unique: true, full names that share a last name and differ in the first get
// different suffixes: the suffix is keyed on the whole name.
func TestUniqueNamesStayUnique(t *testing.T) {
	f := newFaker([]byte("unique names"))
	seen := map[string]string{}
	first := []string{"Maria", "Marie", "Mario", "Marco", "Marta", "Mirja", "Moira", "Maren", "Anna", "Anne"}
	for i := range 20000 {
		in := fmt.Sprintf("%s Keller%d", first[i%len(first)], i/len(first))
		out := string(f.fake("name", []byte(in), true, colLimit{}))
		if prev, ok := seen[out]; ok {
			t.Fatalf("%q and %q both became %q", prev, in, out)
		}
		seen[out] = in
	}
	if a, b := string(f.fake("name", []byte("Maria Keller"), true, colLimit{})), string(f.fake("name", []byte(" maria KELLER "), true, colLimit{})); a != b {
		t.Errorf("the same name gave %q and %q", a, b)
	}
}

var emailRE = regexp.MustCompile(`^[a-z0-9.]+@example\.(com|net|org)$`)

func TestFakeFormats(t *testing.T) {
	f := newFaker([]byte("formats"))
	// fake's result is valid until the faker's next call: keep copies.
	a := bytes.Clone(f.fake("email", []byte(" Maria.Keller@Gmail.com "), false, colLimit{}))
	b := bytes.Clone(f.fake("email", []byte("maria.keller@gmail.com"), false, colLimit{}))
	if !bytes.Equal(a, b) || !emailRE.Match(a) {
		t.Errorf("e-mail fakes %q %q: want equal and at an example domain", a, b)
	}
	if other := newFaker([]byte("another key")).fake("email", b, false, colLimit{}); bytes.Equal(other, a) {
		t.Error("a different key gave the same fake")
	}
	for in, want := range map[string]string{"+31 6 1234 5678": `^\+44 7700 900\d{3}$`, "0612345678": `^07700 900\d{3}$`} {
		if out := f.fake("phone", []byte(in), false, colLimit{}); !regexp.MustCompile(want).Match(out) {
			t.Errorf("phone %q -> %q", in, out)
		}
	}
	for in, v6 := range map[string]bool{"84.1.2.3": false, "2a02:a45f::1": true} {
		out := f.fake("ip", []byte(in), false, colLimit{})
		ip, err := netip.ParseAddr(string(out))
		if err != nil || ip.Is6() != v6 {
			t.Errorf("ip %q -> %q", in, out)
		}
	}
	if out := f.fake("postcode", []byte("1011 AB"), false, colLimit{}); !regexp.MustCompile(`^\d{4} [A-Z]{2}$`).Match(out) {
		t.Errorf("postcode -> %q", out)
	}
	card := f.fake("card", []byte("4539 1488 0343 6467"), false, colLimit{})
	digits := strings.ReplaceAll(string(card), " ", "")
	if !pii.Luhn(digits) || !pii.IsTestCard(digits) || len(card) != 19 {
		t.Errorf("card -> %q", card)
	}
	// Names agree word by word, so display names match first and last names.
	full := string(f.fake("name", []byte("Maria Keller"), false, colLimit{}))
	first := string(f.fake("first_name", []byte("maria"), false, colLimit{}))
	last := string(f.fake("last_name", []byte("KELLER"), false, colLimit{}))
	if full != first+" "+last {
		t.Errorf("name %q, first %q, last %q", full, first, last)
	}
	if out := f.fake("text", []byte("héllo wörld, a longer sentence"), false, colLimit{10, false}); len([]rune(string(out))) > 10 {
		t.Errorf("text not cut to 10 characters: %q", out)
	}
	if out := f.fake("email", nil, false, colLimit{}); len(out) != 0 {
		t.Errorf("empty value became %q", out)
	}
	for _, kind := range FakeKinds() {
		out := f.fake(kind, []byte("Some Value 123 @x"), false, colLimit{})
		if len(out) == 0 {
			t.Errorf("%s: empty fake", kind)
		}
	}
}

func TestPHPSerializeRewrite(t *testing.T) {
	up := func(_, s []byte) []byte { return append(bytes.ToUpper(s), "é"...) }
	for _, tc := range []struct{ in, want string }{
		{`s:3:"abc";`, `s:5:"ABCé";`},
		{`a:2:{i:0;s:1:"x";s:2:"ip";s:0:"";}`, `a:2:{i:0;s:3:"Xé";s:2:"ip";s:2:"é";}`},
		{`O:8:"stdClass":1:{s:1:"a";s:2:"bc";}`, `O:8:"stdClass":1:{s:1:"a";s:4:"BCé";}`},
		{`a:1:{s:1:"k";a:1:{i:0;d:0.5;}}`, `a:1:{s:1:"k";a:1:{i:0;d:0.5;}}`},
		{`b:1;`, `b:1;`}, {`N;`, `N;`}, {`i:-5;`, `i:-5;`}, {`C:3:"Foo":2:{ab}`, `C:3:"Foo":2:{ab}`},
	} {
		out, err := rewritePHP([]byte(tc.in), up)
		if err != nil || string(out) != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.in, out, err, tc.want)
		}
	}
	for _, bad := range []string{`s:4:"abc";`, `a:2:{i:0;s:1:"x";}`, `s:3:"abc"`, `a:1:{i:0;s:1:"x";}x`, `i:;`, `O:1:"x":1:{}`, `s:-1:"";`, `d:1e;`} {
		if _, err := rewritePHP([]byte(bad), up); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Values that look serialized but are broken are left alone and counted, never corrupted.
func TestBrokenSerializedLeftAlone(t *testing.T) {
	dump := "CREATE TABLE `wp_usermeta` (`umeta_id` bigint, `user_id` bigint, `meta_key` varchar(255), `meta_value` longtext);\n" +
		"INSERT INTO `wp_usermeta` VALUES (1,1,'session_tokens','a:1:{s:2:\\\"ip\\\";s:99:\\\"1.2.3.4\\\";}');\n"
	out, st, err := run(t, mustRules(t, "wordpress"), dump)
	if err != nil || out != dump || st.SerializedFailures != 1 {
		t.Fatalf("err %v failures %d\n%s", err, st.SerializedFailures, out)
	}
}

func TestJSONRewrite(t *testing.T) {
	in := `{"email":"a@b.de","n":[1,"x"],"name":"Maria Keller","nested":{"phone":"+31 6 1234 5678"}, "k":"v"}`
	f := func(key, s []byte) []byte { return append([]byte(string(key)+"="), s...) }
	out, err := rewriteJSON([]byte(in), f)
	want := `{"email":"email=a@b.de","n":[1,"=x"],"name":"name=Maria Keller","nested":{"phone":"phone=+31 6 1234 5678"}, "k":"k=v"}`
	if err != nil || string(out) != want {
		t.Fatalf("got %s, %v", out, err)
	}
}

// TestGolden anonymises small MySQL and PostgreSQL dumps with the presets and a fixed key
// and compares with testdata/*.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	rules := mustRules(t, "wordpress", "woocommerce")
	files, _ := filepath.Glob("testdata/*.sql")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if _, err := Anonymize(bytes.NewReader(data), &out, Options{Rules: rules, Key: []byte("golden key"), Marker: "-- posture-anonymized: v1 key-id=" + KeyID([]byte("golden key"))}); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".sql") + ".golden"
			if *update {
				os.WriteFile(golden, out.Bytes(), 0o644)
			}
			want, _ := os.ReadFile(golden)
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s (go test -update to rewrite):\n%s", golden, out.String())
			}
			rep, err := Verify(bytes.NewReader(out.Bytes()))
			if err != nil || !rep.Clean() {
				t.Errorf("verify: %v %+v", err, rep.Residuals)
			}
		})
	}
}
