package anonymize

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/posture-dev/posture/internal/pii"
)

// faker derives every pseudonym from HMAC-SHA256 of the value under the run's key: the
// same input gives the same fake in every table and column (referential consistency),
// different keys give unrelated fakes, and nothing about the input can be read back
// without the key. Kinds are separated in the MAC input, so an e-mail address and the
// same text as a name do not share a digest.
type faker struct {
	mac  hash.Hash
	sum  []byte
	norm []byte
}

func newFaker(key []byte) *faker {
	return &faker{mac: hmac.New(sha256.New, key), sum: make([]byte, 0, sha256.Size)}
}

// KeyID names a key without revealing it: the first 8 bytes of its HMAC over a fixed
// label, in hex. It goes into the marker so that reruns with one key can be recognised.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("posture-anonymize key-id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// digest is HMAC(key, kind 0 counter value); valid until the next call.
func (f *faker) digest(kind string, v []byte, counter byte) []byte {
	f.mac.Reset()
	f.mac.Write([]byte(kind))
	f.mac.Write([]byte{0, counter})
	f.mac.Write(v)
	f.sum = f.mac.Sum(f.sum[:0])
	return f.sum
}

// kinds lists the fake kinds and what each normalises before hashing: inputs that differ
// only in case or surrounding space are the same e-mail address, the same name.
var kinds = map[string]bool{
	"email": true, "name": true, "first_name": true, "last_name": true, "username": true,
	"phone": true, "address": true, "city": true, "postcode": true, "company": true,
	"ip": true, "url": true, "text": true, "user_agent": true, "card": true, "iban": true,
	"password": true, "digits": true,
}

// FakeKinds lists the kinds fake: accepts.
func FakeKinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func validKind(k string) bool { return kinds[k] }

// normalize is the form of v that is hashed.
func (f *faker) normalize(kind string, v []byte) []byte {
	v = bytes.TrimSpace(v)
	switch kind {
	case "email", "name", "first_name", "last_name", "username", "city", "company", "url":
		f.norm = append(f.norm[:0], v...)
		for i, c := range f.norm {
			if c >= 'A' && c <= 'Z' {
				f.norm[i] = c + 'a' - 'A'
			}
		}
		return f.norm
	case "phone", "card":
		f.norm = f.norm[:0]
		for _, c := range v {
			if c >= '0' && c <= '9' {
				f.norm = append(f.norm, c)
			}
		}
		if len(f.norm) > 0 {
			return f.norm
		}
	}
	return v
}

const base32Alphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// suffix renders n characters from the digest (5 bits each), skipping bytes used for
// word choice.
func suffix(h []byte, n int) string {
	var b strings.Builder
	var acc uint64
	bits := 0
	i := 8
	for b.Len() < n && i < len(h) {
		if bits < 5 {
			acc = acc<<8 | uint64(h[i])
			bits += 8
			i++
		}
		bits -= 5
		b.WriteByte(base32Alphabet[(acc>>uint(bits))&31])
	}
	return b.String()
}

func pick(list []string, h []byte, at int) string {
	return list[int(binary.BigEndian.Uint16(h[at:at+2]))%len(list)]
}

func lower(s string) string { return strings.ToLower(s) }

// fake returns the pseudonym of kind for v, at most lim long (0: no limit). Empty values
// stay empty.
func (f *faker) fake(kind string, v []byte, unique bool, lim colLimit) []byte {
	if len(bytes.TrimSpace(v)) == 0 {
		return v
	}
	n := f.normalize(kind, v)
	h := f.digest(kind, n, 0)
	var out string
	switch kind {
	case "email":
		out = f.email(h, lim)
	case "username":
		out = lower(pick(firstNames, h, 0)) + "." + lower(pick(lastNames, h, 2)) + "." + suffix(h, 8)
		if lim.n > 0 && len(out) > lim.n {
			out = "u" + suffix(h, 12)
		}
	case "first_name":
		out = pick(firstNames, h, 0)
	case "last_name":
		out = pick(lastNames, h, 2)
	case "name":
		out = f.name(v)
	case "phone":
		d := int(binary.BigEndian.Uint16(h[0:2])) % 1000
		t := bytes.TrimSpace(v)
		// Ofcom's drama range: a real-looking UK mobile number nobody can be reached on.
		if bytes.HasPrefix(t, []byte("+")) || bytes.HasPrefix(t, []byte("00")) {
			out = fmt.Sprintf("+44 7700 900%03d", d)
		} else {
			out = fmt.Sprintf("07700 900%03d", d)
		}
	case "address":
		out = fmt.Sprintf("%d %s %s", 1+int(h[0])%199, pick(streetNames, h, 1), pick(streetTypes, h, 3))
	case "city":
		out = pick(cities, h, 0)
	case "postcode", "digits":
		out = string(f.shape(kind, v, kind == "postcode"))
	case "company":
		out = pick(companyWords, h, 0) + " " + pick(companyWords, h, 2) + " " + pick(companySuffixes, h, 4)
	case "ip":
		out = fakeIP(v, h)
	case "url":
		scheme := "https://"
		if bytes.HasPrefix(bytes.ToLower(bytes.TrimSpace(v)), []byte("http://")) {
			scheme = "http://"
		}
		out = scheme + "www." + exampleDomains[int(h[0])%len(exampleDomains)] + "/" + suffix(h, 8)
	case "text":
		out = f.lorem(v, h)
	case "user_agent":
		out = pick(userAgents, h, 0)
	case "card":
		out = fakeCard(v, h)
	case "iban":
		out = pii.ExampleIBANs[int(h[0])%len(pii.ExampleIBANs)]
	case "password":
		// Not a hash of any format: the account needs a password reset to be used.
		out = "!posture-anonymized!" + suffix(h, 8)
	default:
		out = hex.EncodeToString(h[:16])
	}
	if unique && kind != "email" && kind != "username" {
		out += " " + suffix(f.digest(kind, n, 1), 8)
	}
	return fit([]byte(out), lim)
}

