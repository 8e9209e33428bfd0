package pii

import (
	"bytes"
	"io"
	"path"
	"strings"
)

// Format is how a document's bytes are read.
type Format int

const (
	FormatText Format = iota
	FormatSQL
	FormatCSV
	FormatTSV
	FormatJSON
)

func (f Format) String() string {
	return [...]string{"text", "sql", "csv", "tsv", "json"}[f]
}

// FormatFor picks the format from a file name, looking through a ".gz" suffix (the caller
// decompresses). ok is false for names that are not data files by extension.
func FormatFor(name string) (f Format, ok bool) {
	n := strings.ToLower(path.Base(name))
	n = strings.TrimSuffix(n, ".gz")
	for _, suf := range []string{".bak", ".backup", ".old", ".orig"} {
		n = strings.TrimSuffix(n, suf)
	}
	switch path.Ext(n) {
	case ".sql", ".mysql", ".pgsql", ".psql":
		return FormatSQL, true
	case ".csv":
		return FormatCSV, true
	case ".tsv", ".tab":
		return FormatTSV, true
	case ".json", ".ndjson", ".jsonl", ".geojson":
		return FormatJSON, true
	case ".xml", ".ldif", ".vcf", ".log", ".dump":
		return FormatText, true
	}
	// .txt, .yaml and the like are data only in a fixtures directory (the caller's
	// call): elsewhere they are requirements.txt and CI configuration.
	return FormatText, false
}

// SniffFormat guesses the format of content whose name says nothing (a .bak, a file in a
// fixtures directory) from its first bytes.
func SniffFormat(head []byte) Format {
	h := bytes.TrimLeft(head[:min(len(head), 4096)], " \t\r\n\xef\xbb\xbf")
	upper := bytes.ToUpper(head[:min(len(head), 64<<10)])
	switch {
	case len(h) > 0 && (h[0] == '{' || h[0] == '['):
		return FormatJSON
	case bytes.Contains(upper, []byte("INSERT INTO")) || bytes.Contains(upper, []byte("CREATE TABLE")) || bytes.Contains(upper, []byte("COPY ")) && bytes.Contains(upper, []byte(" FROM STDIN")):
		return FormatSQL
	}
	return FormatText
}

// Structure is WordPress or WooCommerce data recognised by its shape rather than by any
// one value: a wp_users table, order rows.
type Structure struct {
	// Name is the table (or "CSV export", "JSON records") the rows are in.
	Name string
	// What is "WordPress users", "WooCommerce orders" or "WooCommerce customers".
	What string
	Rows int64
}

