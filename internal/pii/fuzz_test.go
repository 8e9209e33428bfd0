package pii

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

func checkMatches(t *testing.T, what string, data []byte, ms []Match) {
	t.Helper()
	for _, m := range ms {
		if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
			t.Fatalf("%s: match %+v outside input of %d bytes", what, m, len(data))
		}
		if m.Confidence < Low || m.Confidence > High || m.Kind == "" {
			t.Fatalf("%s: malformed match %+v", what, m)
		}
		_ = Redact(m, data[m.Start:m.End])
	}
}

func seedDetectors(f *testing.F) {
	for _, c := range detectorCases() {
		f.Add([]byte(c.text), c.field)
	}
	f.Add([]byte("(+(0)1 ((2-"), "phone")
	f.Add([]byte("$argon2id$v=$m=,,,$"), "")
	f.Add([]byte("12 rue "), "address")
}

// One fuzz target per detector, so a crash names the detector that had it.

func FuzzEmails(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		checkMatches(t, "email", data, appendEmails(nil, data, HintFor(field)))
	})
}

func FuzzNumbers(f *testing.F) {
	// Phones, cards, numeric national IDs and house numbers share one span reader.
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		checkMatches(t, "numbers", data, appendNumbers(nil, data, HintFor(field)))
	})
}

func FuzzIBANs(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, _ string) {
		checkMatches(t, "iban", data, appendIBANs(nil, data))
	})
}

func FuzzLetterIDs(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		checkMatches(t, "letter ids", data, appendLetterIDs(nil, data, HintFor(field)))
	})
}

func FuzzHashes(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		checkMatches(t, "hashes", data, appendHashes(nil, data))
		checkMatches(t, "field hash", data, appendFieldHash(nil, data, HintFor(field), 0))
	})
}

func FuzzAddresses(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		checkMatches(t, "field address", data, appendFieldAddress(nil, data, HintFor(field), 0))
	})
}

func FuzzScan(f *testing.F) {
	seedDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		ms := Scan(data, field)
		checkMatches(t, "scan", data, ms)
		for i := 1; i < len(ms); i++ {
			if ms[i].Start < ms[i-1].End {
				t.Fatalf("overlapping matches %+v %+v", ms[i-1], ms[i])
			}
		}
	})
}

// The readers must survive any input, report spans inside it, and hand out exact values
// that are what the input holds there; a one-byte reader exercises every chunk boundary.
func fuzzReader(f *testing.F, read func([]byte, func(Value) error) error) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		err := read(data, func(v Value) error {
			if v.Start < 0 || v.End < v.Start || v.End > int64(len(data)) {
				t.Fatalf("span [%d,%d) outside %d bytes", v.Start, v.End, len(data))
			}
			if v.Exact && !bytes.Equal(data[v.Start:v.End], v.Text) {
				t.Fatalf("exact value %q, input holds %q", v.Text, data[v.Start:v.End])
			}
			if len(v.Text) > MaxValue {
				t.Fatalf("value of %d bytes", len(v.Text))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzReadSQL(f *testing.F) {
	f.Add([]byte(wpDump()))
	f.Add([]byte("COPY a.b (x, y) FROM stdin;\n1\t\\N\n\\.\n"))
	f.Add([]byte("INSERT INTO `a`.`b` (`c`) VALUES ('x\\'y', -1.5, \"q\"\"\"), (UNHEX('00'));\n/* c */ # d\n"))
	f.Add([]byte("CREATE TABLE t (a int, PRIMARY KEY (a), b text); INSERT t VALUES"))
	fuzzReader(f, func(data []byte, fn func(Value) error) error {
		_, err := ReadSQL(iotest.OneByteReader(bytes.NewReader(data)), fn)
		return err
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("id;name;email\r\n1;\"a;b\";x@y.nl\r\n\"unterminated"))
	f.Add([]byte("a,b\n\"x\"junk,\"\"\"\"\n\r\n"))
	fuzzReader(f, func(data []byte, fn func(Value) error) error {
		_, err := ReadCSV(iotest.OneByteReader(bytes.NewReader(data)), 0, fn)
		return err
	})
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"email":"x\u0040y.nl","b":"\"}"}]}` + "\n" + `{"phone":-1e5}`))
	f.Add([]byte(`[[[[{"k":`))
	f.Add([]byte(strings.Repeat("[", 600) + `"x"`))
	fuzzReader(f, func(data []byte, fn func(Value) error) error {
		_, err := ReadJSON(iotest.OneByteReader(bytes.NewReader(data)), fn)
		return err
	})
}

func FuzzScanDocument(f *testing.F) {
	f.Add([]byte(wpDump()), uint8(FormatSQL))
	f.Add([]byte("email,phone\njan@gmail.com,+31 6 4821 7730\n"), uint8(FormatCSV))
	f.Add([]byte(`{"billing":{"email":"a@web.de"},"line_items":[]}`), uint8(FormatJSON))
	f.Add([]byte("free text +31 6 4821 7730\n"), uint8(FormatText))
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		if len(data) > 1<<16 {
			return
		}
		_, err := ScanDocument(bytes.NewReader(data), Format(format%5), func(m Match, text []byte) {
			if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
				t.Fatalf("match %+v outside %d bytes", m, len(data))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
