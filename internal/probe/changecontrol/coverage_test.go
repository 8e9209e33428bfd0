package changecontrol

import (
	"context"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/testutil"
)

func TestCodeOwnersCoverage(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		message  string
		severity policy.Severity
		evidence string
		na       bool
	}{
		{"full", map[string]string{".github/CODEOWNERS": "* @acme/dev\n/docs/ @acme/docs\n", "a.go": "", "docs/x.md": ""},
			"", "", "all 3 files in scope have an owner in .github/CODEOWNERS", false},
		{"gaps", map[string]string{
			"CODEOWNERS": "/src/ @acme/dev\n/src/gen/\n*.md docs@example.com\n",
			"src/a.go":   "", "src/gen/x.go": "", "src/gen/y.go": "", "README.md": "", "Makefile": "",
			"scripts/a.sh": "", "scripts/b.sh": "", "deploy/k8s.yaml": "", "docs/guide.md": "",
		},
			// The later /src/gen/ line has no owners: those files are explicitly unowned.
			"7 of 10 files (70%) have no owner under CODEOWNERS, so no reviewer is requested for changes to them: files at the top level (2), scripts/ (2), src/ (2), deploy/ (1)", "", "", false},
		{"mostly owned", map[string]string{"CODEOWNERS": "/app/ @a\n", "app/1": "", "app/2": "", "app/3": "", "tools/x": ""},
			"2 of 5 files (40%) have no owner under CODEOWNERS, so no reviewer is requested for changes to them: files at the top level (1), tools/ (1)", policy.Low, "", false},
		{"first file wins", map[string]string{".github/CODEOWNERS": "/a/ @x\n", "CODEOWNERS": "* @y\n", "a/1": "", "b/1": ""},
			"3 of 4 files (75%) have no owner under .github/CODEOWNERS", "", "", false},
		{"none", map[string]string{"a.go": ""}, "", "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := testutil.RepoTarget(t, c.files, fileset.Options{})
			r, err := CodeOwnersCoverage{}.Run(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			if c.na != (r.NotApplicable["CH-1"] != "") {
				t.Fatalf("not applicable: %+v", r)
			}
			if r.Evidence["CH-1"] != c.evidence {
				t.Errorf("evidence %q", r.Evidence["CH-1"])
			}
			if c.message == "" {
				if len(r.Findings) != 0 {
					t.Errorf("findings %+v", r.Findings)
				}
				return
			}
			if len(r.Findings) != 1 || len(r.Findings[0].Message) < len(c.message) || r.Findings[0].Message[:len(c.message)] != c.message || r.Findings[0].Severity != c.severity {
				t.Errorf("findings %+v\nwant %s", r.Findings, c.message)
			}
		})
	}
}
