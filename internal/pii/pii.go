// Package pii finds personal data in text and in structured dumps (SQL, CSV, JSON). It is
// shared by the CD-1 probe, which counts what it finds, and by `posture anonymize`, which
// replaces it; so it knows nothing of findings or reports, and it reports positions, never
// copies of the data.
//
// Every match carries a confidence. High means a checksum or an unambiguous format backs it
// (a Luhn-valid card with a real scheme prefix, an IBAN passing mod-97, a bcrypt hash) or a
// column name says what the value is; Medium means the shape is distinctive enough on its
// own (an e-mail address at a real domain, an E.164 number); Low means the shape alone would
// also fit many non-personal values (a nine-digit number passing the BSN 11-proof with no
// label near it). The scanner counts Medium and above; the anonymiser wants recall and can
// take Low as well. docs/personal-data.md documents every detector and its limits.
package pii

import (
	"slices"
	"strings"
)

// Kind is a category of personal data.
type Kind string

const (
	Email        Kind = "email"
	Phone        Kind = "phone"
	Address      Kind = "address"
	Card         Kind = "card"
	IBAN         Kind = "iban"
	NationalID   Kind = "national_id"
	PasswordHash Kind = "password_hash"
)

// Kinds lists every kind, in the order reports name them.
var Kinds = []Kind{Email, Phone, Address, Card, IBAN, NationalID, PasswordHash}

// HighRisk reports whether one item of the kind is enough to matter: payment data,
// identity numbers and credentials, as opposed to contact details.
func (k Kind) HighRisk() bool {
	switch k {
	case Card, IBAN, NationalID, PasswordHash:
		return true
	}
	return false
}

// Confidence says how sure a detector is that a match is personal data.
type Confidence uint8

const (
	Low Confidence = iota + 1
	Medium
	High
)

func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "none"
}

// Match is one piece of personal data: where it is, what it is and how sure we are.
type Match struct {
	Kind Kind
	// Detail narrows the kind: the card scheme, the national ID's country and name, the
	// hash algorithm, "E.164" or the national numbering plan of a phone number.
	Detail string
	// Start and End are byte offsets into the scanned input; End is exclusive.
	Start, End int
	Confidence Confidence
}

// Hint is what is known about where a value was stored: the kind its column or key name
// suggests, and for identity numbers which one. The zero Hint means free text.
type Hint struct {
	Kind Kind
	// ID names the national identifier a column holds ("ssn", "bsn", …), when it says.
	ID string
	// Name is the column or key as written, lower-cased.
	Name string
}

// fieldWords maps words found in column and key names to the kind they announce. Names
// are lower-cased and split at non-letters, so billing_phone, billingPhone and
// "Billing Phone" all hit "phone"; joined words (telefoonnummer) are matched by prefix.
var fieldWords = []struct {
	word string
	kind Kind
	id   string
}{
	{"email", Email, ""}, {"mail", Email, ""}, {"courriel", Email, ""},
	{"phone", Phone, ""}, {"telephone", Phone, ""}, {"tel", Phone, ""}, {"telefon", Phone, ""},
	{"telefoon", Phone, ""}, {"mobile", Phone, ""}, {"mobil", Phone, ""}, {"mobiel", Phone, ""},
	{"cell", Phone, ""}, {"fax", Phone, ""}, {"gsm", Phone, ""}, {"handy", Phone, ""},
	{"msisdn", Phone, ""}, {"portable", Phone, ""},
	{"address", Address, ""}, {"addr", Address, ""}, {"street", Address, ""}, {"adres", Address, ""},
	{"adresse", Address, ""}, {"anschrift", Address, ""}, {"strasse", Address, ""}, {"straße", Address, ""}, {"straat", Address, ""},
	{"iban", IBAN, ""},
	{"card", Card, ""}, {"ccnumber", Card, ""}, {"cc", Card, ""}, {"pan", Card, ""}, {"creditcard", Card, ""},
	{"ssn", NationalID, "ssn"}, {"socialsecurity", NationalID, "ssn"},
	{"bsn", NationalID, "bsn"}, {"burgerservicenummer", NationalID, "bsn"},
	{"nino", NationalID, "nino"}, {"nationalinsurance", NationalID, "nino"},
	{"steuerid", NationalID, "steuerid"}, {"idnr", NationalID, "steuerid"}, {"steueridentifikationsnummer", NationalID, "steuerid"},
	{"nir", NationalID, "nir"}, {"insee", NationalID, "nir"}, {"securitesociale", NationalID, "nir"}, {"numsecu", NationalID, "nir"},
	{"dni", NationalID, "dni"}, {"nie", NationalID, "dni"}, {"nif", NationalID, "dni"},
	{"codicefiscale", NationalID, "cf"}, {"codfisc", NationalID, "cf"},
	{"nationalid", NationalID, ""}, {"taxid", NationalID, ""},
	{"pass", PasswordHash, ""}, {"password", PasswordHash, ""}, {"passwd", PasswordHash, ""},
	{"pwd", PasswordHash, ""}, {"pwhash", PasswordHash, ""}, {"passwordhash", PasswordHash, ""},
}

