package server

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/posture-dev/posture/internal/store"
)

// UploadResult is the answer to a scan upload.
type UploadResult struct {
	ScanID   int64  `json:"scan_id"`
	System   string `json:"system"`
	Findings int    `json:"findings"`
	Open     int    `json:"open"`
	// New, Fixed and Recurring compare the system's latest scan with the one before it.
	// Latest is false when this upload is older than the system's latest scan (a late
	// upload): the counts then describe the latest scan, not this one.
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	Recurring int    `json:"recurring"`
	Latest    bool   `json:"latest"`
	URL       string `json:"url"`
}

// uploadScan records a JSON scan report for the system in the path: POST
// /api/v1/systems/{system}/scans with the report as an application/json body, gzip
// allowed. Every rejection is audited and writes nothing.
func (s *Server) uploadScan(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("system")
	object := "system:" + name
	reject := func(err error) {
		ue := &uploadError{status: http.StatusBadRequest, msg: err.Error()}
		errors.As(err, &ue)
		if aerr := s.Audit(r, "scan.upload", object, OutcomeFailure, ue.msg); aerr != nil {
			AuditFailed(w)
			return
		}
		writeJSON(w, ue.status, map[string]any{"error": ue.msg})
	}
	if !validSystemName(name) {
		object = "system:" + fmt.Sprintf("%q", truncate(name, 100))
		reject(badUpload("%s", systemNameRule))
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		reject(&uploadError{status: http.StatusUnsupportedMediaType, msg: "send the report as Content-Type: application/json (gzip with Content-Encoding: gzip)"})
		return
	}
	// The route's MaxBody is MaxUploadBytes; uploadLimit is the same unless a test
	// lowers it.
	raw, err := readUploadBody(http.MaxBytesReader(w, r.Body, uploadLimit.Load()), r.Header.Get("Content-Encoding"))
	if err != nil {
		var ue *uploadError
		if !errors.As(err, &ue) {
			err = badUpload("reading the body: %v", err)
		}
		reject(err)
		return
	}
	rep, err := decodeReport(raw)
	if err != nil {
		reject(err)
		return
	}
	sys, err := s.st.SystemByName(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		reject(&uploadError{status: http.StatusNotFound, msg: fmt.Sprintf("no system named %q: create it first (Systems page or POST /api/v1/systems)", name)})
		return
	} else if err != nil {
		s.unavailable(w, r, false, "reading system", err)
		return
	}
	object = "system:" + itoa(sys.ID)
	p := PrincipalFrom(r.Context())
	in, err := rep.scanInput(p.Actor(), raw)
	if err != nil {
		reject(err)
		return
	}
	if err := s.Audit(r, "scan.upload", object, OutcomeSuccess, fmt.Sprintf("%d findings, %d bytes", len(in.Findings), len(raw))); err != nil {
		AuditFailed(w)
		return
	}
	var sc store.Scan
	err = s.st.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		if sc, err = s.st.RecordScanTx(r.Context(), tx, sys.ID, in); err != nil {
			return err
		}
		if s.cfg.ScanRecorded != nil {
			return s.cfg.ScanRecorded(r.Context(), tx, sys, sc)
		}
		return nil
	})
	if err != nil {
		_ = s.Audit(r, "scan.upload", object, OutcomeError, "not recorded")
		if errors.Is(err, store.ErrInvalid) {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": strings.TrimPrefix(err.Error(), fmt.Sprintf("record scan of system %d: ", sys.ID))})
			return
		}
		s.unavailable(w, r, false, "recording scan", err)
		return
	}
	res := UploadResult{ScanID: sc.ID, System: sys.Name, Findings: sc.Counts.Total, Open: sc.Counts.Open, URL: "/systems/" + sys.Name}
	if d, err := s.st.FindingDiff(r.Context(), sys.ID); err != nil {
		// The scan is stored; only the comparison failed.
		s.log.Warn("finding diff after upload", "request_id", RequestID(r.Context()), "err", err)
	} else {
		res.New, res.Fixed, res.Recurring = len(d.New), len(d.Fixed), len(d.Recurring)
		res.Latest = d.Latest != nil && d.Latest.ID == sc.ID
	}
	writeJSON(w, http.StatusCreated, res)
}
