package tlsscan

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Extension code points used in hellos.
const (
	extServerName          = 0
	extStatusRequest       = 5
	extSupportedGroups     = 10
	extECPointFormats      = 11
	extHeartbeat           = 15
	extSignatureAlgorithms = 13
	extExtendedMasterSec   = 23
	extSessionTicket       = 35
	extSupportedVersions   = 43
	extPSKModes            = 45
	extKeyShare            = 51
	extRenegotiationInfo   = 0xff01
)

// helloRetryRandom is the fixed random that marks a HelloRetryRequest (RFC 8446 4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// serverHello is what the scan needs of a ServerHello.
type serverHello struct {
	// legacyVersion is the version field; version is what was negotiated (the
	// supported_versions extension when present).
	legacyVersion, version Version
	random                 []byte
	sessionID              []byte
	suite                  uint16
	compression            byte
	// retry marks a HelloRetryRequest: the server accepts the version and suite but
	// wants a key share for another group (selectedGroup).
	retry         bool
	selectedGroup uint16
	extensions    map[uint16][]byte
}

// reader walks a byte slice; every read checks the bounds, so a truncated or lying
// length field becomes an error, never a panic.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated %s", what)
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.fail(what)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8(what string) byte {
	b := r.bytes(1, what)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16(what string) uint16 {
	b := r.bytes(2, what)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (r *reader) u24(what string) int {
	b := r.bytes(3, what)
	if b == nil {
		return 0
	}
	return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
}

// vec reads a vector with an n-byte length prefix.
func (r *reader) vec(n int, what string) []byte {
	var l int
	switch n {
	case 1:
		l = int(r.u8(what))
	case 2:
		l = int(r.u16(what))
	case 3:
		l = r.u24(what)
	}
	return r.bytes(l, what)
}

// parseServerHello reads a ServerHello body (without the 4-byte handshake header).
func parseServerHello(body []byte) (*serverHello, error) {
	r := &reader{b: body}
	sh := &serverHello{}
	sh.legacyVersion = Version(r.u16("server version"))
	sh.random = r.bytes(32, "server random")
	sh.sessionID = r.vec(1, "session id")
	sh.suite = r.u16("cipher suite")
	sh.compression = r.u8("compression method")
	if r.err != nil {
		return nil, fmt.Errorf("ServerHello: %w", r.err)
	}
	if len(sh.sessionID) > 32 {
		return nil, fmt.Errorf("ServerHello: session id of %d bytes", len(sh.sessionID))
	}
	if sh.legacyVersion>>8 != 3 {
		return nil, fmt.Errorf("ServerHello: version 0x%04X is not SSL 3.0 or TLS", uint16(sh.legacyVersion))
	}
	sh.version = sh.legacyVersion
	sh.retry = bytes.Equal(sh.random, helloRetryRandom[:])
	if len(r.b) == 0 {
		if sh.retry {
			return nil, errors.New("HelloRetryRequest without extensions")
		}
		return sh, nil
	}
	exts := r.vec(2, "extensions")
	if r.err != nil {
		return nil, fmt.Errorf("ServerHello: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("ServerHello: %d bytes after the extensions", len(r.b))
	}
	sh.extensions = map[uint16][]byte{}
	er := &reader{b: exts}
	for len(er.b) > 0 && er.err == nil {
		typ := er.u16("extension type")
		data := er.vec(2, "extension")
		if er.err != nil {
			break
		}
		if _, dup := sh.extensions[typ]; dup {
			return nil, fmt.Errorf("ServerHello: extension %d twice", typ)
		}
		sh.extensions[typ] = data
	}
	if er.err != nil {
		return nil, fmt.Errorf("ServerHello: %w", er.err)
	}
	if sv, ok := sh.extensions[extSupportedVersions]; ok {
		if len(sv) != 2 {
			return nil, fmt.Errorf("ServerHello: supported_versions of %d bytes", len(sv))
		}
		sh.version = Version(binary.BigEndian.Uint16(sv))
	}
	if sh.retry {
		if ks, ok := sh.extensions[extKeyShare]; ok && len(ks) == 2 {
			sh.selectedGroup = binary.BigEndian.Uint16(ks)
		}
	}
	return sh, nil
}

// parseCertificateMsg reads a TLS 1.2-or-older Certificate message body: the DER
// certificates as sent, leaf first. TLS 1.3 encrypts this message, so it is never read here.
func parseCertificateMsg(body []byte) ([][]byte, error) {
	r := &reader{b: body}
	list := r.vec(3, "certificate list")
	if r.err != nil {
		return nil, fmt.Errorf("certificate message: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("certificate message: %d bytes after the list", len(r.b))
	}
	lr := &reader{b: list}
	var out [][]byte
	for len(lr.b) > 0 {
		der := lr.vec(3, "certificate")
		if lr.err != nil {
			return nil, fmt.Errorf("certificate message: %w", lr.err)
		}
		if len(der) == 0 {
			return nil, errors.New("certificate message: empty certificate entry")
		}
		out = append(out, der)
	}
	return out, nil
}

// parseCertificateStatus reads a CertificateStatus message: the stapled OCSP response.
func parseCertificateStatus(body []byte) ([]byte, error) {
	r := &reader{b: body}
	if t := r.u8("status type"); r.err == nil && t != 1 {
		return nil, fmt.Errorf("certificate status: status type %d (want 1, OCSP)", t)
	}
	resp := r.vec(3, "OCSP response")
	if r.err != nil {
		return nil, fmt.Errorf("certificate status: %w", r.err)
	}
	if len(resp) == 0 {
		return nil, errors.New("certificate status: empty OCSP response")
	}
	return resp, nil
}
