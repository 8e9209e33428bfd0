package personaldata

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/pii"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dana Dev", "-c", "user.email=dana@example.org", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-03-01T10:00:00Z", "GIT_COMMITTER_DATE=2026-03-01T10:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, name string, body []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

func scanRepo(t *testing.T, dir string, opt Options) (*probe.Result, *fileset.Set) {
	t.Helper()
	set, err := fileset.Build(context.Background(), dir, fileset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(opt).Run(context.Background(), &target.Target{Kind: policy.KindRepo, Name: dir, Root: dir, Files: set})
	if err != nil {
		t.Fatal(err)
	}
	return r, set
}

// Values are made at run time (see internal/pii's tests): the source holds no card or
// identity number that passes its check.
var (
	card = pii.CompleteLuhn("491633852041772")
	iban = pii.CompleteIBAN("NL", "INGB0006831977")
)

// customers builds a CSV of n customers at real mail providers.
func customers(n int, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("id,name,email,phone" + map[bool]string{true: ",card", false: ""}[extra != ""] + "\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,Customer %d,customer.%d@gmail.com,+31 6 4821 77%02d", i+1, i+1, i+1, 10+i)
		if extra != "" {
			b.WriteString("," + extra)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// byPath is the CD-1 findings by path (CD-2's are tested in anonymised_test.go).
func byPath(r *probe.Result) map[string]finding.Finding {
	out := map[string]finding.Finding{}
	for _, f := range r.Findings {
		if f.Control != "CD-1" {
			continue
		}
		out[f.Location.Path] = f
	}
	return out
}

// History: a dump deleted from the tree, a fixture cleaned in a later commit, and a file
// still in the tree are each reported once, with the commit that holds the data.
func TestHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	writeFile(t, dir, "db/prod.sql", []byte("INSERT INTO wp_users (ID, user_email) VALUES (1,'anna.schmidt@web.de'),(2,'pieter.bakker@ziggo.nl'),(3,'claire.moreau@orange.fr');\n"))
	writeFile(t, dir, "fixtures/customers.csv", customers(4, ""))
	writeFile(t, dir, "exports/keep.csv", customers(3, card))
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "add data")
	gitRun(t, dir, "rm", "-q", "db/prod.sql")
	writeFile(t, dir, "fixtures/customers.csv", []byte("id,name,email\n1,A,a@example.com\n"))
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "remove the dump, anonymise the fixture")

	r, _ := scanRepo(t, dir, Options{})
	if len(r.Unknown) > 0 || len(r.NotApplicable) > 0 {
		t.Fatalf("unknown %v n/a %v", r.Unknown, r.NotApplicable)
	}
	got := byPath(r)
	if n := countCD1(r); n != 3 {
		t.Fatalf("%d findings, want 3: %v", n, got)
	}
	if f := got["db/prod.sql"]; f.Location.Commit == "" || !strings.Contains(f.Message, "no longer at HEAD") || !strings.Contains(f.Message, "by Dana Dev on 2026-03-01") || !strings.Contains(f.Message, "3 e-mail addresses") {
		t.Errorf("deleted dump: %+v", f)
	}
	if f := got["fixtures/customers.csv"]; f.Location.Commit == "" || !strings.Contains(f.Message, "the version at HEAD no longer holds it") {
		t.Errorf("cleaned fixture: %+v", f)
	}
	if f := got["exports/keep.csv"]; f.Location.Commit != "" || !strings.Contains(f.Message, "first committed here in commit") || f.Severity != policy.Critical {
		t.Errorf("file in the tree: %+v", f)
	}
	assertNoRawData(t, r, "anna.schmidt@web.de", "customer.1@gmail.com", card, "4821 7710")

	// --no-history: only the tree.
	r, _ = scanRepo(t, dir, Options{History: HistoryOptions{Disabled: true}})
	if n := countCD1(r); n != 1 {
		t.Errorf("without history: %d findings", n)
	}
}

func assertNoRawData(t *testing.T, r *probe.Result, values ...string) {
	t.Helper()
	for _, f := range r.Findings {
		for _, v := range values {
			for _, text := range []string{f.Message, f.Evidence.Text, f.Fix, f.Key} {
				if strings.Contains(text, v) {
					t.Errorf("finding for %s shows %q: %s", f.Location.Path, v, text)
				}
			}
		}
		if !f.Evidence.Redacted {
			t.Errorf("evidence of %s not marked redacted", f.Location.Path)
		}
	}
}

