package anonymize

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/maphash"
	"net/netip"
	"slices"
	"strconv"
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
	out  []byte
	msg  []byte
	// cache is allocated on first use: a run that rewrites nothing pays nothing.
	cache *digestCache
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
	// One buffer for the MAC input: converting kind for Write would allocate per value.
	f.msg = append(append(append(f.msg[:0], kind...), 0, counter), v...)
	if len(f.msg) > maxCachedMsg {
		return f.hmacOf(f.msg)
	}
	if f.cache == nil {
		f.cache = &digestCache{seed: maphash.MakeSeed()}
	}
	c := f.cache
	h := maphash.Bytes(c.seed, f.msg)
	i := h & (digestCacheSlots - 1)
	// The tags are small enough to stay in the CPU cache; a slot is read only when its
	// tag says it holds this input.
	tag := h | 1
	if c.tags[i] == tag {
		if e := &c.slots[i]; int(e.n) == len(f.msg) && string(e.msg[:e.n]) == string(f.msg) {
			f.sum = append(f.sum[:0], e.sum[:]...)
			return f.sum
		}
	}
	sum := f.hmacOf(f.msg)
	e := &c.slots[i]
	e.n = uint8(copy(e.msg[:], f.msg))
	copy(e.sum[:], sum)
	c.tags[i] = tag
	return sum
}

// hmacOf is the keyed digest itself.
func (f *faker) hmacOf(msg []byte) []byte {
	f.mac.Reset()
	f.mac.Write(msg)
	f.sum = f.mac.Sum(f.sum[:0])
	return f.sum
}

// digestCache remembers recent digests. Names, cities, countries and browsers repeat on
// every other row, and a user's e-mail address and name come back in the meta rows and
// orders that follow it, while each HMAC costs two SHA-256 blocks. The digest is a
// function of the input alone, so the cache changes no output; it is per worker and
// direct-mapped, so it is small, fixed in size and needs no locking.
type digestCache struct {
	seed  maphash.Seed
	tags  [digestCacheSlots]uint64
	slots [digestCacheSlots]struct {
		n   uint8
		msg [maxCachedMsg]byte
		sum [sha256.Size]byte
	}
}

const (
	digestCacheSlots = 4096
	// maxCachedMsg bounds the inputs cached: kind, two bytes and a short value.
	maxCachedMsg = 60
)

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

// appendSuffix renders n characters from the digest (5 bits each), skipping bytes used
// for word choice.
func appendSuffix(b, h []byte, n int) []byte {
	var acc uint64
	bits, i, w := 0, 8, 0
	for w < n && i < len(h) {
		if bits < 5 {
			acc = acc<<8 | uint64(h[i])
			bits += 8
			i++
		}
		bits -= 5
		b = append(b, base32Alphabet[(acc>>uint(bits))&31])
		w++
	}
	return b
}

func pick(list []string, h []byte, at int) string {
	return list[int(binary.BigEndian.Uint16(h[at:at+2]))%len(list)]
}

