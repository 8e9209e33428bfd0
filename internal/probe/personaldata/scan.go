package personaldata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/pii"
	"github.com/posture-dev/posture/internal/policy"
)

// samplesPerKind bounds the redacted samples a finding shows for each kind.
const samplesPerKind = 3

// result is what one file (or blob) holds, counted; it never holds the data itself, only
// redacted samples.
type result struct {
	counts     map[pii.Kind]int
	details    map[pii.Kind]map[string]int
	samples    map[pii.Kind][]string
	structures []pii.Structure
	marker     *pii.Marker
	format     pii.Format
	rows       int64 // records read from tables
	// truncated says only the first part of a compressed file was read.
	truncated string
}

func (r *result) total(high bool) int {
	n := 0
	for k, c := range r.counts {
		if k.HighRisk() == high {
			n += c
		}
	}
	return n
}

// reportable applies the thresholds: one high-risk item, or minContact contact details
// (one contact address in a fixture is a maintainer, not a customer base). A dump marked
// as anonymised is held to a stricter standard: anything real-looking left in it means
// the anonymisation did not do its job.
func (r *result) reportable(minContact int) bool {
	r.applyMarker()
	high, contact := r.total(true), r.total(false)
	if r.marker != nil {
		return high+contact > 0
	}
	return high > 0 || contact >= minContact
}

// applyMarker drops postal addresses from a file marked as anonymised: the anonymiser
// replaces them with generated ones that look as real as the originals, so unlike an
// e-mail address outside the reserved domains, a fiction phone range or a test card they
// prove nothing about what was left behind.
func (r *result) applyMarker() {
	if r.marker != nil {
		delete(r.counts, pii.Address)
		delete(r.samples, pii.Address)
		delete(r.details, pii.Address)
	}
}

func (r *result) severity() policy.Severity {
	if r.total(true) > 0 {
		return policy.Critical
	}
	return "" // the control's
}

// errBinary marks content that is not text: there is nothing a text detector can say.
var errBinary = errors.New("binary content")

// scanContent reads one file's content in the format its name (or, failing that, its
// first bytes) says, decompressing gzip on the way with a bound on the output.
func scanContent(name string, data []byte, maxDecompressed int64) (*result, error) {
	res, err := scanAs(name, data, maxDecompressed, false)
	if err == nil && res.format == pii.FormatSQL && res.rows == 0 {
		// Named like a dump but holding no INSERT or COPY rows (a CSV saved as .sql, a
		// log of statements): read it again as text, so nothing in it goes unexamined.
		return scanAs(name, data, maxDecompressed, true)
	}
	return res, err
}

