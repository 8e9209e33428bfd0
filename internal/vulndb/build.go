package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/osv"
	"github.com/posture-dev/posture/internal/versions"
)

// Meta describes what an index was built from.
type Meta struct {
	Built      time.Time            `json:"built"`
	Sources    []Source             `json:"sources"`
	Ecosystems map[string]*EcoStats `json:"ecosystems"`
	Records    int                  `json:"records"`
	Withdrawn  int                  `json:"withdrawn"`
	// Ignored counts records of ecosystems posture cannot order versions for.
	Ignored int `json:"ignored"`
	// Problems lists entries that could not be read, with archive and file name (capped).
	Problems      []string `json:"problems,omitempty"`
	ProblemsTotal int      `json:"problems_total,omitempty"`
}

// Source is one archive the index was built from.
type Source struct {
	Name    string    `json:"name"`   // file name under archives/
	Origin  string    `json:"origin"` // URL it was downloaded from, or path it was imported from
	Kind    string    `json:"kind"`   // "download" or "import"
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	Fetched time.Time `json:"fetched"`
	ETag    string    `json:"etag,omitempty"`
	// Newest is the latest "modified" time among the archive's records.
	Newest time.Time `json:"newest,omitzero"`
	// AsOf is the date the importer gave for the snapshot (db import --as-of): some
	// sources, golang.org/x/vulndb's repository among them, leave "modified" unset.
	AsOf time.Time `json:"as_of,omitzero"`
}

// EcoStats counts one ecosystem's content.
type EcoStats struct {
	Records  int       `json:"records"`
	Packages int       `json:"packages"`
	Newest   time.Time `json:"newest,omitzero"`
}

// DataTime is how fresh a source's data is: when it was downloaded, or, for an
// air-gapped import, the date the importer gave or else the newest record it holds
// (importing an old archive today does not make its data new). Zero means unknown.
func (s Source) DataTime() time.Time {
	switch {
	case s.Kind == "download":
		return s.Fetched
	case !s.AsOf.IsZero():
		return s.AsOf
	}
	return s.Newest
}

// DataTime is the freshness of the whole database: that of its stalest source; zero
// when a source's is unknown.
func (m Meta) DataTime() time.Time {
	var t time.Time
	for i, s := range m.Sources {
		if d := s.DataTime(); i == 0 || d.Before(t) {
			t = d
		}
	}
	return t
}

const maxProblems = 50

// maxRecordSize bounds one OSV JSON file: real records are kilobytes; a gigabyte entry in
// a zip is an attack on the importer, not an advisory.
const maxRecordSize = 16 << 20

type builder struct {
	byID map[string]osv.Vulnerability
	meta Meta
}

func newBuilder() *builder {
	return &builder{byID: map[string]osv.Vulnerability{}, meta: Meta{Ecosystems: map[string]*EcoStats{}}}
}

func (b *builder) problem(format string, args ...any) {
	b.meta.ProblemsTotal++
	if len(b.meta.Problems) < maxProblems {
		b.meta.Problems = append(b.meta.Problems, fmt.Sprintf(format, args...))
	}
}

// addArchive reads every .json entry of an OSV zip. A damaged zip (bad CRC, truncated) is
// an error for the whole archive: its records cannot be trusted to be complete.
func (b *builder) addArchive(file string, src *Source) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer zr.Close()
	name := filepath.Base(file)
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || !strings.EqualFold(path.Ext(zf.Name), ".json") {
			continue
		}
		if zf.UncompressedSize64 > maxRecordSize {
			b.problem("%s:%s: %d bytes is too large for one OSV record; skipped", name, zf.Name, zf.UncompressedSize64)
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%s:%s: %w", name, zf.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxRecordSize+1))
		rc.Close()
		if err != nil {
			// zip verifies each entry's CRC-32 at EOF: a mismatch lands here.
			return fmt.Errorf("%s:%s: %w", name, zf.Name, err)
		}
		b.addJSON(name+":"+zf.Name, data, src)
	}
	return nil
}

