package pii

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func wpDump() string {
	return `-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS ` + "`wp_users`" + `;
CREATE TABLE ` + "`wp_users`" + ` (
  ` + "`ID`" + ` bigint unsigned NOT NULL AUTO_INCREMENT,
  ` + "`user_login`" + ` varchar(60) NOT NULL DEFAULT '',
  ` + "`user_pass`" + ` varchar(255) NOT NULL DEFAULT '',
  ` + "`user_email`" + ` varchar(100) NOT NULL DEFAULT '',
  ` + "`display_name`" + ` varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY (` + "`ID`" + `),
  KEY ` + "`user_email`" + ` (` + "`user_email`" + `)
) ENGINE=InnoDB;
LOCK TABLES ` + "`wp_users`" + ` WRITE;
INSERT INTO ` + "`wp_users`" + ` VALUES (1,'admin','` + phpassHash + `','admin@shopsite.nl','Site Admin'),(2,'pieter','` + wpBcrypt + `','pieter.bakker@ziggo.nl','Pieter O\'Neill'),(3,'anna','` + bcryptHash + `','anna.schmidt@web.de','Anna');
UNLOCK TABLES;
CREATE TABLE wp_usermeta (umeta_id bigint, user_id bigint, meta_key varchar(255), meta_value longtext);
INSERT INTO wp_usermeta VALUES (1,2,'billing_phone','06-48217730'),(2,2,'billing_address_1','Keizersgracht 123'),(3,2,'nickname','06-48217730'),(4,2,'billing_email','pieter.bakker@ziggo.nl');
INSERT INTO ` + "`shop`.`wp_postmeta`" + ` (meta_id, post_id, meta_key, meta_value) VALUES (10,99,'_billing_email','j.devries@kpnmail.nl'),(11,99,'_billing_phone','+31 20 794 8812');
INSERT INTO wp_posts (ID, post_type) VALUES (99,'shop_order'),(100,'page');
UPDATE wp_options SET option_value = 'anna.schmidt@web.de' WHERE option_name = 'x';
`
}

type collected struct {
	values []Value
	texts  []string
}

func (c *collected) fn(input string) func(Value) error {
	return func(v Value) error {
		c.values = append(c.values, Value{Table: v.Table, Field: v.Field, Start: v.Start, End: v.End, Exact: v.Exact, Row: v.Row})
		c.texts = append(c.texts, string(v.Text))
		return nil
	}
}

func (c *collected) field(table, field, text string) *Value {
	for i, v := range c.values {
		if v.Table == table && v.Field == field && c.texts[i] == text {
			return &c.values[i]
		}
	}
	return nil
}

func checkSpans(t *testing.T, input string, c *collected) {
	t.Helper()
	for i, v := range c.values {
		if v.Start < 0 || v.End < v.Start || v.End > int64(len(input)) {
			t.Fatalf("value %d %q: span [%d,%d) outside input of %d", i, c.texts[i], v.Start, v.End, len(input))
		}
		if v.Exact && input[v.Start:v.End] != c.texts[i] {
			t.Fatalf("exact value %q but input holds %q", c.texts[i], input[v.Start:v.End])
		}
	}
}

func TestReadSQL(t *testing.T) {
	in := wpDump()
	var c collected
	tables, err := ReadSQL(strings.NewReader(in), c.fn(in))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, in, &c)
	for _, want := range [][3]string{
		{"wp_users", "user_email", "pieter.bakker@ziggo.nl"},
		{"wp_users", "user_pass", wpBcrypt},
		{"wp_users", "display_name", "Pieter O'Neill"},
		{"wp_usermeta", "billing_phone", "06-48217730"},
		{"wp_usermeta", "billing_address_1", "Keizersgracht 123"},
		{"wp_usermeta", "nickname", "06-48217730"},
		{"wp_postmeta", "_billing_email", "j.devries@kpnmail.nl"},
		{"wp_posts", "post_type", "shop_order"},
		{"", "", "anna.schmidt@web.de"},
	} {
		if c.field(want[0], want[1], want[2]) == nil {
			t.Errorf("no value %q in %s.%s", want[2], want[0], want[1])
		}
	}
	if v := c.field("wp_users", "display_name", "Pieter O'Neill"); v != nil && v.Exact {
		t.Error("a value with an escape is marked exact")
	}
	got := map[string]int64{}
	for _, tb := range tables {
		got[tb.Name] = tb.Rows
	}
	if got["wp_users"] != 3 || got["wp_usermeta"] != 4 || got["wp_postmeta"] != 2 || got["wp_posts"] != 2 {
		t.Errorf("rows per table: %v", got)
	}
}

