package anonymize

import (
	"errors"
	"strconv"
)

// PHP serialize() format, as WordPress stores arrays and objects in options and meta:
//
//	N;  b:0;  i:-12;  d:0.5;  s:5:"hello";  a:2:{i:0;s:1:"x";s:1:"k";N;}
//	O:8:"stdClass":1:{s:1:"a";i:1;}  C:3:"Foo":4:{data}  E:7:"Foo:Bar";  r:1;  R:1;
//
// String lengths count bytes, so rewriting a string means rewriting its length. The
// parser is strict: anything that is not exactly one well-formed value is refused, and
// the caller leaves such a value unchanged rather than risk corrupting it (PHP's
// unserialize() returns false for the whole value on a single wrong length).

// leafFunc rewrites one string inside a serialized or JSON value. key is the array key
// or property name it is stored under ("" for integer keys and list items).
type leafFunc func(key, val []byte) []byte

var errSerialized = errors.New("not a valid PHP serialized value")

// maxNesting bounds the depth of arrays and objects, so a hostile value cannot exhaust
// the stack.
const maxNesting = 256

type phpRewriter struct {
	in    []byte
	pos   int
	out   []byte
	leaf  leafFunc
	depth int
}

// rewritePHP parses in as one serialized value and returns it with every string value
// (not keys) passed through leaf and its length recomputed.
func rewritePHP(in []byte, leaf leafFunc) ([]byte, error) {
	r := &phpRewriter{in: in, leaf: leaf, out: make([]byte, 0, len(in)+16)}
	if err := r.value(nil); err != nil {
		return nil, err
	}
	if r.pos != len(in) {
		return nil, errSerialized
	}
	return r.out, nil
}

// validPHP reports whether in is exactly one serialized value.
func validPHP(in []byte) bool {
	_, err := rewritePHP(in, nil)
	return err == nil
}

// looksSerialized is WordPress's is_serialized() test: the first bytes of a serialized
// value. A value that looks serialized but does not parse is left alone with a warning.
func looksSerialized(v []byte) bool {
	if len(v) < 2 {
		return false
	}
	if v[0] == 'N' && v[1] == ';' {
		return len(v) == 2
	}
	if len(v) < 4 || v[1] != ':' {
		return false
	}
	switch v[0] {
	case 'a', 'O', 'C', 's', 'E':
		return v[2] >= '0' && v[2] <= '9' && (v[len(v)-1] == '}' || v[len(v)-1] == ';')
	case 'i', 'd', 'b':
		return v[len(v)-1] == ';'
	}
	return false
}

func (r *phpRewriter) expect(c byte) error {
	if r.pos >= len(r.in) || r.in[r.pos] != c {
		return errSerialized
	}
	r.pos++
	return nil
}

// int reads a decimal integer up to the terminator.
func (r *phpRewriter) int(term byte) (int64, error) {
	start := r.pos
	if r.pos < len(r.in) && (r.in[r.pos] == '-' || r.in[r.pos] == '+') {
		r.pos++
	}
	d := r.pos
	for r.pos < len(r.in) && r.in[r.pos] >= '0' && r.in[r.pos] <= '9' {
		r.pos++
	}
	if r.pos == d || r.pos-d > 19 {
		return 0, errSerialized
	}
	n, err := strconv.ParseInt(string(r.in[start:r.pos]), 10, 64)
	if err != nil {
		return 0, errSerialized
	}
	return n, r.expect(term)
}

// length reads a non-negative length that fits in what is left of the input. Only the
// canonical form serialize() writes is accepted: a length with leading zeros ("s:05:")
// would come back rewritten as "s:5:", so such a value is left alone as not parsing
// rather than changed where nothing was asked to change.
func (r *phpRewriter) length(term byte) (int, error) {
	start := r.pos
	n, err := r.int(term)
	if err != nil || n < 0 || r.in[start] == '+' || r.in[start] == '-' || n > int64(len(r.in)) {
		return 0, errSerialized
	}
	if r.in[start] == '0' && r.pos-start > 2 { // more than "0" and the terminator
		return 0, errSerialized
	}
	return int(n), nil
}

// quoted reads "<n bytes>".
func (r *phpRewriter) quoted(n int) ([]byte, error) {
	if err := r.expect('"'); err != nil {
		return nil, err
	}
	if r.pos+n > len(r.in) {
		return nil, errSerialized
	}
	s := r.in[r.pos : r.pos+n]
	r.pos += n
	return s, r.expect('"')
}

