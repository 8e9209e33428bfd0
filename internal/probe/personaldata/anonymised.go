package personaldata

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/probe"
)

// CD-2, test data is anonymised, judged on the working tree's data files: a file that
// carries posture anonymize's marker must hold no personal data, and a data file with
// personal data and no marker was not anonymised. Files that hold no personal data pass,
// however they were made. History is CD-1's alone: what was committed once is not the
// test data in use.
func judgeAnonymised(r *probe.Result, examined, marked int, hits []treeHit, minMatches int) {
	if examined == 0 {
		r.MarkNotApplicable("CD-2", "no dumps, data exports, fixtures or backups in the working tree")
		return
	}
	for _, h := range hits {
		what := formatNames[h.res.format]
		e := finding.Plain(h.res.evidence())
		e.Redacted = true
		f := finding.Finding{Control: "CD-2", Location: finding.Location{Path: h.path}, Evidence: e}
		if h.res.marker != nil {
			f.Rule, f.Severity, f.Key = "personal-data/anonymisation-incomplete", h.res.severity(), "anonymisation-incomplete"
			f.Message = fmt.Sprintf("%s carries posture anonymize's marker (key-id %s) but still holds personal data: %s.", upperFirst(what), h.res.marker.KeyID, h.res.summary())
			f.Fix = "Add rules for the columns that kept real values (posture anonymize verify names them) and regenerate the file; do not edit an anonymised dump by hand."
		} else {
			f.Rule, f.Severity, f.Key = "personal-data/not-anonymised", h.res.severity(), "not-anonymised"
			f.Message = fmt.Sprintf("Test data with personal data that was not anonymised: %s (%s).", what, h.res.summary())
			f.Fix = "Replace it with a dump made by posture anonymize (--preset wordpress or woocommerce, or your rules), which marks it, or with synthetic data."
		}
		r.Add(f)
	}
	if len(hits) > 0 {
		return
	}
	ev := fmt.Sprintf("%d data file%s in the working tree, none with personal data (at least %d contact details, or one card number, IBAN, national ID or password hash)", examined, plural(examined, "", "s"), minMatches)
	if marked > 0 {
		ev += fmt.Sprintf("; %d carr%s posture anonymize's marker", marked, plural(marked, "ies", "y"))
	}
	r.Attest("CD-2", ev)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
