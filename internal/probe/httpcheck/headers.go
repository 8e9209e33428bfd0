package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

var frameAncestorsRe = regexp.MustCompile(`(?i)(?:^|;)\s*frame-ancestors(?:\s|;|$)`)

// checkPage judges the final page's own headers and body: security headers and whether
// the page itself is a directory listing.
func (s *scan) checkPage(r *response) {
	h := r.header
	html := r.isHTML()
	var ok []string
	miss := func(rule, key, msg, ev, fix string) {
		s.rep.add(issue{control: ctlOWASP, rule: rule, severity: "low", url: r.url, key: key, message: msg, evidence: finding.Plain(ev), fix: fix})
	}
	csp := h.Values("Content-Security-Policy")
	if html {
		if len(csp) == 0 {
			msg := "The page sends no Content-Security-Policy, so an injected script runs with the page's full rights."
			if len(h.Values("Content-Security-Policy-Report-Only")) > 0 {
				msg = "The page sends Content-Security-Policy only in report-only mode, which enforces nothing."
			}
			miss("csp-missing", "content-security-policy", msg, headerSummary(r, "Content-Security-Policy"),
				"Send a Content-Security-Policy that restricts script sources (start from default-src 'self').")
		} else {
			ok = append(ok, "Content-Security-Policy")
		}
		xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options")))
		fa := false
		for _, v := range csp {
			fa = fa || frameAncestorsRe.MatchString(v)
		}
		if fa || xfo == "DENY" || xfo == "SAMEORIGIN" {
			ok = append(ok, "frame protection")
		} else {
			ev := headerSummary(r, "X-Frame-Options")
			if xfo != "" {
				ev = "X-Frame-Options: " + h.Get("X-Frame-Options") + " (not DENY or SAMEORIGIN)"
			}
			miss("frame-protection-missing", "frame-protection",
				"The page can be framed by any site (no X-Frame-Options DENY/SAMEORIGIN and no CSP frame-ancestors), which allows clickjacking.",
				ev, "Send Content-Security-Policy: frame-ancestors 'self' (or X-Frame-Options: DENY).")
		}
		rp := strings.ToLower(strings.TrimSpace(lastToken(h.Values("Referrer-Policy"))))
		switch rp {
		case "":
			miss("referrer-policy-missing", "referrer-policy", "The page sends no Referrer-Policy, so the browser's default decides what URLs leak to other sites.",
				headerSummary(r, "Referrer-Policy"), "Send Referrer-Policy: strict-origin-when-cross-origin (or stricter).")
		case "unsafe-url":
			miss("referrer-policy-missing", "referrer-policy", "Referrer-Policy unsafe-url sends full URLs, with their paths and queries, to every other site and over plain HTTP.",
				"Referrer-Policy: "+h.Get("Referrer-Policy"), "Send Referrer-Policy: strict-origin-when-cross-origin (or stricter).")
		default:
			ok = append(ok, "Referrer-Policy "+rp)
		}
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		ok = append(ok, "X-Content-Type-Options nosniff")
	} else {
		ev := headerSummary(r, "X-Content-Type-Options")
		if v := h.Get("X-Content-Type-Options"); v != "" {
			ev = "X-Content-Type-Options: " + v
		}
		miss("nosniff-missing", "x-content-type-options", "The response lacks X-Content-Type-Options: nosniff, so browsers may run uploaded or mislabelled files as scripts.",
			ev, "Send X-Content-Type-Options: nosniff on every response.")
	}
	where := r.url
	if !html {
		where += " (" + r.contentType() + ": CSP, frame and referrer checks apply to HTML pages)"
	}
	if len(ok) > 0 {
		s.rep.note(ctlOWASP, strings.Join(ok, ", ")+" on "+where)
	} else if !html {
		s.rep.note(ctlOWASP, "headers checked on "+where)
	}
	if l, found := DetectListing(r.body); found {
		s.reportListing(r, l, "directory-listing")
	}
}

// checkCompression asks for the page again with every common encoding allowed and notes
// an HTTPS page that comes back compressed. BREACH recovers a secret from the size of
// compressed responses when the page holds the secret and reflects what an attacker
// sends; posture cannot see either from outside, so this is a note (testssl.sh says
// "potentially vulnerable"), not a failure. The body is not decoded.
func (s *scan) checkCompression(ctx context.Context, page *response) {
	if !page.tls || !page.isHTML() {
		return
	}
	r, err := s.f.getWith(ctx, http.MethodGet, page.url, 64<<10, http.Header{"Accept-Encoding": {"gzip, deflate, br"}})
	if err != nil {
		return // the page answered a moment ago; the other checks report a dead site
	}
	enc := strings.TrimSpace(r.header.Get("Content-Encoding"))
	if enc == "" || strings.EqualFold(enc, "identity") {
		return
	}
	s.rep.add(issue{control: ctlOWASP, rule: "breach", severity: "info", url: page.url, key: "compressed",
		message:  "The page is sent compressed (" + enc + ") over HTTPS: if it carries a secret (a CSRF token, a session value) and reflects request input, BREACH can recover the secret from response sizes.",
		evidence: finding.Plain("Content-Encoding: " + enc),
		fix:      "Mask per-request secrets (a CSRF token XORed with a fresh random value in each response), or turn compression off for pages that hold secrets and reflect input."})
}

func (s *scan) reportListing(r *response, l Listing, rule string) {
	s.rep.add(issue{
		control: ctlOWASP, rule: rule, severity: "medium", url: r.url, key: l.Dir,
		message:  "The web server serves a generated listing of this directory's files, so files nobody links to can be found and downloaded.",
		evidence: finding.Plain(listingEvidence(l)),
		fix:      "Turn directory listings off (nginx \"autoindex off;\", Apache \"Options -Indexes\").",
	})
}

