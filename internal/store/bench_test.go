package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecordScan records a scan of 1,000 findings, durably (SQLite with
// synchronous=FULL, PostgreSQL with its default synchronous_commit). Run with
// -tags integration for the PostgreSQL figure.
func BenchmarkRecordScan(b *testing.B) {
	fs := make([]FindingInput, 1000)
	for i := range fs {
		fs[i] = FindingInput{Fingerprint: fmt.Sprintf("%064x", i), Control: fmt.Sprintf("CR-%d", i%7), Rule: "crypto/weak-cipher",
			Severity: []string{"info", "low", "medium", "high", "critical"}[i%5], Target: "repo", Location: fmt.Sprintf("internal/x/file%d.go:%d", i%50, i),
			Message: "TLS configuration allows a cipher suite without forward secrecy", Status: FindingOpen}
	}
	report := make([]byte, 512<<10) // a report of realistic size, mostly compressible
	for i := range report {
		report[i] = "{\"finding\": \"abcdef\"}\n"[i%22]
	}
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := openTest(b, be.fresh(b))
			ctx := context.Background()
			sys, err := s.CreateSystem(ctx, validSystem("bench"))
			if err != nil {
				b.Fatal(err)
			}
			in := ScanInput{UploadedBy: "token:bench", StartedAt: t0, FinishedAt: t0.Add(time.Minute), ToolVersion: "1", PackVersion: "1",
				Findings: fs, RawReport: report}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.RecordScan(ctx, sys.ID, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(fs))/b.Elapsed().Seconds(), "findings/s")
		})
	}
}
