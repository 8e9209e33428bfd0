package server

import (
	"errors"

	"github.com/posture-dev/posture/internal/store"
)

// ScanInputFromReport checks a posture.report/v1 JSON report exactly as an upload is
// checked and turns it into what store.RecordScan records, so that a scan the server
// runs itself (the scan.system job) is stored the same way as an uploaded one. The error
// of a refused report carries the reason an upload would have been refused with.
func ScanInputFromReport(raw []byte, uploadedBy string) (store.ScanInput, error) {
	rep, err := decodeReport(raw)
	if err != nil {
		return store.ScanInput{}, reportError(err)
	}
	in, err := rep.scanInput(uploadedBy, raw)
	if err != nil {
		return store.ScanInput{}, reportError(err)
	}
	return in, nil
}

// reportError keeps the upload's message and drops its HTTP status, which means
// nothing outside a request.
func reportError(err error) error {
	var ue *uploadError
	if errors.As(err, &ue) {
		return errors.New("report refused: " + ue.msg)
	}
	return err
}
