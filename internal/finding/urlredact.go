package finding

import (
	"regexp"
	"strings"
)

// SplitURL splits a URL, or an scp-like "user@host:path", into the part before the
// authority, the host, the userinfo and the index where the userinfo starts (-1 if none).
func SplitURL(s string) (prefix, host, userinfo string, at int) {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	authority := s[start:end]
	at = -1
	i := strings.LastIndexByte(authority, '@')
	if start == 0 && i < 0 {
		return s, "", "", -1 // neither a URL nor user@host: "github:o/r", "path:../x"
	}
	host = authority
	if i >= 0 {
		userinfo, host, at = authority[:i], authority[i+1:], start
	}
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	return s[:start], host, userinfo, at
}

// RedactURL hides credentials in a source URL with finding.Redact: a password, a token
// given as the user name of an http(s) URL, and query values (signed URLs carry keys
// there). An ssh user name (git@github.com) is not a secret and is kept.
func RedactURL(s string) (string, bool) {
	redacted := false
	prefix, _, userinfo, at := SplitURL(s)
	if at >= 0 && userinfo != "" {
		scheme := strings.ToLower(strings.TrimSuffix(prefix, "://"))
		sshUser := !strings.Contains(userinfo, ":") && (prefix == "" || strings.HasSuffix(scheme, "ssh"))
		if !sshUser {
			// A user name beside a password is not secret and says whose token leaked.
			hidden := Redact(userinfo)
			if user, pass, ok := strings.Cut(userinfo, ":"); ok && pass != "" {
				hidden = user + ":" + Redact(pass)
			}
			s = s[:at] + hidden + s[at+len(userinfo):]
			redacted = true
		}
	}
	if q := strings.IndexByte(s, '?'); q >= 0 {
		end := len(s)
		if h := strings.IndexByte(s[q:], '#'); h >= 0 {
			end = q + h
		}
		params := strings.Split(s[q+1:end], "&")
		for i, kv := range params {
			if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
				params[i] = k + "=" + Redact(v)
				redacted = true
			}
		}
		s = s[:q+1] + strings.Join(params, "&") + s[end:]
	}
	return s, redacted
}

// urlWithUserinfo matches the scheme and userinfo of a URL inside free text.
var urlWithUserinfo = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@"'<>]+@`)

// RedactURLsIn redacts the credentials of every URL in a message.
func RedactURLsIn(s string) string {
	return urlWithUserinfo.ReplaceAllStringFunc(s, func(m string) string {
		out, _ := RedactURL(m)
		return out
	})
}
