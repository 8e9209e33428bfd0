package anonymize

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/posture-dev/posture/internal/pii"
)

// apply runs an action on one value. It returns the new value, whether it is NULL, and
// whether anything changed. NULL and empty values stay as they are except under null and
// fixed: an empty e-mail column is not a person.
func (w *worker) apply(a *Action, v []byte, null bool, lim colLimit, col string) ([]byte, bool, bool) {
	switch a.Op {
	case OpKeep:
		return v, null, false
	case OpNull:
		return nil, true, !null
	case OpFixed:
		if null {
			return v, true, false
		}
		return []byte(a.Value), false, string(v) != a.Value
	}
	if null || len(bytes.TrimSpace(v)) == 0 {
		return v, null, false
	}
	var out []byte
	switch a.Op {
	case OpHash:
		out = w.fk.hashValue(v, lim)
	case OpFake:
		out = w.rewrite(v, a.Kind, a.Unique, col, lim, 0)
	case OpScrub:
		out = w.rewrite(v, "", false, col, lim, 0)
	}
	return out, false, !bytes.Equal(out, v)
}

// maxRewriteDepth bounds serialized values inside serialized values (WordPress double
// serializes now and then).
const maxRewriteDepth = 8

// rewrite fakes (kind set) or scrubs (kind "") one value, looking inside PHP serialized
// and JSON values: their strings are rewritten one by one and their structure kept.
func (w *worker) rewrite(v []byte, kind string, unique bool, field string, lim colLimit, depth int) []byte {
	if depth < maxRewriteDepth && looksSerialized(v) {
		out, err := rewritePHP(v, func(key, s []byte) []byte { return w.leaf(key, s, kind, depth+1) })
		if err == nil {
			w.warnLength(out, lim, field)
			return out
		}
		if v[0] != 'i' && v[0] != 'd' && v[0] != 'b' {
			w.job.serialFailures++
			w.warn("values that look PHP-serialized but do not parse were left unchanged")
			return v
		}
	}
	if depth < maxRewriteDepth && looksJSON(v) {
		if out, err := rewriteJSON(v, func(key, s []byte) []byte { return w.leaf(key, s, kind, depth+1) }); err == nil {
			w.warnLength(out, lim, field)
			return out
		}
	}
	if kind != "" {
		return w.fk.fake(kind, v, unique, lim)
	}
	return fit(w.scrubText(v, field), lim)
}

// warnLength notes a rewritten structured value longer than its column: cutting it would
// corrupt it, so it is written whole and the database may refuse or truncate it.
func (w *worker) warnLength(out []byte, lim colLimit, field string) {
	if lim.n > 0 && len(fit(out, lim)) < len(out) {
		w.warn("a rewritten serialized value of column %s is longer than the column allows", field)
	}
}

// leaf rewrites one string inside a structured value. The key it is stored under names
// its kind when it can (email, billing_phone, ip, first_name…); list items take the
// rule's kind; anything else is scrubbed of what the detectors recognise.
func (w *worker) leaf(key, s []byte, kind string, depth int) []byte {
	if len(bytes.TrimSpace(s)) == 0 {
		return s
	}
	if k := keyKind(key); k != "" {
		if looksSerialized(s) || looksJSON(s) {
			return w.rewrite(s, k, false, string(key), colLimit{}, depth)
		}
		return w.fk.fake(k, s, false, colLimit{})
	}
	if kind != "" && (len(key) == 0 || looksLike(kind, s)) {
		return w.rewrite(s, kind, false, string(key), colLimit{}, depth)
	}
	return w.rewrite(s, "", false, string(key), colLimit{}, depth)
}

// looksLike says whether a string under a key that says nothing has the shape of kind.
func looksLike(kind string, s []byte) bool {
	switch kind {
	case "email":
		at := bytes.IndexByte(s, '@')
		return at > 0 && at < len(s)-1 && bytes.IndexByte(s, ' ') < 0
	case "phone":
		d := 0
		for _, c := range s {
			switch {
			case c >= '0' && c <= '9':
				d++
			case strings.IndexByte(" +-().", c) < 0:
				return false
			}
		}
		return d >= 6
	case "ip":
		_, err := netip.ParseAddr(string(bytes.TrimSpace(s)))
		return err == nil
	}
	return false
}

