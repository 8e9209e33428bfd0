// Command gen fills a posture server's database for the dashboard benchmark: systems,
// each with a history of scans whose findings churn a little from scan to scan, and a
// viewer account whose credentials the load generator signs in with.
//
//	go run ./bench/server/gen --data DIR [--database URL] [--systems 100] [--findings 100000] [--scans 10] --creds FILE
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

func main() {
	data := flag.String("data", "", "posture data directory (SQLite)")
	dbURL := flag.String("database", "", "database URL (default SQLite in --data)")
	systems := flag.Int("systems", 100, "systems to create")
	findings := flag.Int("findings", 100_000, "findings stored in all, spread over every scan")
	scans := flag.Int("scans", 10, "scans per system, one every 9 days up to today")
	creds := flag.String("creds", "", "write the viewer's sign-in credentials (JSON) here")
	flag.Parse()
	if *creds == "" || (*data == "" && *dbURL == "") {
		log.Fatal("need --creds and --data or --database")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: *data, URL: *dbURL})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	pack, err := policy.Default()
	if err != nil {
		log.Fatal(err)
	}
	perScan := *findings / (*systems * *scans)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	start := time.Now()
	envs := []store.Environment{store.Prod, store.Staging, store.Dev}
	classes := []store.Classification{store.Public, store.Internal, store.Confidential, store.Restricted}
	total := 0
	for i := range *systems {
		name := fmt.Sprintf("system-%03d", i)
		sys, err := st.CreateSystem(ctx, store.SystemInput{Name: name, Owner: fmt.Sprintf("team-%d", i%12), Environment: envs[i%3], Classification: classes[i%4],
			Targets: []store.Target{{Kind: store.Repo, Locator: "git@git.example.com:org/" + name}, {Kind: store.Endpoint, Locator: "https://" + name + ".example.com"}}})
		if err != nil {
			log.Fatal(err)
		}
		// A system's findings: a pool it draws from, so that consecutive scans share
		// most findings (recurring), lose some (fixed) and gain some (new).
		var live []int
		next := 0
		for s := range *scans {
			keep := live[:0:0]
			for _, f := range live {
				if rng.Float64() < 0.9 {
					keep = append(keep, f)
				}
			}
			for len(keep) < perScan {
				keep = append(keep, next)
				next++
			}
			live = keep
			at := now.Add(-time.Duration(*scans-1-s) * 9 * 24 * time.Hour).Add(-time.Duration(i) * time.Minute)
			in, raw := scanOf(pack, name, live, at, rng)
			if _, err := st.RecordScan(ctx, sys.ID, store.ScanInput{UploadedBy: "token:0:bench", StartedAt: at.Add(-time.Minute), FinishedAt: at,
				ToolVersion: "bench", PackVersion: pack.Metadata.Name + "@" + pack.Metadata.Version, Controls: in.Controls, Findings: in.Findings, RawReport: raw}); err != nil {
				log.Fatal(err)
			}
			total += len(in.Findings)
		}
	}
	log.Printf("%d systems, %d scans, %d findings in %s", *systems, *systems**scans, total, time.Since(start).Round(time.Millisecond))

	// A viewer with a password and TOTP, enrolled the way the server does it.
	email := fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())
	u, err := st.CreateUser(ctx, store.UserInput{Name: "bench", Email: email, Role: store.RoleViewer})
	if err != nil {
		log.Fatal(err)
	}
	_, hash := server.NewEnrolmentSecret()
	if err := st.CreateEnrolment(ctx, u.ID, hash, time.Now().Add(time.Hour)); err != nil {
		log.Fatal(err)
	}
	password := fmt.Sprintf("bench password %d", rng.Int64())
	ph, err := server.HashPassword(password)
	if err != nil {
		log.Fatal(err)
	}
	secret := server.NewTOTPSecret()
	if err := st.ConsumeEnrolment(ctx, hash, time.Now(), func(tx *store.Tx, id int64) error {
		return store.SetPasswordTOTP(ctx, tx, id, ph, secret)
	}); err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"email": email, "password": password, "totp": server.TOTPSecretText(secret)})
	if err := os.WriteFile(*creds, b, 0o600); err != nil {
		log.Fatal(err)
	}
}

// scanOf builds one scan: every control of the pack on the repository target, failing
// where a finding sits, otherwise mostly passing; and the matching JSON report.
func scanOf(pack *policy.Pack, system string, live []int, at time.Time, rng *rand.Rand) (store.ScanInput, []byte) {
	var in store.ScanInput
	sevs := []string{"critical", "high", "high", "medium", "medium", "medium", "low", "low", "info"}
	byControl := map[string][]map[string]any{}
	for _, f := range live {
		c := pack.Controls[f%len(pack.Controls)]
		fp := fmt.Sprintf("%032x", uint64(f)*2654435761+uint64(len(system))<<40)
		fp = fp[len(fp)-32:]
		sev := sevs[f%len(sevs)]
		loc := fmt.Sprintf("src/pkg%d/file%d.go", f%17, f)
		msg := fmt.Sprintf("bench finding %d of %s", f, c.ID)
		in.Findings = append(in.Findings, store.FindingInput{Fingerprint: fp, Control: c.ID, Section: c.Section, Rule: "bench/" + strings.ToLower(c.ID),
			Severity: sev, Target: "repo", Location: loc + ":1", Message: msg, Status: store.FindingOpen})
		byControl[c.ID] = append(byControl[c.ID], map[string]any{"control": c.ID, "rule": "bench/" + strings.ToLower(c.ID), "severity": sev, "target": "repo",
			"location": map[string]any{"path": loc, "line": 1}, "message": msg, "fix": "Fix it as " + c.ID + " asks.", "evidence": map[string]any{"text": "evidence"}, "fingerprint": fp})
	}
	var controls []any
	for _, c := range pack.Controls {
		status := store.Pass
		switch fs := byControl[c.ID]; {
		case len(fs) > 0:
			status = store.Fail
		case rng.Float64() < 0.1:
			status = store.Unknown
		case rng.Float64() < 0.1:
			status = store.NotApplicable
		}
		in.Controls = append(in.Controls, store.ControlResult{Target: "repo", Control: c.ID, Section: c.Section, Status: status})
		fs := byControl[c.ID]
		if fs == nil {
			fs = []map[string]any{}
		}
		controls = append(controls, map[string]any{"id": c.ID, "title": c.Title, "section": c.Section, "section_title": c.Section, "severity": string(c.Severity),
			"status": string(status), "reason": "bench", "findings": fs})
	}
	raw, _ := json.Marshal(map[string]any{"schema": "posture.report/v1", "tool": map[string]any{"name": "posture", "version": "bench"},
		"policy":     map[string]any{"name": pack.Metadata.Name, "version": pack.Metadata.Version, "origin": "embedded", "last_reviewed": nil, "expires": nil, "expired": false},
		"started_at": at.Add(-time.Minute).Format(time.RFC3339), "finished_at": at.Format(time.RFC3339), "interrupted": false, "warnings": []any{},
		"selection": map[string]any{"only": []any{}, "skip": []any{}}, "verdict": map[string]any{"fail_on": "high", "failing": true}, "summary": map[string]any{}, "sections": []any{},
		"targets": []any{map[string]any{"name": "repo", "kind": "repo", "controls": controls, "deviations": []any{}, "probes": []any{}}}})
	return in, raw
}
