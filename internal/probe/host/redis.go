package host

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// tryRedis sends PING without AUTH. +PONG means the server ran a command for a caller it
// does not know; -NOAUTH (or an ACL -WRONGPASS/-NOPERM) means it wants credentials.
func tryRedis(c net.Conn) (verdict, error) {
	if _, err := io.WriteString(c, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return verdict{}, fmt.Errorf("sending PING: %w", err)
	}
	rep, err := readRESP(bufio.NewReaderSize(io.LimitReader(c, maxReply), 4096), 0)
	if err != nil {
		return verdict{unknown: describeIOErr("reading the reply to PING", err)}, nil
	}
	switch {
	case rep.kind == '+' && strings.EqualFold(rep.text, "PONG"):
		return verdict{open: true, evidence: "PING without AUTH answered +PONG"}, nil
	case rep.kind == '-' && authError(rep.text):
		return verdict{evidence: "PING answered -" + firstWord(rep.text)}, nil
	case rep.kind == '-' && strings.HasPrefix(rep.text, "DENIED"):
		return verdict{evidence: "protected mode refused the connection"}, nil
	}
	return verdict{unknown: fmt.Sprintf("unexpected reply to PING: %c%s", rep.kind, clip(rep.text, 80))}, nil
}

func authError(s string) bool {
	w := firstWord(s)
	return w == "NOAUTH" || w == "WRONGPASS" || w == "NOPERM" || strings.Contains(s, "Authentication required")
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// respReply is one RESP value; arrays keep their elements.
type respReply struct {
	kind  byte // + - : $ *
	text  string
	items []respReply
	null  bool
}

// RESP limits: a reply to PING is tiny; anything large is not Redis.
const (
	maxRESPDepth = 8
	maxRESPItems = 1024
	maxRESPBulk  = 32 << 10
)

// readRESP reads one RESP2 reply, bounded in size and nesting.
func readRESP(br *bufio.Reader, depth int) (respReply, error) {
	if depth > maxRESPDepth {
		return respReply{}, errors.New("reply nested too deep")
	}
	line, err := readCRLF(br)
	if err != nil {
		return respReply{}, err
	}
	if line == "" {
		return respReply{}, errors.New("empty reply line")
	}
	r := respReply{kind: line[0], text: line[1:]}
	switch r.kind {
	case '+', '-':
		return r, nil
	case ':':
		if _, err := strconv.ParseInt(r.text, 10, 64); err != nil {
			return respReply{}, fmt.Errorf("bad integer reply %q", clip(r.text, 40))
		}
		return r, nil
	case '$':
		n, err := strconv.Atoi(r.text)
		if err != nil || n < -1 || n > maxRESPBulk {
			return respReply{}, fmt.Errorf("bad bulk length %q", clip(r.text, 40))
		}
		if n == -1 {
			r.null = true
			return r, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return respReply{}, err
		}
		if string(buf[n:]) != "\r\n" {
			return respReply{}, errors.New("bulk string not ended by CRLF")
		}
		r.text = string(buf[:n])
		return r, nil
	case '*':
		n, err := strconv.Atoi(r.text)
		if err != nil || n < -1 || n > maxRESPItems {
			return respReply{}, fmt.Errorf("bad array length %q", clip(r.text, 40))
		}
		if n == -1 {
			r.null = true
			return r, nil
		}
		for i := 0; i < n; i++ {
			it, err := readRESP(br, depth+1)
			if err != nil {
				return respReply{}, err
			}
			r.items = append(r.items, it)
		}
		return r, nil
	}
	return respReply{}, fmt.Errorf("not a RESP reply (starts with %q)", clip(line, 20))
}

// readCRLF reads one line ended by CRLF, at most 4 KiB.
func readCRLF(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", errors.New("reply line too long")
		}
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", errors.New("reply line not ended by CRLF")
	}
	return string(line[:len(line)-2]), nil
}

// tryMemcached sends the text command `stats`. STAT lines mean it answered without
// authentication; with SASL or an auth file it refuses text commands.
func tryMemcached(c net.Conn) (verdict, error) {
	if _, err := io.WriteString(c, "stats\r\n"); err != nil {
		return verdict{}, fmt.Errorf("sending stats: %w", err)
	}
	br := bufio.NewReaderSize(io.LimitReader(c, maxReply), 4096)
	line, err := readCRLF(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return verdict{evidence: "closed the connection on `stats` (SASL required)"}, nil
		}
		return verdict{unknown: describeIOErr("reading the reply to stats", err)}, nil
	}
	switch {
	case strings.HasPrefix(line, "STAT "):
		return verdict{open: true, evidence: "`stats` without credentials answered " + clip(line, 60)}, nil
	case strings.HasPrefix(line, "CLIENT_ERROR") || line == "ERROR":
		return verdict{evidence: "`stats` answered " + clip(line, 60)}, nil
	}
	return verdict{unknown: "unexpected reply to stats: " + clip(line, 80)}, nil
}
