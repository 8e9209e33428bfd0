package host

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// MySQL client/server protocol constants (MySQL and MariaDB share them).
const (
	clientLongPassword     = 0x00000001
	clientLongFlag         = 0x00000004
	clientProtocol41       = 0x00000200
	clientTransactions     = 0x00002000
	clientSecureConnection = 0x00008000
	clientPluginAuth       = 0x00080000

	mysqlNativePassword = "mysql_native_password"
	cachingSHA2Password = "caching_sha2_password"

	comQuit = 0x01
)

// mysqlGreeting is the server's initial handshake packet (protocol version 10).
type mysqlGreeting struct {
	Version string
	ConnID  uint32
	Caps    uint32
	Plugin  string
	Salt    []byte
}

// mysqlError is an ERR packet.
type mysqlError struct {
	Code    uint16
	Message string
}

func (e *mysqlError) Error() string { return fmt.Sprintf("error %d: %s", e.Code, e.Message) }

// parseMySQLErr reads an ERR packet (first byte 0xFF).
func parseMySQLErr(p []byte) *mysqlError {
	e := &mysqlError{}
	if len(p) >= 3 {
		e.Code = binary.LittleEndian.Uint16(p[1:3])
		rest := p[3:]
		if len(rest) >= 6 && rest[0] == '#' {
			rest = rest[6:]
		}
		e.Message = clip(string(rest), 200)
	}
	return e
}

// parseMySQLGreeting reads the initial handshake. An ERR packet in its place (the server
// refuses this client's host, or too many connections) is returned as *mysqlError.
func parseMySQLGreeting(p []byte) (*mysqlGreeting, error) {
	if len(p) == 0 {
		return nil, errors.New("empty greeting")
	}
	if p[0] == 0xFF {
		return nil, parseMySQLErr(p)
	}
	if p[0] != 10 {
		return nil, fmt.Errorf("protocol version %d is not supported (want 10)", p[0])
	}
	g := &mysqlGreeting{}
	rest := p[1:]
	nul := bytes.IndexByte(rest, 0)
	if nul < 0 {
		return nil, errors.New("greeting: server version not terminated")
	}
	g.Version = clip(string(rest[:nul]), 100)
	rest = rest[nul+1:]
	if len(rest) < 4+8+1+2 {
		return nil, errors.New("greeting too short")
	}
	g.ConnID = binary.LittleEndian.Uint32(rest)
	g.Salt = append(g.Salt, rest[4:12]...)
	g.Caps = uint32(binary.LittleEndian.Uint16(rest[13:15]))
	rest = rest[15:]
	if len(rest) < 1+2+2+1+10 {
		return g, nil
	}
	g.Caps |= uint32(binary.LittleEndian.Uint16(rest[3:5])) << 16
	authLen := int(rest[5])
	rest = rest[16:]
	if g.Caps&clientSecureConnection != 0 {
		n := max(13, authLen-8)
		if n > len(rest) {
			n = len(rest)
		}
		g.Salt = append(g.Salt, bytes.TrimRight(rest[:n], "\x00")...)
		rest = rest[n:]
	}
	if g.Caps&clientPluginAuth != 0 {
		// Some servers omit the final NUL.
		if nul := bytes.IndexByte(rest, 0); nul >= 0 {
			rest = rest[:nul]
		}
		g.Plugin = clip(string(rest), 64)
	}
	return g, nil
}

// readMySQLPacket reads one packet: 3-byte length, sequence number, payload.
func readMySQLPacket(r io.Reader) (seq byte, payload []byte, err error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
	if n > maxReply {
		return 0, nil, fmt.Errorf("packet of %d bytes is larger than a handshake needs", n)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	return h[3], payload, nil
}

func writeMySQLPacket(w io.Writer, seq byte, payload []byte) error {
	n := len(payload)
	_, err := w.Write(append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...))
	return err
}

