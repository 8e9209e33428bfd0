package tlsscan

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ROBOT is the outcome of the Bleichenbacher oracle test (ROBOT, 2017): a server whose
// answer to an RSA key exchange depends on whether the decrypted premaster secret was
// correctly padded lets an attacker decrypt recorded sessions or sign with its key, one
// query at a time.
type ROBOT struct {
	// Version is the version the test used; zero when the server accepts no RSA key
	// exchange suite, and the test did not run.
	Version Version
	// Vulnerable: the answers to the five premaster secrets differed, twice the same way.
	Vulnerable bool
	// Answers are the server's answers to each premaster secret of robotVariants, in
	// order ("alert bad_record_mac", "closed", "timeout").
	Answers []string
	Err     error
}

// robotVariants name the five premaster secrets: one correctly padded, four broken in
// the ways an oracle tells apart.
var robotVariants = []string{"correct", "wrong first bytes", "separator too early", "no separator", "wrong version"}

// robotPremaster builds variant i of a PKCS #1 v1.5 block of k bytes around a 48-byte
// premaster secret for version v.
func robotPremaster(i, k int, v Version) []byte {
	m := make([]byte, k)
	m[0], m[1] = 0, 2
	pad := m[2 : k-49]
	for j := range pad {
		pad[j] = 0x5a
	}
	m[k-49] = 0
	m[k-48], m[k-47] = byte(v>>8), byte(v)
	for j := k - 46; j < k; j++ {
		m[j] = 0x33
	}
	switch i {
	case 1:
		m[0], m[1] = 0x41, 0x17
	case 2:
		m[k-49] = 0x5a
		m[10] = 0 // a separator inside the minimum padding: the secret is too long
	case 3:
		m[k-49] = 0x5a
	case 4:
		m[k-48], m[k-47] = 0x02, 0x02
	}
	return m
}

// robot runs the test at the newest version with RSA key exchange suites: for each
// variant, a handshake to ServerHelloDone, then the encrypted premaster secret, a
// ChangeCipherSpec and a Finished the server cannot verify. A sound server answers all
// five alike; when the answers differ, the round is repeated: five alike then clear the
// server, the same pattern again is an oracle, and anything else is no verdict. One
// dropped connection is thus never an oracle.
func (s *scanner) robot(ctx context.Context, rep *Report) ROBOT {
	var v Version
	var suites []uint16
	for i := len(rep.Protocols) - 1; i >= 0 && suites == nil; i-- {
		p := rep.Protocols[i]
		if !p.Accepted || p.Version >= TLS13 || p.Version < TLS10 {
			continue
		}
		for _, su := range p.Suites {
			if su.Kx == "RSA" && !su.Has(FlagExport) {
				v = p.Version
				suites = append(suites, su.ID)
			}
		}
	}
	if suites == nil {
		return ROBOT{}
	}
	out := ROBOT{Version: v}
	first, err := s.robotRound(ctx, v, suites)
	if err != nil {
		out.Err = fmt.Errorf("ROBOT at %s: %w", v, err)
		return out
	}
	out.Answers = first
	if allSame(first) {
		return out
	}
	again, err := s.robotRound(ctx, v, suites)
	if err != nil {
		out.Err = fmt.Errorf("ROBOT at %s: %w", v, err)
		return out
	}
	if allSame(again) {
		// An oracle tells the paddings apart every time: one round that does not is
		// enough to clear the server, and the first round's difference was noise (a
		// connection dropped or slow under load).
		out.Answers = again
		return out
	}
	if !slices.Equal(first, again) {
		out.Err = fmt.Errorf("ROBOT at %s: the answers changed between two rounds (%s; then %s), so the test cannot tell", v, strings.Join(first, ", "), strings.Join(again, ", "))
		return out
	}
	out.Vulnerable = true
	return out
}

func allSame(a []string) bool {
	for _, x := range a[1:] {
		if x != a[0] {
			return false
		}
	}
	return true
}

func (s *scanner) robotRound(ctx context.Context, v Version, suites []uint16) ([]string, error) {
	answers := make([]string, len(robotVariants))
	for i := range robotVariants {
		a, err := s.robotQuery(ctx, v, suites, i)
		if err != nil {
			return nil, fmt.Errorf("%s premaster secret: %w", robotVariants[i], err)
		}
		answers[i] = a
	}
	return answers, nil
}

func (s *scanner) robotQuery(ctx context.Context, v Version, suites []uint16, variant int) (string, error) {
	conn, res, err := s.helloDoneResult(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName})
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if len(res.certs) == 0 {
		return "", errors.New("no certificate before ServerHelloDone")
	}
	cert, err := x509.ParseCertificate(res.certs[0])
	if err != nil {
		return "", fmt.Errorf("server certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("an RSA key exchange suite with a %T key", cert.PublicKey)
	}
	k := (pub.N.BitLen() + 7) / 8
	if k < 64 {
		return "", fmt.Errorf("RSA key of %d bits is too small to carry a premaster secret", pub.N.BitLen())
	}
	m := new(big.Int).SetBytes(robotPremaster(variant, k, v))
	c := new(big.Int).Exp(m, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))

	var b builder
	b.u8(recordHandshake)
	b.u16(uint16(v))
	b.vec(2, func() {
		b.u8(16) // client_key_exchange
		b.vec(3, func() { b.vec(2, func() { b.raw(c) }) })
	})
	b.raw([]byte{recordChangeCipherSpec, byte(v >> 8), byte(v), 0, 1, 1})
	finished := make([]byte, 48)
	_, _ = rand.Read(finished)
	b.u8(recordHandshake)
	b.u16(uint16(v))
	b.vec(2, func() { b.raw(finished) })
	if _, err := conn.Write(b.b); err != nil {
		return "closed before the key exchange was sent", nil
	}
	_ = conn.SetReadDeadline(time.Now().Add(min(s.timeout, 2*time.Second)))
	rec, err := readRecord(conn)
	var ne net.Error
	switch {
	case err == nil && rec.typ == recordAlert && len(rec.payload) == 2:
		return "alert " + Alert{Level: rec.payload[0], Description: rec.payload[1]}.String(), nil
	case err == nil:
		return fmt.Sprintf("%s record of %d bytes", recordName(rec.typ), len(rec.payload)), nil
	case errors.As(err, &ne) && ne.Timeout():
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "timeout", nil
	case errors.Is(err, syscall.ECONNRESET):
		return "reset", nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "closed", nil
	}
	return "", err
}