func TestReadSQLCopy(t *testing.T) {
	in := "COPY public.customers (id, email, phone) FROM stdin;\n1\tlena.kraus@gmx.de\t+49 171 5550123\n2\t\\N\t+49 171 8842211\n\\.\nSELECT 1;\n"
	var c collected
	tables, err := ReadSQL(strings.NewReader(in), c.fn(in))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, in, &c)
	if c.field("customers", "email", "lena.kraus@gmx.de") == nil || c.field("customers", "phone", "+49 171 8842211") == nil {
		t.Errorf("COPY values not attributed: %q %+v", c.texts, c.values)
	}
	if len(tables) != 1 || tables[0].Rows != 2 {
		t.Errorf("tables %+v", tables)
	}
}

// A value longer than MaxValue arrives in pieces, each within the input.
func TestReadSQLLongValue(t *testing.T) {
	long := strings.Repeat("x", MaxValue+100) + " jan.devries84@gmail.com"
	in := "INSERT INTO notes VALUES (1,'" + long + "');"
	var c collected
	if _, err := ReadSQL(strings.NewReader(in), c.fn(in)); err != nil {
		t.Fatal(err)
	}
	checkSpans(t, in, &c)
	if len(c.values) < 3 {
		t.Fatalf("%d values, want the long one split", len(c.values))
	}
}

func TestReadCSV(t *testing.T) {
	in := "id;name;email;phone;notes\r\n1;\"de Vries; Jan\";jan.devries84@gmail.com;06-48217730;\"multi\nline \"\"quoted\"\"\"\r\n\r\n2;Anna;anna.schmidt@web.de;;x\n"
	var c collected
	tb, err := ReadCSV(strings.NewReader(in), 0, c.fn(in))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, in, &c)
	if tb.Rows != 2 || len(tb.Columns) != 5 || tb.Columns[2] != "email" {
		t.Fatalf("table %+v", tb)
	}
	for _, want := range [][2]string{{"name", "de Vries; Jan"}, {"email", "jan.devries84@gmail.com"}, {"phone", "06-48217730"}, {"notes", "multi\nline \"quoted\""}, {"email", "anna.schmidt@web.de"}} {
		if c.field("", want[0], want[1]) == nil {
			t.Errorf("no %s=%q in %q", want[0], want[1], c.texts)
		}
	}
}

func TestReadJSON(t *testing.T) {
	in := `{"_posture_anonymized": "posture-anonymized: v1 key-id=00ff00ff", "orders": [
 {"id": 7, "order_key": "wc_order_x", "billing": {"email": "jan.devries84@gmail.com", "phone": "+31 6 4821 7730"}, "line_items": [], "emails": ["a.b\u0040web.de"]},
 {"user_login": "anna", "user_email": "anna.schmidt@web.de", "card_number": ` + visa + `}
]}
{"ndjson": "second value", "phone": "+49 30 8841 2290"}`
	var c collected
	shapes, err := ReadJSON(strings.NewReader(in), c.fn(in))
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, in, &c)
	for _, want := range [][2]string{{"email", "jan.devries84@gmail.com"}, {"phone", "+31 6 4821 7730"}, {"emails", "a.b@web.de"}, {"card_number", visa}, {"phone", "+49 30 8841 2290"}, {MarkerJSONKey, "posture-anonymized: v1 key-id=00ff00ff"}} {
		if c.field("", want[0], want[1]) == nil {
			t.Errorf("no %s=%q in %q", want[0], want[1], c.texts)
		}
	}
	if shapes.WooCommerceOrder != 1 || shapes.WordPressUsers != 1 {
		t.Errorf("shapes %+v", shapes)
	}
}