// fake returns the pseudonym of kind for v, at most lim long (0: no limit). Empty values
// stay empty. The result is in the faker's buffer, valid until its next fake: every
// caller copies it into a row, a serialized value or a scrubbed text at once.
func (f *faker) fake(kind string, v []byte, unique bool, lim colLimit) []byte {
	if len(bytes.TrimSpace(v)) == 0 {
		return v
	}
	n := f.normalize(kind, v)
	// The suffix comes first: name() normalises word by word into the buffer n is in.
	var uniq [8]byte
	nu := 0
	if unique && kind != "email" && kind != "username" {
		nu = len(appendSuffix(uniq[:0], f.digest(kind, n, 1), len(uniq)))
	}
	h := f.digest(kind, n, 0)
	b := f.out[:0]
	switch kind {
	case "email":
		b = f.appendEmail(b, h, lim)
	case "username":
		b = appendLower(b, pick(firstNames, h, 0))
		b = append(b, '.')
		b = appendLower(b, pick(lastNames, h, 2))
		b = append(b, '.')
		b = appendSuffix(b, h, 8)
		if lim.n > 0 && len(b) > lim.n {
			b = appendSuffix(append(b[:0], 'u'), h, 12)
		}
	case "first_name":
		b = append(b, pick(firstNames, h, 0)...)
	case "last_name":
		b = append(b, pick(lastNames, h, 2)...)
	case "name":
		b = append(b, f.name(v)...)
	case "phone":
		d := int(binary.BigEndian.Uint16(h[0:2])) % 1000
		t := bytes.TrimSpace(v)
		// Ofcom's drama range: a real-looking UK mobile number nobody can be reached on.
		if bytes.HasPrefix(t, []byte("+")) || bytes.HasPrefix(t, []byte("00")) {
			b = append(b, "+44 7700 900"...)
		} else {
			b = append(b, "07700 900"...)
		}
		b = append(b, byte('0'+d/100), byte('0'+d/10%10), byte('0'+d%10))
	case "address":
		b = strconv.AppendInt(b, int64(1+int(h[0])%199), 10)
		b = append(b, ' ')
		b = append(b, pick(streetNames, h, 1)...)
		b = append(b, ' ')
		b = append(b, pick(streetTypes, h, 3)...)
	case "city":
		b = append(b, pick(cities, h, 0)...)
	case "postcode", "digits":
		b = append(b, f.shape(kind, v, kind == "postcode")...)
	case "company":
		b = append(b, pick(companyWords, h, 0)...)
		b = append(b, ' ')
		b = append(b, pick(companyWords, h, 2)...)
		b = append(b, ' ')
		b = append(b, pick(companySuffixes, h, 4)...)
	case "ip":
		b = appendFakeIP(b, v, h)
	case "url":
		scheme := "https://"
		if bytes.HasPrefix(bytes.ToLower(bytes.TrimSpace(v)), []byte("http://")) {
			scheme = "http://"
		}
		b = append(b, scheme...)
		b = append(b, "www."...)
		b = append(b, exampleDomains[int(h[0])%len(exampleDomains)]...)
		b = append(b, '/')
		b = appendSuffix(b, h, 8)
	case "text":
		b = f.appendLorem(b, v, h)
	case "user_agent":
		b = append(b, pick(userAgents, h, 0)...)
	case "card":
		b = append(b, fakeCard(v, h)...)
	case "iban":
		b = append(b, pii.ExampleIBANs[int(h[0])%len(pii.ExampleIBANs)]...)
	case "password":
		// Not a hash of any format: the account needs a password reset to be used.
		b = append(b, "!posture-anonymized!"...)
		b = appendSuffix(b, h, 8)
	default:
		b = hex.AppendEncode(b, h[:16])
	}
	if nu > 0 {
		b = append(b, ' ')
		b = append(b, uniq[:nu]...)
	}
	f.out = b
	return fit(b, lim)
}

// appendLower appends s in lower case (the word lists are ASCII).
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func (f *faker) appendEmail(b, h []byte, lim colLimit) []byte {
	domain := exampleDomains[int(h[4])%len(exampleDomains)]
	// 40 bits of suffix on top of the name pair: about 2^54 outcomes, so a million
	// distinct addresses collide with odds under 1e-4; a unique index stays unique.
	b = appendLower(b, pick(firstNames, h, 0))
	b = append(b, '.')
	b = appendLower(b, pick(lastNames, h, 2))
	b = append(b, '.')
	b = appendSuffix(b, h, 8)
	b = append(b, '@')
	b = append(b, domain...)
	if lim.n == 0 || len(b) <= lim.n {
		return b
	}
	b = appendSuffix(append(b[:0], 'u'), h, 12)
	b = append(b, '@')
	b = append(b, domain...)
	if len(b) <= lim.n {
		return b
	}
	// Column too short for uniqueness: keep as many suffix characters as fit.
	k := lim.n - len("@example.com") - 1
	if k < 1 {
		return appendSuffix(b[:0], h, lim.n)
	}
	b = appendSuffix(append(b[:0], 'u'), h, k)
	return append(b, "@example.com"...)
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

func (f *faker) appendLorem(b, v, h []byte) []byte {
	target := utf8.RuneCount(v)
	start := len(b)
	var seed [sha256.Size]byte
	copy(seed[:], h)
	for i := 0; len(b)-start < target; i++ {
		if i > 0 && i%16 == 0 {
			copy(seed[:], f.digest("text", seed[:], 2))
		}
		w := loremWords[int(seed[(2*i)%32])%len(loremWords)]
		if len(b) > start {
			b = append(b, ' ')
			b = append(b, w...)
		} else {
			b = append(b, w[0]-'a'+'A')
			b = append(b, w[1:]...)
		}
	}
	if len(b)-start > target {
		b = b[:start+target]
		for len(b) > start && b[len(b)-1] == ' ' {
			b = b[:len(b)-1]
		}
	}
	return b
}

func appendFakeIP(b, v, h []byte) []byte {
	t := string(bytes.TrimSpace(v))
	if a, err := netip.ParseAddr(t); err == nil && a.Is6() && !a.Is4In6() || strings.Contains(t, ":") {
		// 2001:db8::/32 is the documentation prefix.
		var ab [16]byte
		ab[0], ab[1], ab[2], ab[3] = 0x20, 0x01, 0x0d, 0xb8
		copy(ab[4:], h[:12])
		return netip.AddrFrom16(ab).AppendTo(b)
	}
	// 10.0.0.0/8: private, routed nowhere, and room for millions of distinct visitors.
	b = append(b, "10."...)
	b = strconv.AppendInt(b, int64(h[0]), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(h[1]), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(1+int(h[2])%254), 10)
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
