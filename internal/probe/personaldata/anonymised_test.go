package personaldata

import (
	"os"
	"strings"
	"testing"
)

// TestAnonymisedTestData: CD-2 on the anonymiser's own before/after WordPress dumps: the
// marked output passes, the original fails as not anonymised, a marked dump that still
// holds real addresses fails as incomplete, and a repository without data files has
// nothing to judge.
func TestAnonymisedTestData(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../../anonymize/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	original, anonymised := read("wordpress-mysql.sql"), read("wordpress-mysql.golden")
	leaky := strings.Replace(string(anonymised), "/*!40101 SET NAMES utf8mb4 */;",
		"/*!40101 SET NAMES utf8mb4 */;\n-- left in by hand: anna.schmidt@web.de, jan.jansen@ziggo.nl, chloe.martin@orange.fr", 1)
	for _, c := range []struct {
		name     string
		files    map[string][]byte
		na       bool
		evidence string
		rule     string
	}{
		{name: "no data files", files: map[string][]byte{"main.go": []byte("package main\n")}, na: true},
		{name: "anonymised dump", files: map[string][]byte{"dumps/wp.sql": anonymised}, evidence: "1 carries posture anonymize's marker"},
		{name: "synthetic fixture", files: map[string][]byte{"fixtures/users.csv": []byte("id,email\n1,user1@example.com\n")}, evidence: "1 data file in the working tree, none with personal data"},
		{name: "original dump", files: map[string][]byte{"dumps/wp.sql": original}, rule: "personal-data/not-anonymised"},
		{name: "anonymised dump edited by hand", files: map[string][]byte{"dumps/wp.sql": []byte(leaky)}, rule: "personal-data/anonymisation-incomplete"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range c.files {
				writeFile(t, dir, name, body)
			}
			r, _ := scanRepo(t, dir, Options{History: HistoryOptions{Disabled: true}})
			var cd2 []string
			for _, f := range r.Findings {
				if f.Control == "CD-2" {
					cd2 = append(cd2, f.Rule)
					if !f.Evidence.Redacted || strings.Contains(f.Evidence.Text, "anna.schmidt@web.de") {
						t.Errorf("CD-2 evidence not redacted: %+v", f.Evidence)
					}
				}
			}
			switch {
			case c.na:
				if r.NotApplicable["CD-2"] == "" || len(cd2) > 0 {
					t.Errorf("want not applicable: %v, findings %v", r.NotApplicable, cd2)
				}
			case c.rule != "":
				if len(cd2) != 1 || cd2[0] != c.rule {
					t.Errorf("CD-2 findings %v, want [%s]", cd2, c.rule)
				}
			default:
				if len(cd2) > 0 || !strings.Contains(r.Evidence["CD-2"], c.evidence) {
					t.Errorf("want a pass with %q: evidence %q, findings %v", c.evidence, r.Evidence["CD-2"], cd2)
				}
			}
		})
	}
}
