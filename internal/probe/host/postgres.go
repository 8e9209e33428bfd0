package host

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// tryPostgres sends a StartupMessage for user postgres (database postgres) and reads what
// the server asks for. AuthenticationOk without any credential asked means trust
// authentication; any other authentication request means it wants a secret, which is
// never sent.
func tryPostgres(c net.Conn) (verdict, error) {
	var body bytes.Buffer
	_ = binary.Write(&body, binary.BigEndian, uint32(196608)) // protocol 3.0
	body.WriteString("user\x00postgres\x00database\x00postgres\x00application_name\x00posture\x00\x00")
	msg := binary.BigEndian.AppendUint32(nil, uint32(body.Len()+4))
	msg = append(msg, body.Bytes()...)
	if _, err := c.Write(msg); err != nil {
		return verdict{}, fmt.Errorf("sending the startup message: %w", err)
	}
	for i := 0; i < 16; i++ {
		typ, payload, err := readPGMessage(c)
		if err != nil {
			return verdict{unknown: describeIOErr("reading the reply to the startup message", err)}, nil
		}
		switch typ {
		case 'R':
			if len(payload) < 4 {
				return verdict{unknown: "short authentication message"}, nil
			}
			code := binary.BigEndian.Uint32(payload)
			if code == 0 {
				_, _ = c.Write([]byte{'X', 0, 0, 0, 4})
				return verdict{open: true, evidence: "user postgres was let in without a password (AuthenticationOk: trust authentication)"}, nil
			}
			return verdict{evidence: "asks user postgres for " + pgAuthName(code)}, nil
		case 'E':
			f := pgErrorFields(payload)
			return verdict{evidence: fmt.Sprintf("refused user postgres without a password (%s %s: %s)", f['S'], f['C'], clip(f['M'], 160))}, nil
		case 'N', 'v':
			continue // a notice, or NegotiateProtocolVersion: the answer follows
		default:
			return verdict{unknown: fmt.Sprintf("unexpected message %q in reply to the startup message", typ)}, nil
		}
	}
	return verdict{unknown: "no authentication request after 16 messages"}, nil
}

func readPGMessage(r io.Reader) (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n < 4 || n > maxReply {
		return 0, nil, fmt.Errorf("message length %d out of range", n)
	}
	p := make([]byte, n-4)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	if !isPGType(h[0]) {
		return 0, nil, errors.New("not a PostgreSQL server reply")
	}
	return h[0], p, nil
}

func isPGType(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

func pgAuthName(code uint32) string {
	switch code {
	case 2:
		return "Kerberos V5"
	case 3:
		return "a cleartext password"
	case 5:
		return "an MD5 password"
	case 7:
		return "GSSAPI"
	case 9:
		return "SSPI"
	case 10:
		return "SASL (SCRAM)"
	}
	return fmt.Sprintf("authentication type %d", code)
}

// pgErrorFields reads the fields of an ErrorResponse.
func pgErrorFields(p []byte) map[byte]string {
	out := map[byte]string{}
	for len(p) > 0 && p[0] != 0 {
		t := p[0]
		end := bytes.IndexByte(p[1:], 0)
		if end < 0 {
			break
		}
		out[t] = string(p[1 : 1+end])
		p = p[2+end:]
	}
	return out
}