// HintFor classifies a column or key name. Names that say nothing (id, meta_value, notes)
// give the zero Hint: their values are scanned as free text.
func HintFor(name string) Hint {
	if name == "" {
		return Hint{}
	}
	lower := strings.ToLower(name)
	// Words are split at non-letters and at camelCase humps; the joined form catches
	// "social_security" → "socialsecurity" and "card_number" → "cardnumber".
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			if i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z' {
				flush()
			}
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z':
			b.WriteByte(c)
		case c >= 0x80:
			b.WriteByte(c)
		default:
			flush()
		}
	}
	flush()
	joined := strings.Join(words, "")
	h := Hint{Name: lower}
	// With several telling words the strongest kind wins: "email_address" holds an
	// e-mail address, not a postal one.
	for _, w := range words {
		for _, fw := range fieldWords {
			if (w == fw.word || (len(fw.word) >= 5 && strings.HasPrefix(w, fw.word))) && hintRank(fw.kind) > hintRank(h.Kind) {
				h.Kind, h.ID = fw.kind, fw.id
			}
		}
	}
	if h.Kind == "" {
		for _, fw := range fieldWords {
			if len(fw.word) >= 6 && strings.Contains(joined, fw.word) {
				h.Kind, h.ID = fw.kind, fw.id
				break
			}
		}
	}
	// Columns that are about a value rather than holding it.
	for _, w := range words {
		switch w {
		case "verified", "confirmed", "hint", "reset", "expires", "expiry", "changed", "count", "type", "status",
			"enabled", "optin", "consent", "format", "ip", "mac", "wallet", "url", "web", "site", "host", "server":
			return Hint{Name: lower}
		}
	}
	return h
}

func hintRank(k Kind) int {
	switch k {
	case Email:
		return 7
	case Phone:
		return 6
	case IBAN:
		return 5
	case Card:
		return 4
	case NationalID:
		return 3
	case PasswordHash:
		return 2
	case Address:
		return 1
	}
	return 0
}

// labels are words that, written just before a value on the same line, say what it is.
// They give free text the context a column name gives structured data.
var labels = map[Kind][]string{
	Phone: {"tel", "phone", "telephone", "téléphone", "telefon", "telefoon", "mobile", "mobil", "mobiel",
		"handy", "cell", "fax", "gsm", "portable", "whatsapp", "call"},
	Address: {"address", "adresse", "anschrift", "adres", "street", "wohnhaft", "domicile", "ship to", "bill to"},
	Card:    {"card", "visa", "mastercard", "amex", "credit", "kreditkarte", "carte", "pan", "cc"},
	NationalID: {"ssn", "social security", "bsn", "burgerservicenummer", "steuer", "steuerid", "idnr", "identifikationsnummer",
		"tax id", "nir", "sécurité sociale", "securite sociale", "insee", "dni", "nie", "nif", "codice fiscale",
		"codicefiscale", "cod. fisc", "national insurance", "nino", "ni number"},
}

// idLabels narrow a national-ID label to the identifier it names.
var idLabels = map[string]string{
	"ssn": "ssn", "social security": "ssn", "bsn": "bsn", "burgerservicenummer": "bsn", "steuer": "steuerid", "steuerid": "steuerid",
	"idnr": "steuerid", "identifikationsnummer": "steuerid", "nir": "nir", "sécurité sociale": "nir",
	"securite sociale": "nir", "insee": "nir", "dni": "dni", "nie": "dni", "nif": "dni",
	"codice fiscale": "cf", "codicefiscale": "cf", "cod. fisc": "cf", "national insurance": "nino", "nino": "nino", "ni number": "nino",
}

