package tlsscan

import (
	"bytes"
	//lint:ignore SA1019 DSA keys still occur in old certificates; they are only measured here
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CertInfo describes one certificate of the chain as sent.
type CertInfo struct {
	Subject, Issuer     string
	SANs                []string
	NotBefore, NotAfter time.Time
	// KeyType is "RSA", "ECDSA", "Ed25519", "DSA" or "unknown"; KeyBits its size.
	KeyType            string
	KeyBits            int
	SignatureAlgorithm string
	SelfSigned, IsCA   bool
	SHA256             string
	Cert               *x509.Certificate `json:"-"`
}

// Problem names why a chain does not deserve trust.
type Problem string

// Problems Judge reports.
const (
	ProblemExpired           Problem = "expired"
	ProblemNotYetValid       Problem = "not-yet-valid"
	ProblemHostname          Problem = "hostname-mismatch"
	ProblemSelfSigned        Problem = "self-signed"
	ProblemIncompleteChain   Problem = "incomplete-chain"
	ProblemUnknownAuthority  Problem = "unknown-authority"
	ProblemInsecureSignature Problem = "insecure-signature"
	ProblemInvalid           Problem = "invalid"
)

// CertIssue is one problem with what it concerns.
type CertIssue struct {
	Problem Problem
	Detail  string
}

// CertReport is the verdict on the chain a server sent.
type CertReport struct {
	Chain   []CertInfo
	Trusted bool
	Issues  []CertIssue
	// DaysLeft is whole days until the leaf expires (negative once it has).
	DaysLeft    int
	OCSPStapled bool
	// Version is the protocol the chain was read over.
	Version Version
}

// Has says whether the report names problem p.
func (c *CertReport) Has(p Problem) bool {
	for _, i := range c.Issues {
		if i.Problem == p {
			return true
		}
	}
	return false
}

// Leaf is the server's own certificate.
func (c *CertReport) Leaf() CertInfo { return c.Chain[0] }

// JudgeOptions say what to verify a chain against.
type JudgeOptions struct {
	// Roots are the trusted roots; nil means the system's.
	Roots *x509.CertPool
	// Intermediates are known CA certificates that are not roots (see Options).
	Intermediates *x509.CertPool
	Now           time.Time
}

// Judge verifies chain (leaf first, as sent) for name and lists every reason it fails,
// not only the first one x509 would stop at: an expired certificate for the wrong name is
// two problems to fix.
func Judge(chain []*x509.Certificate, name string, o JudgeOptions) *CertReport {
	rep := &CertReport{}
	if len(chain) == 0 {
		rep.Issues = append(rep.Issues, CertIssue{ProblemInvalid, "the server sent no certificate"})
		return rep
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	for _, c := range chain {
		rep.Chain = append(rep.Chain, describe(c))
	}
	leaf := chain[0]
	rep.DaysLeft = daysLeft(leaf.NotAfter, o.Now)
	sent := x509.NewCertPool()
	for _, c := range chain[1:] {
		sent.AddCert(c)
	}
	_, fullErr := leaf.Verify(x509.VerifyOptions{
		DNSName: name, Roots: o.Roots, Intermediates: sent, CurrentTime: o.Now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if fullErr == nil {
		rep.Trusted = true
		return rep
	}
	add := func(p Problem, format string, args ...any) {
		rep.Issues = append(rep.Issues, CertIssue{p, fmt.Sprintf(format, args...)})
	}
	for i, c := range chain {
		if i > 0 && rep.Chain[i].SelfSigned {
			continue // a root sent along is ignored by verification, expired or not
		}
		what := "the certificate"
		if i > 0 {
			what = "intermediate " + c.Subject.String()
		}
		switch {
		case o.Now.After(c.NotAfter):
			add(ProblemExpired, "%s expired on %s (%d days ago)", what, c.NotAfter.UTC().Format(time.DateOnly), -daysLeft(c.NotAfter, o.Now))
		case o.Now.Before(c.NotBefore):
			add(ProblemNotYetValid, "%s is not valid before %s", what, c.NotBefore.UTC().Format(time.DateOnly))
		}
	}
	if err := leaf.VerifyHostname(name); err != nil {
		add(ProblemHostname, "the certificate is for %s, not %s", namesOf(leaf), name)
	}
	judgeChain(rep, chain, sent, o, add)
	if len(rep.Issues) == 0 {
		add(ProblemInvalid, "%v", fullErr)
	}
	return rep
}

// judgeChain checks the path to a root at a moment when every certificate is valid, so
// that expiry (reported above) does not hide what is wrong with the chain itself.
func judgeChain(rep *CertReport, chain []*x509.Certificate, sent *x509.CertPool, o JudgeOptions, add func(Problem, string, ...any)) {
	leaf := chain[0]
	opts := x509.VerifyOptions{Roots: o.Roots, Intermediates: sent, CurrentTime: validMoment(chain, o.Now),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	_, err := leaf.Verify(opts)
	if err == nil {
		return
	}
	var ua x509.UnknownAuthorityError
	var ia x509.InsecureAlgorithmError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		top := topOf(chain)
		switch {
		case top == leaf && rep.Chain[0].SelfSigned:
			add(ProblemSelfSigned, "the certificate signs itself and is not a trusted root")
		case selfSigned(top):
			add(ProblemUnknownAuthority, "the chain ends in %s, which is not a trusted root", top.Subject)
		default:
			if o.Intermediates != nil {
				// Verify searches one intermediate pool: the known ones plus those sent.
				more := o.Intermediates.Clone()
				for _, c := range chain[1:] {
					more.AddCert(c)
				}
				opts.Intermediates = more
				if _, err2 := leaf.Verify(opts); err2 == nil {
					add(ProblemIncompleteChain, "the server does not send the issuer %s of %s; with it the chain verifies", top.Issuer, top.Subject)
					return
				}
			}
			add(ProblemIncompleteChain, "the server does not send the issuer %s of %s, and it is not a trusted root", top.Issuer, top.Subject)
		}
	case errors.As(err, &ia):
		add(ProblemInsecureSignature, "%v", err)
	case errors.As(err, &ci) && (ci.Reason == x509.Expired):
		// Expiry was reported above; no moment exists when the whole chain is valid.
	default:
		add(ProblemInvalid, "%v", err)
	}
}

// validMoment is a time at which every certificate of the chain is valid, or now when
// there is none.
func validMoment(chain []*x509.Certificate, now time.Time) time.Time {
	lo, hi := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		if selfSigned(c) {
			continue
		}
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	if lo.After(hi) {
		return now
	}
	if !now.Before(lo) && !now.After(hi) {
		return now
	}
	return lo.Add(time.Second)
}

// topOf follows issuer links through the sent certificates from the leaf and returns
// the last certificate reached.
func topOf(chain []*x509.Certificate) *x509.Certificate {
	top := chain[0]
	used := map[int]bool{0: true}
	for {
		next := -1
		for i, c := range chain {
			if !used[i] && bytes.Equal(c.RawSubject, top.RawIssuer) {
				next = i
				break
			}
		}
		if next < 0 || selfSigned(top) {
			return top
		}
		used[next] = true
		top = chain[next]
	}
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func describe(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	info := CertInfo{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SelfSigned:         selfSigned(c), IsCA: c.IsCA,
		SHA256: hex.EncodeToString(sum[:]), Cert: c,
	}
	info.SANs = append(info.SANs, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		info.SANs = append(info.SANs, ip.String())
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		info.KeyType, info.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		info.KeyType, info.KeyBits = "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		info.KeyType, info.KeyBits = "Ed25519", 256
	case *dsa.PublicKey:
		info.KeyType, info.KeyBits = "DSA", k.P.BitLen()
	default:
		info.KeyType = "unknown"
	}
	return info
}

// namesOf lists what a certificate is valid for, for messages.
func namesOf(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (common name only)")
	}
	if len(names) == 0 {
		return "no name"
	}
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("%d more", len(names)-5))
	}
	return strings.Join(names, ", ")
}
