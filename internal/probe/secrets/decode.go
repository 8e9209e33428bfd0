package secrets

import (
	"bytes"
	"encoding/base64"
	"net/url"
)

// encoded is a blob of content that decodes to text worth scanning.
type encoded struct {
	start   int
	kind    string // "base64" or "url"
	decoded []byte
}

// minBase64 is the shortest run worth decoding: shorter runs are hashes and IDs, and
// credentials worth finding encode to at least this much.
const minBase64 = 32

// encodedBlobs finds base64 runs (Kubernetes Secret data, basic-auth headers, .dockercfg)
// and URL-encoded runs (connection strings in query parameters) whose decoded form is text.
func encodedBlobs(data []byte) []encoded {
	var out []encoded
	for i := 0; i < len(data); {
		if !isB64(data[i]) {
			i++
			continue
		}
		j := i
		for j < len(data) && isB64(data[j]) {
			j++
		}
		for j < len(data) && data[j] == '=' && j-i < 1<<20 {
			j++
		}
		if j-i >= minBase64 {
			if dec, ok := decodeB64(data[i:j]); ok {
				out = append(out, encoded{start: i, kind: "base64", decoded: dec})
			}
		}
		i = j + 1
	}
	if bytes.Contains(data, []byte("%3A")) || bytes.Contains(data, []byte("%3a")) || bytes.Contains(data, []byte("%40")) {
		for _, run := range urlEncodedRuns(data) {
			if dec, err := url.QueryUnescape(string(data[run.start:run.end])); err == nil && dec != string(data[run.start:run.end]) {
				out = append(out, encoded{start: run.start, kind: "url", decoded: []byte(dec)})
			}
		}
	}
	return out
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// decodeB64 accepts standard and URL-safe alphabets, padded or not, and keeps the result
// only when it is mostly printable text: random bytes are not worth a second scan.
func decodeB64(b []byte) ([]byte, bool) {
	s := string(bytes.TrimRight(b, "="))
	var dec []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if dec, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil || len(dec) < 16 {
		return nil, false
	}
	printable := 0
	for _, c := range dec {
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
			printable++
		}
	}
	return dec, printable*100 >= len(dec)*95
}

// urlEncodedRuns returns maximal runs of URL-safe characters containing a %XX escape.
func urlEncodedRuns(data []byte) []span {
	var out []span
	for i := 0; i < len(data); {
		if !isURLChar(data[i]) {
			i++
			continue
		}
		j, esc := i, false
		for j < len(data) && isURLChar(data[j]) {
			if data[j] == '%' {
				esc = true
			}
			j++
		}
		if esc && j-i >= 12 {
			out = append(out, span{i, j})
		}
		i = j + 1
	}
	return out
}

func isURLChar(c byte) bool {
	return isB64(c) || c == '%' || c == '.' || c == '~' || c == '=' || c == '&' || c == ':' || c == '@' || c == '?' || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')' || c == ';' || c == ','
}
