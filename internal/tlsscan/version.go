// Package tlsscan audits one TLS endpoint: which protocol versions and cipher suites it
// accepts, including the legacy ones crypto/tls will not negotiate, what certificate
// chain it sends and whether that chain deserves trust. Versions and suites are found the
// way testssl.sh finds them, with ClientHellos built here and the server's first answer
// parsed here: offer suites, note the one the server picks, take it out, offer again.
// Nothing is ever encrypted; the scan stops at the ServerHello (or the Certificate
// message, for the chain of servers crypto/tls cannot talk to).
package tlsscan

import "fmt"

// Version is a protocol version as it appears on the wire.
type Version uint16

// The versions a scan enumerates. SSL 2.0 has a different hello format and its own probe
// (sslv2.go).
const (
	SSL30 Version = 0x0300
	TLS10 Version = 0x0301
	TLS11 Version = 0x0302
	TLS12 Version = 0x0303
	TLS13 Version = 0x0304
)

// Versions lists the probed versions, oldest first.
var Versions = []Version{SSL30, TLS10, TLS11, TLS12, TLS13}

var versionNames = map[Version]string{
	SSL30: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3",
}

func (v Version) String() string {
	if n, ok := versionNames[v]; ok {
		return n
	}
	return fmt.Sprintf("version 0x%04X", uint16(v))
}

// ParseVersion accepts the names String gives and nginx's spellings ("TLSv1", "SSLv3").
func ParseVersion(s string) (Version, bool) { return parseVersionName(s) }

func parseVersionName(s string) (Version, bool) {
	if s == "TLSv1" {
		return TLS10, true
	}
	for v, n := range versionNames {
		if n == s {
			return v, true
		}
	}
	return 0, false
}