// Document is what a scan of one document learnt besides its matches.
type Document struct {
	Format     Format
	Marker     *Marker
	Structures []Structure
	Tables     []Table
	Bytes      int64
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// textChunk is how much free text is scanned at once; lines longer than this are cut at
// whitespace.
const textChunk = 256 << 10

// ScanDocument reads r in the given format and calls fn for every match, its offsets in
// r's bytes, with the matched text (decoded, valid only during the call). Where a value
// had escapes decoded the offsets cover the whole raw value. Reading never holds more
// than a chunk and one value in memory.
func ScanDocument(r io.Reader, format Format, fn func(m Match, text []byte)) (*Document, error) {
	cr := &countingReader{r: r}
	doc := &Document{Format: format}
	sc := &docScanner{doc: doc, fn: fn, hints: map[string]Hint{}, orders: map[string]int64{}}
	var err error
	switch format {
	case FormatSQL:
		doc.Tables, err = ReadSQL(cr, sc.value)
		sc.sqlStructures()
	case FormatCSV, FormatTSV:
		comma := byte(0)
		if format == FormatTSV {
			comma = '\t'
		}
		var t Table
		t, err = ReadCSV(cr, comma, sc.value)
		doc.Tables = []Table{t}
		sc.csvStructures(t)
	case FormatJSON:
		var shapes JSONShapes
		shapes, err = ReadJSON(cr, sc.value)
		if shapes.WordPressUsers > 0 {
			doc.Structures = append(doc.Structures, Structure{Name: "JSON records", What: "WordPress users", Rows: shapes.WordPressUsers})
		}
		if shapes.WooCommerceOrder > 0 {
			doc.Structures = append(doc.Structures, Structure{Name: "JSON records", What: "WooCommerce orders", Rows: shapes.WooCommerceOrder})
		}
	default:
		err = sc.text(cr)
	}
	doc.Bytes = cr.n
	return doc, err
}

type docScanner struct {
	doc     *Document
	fn      func(Match, []byte)
	hints   map[string]Hint
	matches []Match
	orders  map[string]int64 // virtual order tables: "wp_posts (shop_order)"…
	order   []string
}

func (s *docScanner) hint(field string) Hint {
	h, ok := s.hints[field]
	if !ok {
		h = HintFor(field)
		if len(s.hints) < 4096 {
			s.hints[field] = h
		}
	}
	return h
}

func (s *docScanner) value(v Value) error {
	if s.doc.Marker == nil {
		switch {
		case v.Field == MarkerJSONKey:
			if m, ok := ParseMarker(string(v.Text)); ok {
				s.doc.Marker = &m
			}
		case v.Field == "" && v.Start < MarkerWindow && (s.doc.Format == FormatSQL || s.doc.Format == FormatText):
			if m, ok := findMarker(v.Text[:min(len(v.Text), MarkerWindow-int(v.Start))]); ok {
				s.doc.Marker = &m
			}
		}
	}
	if v.Table != "" {
		s.observe(v)
	}
	s.matches = AppendScan(s.matches[:0], v.Text, s.hint(v.Field))
	for _, m := range s.matches {
		text := v.Text[m.Start:m.End]
		if v.Exact {
			m.Start, m.End = int(v.Start)+m.Start, int(v.Start)+m.End
		} else {
			m.Start, m.End = int(v.Start), int(v.End)
		}
		s.fn(m, text)
	}
	return nil
}

// observe counts WooCommerce orders kept as posts and post meta (before HPOS) and
// customers' billing meta.
func (s *docScanner) observe(v Value) {
	t := strings.ToLower(v.Table)
	var key string
	switch {
	case strings.HasSuffix(t, "posts") && v.Field == "post_type" && (string(v.Text) == "shop_order" || string(v.Text) == "shop_order_placehold"):
		key = v.Table + " where post_type=shop_order\x00WooCommerce orders"
	case strings.HasSuffix(t, "postmeta") && v.Field == "meta_key" && string(v.Text) == "_billing_email":
		key = v.Table + " where meta_key=_billing_email\x00WooCommerce orders"
	case strings.HasSuffix(t, "usermeta") && v.Field == "meta_key" && string(v.Text) == "billing_email":
		key = v.Table + " where meta_key=billing_email\x00WooCommerce customers"
	default:
		return
	}
	if _, ok := s.orders[key]; !ok {
		s.order = append(s.order, key)
	}
	s.orders[key]++
}

func (s *docScanner) sqlStructures() {
	for _, t := range s.doc.Tables {
		if t.Rows == 0 {
			continue
		}
		n := strings.ToLower(t.Name)
		what := ""
		switch {
		case strings.HasSuffix(n, "users") && (hasColumn(t, "user_pass") || hasColumn(t, "user_login") || len(t.Columns) == 0 && strings.HasPrefix(n, "wp")):
			what = "WordPress users"
		case strings.HasSuffix(n, "wc_orders") || strings.HasSuffix(n, "wc_order_addresses"):
			what = "WooCommerce orders"
		case strings.HasSuffix(n, "wc_customer_lookup"):
			what = "WooCommerce customers"
		}
		if what != "" {
			s.doc.Structures = append(s.doc.Structures, Structure{Name: t.Name, What: what, Rows: t.Rows})
		}
	}
	for _, k := range s.order {
		name, what, _ := strings.Cut(k, "\x00")
		s.doc.Structures = append(s.doc.Structures, Structure{Name: name, What: what, Rows: s.orders[k]})
	}
}

func (s *docScanner) csvStructures(t Table) {
	if t.Rows == 0 {
		return
	}
	switch {
	case hasColumn(t, "user_login") && hasColumn(t, "user_email"):
		s.doc.Structures = append(s.doc.Structures, Structure{Name: "CSV export", What: "WordPress users", Rows: t.Rows})
	case hasColumn(t, "billing_email") || hasColumn(t, "_billing_email") || hasColumn(t, "billing email"):
		s.doc.Structures = append(s.doc.Structures, Structure{Name: "CSV export", What: "WooCommerce orders", Rows: t.Rows})
	}
}

func hasColumn(t Table, name string) bool {
	for _, c := range t.Columns {
		if strings.EqualFold(strings.TrimSpace(c), name) {
			return true
		}
	}
	return false
}

// text scans free text in chunks cut at line ends.
func (s *docScanner) text(r io.Reader) error {
	buf := make([]byte, textChunk)
	var base int64
	n := 0
	for {
		m, err := io.ReadFull(r, buf[n:])
		n += m
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		cut := n
		if !eof {
			if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
				cut = i + 1
			} else if i := bytes.LastIndexAny(buf[:n], " \t"); i > 0 {
				cut = i + 1
			}
		}
		if cut > 0 {
			_ = s.value(Value{Text: buf[:cut], Start: base, End: base + int64(cut), Exact: true})
		}
		if eof {
			return nil
		}
		copy(buf, buf[cut:n])
		base += int64(cut)
		n -= cut
	}
}
