package tlsscan

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/yamlfile"
)

//go:embed profiles.yaml
var profilesYAML []byte

// Profile is a TLS configuration an endpoint is held to.
type Profile struct {
	Name        string   `yaml:"-"`
	Description string   `yaml:"description"`
	Protocols   []string `yaml:"protocols"`
	Suites      []string `yaml:"suites"`
	// SuiteClasses admit every suite that has all the flags of one entry.
	SuiteClasses        []string `yaml:"suite_classes"`
	KeyTypes            []string `yaml:"key_types"`
	MinRSABits          int      `yaml:"min_rsa_bits"`
	MinECBits           int      `yaml:"min_ec_bits"`
	SignatureAlgorithms []string `yaml:"signature_algorithms"`
	// MaxLifetimeDays bounds the leaf's validity period; zero means no bound.
	MaxLifetimeDays int `yaml:"max_lifetime_days"`
	// Groups are the key-exchange groups allowed (IANA names; OpenSSL's prime256v1 and
	// X25519 too); empty allows any. MinDHBits is the smallest DHE prime allowed.
	Groups    []string `yaml:"groups"`
	MinDHBits int      `yaml:"min_dh_bits"`

	versions map[Version]bool
	suites   map[uint16]bool
	classes  []Flag
	groups   map[uint16]bool
}

// ParseProfiles reads profiles in the format of the embedded profiles.yaml and checks
// every name in them against the registry.
func ParseProfiles(name string, data []byte) (map[string]*Profile, error) {
	var raw map[string]*Profile
	if err := yamlfile.Decode(name, data, &raw); err != nil {
		return nil, err
	}
	for pname, p := range raw {
		if p == nil {
			return nil, fmt.Errorf("%s: profile %s is empty", name, pname)
		}
		p.Name = pname
		if err := p.compile(); err != nil {
			return nil, fmt.Errorf("%s: profile %s: %w", name, pname, err)
		}
	}
	return raw, nil
}

func (p *Profile) compile() error {
	p.versions, p.suites = map[Version]bool{}, map[uint16]bool{}
	if len(p.Protocols) == 0 {
		return fmt.Errorf("no protocols")
	}
	for _, v := range p.Protocols {
		ver, ok := ParseVersion(v)
		if !ok {
			return fmt.Errorf("unknown protocol %q", v)
		}
		p.versions[ver] = true
	}
	for _, s := range p.Suites {
		suite, ok := SuiteByName(s)
		if !ok {
			return fmt.Errorf("unknown suite %q", s)
		}
		p.suites[suite.ID] = true
	}
	for _, c := range p.SuiteClasses {
		f, err := ParseFlags(c)
		if err != nil {
			return err
		}
		p.classes = append(p.classes, f)
	}
	for _, k := range p.KeyTypes {
		if !slices.Contains([]string{"RSA", "ECDSA", "Ed25519", "DSA"}, k) {
			return fmt.Errorf("unknown key type %q", k)
		}
	}
	p.groups = map[uint16]bool{}
	for _, n := range p.Groups {
		g, ok := GroupByName(n)
		if !ok {
			return fmt.Errorf("unknown group %q", n)
		}
		p.groups[g.ID] = true
	}
	return nil
}

// AllowsGroup says whether the profile admits key-exchange group g.
func (p *Profile) AllowsGroup(g Group) bool { return len(p.groups) == 0 || p.groups[g.ID] }

// Allows says whether the profile admits suite s.
func (p *Profile) Allows(s Suite) bool {
	if p.suites[s.ID] {
		return true
	}
	for _, f := range p.classes {
		if s.Has(f) {
			return true
		}
	}
	return false
}

// AllowsVersion says whether the profile admits protocol v.
func (p *Profile) AllowsVersion(v Version) bool { return p.versions[v] }

var builtin = func() map[string]*Profile {
	m, err := ParseProfiles("profiles.yaml", profilesYAML)
	if err != nil {
		panic("tlsscan: " + err.Error()) // embedded and tested
	}
	return m
}()