// tryMySQL logs in as root with an empty password. With the mysql_native_password and
// caching_sha2_password plugins the client's proof for an empty password is the empty
// string, so no scramble is computed and nothing secret is sent. No query is ever run:
// on success the client quits at once.
func tryMySQL(c net.Conn) (verdict, error) {
	_, p, err := readMySQLPacket(c)
	if err != nil {
		return verdict{unknown: describeIOErr("reading the server greeting", err)}, nil
	}
	g, err := parseMySQLGreeting(p)
	if err != nil {
		var me *mysqlError
		if errors.As(err, &me) {
			return verdict{evidence: "refused the connection before login (" + me.Error() + ")"}, nil
		}
		return verdict{unknown: "greeting: " + err.Error()}, nil
	}
	need := uint32(clientProtocol41 | clientSecureConnection)
	if g.Caps&need != need {
		return verdict{unknown: fmt.Sprintf("server %s lacks the 4.1 protocol, which posture speaks", g.Version)}, nil
	}
	caps := uint32(clientLongPassword|clientLongFlag|clientProtocol41|clientTransactions|clientSecureConnection) | g.Caps&clientPluginAuth
	plugin := mysqlNativePassword
	if g.Plugin == cachingSHA2Password {
		plugin = cachingSHA2Password
	}
	var resp bytes.Buffer
	_ = binary.Write(&resp, binary.LittleEndian, caps)
	_ = binary.Write(&resp, binary.LittleEndian, uint32(16<<20))
	resp.WriteByte(33) // utf8_general_ci
	resp.Write(make([]byte, 23))
	resp.WriteString("root\x00")
	resp.WriteByte(0) // empty auth response: the empty password
	if caps&clientPluginAuth != 0 {
		resp.WriteString(plugin + "\x00")
	}
	if err := writeMySQLPacket(c, 1, resp.Bytes()); err != nil {
		return verdict{}, fmt.Errorf("sending the login: %w", err)
	}
	server := "server " + g.Version
	for switched := false; ; {
		seq, p, err := readMySQLPacket(c)
		if err != nil {
			return verdict{unknown: describeIOErr("reading the login result", err)}, nil
		}
		if len(p) == 0 {
			return verdict{unknown: "empty reply to the login"}, nil
		}
		switch p[0] {
		case 0x00:
			_ = writeMySQLPacket(c, 0, []byte{comQuit})
			return verdict{open: true, evidence: server + ": user root with an empty password logged in"}, nil
		case 0xFF:
			e := parseMySQLErr(p)
			switch e.Code {
			case 1045, 1044, 1130, 1698, 1251:
				return verdict{evidence: server + ": root with an empty password refused (" + e.Error() + ")"}, nil
			case 3159:
				return verdict{unknown: server + " requires TLS for logins; posture does not log in over TLS"}, nil
			}
			return verdict{unknown: server + ": login failed with " + e.Error()}, nil
		case 0xFE:
			if switched || len(p) < 2 {
				return verdict{unknown: server + ": unexpected authentication request"}, nil
			}
			switched = true
			name := p[1:]
			if nul := bytes.IndexByte(name, 0); nul >= 0 {
				name = name[:nul]
			}
			switch string(name) {
			case mysqlNativePassword, cachingSHA2Password:
				if err := writeMySQLPacket(c, seq+1, nil); err != nil {
					return verdict{}, fmt.Errorf("answering the auth switch: %w", err)
				}
			default:
				return verdict{unknown: fmt.Sprintf("%s: root's account uses the %q authentication plugin; posture tries an empty password only with mysql_native_password and caching_sha2_password", server, clip(string(name), 64))}, nil
			}
		case 0x01:
			if len(p) >= 2 && p[1] == 3 {
				continue // fast authentication succeeded; OK follows
			}
			return verdict{unknown: server + ": caching_sha2_password wants a full authentication, which needs TLS or the server's RSA key"}, nil
		default:
			return verdict{unknown: fmt.Sprintf("%s: unexpected reply 0x%02x to the login", server, p[0])}, nil
		}
	}
}
