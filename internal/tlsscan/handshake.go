package tlsscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// helloResult is how a server answered one ClientHello.
type helloResult struct {
	accepted bool
	sh       *serverHello
	// reason says why a hello was not accepted ("alert handshake_failure").
	reason string
	// certs, ocsp and ske (the ServerKeyExchange body) are read only when asked for
	// (TLS 1.2 and older).
	certs [][]byte
	ocsp  []byte
	ske   []byte
}

// exchange sends one ClientHello on a fresh connection and reads the answer. A refusal
// (an alert, a close, a lower version than asked) is a result; an error means the
// answer could not be judged at all (timeout, garbage, a broken message).
func (s *scanner) exchange(ctx context.Context, spec helloSpec, wantCerts bool) (helloResult, error) {
	hello, err := buildClientHello(spec)
	if err != nil {
		return helloResult{}, err
	}
	conn, err := s.net.Dial(ctx, s.addr)
	if err != nil {
		return helloResult{}, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	defer conn.Close()
	// The context may end before the deadline (the whole scan cancelled); closing the
	// connection unblocks the read.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(s.timeout)); err != nil {
		return helloResult{}, err
	}
	if _, err := conn.Write(hello); err != nil {
		if closedByPeer(err) {
			return helloResult{reason: "connection closed before the hello was sent"}, nil
		}
		return helloResult{}, fmt.Errorf("send hello: %w", err)
	}
	res, err := readAnswer(conn, spec, wantCerts)
	if err != nil && ctx.Err() != nil {
		return helloResult{}, ctx.Err()
	}
	return res, err
}

// readAnswer reads the server's answer to a hello of spec from r.
func readAnswer(r io.Reader, spec helloSpec, wantCerts bool) (helloResult, error) {
	cr := &countReader{r: r}
	hr := &handshakeReader{r: cr}
	typ, body, err := hr.next()
	switch {
	case errors.Is(err, errAlert):
		return helloResult{reason: "alert " + hr.alert.String()}, nil
	case err != nil && closedByPeer(err) && cr.n == 0:
		// Closing or resetting instead of alerting is how many servers refuse a version.
		if errors.Is(err, syscall.ECONNRESET) {
			return helloResult{reason: "connection reset"}, nil
		}
		return helloResult{reason: "connection closed"}, nil
	case err != nil:
		return helloResult{}, wrapRead(err)
	case typ != hsServerHello:
		return helloResult{}, fmt.Errorf("server answered the hello with handshake message %d, not a ServerHello", typ)
	}
	sh, err := parseServerHello(body)
	if err != nil {
		return helloResult{}, err
	}
	res := helloResult{sh: sh}
	switch {
	case spec.version == TLS13 && sh.version != TLS13:
		res.reason = "server answered with " + sh.version.String()
		return res, nil
	case spec.version != TLS13 && sh.version == TLS13:
		return helloResult{}, errors.New("server chose TLS 1.3 in answer to a hello that did not offer it")
	case sh.version != spec.version:
		res.reason = "server answered with " + sh.version.String()
		return res, nil
	}
	if !offered(spec.suites, sh.suite) {
		return helloResult{}, fmt.Errorf("server chose suite 0x%04X, which the hello did not offer", sh.suite)
	}
	res.accepted = true
	if !wantCerts || spec.version == TLS13 || sh.retry {
		return res, nil
	}
	// Read on to ServerHelloDone for the chain; a handful of messages at most.
	for i := 0; i < 8; i++ {
		typ, body, err := hr.next()
		if err != nil {
			if errors.Is(err, errAlert) {
				err = errors.New("alert " + hr.alert.String())
			}
			return res, fmt.Errorf("reading the certificate: %w", wrapRead(err))
		}
		switch typ {
		case hsCertificate:
			if res.certs, err = parseCertificateMsg(body); err != nil {
				return res, err
			}
		case hsCertificateStatus:
			if res.ocsp, err = parseCertificateStatus(body); err != nil {
				return res, err
			}
		case hsServerKeyExchange:
			res.ske = append([]byte(nil), body...)
		case hsServerHelloDone:
			return res, nil
		}
	}
	return res, nil
}

// countReader counts what was read: a close before the first byte is a refusal, a close
// after some is a broken handshake.
type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func offered(suites []uint16, id uint16) bool {
	for _, s := range suites {
		if s == id {
			return true
		}
	}
	return false
}

// closedByPeer says whether err is the peer closing or resetting the connection.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// wrapRead gives read errors a message that says what happened in protocol terms.
func wrapRead(err error) error {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no answer from the server within the timeout: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		return fmt.Errorf("connection closed in the middle of the handshake: %w", err)
	}
	return err
}