func (r *phpRewriter) value(key []byte) error {
	if r.pos+1 >= len(r.in) {
		return errSerialized
	}
	start := r.pos
	t := r.in[r.pos]
	if t == 'N' {
		r.pos++
		if err := r.expect(';'); err != nil {
			return err
		}
		r.out = append(r.out, "N;"...)
		return nil
	}
	r.pos++
	if err := r.expect(':'); err != nil {
		return err
	}
	switch t {
	case 'b':
		if r.pos >= len(r.in) || r.in[r.pos] != '0' && r.in[r.pos] != '1' {
			return errSerialized
		}
		r.pos++
		if err := r.expect(';'); err != nil {
			return err
		}
	case 'i', 'r', 'R':
		if _, err := r.int(';'); err != nil {
			return err
		}
	case 'd':
		s := r.pos
		for r.pos < len(r.in) && r.in[r.pos] != ';' {
			r.pos++
		}
		f := string(r.in[s:r.pos])
		switch f {
		case "INF", "-INF", "NAN":
		default:
			if _, err := strconv.ParseFloat(f, 64); err != nil || f == "" || f[0] == '+' {
				return errSerialized
			}
		}
		if err := r.expect(';'); err != nil {
			return err
		}
	case 's':
		n, err := r.length(':')
		if err != nil {
			return err
		}
		s, err := r.quoted(n)
		if err != nil {
			return err
		}
		if err := r.expect(';'); err != nil {
			return err
		}
		if r.leaf != nil {
			ns := r.leaf(key, s)
			r.out = append(r.out, "s:"...)
			r.out = strconv.AppendInt(r.out, int64(len(ns)), 10)
			r.out = append(r.out, ':', '"')
			r.out = append(r.out, ns...)
			r.out = append(r.out, '"', ';')
			return nil
		}
	case 'E':
		n, err := r.length(':')
		if err != nil {
			return err
		}
		if _, err := r.quoted(n); err != nil {
			return err
		}
		if err := r.expect(';'); err != nil {
			return err
		}
	case 'a':
		n, err := r.length(':')
		if err != nil {
			return err
		}
		r.out = append(r.out, r.in[start:r.pos]...)
		return r.members(n)
	case 'O':
		n, err := r.length(':')
		if err != nil {
			return err
		}
		if _, err := r.quoted(n); err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		m, err := r.length(':')
		if err != nil {
			return err
		}
		r.out = append(r.out, r.in[start:r.pos]...)
		return r.members(m)
	case 'C':
		n, err := r.length(':')
		if err != nil {
			return err
		}
		if _, err := r.quoted(n); err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		m, err := r.length(':')
		if err != nil {
			return err
		}
		if err := r.expect('{'); err != nil {
			return err
		}
		if r.pos+m > len(r.in) {
			return errSerialized
		}
		r.pos += m
		if err := r.expect('}'); err != nil {
			return err
		}
	default:
		return errSerialized
	}
	r.out = append(r.out, r.in[start:r.pos]...)
	return nil
}

// members reads {key value …} of an array or object with n entries.
func (r *phpRewriter) members(n int) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	r.out = append(r.out, '{')
	r.depth++
	if r.depth > maxNesting {
		return errSerialized
	}
	for i := 0; i < n; i++ {
		if r.pos >= len(r.in) {
			return errSerialized
		}
		ks := r.pos
		var key []byte
		switch r.in[r.pos] {
		case 'i':
			r.pos++
			if err := r.expect(':'); err != nil {
				return err
			}
			if _, err := r.int(';'); err != nil {
				return err
			}
		case 's':
			r.pos++
			if err := r.expect(':'); err != nil {
				return err
			}
			l, err := r.length(':')
			if err != nil {
				return err
			}
			if key, err = r.quoted(l); err != nil {
				return err
			}
			if err := r.expect(';'); err != nil {
				return err
			}
		default:
			return errSerialized
		}
		r.out = append(r.out, r.in[ks:r.pos]...)
		if err := r.value(propertyName(key)); err != nil {
			return err
		}
	}
	r.depth--
	if err := r.expect('}'); err != nil {
		return err
	}
	r.out = append(r.out, '}')
	return nil
}

// propertyName strips the "\0*\0" and "\0Class\0" markers of protected and private
// properties.
func propertyName(k []byte) []byte {
	if len(k) > 0 && k[0] == 0 {
		for i := 1; i < len(k); i++ {
			if k[i] == 0 {
				return k[i+1:]
			}
		}
	}
	return k
}
