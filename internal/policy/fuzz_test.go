package policy

import "testing"

func FuzzParsePack(f *testing.F) {
	f.Add(defaultPackYAML)
	f.Add([]byte("apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\noverrides:\n  - id: CR-2\n    severity: low\n"))
	f.Add([]byte("controls:\n  - id: [\n"))
	f.Add([]byte("metadata: {expires: 2026-13-45}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, problems, err := parse("fuzz.yaml", data)
		if err == nil && p == nil {
			t.Fatal("no pack and no error")
		}
		for _, pr := range problems {
			if pr.Message == "" {
				t.Fatal("empty problem message")
			}
		}
	})
}