func (f *faker) email(h []byte, lim colLimit) string {
	domain := exampleDomains[int(h[4])%len(exampleDomains)]
	// 40 bits of suffix on top of the name pair: about 2^54 outcomes, so a million
	// distinct addresses collide with odds under 1e-4; a unique index stays unique.
	out := lower(pick(firstNames, h, 0)) + "." + lower(pick(lastNames, h, 2)) + "." + suffix(h, 8) + "@" + domain
	if lim.n == 0 || len(out) <= lim.n {
		return out
	}
	out = "u" + suffix(h, 12) + "@" + domain
	if len(out) <= lim.n {
		return out
	}
	// Column too short for uniqueness: keep as many suffix characters as fit.
	k := lim.n - len("@example.com") - 1
	if k < 1 {
		return suffix(h, lim.n)
	}
	return "u" + suffix(h, k) + "@example.com"
}

// name fakes a full name word by word, the first words as first names and the last as a
// last name, each as its own kind: "Maria Keller" becomes the fakes of first name
// "Maria" and last name "Keller", so display names agree with first_name and last_name.
func (f *faker) name(v []byte) string {
	words := strings.Fields(string(v))
	for i, w := range words {
		kind := "first_name"
		if i == len(words)-1 && len(words) > 1 {
			kind = "last_name"
		}
		h := f.digest(kind, f.normalize(kind, []byte(w)), 0)
		if kind == "first_name" {
			words[i] = pick(firstNames, h, 0)
		} else {
			words[i] = pick(lastNames, h, 2)
		}
	}
	return strings.Join(words, " ")
}

// shape replaces each digit (and, with letters, each letter) by a keyed pseudo-random
// one of the same class, keeping separators: "1011 AB" stays a Dutch-looking postcode.
func (f *faker) shape(kind string, v []byte, letters bool) []byte {
	out := make([]byte, len(v))
	var h []byte
	for i, c := range v {
		if i%32 == 0 {
			h = slices.Clone(f.digest(kind, f.normalize(kind, v), byte(1+i/32)))
		}
		r := h[i%32]
		switch {
		case c >= '0' && c <= '9':
			out[i] = '0' + r%10
		case letters && c >= 'A' && c <= 'Z':
			out[i] = 'A' + r%26
		case letters && c >= 'a' && c <= 'z':
			out[i] = 'a' + r%26
		default:
			out[i] = c
		}
	}
	return out
}

func (f *faker) lorem(v []byte, h []byte) string {
	target := utf8.RuneCount(v)
	var b strings.Builder
	seed := slices.Clone(h)
	for i := 0; b.Len() < target; i++ {
		if i > 0 && i%16 == 0 {
			seed = slices.Clone(f.digest("text", seed, 2))
		}
		w := loremWords[int(seed[(2*i)%32])%len(loremWords)]
		if b.Len() > 0 {
			b.WriteByte(' ')
		} else {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	s := b.String()
	if len(s) > target {
		s = strings.TrimRight(s[:target], " ")
	}
	return s
}

func fakeIP(v, h []byte) string {
	t := string(bytes.TrimSpace(v))
	if a, err := netip.ParseAddr(t); err == nil && a.Is6() && !a.Is4In6() || strings.Contains(t, ":") {
		// 2001:db8::/32 is the documentation prefix.
		var b [16]byte
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		copy(b[4:], h[:12])
		return netip.AddrFrom16(b).String()
	}
	// 10.0.0.0/8: private, routed nowhere, and room for millions of distinct visitors.
	return fmt.Sprintf("10.%d.%d.%d", h[0], h[1], 1+int(h[2])%254)
}

// fakeCard makes a Luhn-valid 16-digit number with eight zeros in a row, which card
// detectors (ours included) take for a test number, in the input's grouping.
func fakeCard(v, h []byte) string {
	digits := "4" + "00000000"
	for i := 0; len(digits) < 15; i++ {
		digits += string('0' + h[i]%10)
	}
	digits = pii.CompleteLuhn(digits)
	n := 0
	for _, c := range v {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	if n != 16 {
		return digits
	}
	out := []byte(string(v))
	k := 0
	for i, c := range out {
		if c >= '0' && c <= '9' {
			out[i] = digits[k]
			k++
		}
	}
	return string(bytes.TrimSpace(out))
}

// hashValue is the hash action: hex of the keyed digest, 32 characters or the column's
// limit.
func (f *faker) hashValue(v []byte, lim colLimit) []byte {
	h := f.digest("hash", v, 0)
	out := hex.AppendEncode(nil, h[:16])
	return fit(out, lim)
}

// fit cuts v to the column's limit, in characters or bytes, at a UTF-8 boundary.
func fit(v []byte, lim colLimit) []byte {
	if lim.n <= 0 || len(v) <= lim.n {
		return v
	}
	if lim.bytes {
		cut := lim.n
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		return v[:cut]
	}
	if utf8.RuneCount(v) <= lim.n {
		return v
	}
	i, n := 0, 0
	for i < len(v) && n < lim.n {
		_, size := utf8.DecodeRune(v[i:])
		i += size
		n++
	}
	return v[:i]
}
