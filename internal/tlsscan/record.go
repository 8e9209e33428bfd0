package tlsscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Record content types.
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
)

// Handshake message types this package reads.
const (
	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
	hsServerHelloDone   = 14
	hsCertificateStatus = 22
)

// maxRecord is the largest record a TLS peer may send (2^14 plaintext plus the most
// expansion any version allows); anything larger is not TLS, and reading it would let a
// hostile server make us allocate at will.
const maxRecord = 1<<14 + 2048

// maxHandshake bounds one reassembled handshake message. Real certificate chains are a
// few KiB; the protocol allows 16 MiB, which a scanner has no reason to buffer.
const maxHandshake = 256 << 10

// NotTLSError says the peer answered with something that is not a TLS record: an HTTP
// response, an SSH banner, random bytes.
type NotTLSError struct {
	// Banner is the start of what the peer sent, made printable.
	Banner string
}

func (e *NotTLSError) Error() string {
	return fmt.Sprintf("the server does not speak TLS (it sent %q)", e.Banner)
}

// PlainHTTP says the peer answered like an HTTP server.
func (e *NotTLSError) PlainHTTP() bool { return strings.HasPrefix(e.Banner, "HTTP/") }

// printable renders the first bytes of a peer's answer for a message.
func printable(b []byte) string {
	if len(b) > 40 {
		b = b[:40]
	}
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '\r' || r == '\n':
			sb.WriteByte(' ')
		case r < 0x80 && unicode.IsPrint(r):
			sb.WriteRune(r)
		default:
			sb.WriteByte('.')
		}
	}
	return strings.TrimSpace(sb.String())
}

// record is one TLS record.
type record struct {
	typ     byte
	version uint16
	payload []byte
}

// readRecord reads one record. It refuses headers no TLS peer sends before it allocates
// anything for the body.
func readRecord(r io.Reader) (record, error) {
	var hdr [5]byte
	n, err := io.ReadFull(r, hdr[:])
	if err != nil {
		if n > 0 && !validHeader(hdr[:n]) {
			return record{}, &NotTLSError{Banner: printable(append(hdr[:n:n], peek(r)...))}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("connection closed inside a record header: %w", io.ErrUnexpectedEOF)
		}
		return record{}, err
	}
	if !validHeader(hdr[:]) {
		return record{}, &NotTLSError{Banner: printable(append(hdr[:], peek(r)...))}
	}
	length := int(binary.BigEndian.Uint16(hdr[3:]))
	if length > maxRecord {
		return record{}, fmt.Errorf("record of %d bytes exceeds the TLS limit of %d", length, maxRecord)
	}
	rec := record{typ: hdr[0], version: binary.BigEndian.Uint16(hdr[1:]), payload: make([]byte, length)}
	if _, err := io.ReadFull(r, rec.payload); err != nil {
		return record{}, fmt.Errorf("reading a %d-byte record: %w", length, err)
	}
	return rec, nil
}

// validHeader says whether b could start a TLS record: a known content type and a
// version with major 3 (SSL 3.0 to TLS 1.3 all use 3.x on the record layer).
func validHeader(b []byte) bool {
	if len(b) >= 1 && (b[0] < recordChangeCipherSpec || b[0] > recordApplicationData) {
		return false
	}
	if len(b) >= 2 && b[1] != 3 {
		return false
	}
	if len(b) >= 3 && b[2] > 4 {
		return false
	}
	return true
}

// peek reads a little more of a non-TLS answer so the error can quote it; it never
// waits long, since the caller's deadline bounds the read.
func peek(r io.Reader) []byte {
	buf := make([]byte, 35)
	n, _ := io.ReadAtLeast(r, buf, 1)
	return buf[:n]
}

// Alert is a TLS alert the server sent.
type Alert struct {
	Level, Description byte
}

var alertNames = map[byte]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
	45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error", 60: "export_restriction",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
	109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 115: "unknown_psk_identity",
	116: "certificate_required", 120: "no_application_protocol",
}

func (a Alert) String() string {
	if n, ok := alertNames[a.Description]; ok {
		return n
	}
	return fmt.Sprintf("alert %d", a.Description)
}

// parseAlert reads an alert record's payload.
func parseAlert(p []byte) (Alert, error) {
	if len(p) != 2 {
		return Alert{}, fmt.Errorf("alert record of %d bytes (want 2)", len(p))
	}
	return Alert{Level: p[0], Description: p[1]}, nil
}

// handshakeReader reassembles handshake messages from records: one message may span
// several records and one record may hold several messages.
type handshakeReader struct {
	r   io.Reader
	buf []byte
	// alert is set when the peer sent an alert instead of more handshake data.
	alert *Alert
	// sawCCS is set when a ChangeCipherSpec record went by (TLS 1.3 compatibility mode
	// sends one right after the ServerHello).
	sawCCS bool
}

// errAlert is returned by next when the peer sent an alert.
var errAlert = errors.New("alert")

// next returns the next handshake message's type and body.
func (h *handshakeReader) next() (byte, []byte, error) {
	for {
		if len(h.buf) >= 4 {
			n := int(h.buf[1])<<16 | int(h.buf[2])<<8 | int(h.buf[3])
			if n > maxHandshake {
				return 0, nil, fmt.Errorf("handshake message of %d bytes exceeds the limit of %d", n, maxHandshake)
			}
			if len(h.buf) >= 4+n {
				typ, body := h.buf[0], h.buf[4:4+n:4+n]
				h.buf = h.buf[4+n:]
				return typ, body, nil
			}
		}
		rec, err := readRecord(h.r)
		if err != nil {
			return 0, nil, err
		}
		switch rec.typ {
		case recordHandshake:
			if len(h.buf)+len(rec.payload) > maxHandshake+4 {
				return 0, nil, fmt.Errorf("handshake data exceeds the limit of %d bytes", maxHandshake)
			}
			h.buf = append(h.buf, rec.payload...)
		case recordAlert:
			a, err := parseAlert(rec.payload)
			if err != nil {
				return 0, nil, err
			}
			h.alert = &a
			return 0, nil, errAlert
		case recordChangeCipherSpec:
			h.sawCCS = true
		default:
			return 0, nil, fmt.Errorf("unexpected %s record during the handshake", recordName(rec.typ))
		}
	}
}

func recordName(t byte) string {
	switch t {
	case recordChangeCipherSpec:
		return "change_cipher_spec"
	case recordAlert:
		return "alert"
	case recordHandshake:
		return "handshake"
	case recordApplicationData:
		return "application_data"
	}
	return fmt.Sprintf("type-%d", t)
}
