package tlsscan

import "fmt"

// Group is a named group for the ephemeral key exchange (supported_groups, RFC 8422 and
// RFC 8446): an elliptic curve, a finite-field group or a post-quantum hybrid.
type Group struct {
	ID   uint16
	Name string
	// Bits is the estimated security strength in bits (NIST SP 800-57 for the curves
	// and finite-field groups; the classical component for hybrids).
	Bits int
	// FFDHE marks the RFC 7919 finite-field groups, which TLS 1.2 uses only for DHE
	// suites and TLS 1.3 like any group.
	FFDHE bool
	// Hybrid marks post-quantum hybrids (ML-KEM with X25519 or a NIST curve).
	Hybrid bool
}

// groups is every group posture offers when it enumerates: the ones OpenSSL, BoringSSL,
// Go, NSS and SChannel have shipped, the deprecated curves included so that a server
// still accepting them is found.
var groups = []Group{
	{ID: 1, Name: "sect163k1", Bits: 80}, {ID: 2, Name: "sect163r1", Bits: 80}, {ID: 3, Name: "sect163r2", Bits: 80},
	{ID: 4, Name: "sect193r1", Bits: 96}, {ID: 5, Name: "sect193r2", Bits: 96},
	{ID: 6, Name: "sect233k1", Bits: 112}, {ID: 7, Name: "sect233r1", Bits: 112}, {ID: 8, Name: "sect239k1", Bits: 112},
	{ID: 9, Name: "sect283k1", Bits: 128}, {ID: 10, Name: "sect283r1", Bits: 128},
	{ID: 11, Name: "sect409k1", Bits: 192}, {ID: 12, Name: "sect409r1", Bits: 192},
	{ID: 13, Name: "sect571k1", Bits: 256}, {ID: 14, Name: "sect571r1", Bits: 256},
	{ID: 15, Name: "secp160k1", Bits: 80}, {ID: 16, Name: "secp160r1", Bits: 80}, {ID: 17, Name: "secp160r2", Bits: 80},
	{ID: 18, Name: "secp192k1", Bits: 96}, {ID: 19, Name: "secp192r1", Bits: 96},
	{ID: 20, Name: "secp224k1", Bits: 112}, {ID: 21, Name: "secp224r1", Bits: 112},
	{ID: 22, Name: "secp256k1", Bits: 128}, {ID: 23, Name: "secp256r1", Bits: 128},
	{ID: 24, Name: "secp384r1", Bits: 192}, {ID: 25, Name: "secp521r1", Bits: 256},
	{ID: 26, Name: "brainpoolP256r1", Bits: 128}, {ID: 27, Name: "brainpoolP384r1", Bits: 192}, {ID: 28, Name: "brainpoolP512r1", Bits: 256},
	{ID: 29, Name: "x25519", Bits: 128}, {ID: 30, Name: "x448", Bits: 224},
	{ID: 31, Name: "brainpoolP256r1tls13", Bits: 128}, {ID: 32, Name: "brainpoolP384r1tls13", Bits: 192}, {ID: 33, Name: "brainpoolP512r1tls13", Bits: 256},
	{ID: 256, Name: "ffdhe2048", Bits: 112, FFDHE: true}, {ID: 257, Name: "ffdhe3072", Bits: 128, FFDHE: true},
	{ID: 258, Name: "ffdhe4096", Bits: 152, FFDHE: true}, {ID: 259, Name: "ffdhe6144", Bits: 176, FFDHE: true},
	{ID: 260, Name: "ffdhe8192", Bits: 200, FFDHE: true},
	{ID: 0x11EB, Name: "SecP256r1MLKEM768", Bits: 128, Hybrid: true},
	{ID: 0x11EC, Name: "X25519MLKEM768", Bits: 128, Hybrid: true},
	{ID: 0x11ED, Name: "SecP384r1MLKEM1024", Bits: 192, Hybrid: true},
	{ID: 0x6399, Name: "X25519Kyber768Draft00", Bits: 128, Hybrid: true},
}

// GroupByID returns the group with this code point; an unknown one gets a name that
// shows the number and no strength.
func GroupByID(id uint16) (Group, bool) {
	for _, g := range groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{ID: id, Name: fmt.Sprintf("group 0x%04X", id)}, false
}

// GroupByName finds a group by its IANA name; OpenSSL's prime256v1 and X25519 spellings
// are accepted too.
func GroupByName(name string) (Group, bool) {
	switch name {
	case "prime256v1", "P-256":
		name = "secp256r1"
	case "P-384":
		name = "secp384r1"
	case "P-521":
		name = "secp521r1"
	case "prime192v1":
		name = "secp192r1"
	case "X25519":
		name = "x25519"
	case "X448":
		name = "x448"
	}
	for _, g := range groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// candidateGroups are the groups offered when enumerating for version v: before TLS 1.3
// only curves (finite-field groups there pick DHE parameters, which are measured apart,
// and hybrids do not exist), with TLS 1.3 everything but the TLS 1.2-only curves.
func candidateGroups(v Version) []uint16 {
	var out []uint16
	for _, g := range groups {
		switch {
		case v < TLS13 && (g.FFDHE || g.Hybrid || g.ID >= 31 && g.ID <= 33):
		case v == TLS13 && (g.ID < 23 || g.ID >= 26 && g.ID <= 28):
			// RFC 8446 removed the binary and small curves and the old brainpool code
			// points from TLS 1.3.
		default:
			out = append(out, g.ID)
		}
	}
	return out
}
