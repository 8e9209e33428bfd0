package cli

import "testing"

// TestGoldenPersonalData pins the CD-1 report on testdata/p4/personal-data: a WooCommerce
// dump, a gzipped backup, a CSV export, a JSON fixture, an HR export with national IDs, an
// anonymised dump with hand-added real data, and a near-miss set (reserved domains, test
// cards, bad checksums, versions and dates, clean anonymised dumps, docs) that must stay
// quiet. Counts are exact; samples are redacted.
func TestGoldenPersonalData(t *testing.T) {
	goldenScan(t, "personal-data", "--only", "CD-1", "testdata/p4/personal-data")
}
