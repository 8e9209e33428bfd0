package anonymize

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/posture-dev/posture/internal/pii"
)

// Residual is personal data found in one column of a dump.
type Residual struct {
	// Table and Column locate it; Table "" is free text (comments, statements other than
	// INSERT and COPY). For key/value tables Column is the meta_key ("billing_phone").
	Table, Column string
	Kind          pii.Kind
	Count         int64
	// Samples are redacted, at most three.
	Samples []string
}

// Report is what Verify found.
type Report struct {
	// Marker is the anonymisation marker, when the dump has one.
	Marker    *pii.Marker
	Residuals []Residual
	Bytes     int64
	Tables    []pii.Table
}

// Clean reports whether nothing personal was found.
func (r *Report) Clean() bool { return len(r.Residuals) == 0 }

// Verify reads a SQL dump with the CD-1 detectors and reports the personal data left in
// it, by table and column. It counts what the scanner counts (medium and high
// confidence); in a dump carrying the anonymisation marker, postal addresses are not
// counted, as in CD-1, because generated addresses look as real as the originals.
func Verify(r io.Reader) (*Report, error) {
	rep := &Report{}
	type key struct {
		table, col string
		kind       pii.Kind
	}
	found := map[key]*Residual{}
	hints := map[string]pii.Hint{}
	var ms []pii.Match
	cr := &counter{r: r}
	tables, err := pii.ReadSQL(cr, func(v pii.Value) error {
		if rep.Marker == nil && v.Table == "" && v.Start < pii.MarkerWindow {
			for _, line := range bytes.Split(v.Text, []byte("\n")) {
				if m, ok := pii.ParseMarker(string(line)); ok {
					rep.Marker = &m
					break
				}
			}
		}
		h, ok := hints[v.Field]
		if !ok {
			h = pii.HintFor(v.Field)
			if len(hints) < 4096 {
				hints[v.Field] = h
			}
		}
		ms = pii.AppendScan(ms[:0], v.Text, h)
		for _, m := range ms {
			if m.Confidence < pii.Medium {
				continue
			}
			k := key{v.Table, v.Field, m.Kind}
			res := found[k]
			if res == nil {
				if len(found) >= 10000 {
					continue
				}
				res = &Residual{Table: v.Table, Column: v.Field, Kind: m.Kind}
				found[k] = res
			}
			res.Count++
			if len(res.Samples) < 3 {
				res.Samples = append(res.Samples, pii.Redact(m, v.Text[m.Start:m.End]))
			}
		}
		return nil
	})
	rep.Bytes = cr.n
	rep.Tables = tables
	if err != nil {
		return rep, fmt.Errorf("reading the dump: %w", err)
	}
	for _, res := range found {
		if rep.Marker != nil && res.Kind == pii.Address {
			continue
		}
		rep.Residuals = append(rep.Residuals, *res)
	}
	sort.Slice(rep.Residuals, func(i, j int) bool {
		a, b := rep.Residuals[i], rep.Residuals[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Kind < b.Kind
	})
	return rep, nil
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
