package tlsscan

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"
)

// SSL 2.0 has its own record and hello format (draft-hickman-netscape-ssl-00), so it is
// probed apart from the other versions: one SSL 2.0 CLIENT-HELLO offering the seven
// SSL 2.0 ciphers, and a SERVER-HELLO back means the server speaks it. A server that
// still does exposes its RSA key to DROWN (CVE-2016-0800), even for its TLS clients.

// SSLv2Result is what the SSL 2.0 probe learned.
type SSLv2Result struct {
	Accepted bool
	// Ciphers are the SSL 2.0 cipher kinds the server listed, by name.
	Ciphers []string
	Err     error
}

// sslv2Ciphers are the SSL 2.0 cipher kinds, 3-byte codes, and their names.
var sslv2Ciphers = []struct {
	code [3]byte
	name string
}{
	{[3]byte{0x01, 0x00, 0x80}, "SSL_CK_RC4_128_WITH_MD5"},
	{[3]byte{0x02, 0x00, 0x80}, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
	{[3]byte{0x03, 0x00, 0x80}, "SSL_CK_RC2_128_CBC_WITH_MD5"},
	{[3]byte{0x04, 0x00, 0x80}, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
	{[3]byte{0x05, 0x00, 0x80}, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
	{[3]byte{0x06, 0x00, 0x40}, "SSL_CK_DES_64_CBC_WITH_MD5"},
	{[3]byte{0x07, 0x00, 0xc0}, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
}

const (
	sslv2ClientHello = 1
	sslv2ServerHello = 4
)

// sslv2Hello is an SSL 2.0 CLIENT-HELLO in a 2-byte-header record.
func sslv2Hello() ([]byte, error) {
	var challenge [16]byte
	if _, err := rand.Read(challenge[:]); err != nil {
		return nil, err
	}
	body := []byte{sslv2ClientHello, 0x00, 0x02, 0, byte(3 * len(sslv2Ciphers)), 0, 0, 0, byte(len(challenge))}
	for _, c := range sslv2Ciphers {
		body = append(body, c.code[:]...)
	}
	body = append(body, challenge[:]...)
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...), nil
}

// parseSSLv2ServerHello reads the answer to sslv2Hello: an SSL 2.0 SERVER-HELLO with its
// cipher list, or anything else (a TLS alert, a close) as a refusal.
func parseSSLv2ServerHello(r io.Reader) (bool, []string, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return false, nil, nil // closed: no SSL 2.0
	}
	if hdr[0]&0x80 == 0 {
		return false, nil, nil // a TLS record (an alert) or a 3-byte-header record: not a SERVER-HELLO
	}
	n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
	if n < 11 {
		return false, nil, fmt.Errorf("SSL 2.0 record of %d bytes is too short for a SERVER-HELLO", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return false, nil, fmt.Errorf("reading an SSL 2.0 record: %w", err)
	}
	if body[0] != sslv2ServerHello {
		return false, nil, nil
	}
	certLen := int(body[5])<<8 | int(body[6])
	specLen := int(body[7])<<8 | int(body[8])
	if specLen%3 != 0 || 11+certLen+specLen > n {
		return false, nil, errors.New("malformed SSL 2.0 SERVER-HELLO")
	}
	specs := body[11+certLen : 11+certLen+specLen]
	var names []string
	for i := 0; i+3 <= len(specs); i += 3 {
		name := fmt.Sprintf("SSL 2.0 cipher 0x%02x%02x%02x", specs[i], specs[i+1], specs[i+2])
		for _, c := range sslv2Ciphers {
			if [3]byte(specs[i:i+3]) == c.code {
				name = c.name
			}
		}
		names = append(names, name)
	}
	return true, names, nil
}

// sslv2 sends the SSL 2.0 hello on a fresh connection.
func (s *scanner) sslv2(ctx context.Context) SSLv2Result {
	hello, err := sslv2Hello()
	if err != nil {
		return SSLv2Result{Err: err}
	}
	conn, err := s.net.Dial(ctx, s.addr)
	if err != nil {
		return SSLv2Result{Err: fmt.Errorf("SSLv2: connect to %s: %w", s.addr, err)}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(s.timeout)); err != nil {
		return SSLv2Result{Err: err}
	}
	if _, err := conn.Write(hello); err != nil {
		return SSLv2Result{} // closed before the hello went out: no SSL 2.0
	}
	ok, ciphers, err := parseSSLv2ServerHello(conn)
	if err != nil {
		return SSLv2Result{Err: fmt.Errorf("SSLv2: %w", err)}
	}
	return SSLv2Result{Accepted: ok, Ciphers: ciphers}
}