// ProfileNames lists the built-in profiles.
func ProfileNames() []string {
	var out []string
	for n := range builtin {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LookupProfile returns a built-in profile by name.
func LookupProfile(name string) (*Profile, error) {
	p, ok := builtin[name]
	if !ok {
		return nil, fmt.Errorf("unknown TLS profile %q (known: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}

// IssueKind says what part of a profile an issue breaks.
type IssueKind string

// Issue kinds.
const (
	IssueProtocol  IssueKind = "protocol"
	IssueSuite     IssueKind = "suite"
	IssueKeyType   IssueKind = "key-type"
	IssueKeySize   IssueKind = "key-size"
	IssueSignature IssueKind = "signature"
	IssueLifetime  IssueKind = "lifetime"
	IssueGroup     IssueKind = "group"
	IssueDHSize    IssueKind = "dh-size"
)

// Issue is one way an endpoint departs from a profile.
type Issue struct {
	Kind IssueKind
	// Subject is what departs: "TLSv1.1", a suite's IANA name, "RSA 1024", "SHA1-RSA".
	Subject string
	Message string
	// Suite is set for suite issues, Version for protocol issues, Group for group issues.
	Suite   Suite
	Version Version
	Group   Group
}

// Evaluate lists how the scanned endpoint departs from profile p. Parts the scan could
// not see (no certificate) yield no issues; Report.Incomplete says what is missing.
func Evaluate(r *Report, p *Profile) []Issue {
	var out []Issue
	for _, v := range r.Accepted() {
		if !p.AllowsVersion(v) {
			out = append(out, Issue{Kind: IssueProtocol, Subject: v.String(), Version: v,
				Message: fmt.Sprintf("%s is accepted; the %s profile allows %s", v, p.Name, strings.Join(p.Protocols, ", "))})
		}
	}
	for _, s := range r.Suites() {
		if !p.Allows(s) {
			out = append(out, Issue{Kind: IssueSuite, Subject: s.Name, Suite: s,
				Message: fmt.Sprintf("%s is accepted; the %s profile does not allow it", s.Label(), p.Name)})
		}
	}
	if kx := r.KeyExchange; kx != nil {
		for _, g := range kx.AllGroups() {
			if !p.AllowsGroup(g) {
				out = append(out, Issue{Kind: IssueGroup, Subject: g.Name, Group: g,
					Message: fmt.Sprintf("key exchange group %s is accepted; the %s profile allows %s", g.Name, p.Name, strings.Join(p.Groups, ", "))})
			}
		}
		if kx.DHBits > 0 && kx.DHBits < p.MinDHBits {
			out = append(out, Issue{Kind: IssueDHSize, Subject: fmt.Sprintf("DH %d", kx.DHBits),
				Message: fmt.Sprintf("the DHE parameters have a %d-bit prime; the %s profile requires at least %d", kx.DHBits, p.Name, p.MinDHBits)})
		}
	}
	c := r.Certificate
	if c == nil || len(c.Chain) == 0 {
		return out
	}
	leaf := c.Leaf()
	if len(p.KeyTypes) > 0 && !slices.Contains(p.KeyTypes, leaf.KeyType) {
		out = append(out, Issue{Kind: IssueKeyType, Subject: leaf.KeyType,
			Message: fmt.Sprintf("the certificate has a %s key; the %s profile allows %s", leaf.KeyType, p.Name, strings.Join(p.KeyTypes, ", "))})
	}
	switch {
	case leaf.KeyType == "RSA" && leaf.KeyBits < p.MinRSABits, leaf.KeyType == "DSA" && leaf.KeyBits < p.MinRSABits:
		out = append(out, Issue{Kind: IssueKeySize, Subject: fmt.Sprintf("%s %d", leaf.KeyType, leaf.KeyBits),
			Message: fmt.Sprintf("the certificate's %s key has %d bits; the %s profile requires at least %d", leaf.KeyType, leaf.KeyBits, p.Name, p.MinRSABits)})
	case leaf.KeyType == "ECDSA" && leaf.KeyBits < p.MinECBits:
		out = append(out, Issue{Kind: IssueKeySize, Subject: fmt.Sprintf("ECDSA %d", leaf.KeyBits),
			Message: fmt.Sprintf("the certificate's ECDSA key has %d bits; the %s profile requires at least %d", leaf.KeyBits, p.Name, p.MinECBits)})
	}
	if len(p.SignatureAlgorithms) > 0 {
		seen := map[string]bool{}
		for _, ci := range c.Chain {
			// A root's self-signature is never checked by clients, so it does not count.
			if ci.SelfSigned && ci.IsCA || seen[ci.SignatureAlgorithm] || slices.Contains(p.SignatureAlgorithms, ci.SignatureAlgorithm) {
				continue
			}
			seen[ci.SignatureAlgorithm] = true
			out = append(out, Issue{Kind: IssueSignature, Subject: ci.SignatureAlgorithm,
				Message: fmt.Sprintf("%s is signed with %s; the %s profile does not allow it", ci.Subject, ci.SignatureAlgorithm, p.Name)})
		}
	}
	if p.MaxLifetimeDays > 0 {
		if days := int(leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24); days > p.MaxLifetimeDays {
			out = append(out, Issue{Kind: IssueLifetime, Subject: fmt.Sprintf("%d days", days),
				Message: fmt.Sprintf("the certificate is valid for %d days; the %s profile allows at most %d", days, p.Name, p.MaxLifetimeDays)})
		}
	}
	return out
}