func listingEvidence(l Listing) string {
	return fmt.Sprintf("%s listing of %s with %d entr%s", l.Server, l.Dir, l.Entries, map[bool]string{true: "y", false: "ies"}[l.Entries == 1])
}

// headerSummary says a header is absent, with the status it was absent from.
func headerSummary(r *response, name string) string {
	return fmt.Sprintf("HTTP %d, %s, no %s header", r.status, orNone(r.contentType()), name)
}

func orNone(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

// lastToken is the policy a browser applies from Referrer-Policy: the last value it
// recognises, over all headers and commas.
func lastToken(vals []string) string {
	known := map[string]bool{
		"no-referrer": true, "no-referrer-when-downgrade": true, "origin": true, "origin-when-cross-origin": true,
		"same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true,
	}
	last := ""
	for _, v := range vals {
		for _, t := range strings.Split(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); known[t] {
				last = t
			}
		}
	}
	return last
}

var (
	versionRe = regexp.MustCompile(`[A-Za-z][\w.-]*/v?\d+(?:\.\d+)*|\b\d+\.\d+(?:\.\d+)*\b`)
	// Headers that carry debugging state to the browser.
	debugHeaderRe = regexp.MustCompile(`(?i)^(?:x-debug(?:-|$)|x-xdebug-|x-chromelogger-data$|x-chromephp-data$)`)
)

// bannerHeaders always name versions; the others do when they contain one.
var (
	bannerHeaders  = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime-Version"}
	alwaysVersions = map[string]bool{"X-AspNet-Version": true, "X-AspNetMvc-Version": true}
)

// checkEveryResponse looks at what any answer can carry: version banners, cookie flags,
// debug headers and stack traces. Each problem is reported once, at the first URL (in a
// stable order) that showed it.
func (s *scan) checkEveryResponse() {
	all := s.all()
	banners, cookies := 0, map[string]bool{}
	debug := 0
	for _, rec := range all {
		r := rec.r
		for _, name := range bannerHeaders {
			for _, v := range r.header.Values(name) {
				if v == "" || (!alwaysVersions[name] && !versionRe.MatchString(v)) {
					continue
				}
				banners++
				s.rep.add(issue{
					control: ctlOWASP, rule: "version-banner", severity: "low", url: r.url, key: name + ": " + v, once: true,
					message:  fmt.Sprintf("The %s header names software and its version, which tells an attacker which known vulnerabilities to try.", name),
					evidence: finding.Plain(name + ": " + v),
					fix:      "Stop sending versions (nginx server_tokens off; Apache ServerTokens Prod and ServerSignature Off; PHP expose_php Off; remove X-Powered-By).",
				})
			}
		}
		for _, c := range r.cookies {
			if cookies[c.Name] {
				continue
			}
			cookies[c.Name] = true
			s.checkCookie(r, c)
		}
		names := make([]string, 0, len(r.header))
		for name := range r.header {
			if debugHeaderRe.MatchString(name) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			debug++
			s.rep.add(issue{
				control: ctlDebug, rule: "debug-header", severity: "high", url: r.url, key: http.CanonicalHeaderKey(name), once: true,
				message:  fmt.Sprintf("The endpoint sends the debugging header %s: debug mode is on where visitors reach it.", name),
				evidence: finding.Secret(r.header.Get(name)),
				fix:      "Turn debug mode and profilers off in production (APP_DEBUG=false, kernel.debug false, no Xdebug) and deploy with production settings.",
			})
		}
	}
	s.checkTraces(all)
	if banners == 0 {
		s.rep.note(ctlOWASP, fmt.Sprintf("no version banners in %d responses", len(all)))
	}
	if len(cookies) == 0 {
		s.rep.note(ctlOWASP, "no cookies set")
	}
	if debug == 0 {
		s.rep.note(ctlDebug, fmt.Sprintf("no X-Debug-* headers in %d responses", len(all)))
	}
}

// checkCookie reports a cookie set without Secure (on https), HttpOnly or SameSite. Only
// the cookie's name is ever shown: values are session secrets.
func (s *scan) checkCookie(r *response, c *http.Cookie) {
	var missing []string
	if !c.Secure && r.tls {
		missing = append(missing, "Secure")
	}
	if !c.HttpOnly {
		missing = append(missing, "HttpOnly")
	}
	if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
		missing = append(missing, "SameSite")
	}
	if len(missing) == 0 {
		s.rep.note(ctlOWASP, "cookie "+c.Name+" has Secure, HttpOnly and SameSite")
		return
	}
	sev := policy.Low
	if slices.Contains(missing, "Secure") {
		sev = policy.Medium
	}
	s.rep.add(issue{
		control: ctlOWASP, rule: "cookie-flags", severity: sev, url: r.url, key: c.Name, once: true,
		message:  fmt.Sprintf("Cookie %s is set without %s.", c.Name, strings.Join(missing, ", ")),
		evidence: finding.Plain("Set-Cookie: " + c.Name + "=… (" + cookieAttrs(c) + ")"),
		fix:      "Set session and state cookies with Secure, HttpOnly and SameSite=Lax (or Strict); keep HttpOnly off only for cookies scripts must read.",
	})
}

func cookieAttrs(c *http.Cookie) string {
	var a []string
	if c.Secure {
		a = append(a, "Secure")
	}
	if c.HttpOnly {
		a = append(a, "HttpOnly")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		a = append(a, "SameSite=Lax")
	case http.SameSiteStrictMode:
		a = append(a, "SameSite=Strict")
	case http.SameSiteNoneMode:
		a = append(a, "SameSite=None")
	}
	if len(a) == 0 {
		return "no flags"
	}
	return strings.Join(a, "; ")
}
