package server

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeReport feeds the upload decoder arbitrary bodies, plain and as gzip
// content: it must never panic, must refuse with an uploadError, and whatever it
// accepts must be something the store accepts too.
func FuzzDecodeReport(f *testing.F) {
	f.Add(mustJSON(f, testReport(t0, tf{"CR-2", "high", "a", ""}, tf{"ZT-3", "low", "b", "x/y.tf"})), false)
	f.Add(gz(f, mustJSON(f, testReport(t0, tf{"CR-2", "high", "a", ""}))), true)
	f.Add([]byte(`{"schema":"posture.report/v1","tool":{"name":"posture"},"policy":{},"started_at":"2026-01-01T00:00:00Z","finished_at":"2026-01-01T00:00:00Z","targets":[]}`), false)
	withPackages := testReport(t0, tf{"VM-3", "high", "c", "composer.lock"})
	withPackages["targets"].([]any)[0].(map[string]any)["packages"] = []any{map[string]any{"ecosystem": "Packagist", "name": "monolog/monolog", "version": "3.5.0"}}
	f.Add(mustJSON(f, withPackages), false)
	f.Add([]byte(`{"schema":"posture.report/v2"}`), false)
	f.Add([]byte(`{"schema":1}`), false)
	f.Add([]byte("\x1f\x8b\x08\x00"), true)
	f.Fuzz(func(t *testing.T, body []byte, gzipped bool) {
		enc := ""
		if gzipped {
			enc = "gzip"
		}
		raw, err := readUploadBody(bytes.NewReader(body), enc)
		if err != nil {
			var ue *uploadError
			if !errors.As(err, &ue) || ue.status < 400 || ue.status > 499 {
				t.Fatalf("read error %v is not a 4xx upload error", err)
			}
			return
		}
		rep, err := decodeReport(raw)
		if err != nil {
			var ue *uploadError
			if !errors.As(err, &ue) || ue.status < 400 || ue.status > 499 {
				t.Fatalf("decode error %v is not a 4xx upload error", err)
			}
			return
		}
		in, err := rep.scanInput("token:1:fuzz", raw)
		if err != nil {
			return
		}
		for _, f := range in.Findings {
			if !fingerprintRE.MatchString(f.Fingerprint) || !reportSeverity[f.Severity] || !controlIDRE.MatchString(f.Control) || !sectionIDRE.MatchString(f.Section) {
				t.Fatalf("accepted finding %+v", f)
			}
		}
		for _, p := range in.Packages {
			if p.Ecosystem == "" || p.Name == "" || p.Version == "" || len(p.Name) > 512 || len(p.Version) > 256 || len(p.Ecosystem) > 64 {
				t.Fatalf("accepted package %+v", p)
			}
		}
		_ = detailsOf(rep)
	})
}
