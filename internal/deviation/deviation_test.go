package deviation

import (
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/finding"
)

func TestParseKeepsLines(t *testing.T) {
	devs, err := Parse("d.yaml", []byte(`deviations:
  - id: A
    control: CR-4
    match: {fingerprint: abc}
  # comment
  - id: B
    control: VM-1
    match: {path: "vendor/**"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 || devs[0].Line != 2 || devs[1].Line != 6 {
		t.Fatalf("lines: %+v", devs)
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	_, err := Parse("d.yaml", []byte("deviations:\n  - id: A\n    ignore_inline: true\n"))
	if err == nil || !strings.Contains(err.Error(), "d.yaml:3") {
		t.Fatalf("err = %v", err)
	}
}

func TestMatches(t *testing.T) {
	f := finding.Finding{Control: "VM-1", Fingerprint: "ABCDEF", Location: finding.Location{Path: "web/vendor/x/composer.json"}}
	cases := []struct {
		m    Match
		ctl  string
		want bool
	}{
		{Match{Fingerprint: "abcdef"}, "VM-1", true},
		{Match{Fingerprint: "abcdef"}, "VM-2", false},
		{Match{Path: "web/vendor/**"}, "VM-1", true},
		{Match{Path: "vendor/**"}, "VM-1", false},
		{Match{Path: "web/**", Fingerprint: "other"}, "VM-1", false},
		{Match{}, "VM-1", false},
	}
	for _, c := range cases {
		d := Deviation{Control: c.ctl, Match: c.m}
		if got := d.Matches(&f); got != c.want {
			t.Errorf("%+v on %s: %v, want %v", c.m, c.ctl, got, c.want)
		}
	}
}

func TestProblems(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	d := Deviation{ID: "X", Control: "ST-2", Match: Match{Path: "a[/"}}
	got := strings.Join(d.Problems(now, nil), "|")
	for _, want := range []string{"silence ST-2", "not a valid glob", "no reason", "no requester", "not approved", "no approval date", "no expiry"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("deviations:\n  - id: A\n    control: CR-4\n    match: {fingerprint: abc}\n    expires: 2027-01-01\n"))
	f.Add([]byte("deviations: [{id: 1}]"))
	f.Add([]byte("- a\n- b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		devs, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
		for i := range devs {
			_ = devs[i].Problems(now, nil)
			_ = devs[i].Matches(&finding.Finding{Control: devs[i].Control, Location: finding.Location{Path: "a/b"}})
		}
	})
}