// keyWords maps array keys and JSON property names to fake kinds. Keys are compared
// lower-cased, without leading underscores and billing_/shipping_ prefixes.
var keyWords = map[string]string{
	"email": "email", "e-mail": "email", "mail": "email", "user_email": "email", "email_address": "email",
	"phone": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone", "phone_number": "phone", "cell": "phone",
	"first_name": "first_name", "firstname": "first_name", "given_name": "first_name", "fname": "first_name",
	"last_name": "last_name", "lastname": "last_name", "surname": "last_name", "family_name": "last_name", "lname": "last_name",
	"name": "name", "full_name": "name", "fullname": "name", "display_name": "name", "customer_name": "name",
	"address": "address", "address_1": "address", "address_2": "address", "address1": "address", "address2": "address",
	"street": "address", "street_address": "address",
	"city": "city", "town": "city",
	"postcode": "postcode", "postal_code": "postcode", "zip": "postcode", "zipcode": "postcode", "zip_code": "postcode",
	"company": "company", "company_name": "company",
	"ip": "ip", "ip_address": "ip", "remote_addr": "ip", "client_ip": "ip", "customer_ip_address": "ip",
	"user_agent": "user_agent", "ua": "user_agent", "customer_user_agent": "user_agent",
	"username": "username", "user_login": "username",
}

// keyKind is the kind a key names, "" when it says nothing.
func keyKind(key []byte) string {
	if len(key) == 0 || len(key) > 64 {
		return ""
	}
	k := strings.ToLower(strings.TrimLeft(string(key), "_"))
	if v, ok := keyWords[k]; ok {
		return v
	}
	for _, pre := range []string{"billing_", "shipping_", "customer_", "user_"} {
		if rest, ok := strings.CutPrefix(k, pre); ok {
			if v, ok := keyWords[rest]; ok {
				return v
			}
		}
	}
	return ""
}

// scrubText replaces what the personal-data detectors find in free text with fakes of the
// same kind, leaving the rest of the text as it is.
func (w *worker) scrubText(v []byte, field string) []byte {
	h := w.hint(field)
	if h.Kind == "" && !mayHoldPII(v) {
		return v
	}
	w.matches = pii.AppendScan(w.matches[:0], v, h)
	if len(w.matches) == 0 {
		return v
	}
	var out []byte
	last := 0
	for _, m := range w.matches {
		if m.Confidence < pii.Medium || m.Start < last {
			continue
		}
		s := v[m.Start:m.End]
		var r []byte
		switch m.Kind {
		case pii.Email:
			r = w.fk.fake("email", s, false, colLimit{})
		case pii.Phone:
			r = w.fk.fake("phone", s, false, colLimit{})
		case pii.Address:
			r = w.fk.fake("address", s, false, colLimit{})
		case pii.Card:
			r = w.fk.fake("card", s, false, colLimit{})
		case pii.IBAN:
			r = w.fk.fake("iban", s, false, colLimit{})
		case pii.PasswordHash:
			r = w.fk.fake("password", s, false, colLimit{})
		default:
			r = maskID(s)
		}
		out = append(out, v[last:m.Start]...)
		out = append(out, r...)
		last = m.End
	}
	if out == nil {
		return v
	}
	return append(out, v[last:]...)
}

// maskID replaces an identity number's digits by 0 and letters by X: the shape stays, and
// no checksum or allocation rule accepts the result.
func maskID(s []byte) []byte {
	out := make([]byte, len(s))
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			out[i] = '0'
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			out[i] = 'X'
		default:
			out[i] = c
		}
	}
	return out
}

// hint is pii.HintFor, remembered per field name: scrubbed columns and keys repeat on
// every row, and classifying a name costs more than scanning a short value.
func (w *worker) hint(field string) pii.Hint {
	if h, ok := w.hints[field]; ok {
		return h
	}
	h := pii.HintFor(field)
	if w.hints == nil {
		w.hints = map[string]pii.Hint{}
	}
	if len(w.hints) < 4096 {
		w.hints[field] = h
	}
	return h
}

// piiByte marks the bytes without which no detector fires on free text: every number
// the detectors know has a digit, an e-mail address an @, a password hash a $.
var piiByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['@'], t['$'] = true, true
	return
}()

// mayHoldPII is a cheap test before pii.AppendScan on text under a name that says
// nothing (the zero Hint): most comments and notes are prose, and the detectors cost far
// more than this loop. The one detector that needs none of those bytes is the Italian
// fiscal code written entirely with omocodia letters, 16 upper-case letters in a row;
// text with that many upper-case letters is scanned. FuzzScrubPrefilter checks this
// against the detectors.
func mayHoldPII(v []byte) bool {
	upper := 0
	for _, c := range v {
		if piiByte[c] {
			return true
		}
		if c >= 'A' && c <= 'Z' {
			upper++
		}
	}
	return upper >= 16
}
