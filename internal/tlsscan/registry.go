package tlsscan

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The registry is data, not code: adding a suite or correcting a flag is a CSV edit, and
// tests check the file's consistency rather than a switch statement.
//
//go:embed suites.csv
var suitesCSV string

// Suite is one TLS cipher suite as the registry describes it.
type Suite struct {
	ID uint16
	// Name is the IANA name; OpenSSL is OpenSSL's name, empty when OpenSSL never had one.
	Name, OpenSSL string
	// MinVersion is the oldest protocol the suite is defined for.
	MinVersion Version
	// Kx and Au are the key exchange and authentication ("ECDHE", "RSA", "anon", "any").
	Kx, Au string
	// Enc is the bulk cipher ("AESGCM", "3DES", "NULL") and Bits its effective strength.
	Enc  string
	Bits int
	// MAC is the record MAC ("SHA1", "SHA256", "MD5", "AEAD").
	MAC   string
	Flags Flag
}

// Has says whether every flag in f is set.
func (s Suite) Has(f Flag) bool { return s.Flags&f == f }

// Label is the name reports show: the IANA name, with OpenSSL's in brackets when it differs.
func (s Suite) Label() string {
	if s.OpenSSL == "" || s.OpenSSL == s.Name {
		return s.Name
	}
	return s.Name + " (" + s.OpenSSL + ")"
}

// Flag classifies suites.
type Flag uint32

// Flags, one bit each, named in suites.csv by the strings in flagNames.
const (
	FlagExport Flag = 1 << iota
	FlagNull
	FlagAnon
	FlagRC4
	Flag3DES
	FlagDES
	FlagRC2
	FlagIDEA
	FlagSEED
	FlagCamellia
	FlagARIA
	FlagCCM
	FlagChaCha20
	FlagCBC
	FlagSHA1MAC
	FlagMD5MAC
	FlagForwardSecret
	FlagAEAD
	FlagPSK
	FlagSRP
	FlagKRB5
	FlagGOST
	FlagExperimental
	FlagDraft
	FlagTLS13
)

var flagNames = map[string]Flag{
	"export": FlagExport, "null": FlagNull, "anon": FlagAnon, "rc4": FlagRC4, "3des": Flag3DES,
	"des": FlagDES, "rc2": FlagRC2, "idea": FlagIDEA, "seed": FlagSEED, "camellia": FlagCamellia,
	"aria": FlagARIA, "ccm": FlagCCM, "chacha20": FlagChaCha20, "cbc": FlagCBC, "sha1-mac": FlagSHA1MAC,
	"md5-mac": FlagMD5MAC, "forward-secret": FlagForwardSecret, "aead": FlagAEAD, "psk": FlagPSK,
	"srp": FlagSRP, "krb5": FlagKRB5, "gost": FlagGOST, "experimental": FlagExperimental,
	"draft": FlagDraft, "tls13": FlagTLS13,
}

// ParseFlags reads flag names separated by spaces or "+" ("aead+forward-secret").
func ParseFlags(s string) (Flag, error) {
	var f Flag
	for _, name := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '+' }) {
		v, ok := flagNames[name]
		if !ok {
			return 0, fmt.Errorf("unknown suite flag %q", name)
		}
		f |= v
	}
	return f, nil
}

// String lists the flag names in a stable order.
func (f Flag) String() string {
	var names []string
	for n, v := range flagNames {
		if f&v != 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

type registry struct {
	all    []Suite
	byID   map[uint16]int
	byName map[string]int
}

var loadRegistry = sync.OnceValue(func() *registry {
	r, err := parseRegistry(suitesCSV)
	if err != nil {
		// The file is embedded and tested; a broken one is a build defect.
		panic("tlsscan: suites.csv: " + err.Error())
	}
	return r
})

func parseRegistry(data string) (*registry, error) {
	cr := csv.NewReader(strings.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = 10
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	r := &registry{byID: map[uint16]int{}, byName: map[string]int{}}
	for i, rec := range recs {
		id, err := strconv.ParseUint(strings.TrimPrefix(rec[0], "0x"), 16, 16)
		if err != nil {
			return nil, fmt.Errorf("row %d: code point %q: %w", i+1, rec[0], err)
		}
		v, ok := parseVersionName(rec[3])
		if !ok {
			return nil, fmt.Errorf("row %d: version %q", i+1, rec[3])
		}
		bits, err := strconv.Atoi(rec[7])
		if err != nil {
			return nil, fmt.Errorf("row %d: bits %q", i+1, rec[7])
		}
		flags, err := ParseFlags(rec[9])
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		s := Suite{ID: uint16(id), Name: rec[1], OpenSSL: rec[2], MinVersion: v, Kx: rec[4], Au: rec[5],
			Enc: rec[6], Bits: bits, MAC: rec[8], Flags: flags}
		if _, dup := r.byID[s.ID]; dup {
			return nil, fmt.Errorf("row %d: code point 0x%04X twice", i+1, s.ID)
		}
		r.byID[s.ID] = len(r.all)
		r.all = append(r.all, s)
		for _, n := range []string{s.Name, s.OpenSSL} {
			if _, dup := r.byName[n]; n != "" && !dup {
				r.byName[n] = len(r.all) - 1
			}
		}
	}
	return r, nil
}

// Suites returns every suite in the registry, by code point.
func Suites() []Suite { return append([]Suite(nil), loadRegistry().all...) }

// SuiteByID looks a suite up by its code point.
func SuiteByID(id uint16) (Suite, bool) {
	r := loadRegistry()
	i, ok := r.byID[id]
	if !ok {
		return Suite{ID: id, Name: fmt.Sprintf("unknown suite 0x%04X", id)}, false
	}
	return r.all[i], true
}

// SuiteByName looks a suite up by its IANA or OpenSSL name.
func SuiteByName(name string) (Suite, bool) {
	r := loadRegistry()
	i, ok := r.byName[name]
	if !ok {
		return Suite{}, false
	}
	return r.all[i], true
}

// suitesFor lists the code points worth offering in a hello of version v: the suites
// defined for it (TLS 1.3 has its own, disjoint set).
func suitesFor(v Version) []uint16 {
	var out []uint16
	for _, s := range loadRegistry().all {
		if v == TLS13 {
			if s.MinVersion == TLS13 {
				out = append(out, s.ID)
			}
			continue
		}
		if s.MinVersion != TLS13 && s.MinVersion <= v {
			out = append(out, s.ID)
		}
	}
	return out
}