func scanAs(name string, data []byte, maxDecompressed int64, asText bool) (*result, error) {
	var rd io.Reader = bytes.NewReader(data)
	gz := strings.HasSuffix(strings.ToLower(name), ".gz")
	limited := &limitReader{r: nil, n: maxDecompressed}
	if gz {
		z, err := gzip.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("not a readable gzip file: %w", err)
		}
		defer z.Close()
		limited.r = z
		rd = limited
	}
	br := bufio.NewReaderSize(rd, 64<<10)
	head, err := br.Peek(8000)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, errBinary
	}
	format, ok := pii.FormatFor(name)
	if !ok {
		format = pii.SniffFormat(head)
	}
	if asText {
		format = pii.FormatText
	}
	r := &result{counts: map[pii.Kind]int{}, details: map[pii.Kind]map[string]int{}, samples: map[pii.Kind][]string{}, format: format}
	doc, err := pii.ScanDocument(br, format, func(m pii.Match, text []byte) {
		if m.Confidence < pii.Medium {
			return
		}
		r.counts[m.Kind]++
		if m.Detail != "" {
			if r.details[m.Kind] == nil {
				r.details[m.Kind] = map[string]int{}
			}
			r.details[m.Kind][m.Detail]++
		}
		if len(r.samples[m.Kind]) < samplesPerKind {
			s := pii.Redact(m, text)
			for _, have := range r.samples[m.Kind] {
				if have == s {
					return
				}
			}
			r.samples[m.Kind] = append(r.samples[m.Kind], s)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	r.structures, r.marker = doc.Structures, doc.Marker
	for _, t := range doc.Tables {
		r.rows += t.Rows
	}
	if gz && limited.hit {
		r.truncated = fmt.Sprintf("decompressed content larger than %s; only the first %s was scanned", fileset.HumanSize(maxDecompressed), fileset.HumanSize(maxDecompressed))
	}
	return r, nil
}

// limitReader stops after n bytes and remembers that it did, so a gzip bomb costs at most
// n bytes of scanning and the report can say the rest was not read.
type limitReader struct {
	r   io.Reader
	n   int64
	hit bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		if len(p) > 0 {
			var one [1]byte
			if k, _ := l.r.Read(one[:]); k > 0 {
				l.hit = true
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

var kindNames = map[pii.Kind][2]string{
	pii.Email:        {"e-mail address at a real domain", "e-mail addresses at real domains"},
	pii.Phone:        {"phone number", "phone numbers"},
	pii.Address:      {"postal address", "postal addresses"},
	pii.Card:         {"card number (Luhn-valid", "card numbers (Luhn-valid"},
	pii.IBAN:         {"IBAN (checksum-valid", "IBANs (checksum-valid"},
	pii.NationalID:   {"national ID number (", "national ID numbers ("},
	pii.PasswordHash: {"password hash (", "password hashes ("},
}

var formatNames = map[pii.Format]string{
	pii.FormatSQL: "SQL dump", pii.FormatCSV: "CSV file", pii.FormatTSV: "TSV file", pii.FormatJSON: "JSON data", pii.FormatText: "data file",
}

// summary is the counts sentence: "12 e-mail addresses at real domains, 3 card numbers
// (Luhn-valid: 2 visa, 1 mastercard), WordPress users (wp_users, 4 rows)".
func (r *result) summary() string {
	var parts []string
	for _, k := range pii.Kinds {
		n := r.counts[k]
		if n == 0 {
			continue
		}
		name := kindNames[k][1]
		if n == 1 {
			name = kindNames[k][0]
		}
		s := formatCount(n) + " " + name
		if strings.HasSuffix(name, "(") || strings.HasSuffix(name, "valid") {
			d := detailList(r.details[k])
			switch {
			case strings.HasSuffix(name, "(") && d != "":
				s += d + ")"
			case strings.HasSuffix(name, "("):
				s = strings.TrimSuffix(strings.TrimSuffix(s, "("), " ")
			case d != "":
				s += ": " + d + ")"
			default:
				s += ")"
			}
		}
		parts = append(parts, s)
	}
	for _, st := range r.structures {
		parts = append(parts, fmt.Sprintf("%s (%s, %s %s)", st.What, st.Name, formatCount(int(st.Rows)), plural(int(st.Rows), "row", "rows")))
	}
	return strings.Join(parts, ", ")
}

func detailList(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var l []kv
	for k, v := range m {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v || l[i].v == l[j].v && l[i].k < l[j].k })
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprintf("%s %s", formatCount(e.v), e.k))
	}
	return strings.Join(out, ", ")
}

// evidence lists the redacted samples, kind by kind, shortening each kind's list until
// the whole fits the evidence limit rather than letting the cut fall mid-sample.
func (r *result) evidence() string {
	for per := samplesPerKind; per >= 1; per-- {
		var parts []string
		for _, k := range pii.Kinds {
			s := r.samples[k]
			if len(s) == 0 {
				continue
			}
			parts = append(parts, string(k)+": "+strings.Join(s[:min(per, len(s))], ", "))
		}
		text := "redacted samples: " + strings.Join(parts, "; ")
		if len(text) <= 200 || per == 1 {
			return text
		}
	}
	return ""
}

func formatCount(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
