package code

import (
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
)

// urlInText finds URLs in a line of code or configuration, up to a quote or blank.
var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s'"<>` + "`" + `]+`)

// credentialParam names query parameters and DSN keys whose values are credentials.
var credentialParam = regexp.MustCompile(`(?i)^(?:[a-z0-9_-]*(?:token|secret|password|passwd|pwd|api_?key|apikey|access_?key|signature|sig|auth|credential)s?|key|pass)$`)

// dsnPassword is a password in a key=value connection string ("host=db password=x").
var dsnPassword = regexp.MustCompile(`(?i)\b(pass(?:word|wd)?|pwd)=([^\s;&'"]+)`)

// evidence is the matched line, cut to a window around the match on long lines, with the
// credentials of any URL and connection string in it redacted: a rule about a password
// sent over plain HTTP must not put that password in the report.
func evidence(m Match) finding.Evidence {
	line := m.LineText
	if i := m.at; i > 80 && i <= len(line) {
		// Cut only at a blank or quote, which no URL or key=value pair spans, so that
		// redaction below still sees every credential whole.
		if cut := strings.LastIndexAny(line[:i-60], " \t'\"`"); cut > 0 {
			line = "…" + line[cut+1:]
		}
	}
	return plainRedacted(line)
}

// redactCredentials hides URL user information, credential-named query values and DSN
// passwords; everything else in the line stays, so the evidence still shows the problem.
func redactCredentials(line string) string {
	line = urlInText.ReplaceAllStringFunc(line, redactURL)
	return dsnPassword.ReplaceAllStringFunc(line, func(kv string) string {
		k, v, _ := strings.Cut(kv, "=")
		return k + "=" + finding.Redact(v)
	})
}

// redactURL redacts a URL's userinfo with finding.RedactURL and, unlike it, only the
// query values whose names say they are credentials (sslmode=disable must stay visible).
func redactURL(u string) string {
	base, query, hasQuery := strings.Cut(u, "?")
	// A bare user name is a token in an http(s) URL but only a name in a database URL.
	if prefix, _, userinfo, at := finding.SplitURL(base); at >= 0 && userinfo != "" &&
		(strings.Contains(userinfo, ":") || strings.HasPrefix(strings.ToLower(prefix), "http")) {
		base, _ = finding.RedactURL(base)
	}
	if !hasQuery {
		return base
	}
	frag := ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	params := strings.Split(query, "&")
	for i, kv := range params {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" && credentialParam.MatchString(k) {
			params[i] = k + "=" + finding.Redact(v)
		}
	}
	return base + "?" + strings.Join(params, "&") + frag
}