func TestThresholds(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/two.csv", customers(1, ""))                                                         // 1 e-mail + 1 phone
	writeFile(t, dir, "a/three.csv", []byte("email\nx.one@gmail.com\nx.two@gmail.com\nx.three@gmail.com\n")) // 3 e-mails
	writeFile(t, dir, "a/card.json", []byte(`{"card_number": "`+card+`"}`))
	writeFile(t, dir, "a/iban.csv", []byte("iban\n"+iban+"\n"))
	r, _ := scanRepo(t, dir, Options{})
	got := byPath(r)
	if _, ok := got["a/two.csv"]; ok || len(got) != 3 {
		t.Errorf("default threshold: %v", keys(got))
	}
	r, _ = scanRepo(t, dir, Options{MinMatches: 2})
	if countCD1(r) != 4 {
		t.Errorf("min_matches 2: %v", keys(byPath(r)))
	}
	r, _ = scanRepo(t, dir, Options{MinMatches: 5, AllowPaths: []string{`^a/card\.json$`}})
	if got := keys(byPath(r)); strings.Join(got, " ") != "a/iban.csv" {
		t.Errorf("min_matches 5 and an allowed path: %v", got)
	}
	if _, err := New(Options{MinMatches: -1}).Run(context.Background(), &target.Target{Root: dir}); err == nil {
		t.Error("negative min_matches accepted")
	}
	if _, err := New(Options{AllowPaths: []string{"("}}).Run(context.Background(), &target.Target{Root: dir}); err == nil {
		t.Error("invalid allow path accepted")
	}
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func gz(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if _, err := z.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFilesAndFormats(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "backup/site.sql.gz", gz(t, customers(5, "")))
	writeFile(t, dir, "backup/broken.sql.gz", []byte("not gzip at all"))
	writeFile(t, dir, "db/binary.sql", append([]byte("PGDMP\x00\x01"), customers(5, "")...))
	writeFile(t, dir, "site.bak", []byte("-- dump\nINSERT INTO users (email) VALUES ('a.one@gmail.com'),('a.two@gmail.com'),('a.three@gmail.com');\n"))
	writeFile(t, dir, "fixtures/people.yml", []byte("- email: b.one@gmail.com\n- email: b.two@gmail.com\n- email: b.three@gmail.com\n"))
	writeFile(t, dir, "fixtures/factory.php", []byte("<?php // c.one@gmail.com c.two@gmail.com c.three@gmail.com\n"))
	writeFile(t, dir, "docs/team.md", []byte("d.one@gmail.com d.two@gmail.com d.three@gmail.com\n"))
	writeFile(t, dir, "AUTHORS", []byte("e.one@gmail.com e.two@gmail.com e.three@gmail.com\n"))
	writeFile(t, dir, "composer.json", []byte(`{"authors":[{"email":"f.one@gmail.com"},{"email":"f.two@gmail.com"},{"email":"f.three@gmail.com"}]}`))
	writeFile(t, dir, "anon/users.csv", customers(3, ""))
	writeFile(t, dir, "anon/users.csv"+pii.MarkerFileSuffix, []byte(pii.MarkerLine("0a0b0c0d")+"\n"))
	r, set := scanRepo(t, dir, Options{})
	got := keys(byPath(r))
	want := "anon/users.csv backup/site.sql.gz fixtures/people.yml site.bak"
	if strings.Join(got, " ") != want {
		t.Errorf("reported %v, want %s", got, want)
	}
	if f := byPath(r)["anon/users.csv"]; !strings.Contains(f.Message, "marked as anonymised by posture (key-id 0a0b0c0d)") {
		t.Errorf("marked CSV: %s", f.Message)
	}
	skipped := map[string]string{}
	for _, s := range set.Skipped() {
		skipped[s.Path] = s.Reason
	}
	if !strings.Contains(skipped["backup/broken.sql.gz"], "gzip") || !strings.Contains(skipped["db/binary.sql"], "binary") {
		t.Errorf("not-examined list: %v", skipped)
	}
}

// A gzip bomb is read only up to the bound, and the report says so.
func TestDecompressionBound(t *testing.T) {
	big := bytes.Repeat([]byte("INSERT INTO t VALUES (1,'padding');\n"), 200000)
	res, err := scanContent("x.sql.gz", gz(t, big), 1<<20)
	if err != nil || res.truncated == "" {
		t.Fatalf("res=%+v err=%v", res, err)
	}
}

func TestNotApplicable(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.go", []byte("package main // g.one@gmail.com\n"))
	r, _ := scanRepo(t, dir, Options{})
	if r.NotApplicable["CD-1"] == "" || len(r.Findings) != 0 {
		t.Errorf("result %+v", r)
	}
}

// The fixture tree's findings never carry a value from the fixtures: every e-mail
// address, phone number, card, IBAN and ID number in them is checked against the text
// of every finding.
func TestFixtureFindingsAreRedacted(t *testing.T) {
	root, err := filepath.Abs("../../../testdata/p4/personal-data")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := scanRepo(t, root, Options{})
	if n := countCD1(r); n != 6 {
		t.Fatalf("%d findings, want 6", n)
	}
	var values []string
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".gz") {
			z, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			_, _ = b.ReadFrom(z)
			data = b.Bytes()
		}
		for _, m := range pii.Scan(data, "") {
			values = append(values, string(data[m.Start:m.End]))
		}
		return nil
	})
	if len(values) < 20 {
		t.Fatalf("only %d values found to check", len(values))
	}
	assertNoRawData(t, r, values...)
}

func countCD1(r *probe.Result) int {
	n := 0
	for _, f := range r.Findings {
		if f.Control == "CD-1" {
			n++
		}
	}
	return n
}