func (b *builder) addJSON(where string, data []byte, src *Source) {
	var v osv.Vulnerability
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		b.problem("%s: %v", where, err)
		return
	}
	if v.ID == "" {
		b.problem("%s: record has no id", where)
		return
	}
	if v.Modified.After(src.Newest) {
		src.Newest = v.Modified
	}
	if v.Withdrawn != nil {
		b.meta.Withdrawn++
		return
	}
	if prev, ok := b.byID[v.ID]; ok && !v.Modified.After(prev.Modified) {
		return
	}
	b.byID[v.ID] = trim(v)
}

// trim keeps what matching and reporting need; details and most references are dropped
// so the index stays small.
func trim(v osv.Vulnerability) osv.Vulnerability {
	v.Details, v.Related, v.Upstream = "", nil, nil
	var refs []osv.Reference
	for _, r := range v.References {
		if r.Type == "ADVISORY" && len(refs) < 3 {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 && len(v.References) > 0 {
		refs = v.References[:1]
	}
	v.References = refs
	var ds struct {
		Severity string `json:"severity"`
	}
	if len(v.DatabaseSpecific) > 0 && json.Unmarshal(v.DatabaseSpecific, &ds) == nil && ds.Severity != "" {
		v.DatabaseSpecific, _ = json.Marshal(ds)
	} else {
		v.DatabaseSpecific = nil
	}
	aff := v.Affected[:0:0]
	for _, a := range v.Affected {
		a.EcosystemSpecific, a.DatabaseSpecific = nil, nil
		aff = append(aff, a)
	}
	v.Affected = aff
	return v
}

// records distributes the records by package, each with only its own affected entries.
func (b *builder) records() map[string][]osv.Vulnerability {
	out := map[string][]osv.Vulnerability{}
	ids := make([]string, 0, len(b.byID))
	for id := range b.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v := b.byID[id]
		perKey := map[string][]osv.Affected{}
		var order []string
		counted := map[string]bool{}
		for _, a := range v.Affected {
			eco := osv.BaseEcosystem(a.Package.Ecosystem)
			if a.Package.Name == "" || !versions.Supported(eco) {
				continue
			}
			k := key(eco, a.Package.Name)
			if _, ok := perKey[k]; !ok {
				order = append(order, k)
			}
			perKey[k] = append(perKey[k], a)
			if !counted[eco] {
				counted[eco] = true
				st := b.stats(eco)
				st.Records++
				if v.Modified.After(st.Newest) {
					st.Newest = v.Modified
				}
			}
		}
		if len(order) == 0 {
			b.meta.Ignored++
			continue
		}
		b.meta.Records++
		for _, k := range order {
			w := v
			w.Affected = perKey[k]
			if len(out[k]) == 0 {
				b.stats(k[:strings.IndexByte(k, 0)]).Packages++
			}
			out[k] = append(out[k], w)
		}
	}
	return out
}

func (b *builder) stats(eco string) *EcoStats {
	st := b.meta.Ecosystems[eco]
	if st == nil {
		st = &EcoStats{}
		b.meta.Ecosystems[eco] = st
	}
	return st
}

// build writes a new index from the archives in dir and swaps it in atomically.
func build(dir string, sources []Source, now time.Time) (*Meta, error) {
	b := newBuilder()
	for i := range sources {
		if err := b.addArchive(filepath.Join(dir, archivesDir, sources[i].Name), &sources[i]); err != nil {
			return nil, err
		}
	}
	recs := b.records()
	b.meta.Built = now.UTC()
	b.meta.Sources = sources
	tmp, err := os.CreateTemp(dir, ".index-*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := writeIndex(tmp, recs, b.meta); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing index: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, indexFile)); err != nil {
		return nil, err
	}
	return &b.meta, syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