func scanDoc(t *testing.T, in string, f Format) (*Document, map[Kind]int, []string) {
	t.Helper()
	counts := map[Kind]int{}
	var samples []string
	doc, err := ScanDocument(strings.NewReader(in), f, func(m Match, text []byte) {
		if m.Start < 0 || m.End > len(in) || m.Start >= m.End {
			t.Fatalf("match %+v outside input", m)
		}
		if m.Confidence >= Medium {
			counts[m.Kind]++
			samples = append(samples, Redact(m, text))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc, counts, samples
}

func TestScanDocumentWordPress(t *testing.T) {
	doc, counts, samples := scanDoc(t, wpDump(), FormatSQL)
	// E-mails: two users, billing_email meta, _billing_email, the UPDATE; admin@ is a
	// role address. Phones: billing_phone and _billing_phone; the same digits under
	// "nickname" have no context.
	want := map[Kind]int{Email: 5, PasswordHash: 3, Phone: 2, Address: 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d, want %d (%v; samples %q)", k, counts[k], n, counts, samples)
		}
	}
	var structs []string
	for _, s := range doc.Structures {
		structs = append(structs, fmt.Sprintf("%s|%s|%d", s.Name, s.What, s.Rows))
	}
	wantStructs := "wp_users|WordPress users|3 wp_usermeta where meta_key=billing_email|WooCommerce customers|1 wp_postmeta where meta_key=_billing_email|WooCommerce orders|1 wp_posts where post_type=shop_order|WooCommerce orders|1"
	if got := strings.Join(structs, " "); got != wantStructs {
		t.Errorf("structures:\n got %s\nwant %s", got, wantStructs)
	}
	if doc.Marker != nil {
		t.Error("marker found in an unmarked dump")
	}
}

func TestScanDocumentMarker(t *testing.T) {
	in := "-- MySQL dump\n" + SQLMarker("c0ffee00") + "\nINSERT INTO wp_users VALUES (1,'user1','x','user1@example.com');\n"
	doc, counts, _ := scanDoc(t, in, FormatSQL)
	if doc.Marker == nil || doc.Marker.KeyID != "c0ffee00" || len(counts) != 0 {
		t.Fatalf("marker %+v counts %v", doc.Marker, counts)
	}
	late := strings.Repeat("-- padding line\n", MarkerWindow/16+1) + SQLMarker("c0ffee00") + "\n"
	if doc, _, _ := scanDoc(t, late, FormatSQL); doc.Marker != nil {
		t.Error("a marker past the window counts")
	}
}

func TestScanDocumentText(t *testing.T) {
	// Free text is read in chunks cut at line ends; offsets stay absolute.
	var b bytes.Buffer
	for b.Len() < 3*textChunk {
		b.WriteString("filler line without data 12 and 2024-01-01\n")
	}
	pos := b.Len()
	b.WriteString("contact: jan.devries84@gmail.com\n")
	in := b.String()
	n := 0
	_, err := ScanDocument(strings.NewReader(in), FormatText, func(m Match, text []byte) {
		if m.Kind == Email {
			n++
			if m.Start != pos+9 || in[m.Start:m.End] != string(text) {
				t.Errorf("offset %d, want %d", m.Start, pos+9)
			}
		}
	})
	if err != nil || n != 1 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

func TestFormatFor(t *testing.T) {
	cases := map[string]Format{"db/dump.sql": FormatSQL, "x/site.sql.gz": FormatSQL, "a.CSV": FormatCSV, "b.tsv": FormatTSV,
		"c.ndjson": FormatJSON, "d.sql.bak": FormatSQL, "e.xml": FormatText}
	for name, want := range cases {
		if got, ok := FormatFor(name); !ok || got != want {
			t.Errorf("FormatFor(%q) = %v, %v", name, got, ok)
		}
	}
	if _, ok := FormatFor("main.go"); ok {
		t.Error("main.go is a data file")
	}
	if SniffFormat([]byte("-- dump\nINSERT INTO t VALUES (1);")) != FormatSQL || SniffFormat([]byte(" [1]")) != FormatJSON {
		t.Error("sniff")
	}
}