// labelWindow is how far back on the line a label may stand: "Phone (mobile, evenings):"
// fits, a label three fields earlier in a CSV line does not.
const labelWindow = 40

// labelBefore reports whether a label for kind stands within labelWindow bytes before
// start on the same line, as a word of its own; for national IDs it also says which.
// It runs for every candidate number in a dump, so it works on a stack copy of the
// window, lower-cased in ASCII, and tries labels only at word starts.
func labelBefore(text []byte, start int, kind Kind) (bool, string) {
	lo := max(0, start-labelWindow)
	var buf [labelWindow]byte
	win := buf[:0]
	for i := lo; i < start; i++ {
		c := text[i]
		if c == '\n' {
			win = win[:0]
			continue
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		win = append(win, c)
	}
	found, id := false, ""
	for j := 0; j < len(win); j++ {
		if !isLetter(win[j]) || j > 0 && isLetter(win[j-1]) {
			continue
		}
		for _, l := range labels[kind] {
			if len(win)-j < len(l) || string(win[j:j+len(l)]) != l {
				continue
			}
			// The label must end the word ("tel" but not "telemetry"), allowing the
			// usual suffixes of compound labels ("telefonnummer", "phone_number").
			end := j + len(l)
			if end < len(win) && isLetter(win[end]) && !hasSuffixWord(win[end:]) {
				continue
			}
			if kind == NationalID && idLabels[l] != "" {
				id = idLabels[l]
			}
			found = true
		}
	}
	return found, id
}

// hasSuffixWord accepts the endings that turn a label into a compound ("nummer", "number",
// "no", "nr") so "Telefonnummer: 030 …" counts as a phone label.
func hasSuffixWord(s []byte) bool {
	for _, suf := range []string{"nummer", "number", "numero", "num", "nr", "no", "s"} {
		if len(s) >= len(suf) && string(s[:len(suf)]) == suf && (len(s) == len(suf) || !isLetter(s[len(suf)])) {
			return true
		}
	}
	return false
}

// context says whether the value at text[start:] is announced as kind, by the hint or by
// a label before it, and which national ID the announcement names.
func context(text []byte, start int, h Hint, kind Kind) (bool, string) {
	if h.Kind == kind {
		return true, h.ID
	}
	if h.Kind != "" {
		// A column that says it holds something else: a phone column holding an
		// e-mail address is still scanned, but labels inside it do not apply.
		return false, ""
	}
	return labelBefore(text, start, kind)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isLetter(c byte) bool { return isUpper(c) || isLower(c) || c >= 0x80 }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }

// Scan runs every detector over text stored under a field (a column or key name; "" for
// free text) and returns the matches in order of position, overlapping matches resolved
// in favour of the more specific kind.
func Scan(text []byte, field string) []Match {
	return AppendScan(nil, text, HintFor(field))
}

// AppendScan is Scan with a precomputed hint, appending to dst so a caller scanning
// millions of values can reuse one slice.
func AppendScan(dst []Match, text []byte, h Hint) []Match {
	base := len(dst)
	dst = appendHashes(dst, text)
	dst = appendEmails(dst, text, h)
	dst = appendIBANs(dst, text)
	dst = appendLetterIDs(dst, text, h)
	dst = appendNumbers(dst, text, h)
	dst = appendFieldAddress(dst, text, h, base)
	dst = appendFieldHash(dst, text, h, base)
	return resolve(dst, base)
}

// resolve sorts dst[base:] by position and drops a match that overlaps an earlier, kept
// one: detectors run in order of specificity, so a hash's digits are not also a phone.
func resolve(dst []Match, base int) []Match {
	ms := dst[base:]
	if len(ms) < 2 {
		return dst
	}
	// A stable sort keeps the detectors' order among equal starts.
	slices.SortStableFunc(ms, func(a, b Match) int { return a.Start - b.Start })
	out := ms[:1]
	for _, m := range ms[1:] {
		last := &out[len(out)-1]
		if m.Start < last.End {
			if rank(m) > rank(*last) {
				*last = m
			}
			continue
		}
		out = append(out, m)
	}
	return dst[:base+len(out)]
}

// rank orders overlapping matches: the more specific or more certain one wins.
func rank(m Match) int {
	r := int(m.Confidence) * 10
	switch m.Kind {
	case PasswordHash, IBAN, Card, NationalID:
		r += 3
	case Email:
		r += 2
	case Phone:
		r++
	}
	return r
}
