package pii

import (
	"io"
	"strings"
	"unicode/utf8"
)

// MarkerJSONKey is the top-level key by which `posture anonymize` marks a JSON or NDJSON
// document it wrote; its value is MarkerLine(keyID).
const MarkerJSONKey = "_posture_anonymized"

// JSONShapes counts the records of a JSON document that have the shape of WordPress or
// WooCommerce data: WordPress users (user_login and user_email in one object, as the REST
// API and WP-CLI export them) and WooCommerce orders (a "billing" object beside
// line_items or order_key, as the REST API returns them).
type JSONShapes struct {
	WordPressUsers   int64
	WooCommerceOrder int64
}

// ReadJSON streams JSON or NDJSON (any number of top-level values) and calls fn for every
// string and number, attributed to the nearest key (an array inherits its key: the values
// of "emails": [...] are e-mail fields), and for every key as free text. A malformed
// document is read as far as it goes; nothing in it stops the read. Memory stays bounded
// by one chunk, one value and a nesting stack of at most 512 levels.
func ReadJSON(r io.Reader, fn func(Value) error) (JSONShapes, error) {
	jr := &jsonReader{src: newSource(r), fn: fn}
	err := jr.run()
	if err == nil {
		err = jr.src.failure()
	}
	return jr.shapes, err
}

const maxJSONDepth = 512

const (
	flagUserLogin = 1 << iota
	flagUserEmail
	flagBilling
	flagLineItems
)

type jsonFrame struct {
	obj       bool
	expectKey bool
	key       string
	flags     uint8
}

type jsonReader struct {
	src      *source
	fn       func(Value) error
	val      valueBuf
	stack    []jsonFrame
	overflow int
	row      int64
	shapes   JSONShapes
}

func (r *jsonReader) top() *jsonFrame {
	if len(r.stack) == 0 {
		return nil
	}
	return &r.stack[len(r.stack)-1]
}

func (r *jsonReader) push(obj bool) {
	if len(r.stack) >= maxJSONDepth {
		r.overflow++
		return
	}
	key := ""
	if t := r.top(); t != nil {
		key = t.key
		if obj && t.obj && t.key == "billing" {
			t.flags |= flagBilling
		}
	}
	if obj && len(r.stack) <= 1 {
		r.row++
	}
	r.stack = append(r.stack, jsonFrame{obj: obj, expectKey: obj, key: key})
	if obj {
		r.stack[len(r.stack)-1].key = ""
	}
}

func (r *jsonReader) pop() {
	if r.overflow > 0 {
		r.overflow--
		return
	}
	t := r.top()
	if t == nil {
		return
	}
	if t.obj {
		if t.flags&(flagUserLogin|flagUserEmail) == flagUserLogin|flagUserEmail {
			r.shapes.WordPressUsers++
		}
		if t.flags&flagBilling != 0 && t.flags&flagLineItems != 0 {
			r.shapes.WooCommerceOrder++
		}
	}
	r.stack = r.stack[:len(r.stack)-1]
}

func (r *jsonReader) run() error {
	for {
		c, ok := r.src.next()
		if !ok {
			return nil
		}
		switch c {
		case '{':
			r.push(true)
		case '[':
			r.push(false)
		case '}', ']':
			r.pop()
		case ':':
			if t := r.top(); t != nil && t.obj {
				t.expectKey = false
			}
		case ',':
			if t := r.top(); t != nil && t.obj {
				t.expectKey, t.key = true, ""
			}
		case '"':
			if err := r.str(); err != nil {
				return err
			}
		case ' ', '\t', '\r', '\n':
		default:
			if err := r.literal(c); err != nil {
				return err
			}
		}
	}
}

func (r *jsonReader) field() string {
	if t := r.top(); t != nil {
		return t.key
	}
	return ""
}

func (r *jsonReader) add(c byte, exact bool, field string) error {
	if len(r.val.text) >= MaxValue {
		if err := r.fn(Value{Field: field, Text: r.val.text, Start: r.val.start, End: r.src.offset() - 1, Exact: r.val.exact, Row: r.row}); err != nil {
			return err
		}
		r.val.reset(r.src.offset() - 1)
	}
	r.val.text = append(r.val.text, c)
	if !exact {
		r.val.exact = false
	}
	return nil
}

func (r *jsonReader) str() error {
	t := r.top()
	isKey := t != nil && t.obj && t.expectKey
	field := r.field()
	if isKey {
		field = ""
	}
	r.val.reset(r.src.offset())
	closed := false
	for {
		c, ok := r.src.next()
		if !ok {
			break
		}
		if c == '"' {
			closed = true
			break
		}
		if c != '\\' {
			if err := r.add(c, true, field); err != nil {
				return err
			}
			continue
		}
		e, ok := r.src.next()
		if !ok {
			r.val.exact = false
			break
		}
		var dec []byte
		switch e {
		case 'n':
			dec = []byte{'\n'}
		case 't':
			dec = []byte{'\t'}
		case 'r':
			dec = []byte{'\r'}
		case 'b':
			dec = []byte{'\b'}
		case 'f':
			dec = []byte{'\f'}
		case 'u':
			v := rune(0)
			for k := 0; k < 4; k++ {
				h, ok := r.src.next()
				if !ok {
					break
				}
				v = v*16 + rune(hexVal(h))
			}
			dec = utf8.AppendRune(nil, v)
		default:
			dec = []byte{e}
		}
		for _, b := range dec {
			if err := r.add(b, false, field); err != nil {
				return err
			}
		}
	}
	end := r.src.offset()
	if closed {
		end--
	}
	if isKey {
		t.key = strings.ToLower(truncate(string(r.val.text), maxName))
		switch t.key {
		case "user_login":
			t.flags |= flagUserLogin
		case "user_email":
			t.flags |= flagUserEmail
		case "line_items", "order_key":
			t.flags |= flagLineItems
		}
	}
	if len(r.val.text) == 0 {
		return nil
	}
	return r.fn(Value{Field: field, Text: r.val.text, Start: r.val.start, End: end, Exact: r.val.exact, Row: r.row})
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 0
}

// literal reads a number, true, false or null; numbers are values (a phone or card number
// stored as a JSON number is still one).
func (r *jsonReader) literal(first byte) error {
	start := r.src.offset() - 1
	r.val.reset(start)
	r.val.text = append(r.val.text, first)
	for {
		c, ok := r.src.peek()
		if !ok || c == ',' || c == '}' || c == ']' || c == ':' || c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '"' || c == '{' || c == '[' {
			break
		}
		r.src.next()
		if len(r.val.text) < maxName {
			r.val.text = append(r.val.text, c)
		} else {
			r.val.exact = false
		}
	}
	if !(isDigit(first) || first == '-') {
		return nil
	}
	return r.fn(Value{Field: r.field(), Text: r.val.text, Start: start, End: r.src.offset(), Exact: r.val.exact, Row: r.row})
}
