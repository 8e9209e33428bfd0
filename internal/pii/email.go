package pii

import (
	"bytes"
	"strings"
)

// ReservedDomains can never be anyone's mailbox (RFC 2606, RFC 6761): an address there is
// a placeholder. A suffix entry (leading dot) covers every name under it.
var ReservedDomains = []string{
	"example.com", "example.org", "example.net", "localhost",
	".example", ".test", ".invalid", ".localhost", ".local", ".internal",
	".example.com", ".example.org", ".example.net",
}

// PlaceholderDomains are real, registered domains that documentation, tutorials and
// generated fixtures use as stand-ins ("you@yourcompany.com"). Addresses there are treated
// as fake. Kept as data so a review can see, and argue with, every entry: some (email.com,
// test.com) do host real mailboxes, but in a repository an address there is far more
// often a placeholder than a customer.
var PlaceholderDomains = []string{
	"domain.com", "email.com", "yourcompany.com", "yourdomain.com", "mydomain.com", "company.com",
	"test.com", "foo.com", "bar.com", "foobar.com", "acme.com", "site.com", "website.com",
	"somewhere.com", "nowhere.com", "anywhere.com", "sample.com", "mailinator.com", "dummy.com",
	"fake.com", "noemail.com", "none.com", "xxx.com", "abc.com", "your-domain.com", "yoursite.com",
	"mysite.com", "host.com", "server.com", "testing.com", "invalid.com", "null.com",
	// Forge privacy addresses identify commit authors, not customers.
	"users.noreply.github.com", "noreply.github.com", "users.noreply.gitlab.com", "noreply.gitlab.com",
	// OpenSSH names algorithms and extensions name@openssh.com; they are not mailboxes.
	"openssh.com", "libssh.org",
}

// ExampleLabels are "example" in the languages documentation is translated into: an
// address with one of them as a domain label ("utilisateur@exemple.org",
// "ali@yanityok.ornek.org", "max@beispiel.de") is a translated placeholder.
var ExampleLabels = []string{
	"example", "exemple", "exemplo", "ejemplo", "esempio", "beispiel", "voorbeeld", "ornek", "przyklad",
	"eksempel", "exempel", "esimerkki", "primer", "priklad", "pelda", "paradeigma",
}

// RoleLocalParts are mailbox names that identify a function rather than a person. They are
// reported with Low confidence: whoever reads noreply@ or postmaster@ is not a data
// subject, and a site's own admin@ address in its dump is configuration, not customer data.
// The anonymiser may still replace them.
var RoleLocalParts = []string{
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "postmaster",
	"hostmaster", "webmaster", "mailer-daemon", "abuse", "root", "admin", "administrator",
	"wordpress", "www-data", "nobody", "bounce", "bounces", "notifications", "notification",
	"alerts", "info", "support", "security", "privacy", "sales", "billing", "contact", "hello",
	"office", "team", "help", "newsletter", "marketing", "dev", "devops", "ops", "it",
}

// fileTLDs are file extensions that look like top-level domains after an '@' in asset
// names ("logo@2x.png"); an address whose "TLD" is one of them is a file name.
var fileTLDs = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "ico": true,
	"js": true, "mjs": true, "css": true, "scss": true, "map": true, "php": true, "html": true,
	"htm": true, "json": true, "xml": true, "txt": true, "md": true, "go": true, "py": true,
	"rb": true, "ts": true, "tsx": true, "jsx": true, "woff": true, "woff2": true, "ttf": true,
	"eot": true, "pdf": true, "gz": true, "tgz": true, "lock": true, "yaml": true, "yml": true,
	"vue": true, "sh": true, "bak": true, "sql": true, "csv": true, "avif": true,
}

// IsPlaceholderDomain reports whether an address at domain is a placeholder by RFC or by
// convention (see ReservedDomains and PlaceholderDomains).
func IsPlaceholderDomain(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	for _, r := range ReservedDomains {
		if strings.HasPrefix(r, ".") {
			if strings.HasSuffix(d, r) || d == r[1:] {
				return true
			}
		} else if d == r {
			return true
		}
	}
	for _, p := range PlaceholderDomains {
		if d == p || strings.HasSuffix(d, "."+p) {
			return true
		}
	}
	labels := strings.Split(d, ".")
	for _, l := range labels[:len(labels)-1] {
		for _, e := range ExampleLabels {
			if l == e {
				return true
			}
		}
	}
	return false
}

// creditLabels introduce the people software credits: an address after "Copyright",
// "Author:" or "Signed-off-by:" names a developer, not a customer.
var creditLabels = []string{"copyright", "(c)", "©", "author", "authors", "maintainer", "maintainers",
	"maintained by", "written by", "signed-off-by", "co-authored-by", "committer", "packager",
	"contributor", "contributors", "developer", "developers", "reported-by", "reviewed-by", "acked-by",
	"publisher", "supplier"}

// credited reports whether the address at start is a software credit: under an author or
// maintainer column (but not a blog comment's author, who is a visitor), or after a credit
// label on its line.
func credited(text []byte, start int, h Hint) bool {
	for _, w := range []string{"author", "maintainer", "committer", "packager", "developer", "contributor", "copyright"} {
		if strings.Contains(h.Name, w) && !strings.Contains(h.Name, "comment") {
			return true
		}
	}
	if h.Kind == Email {
		return false
	}
	lo := max(0, start-labelWindow)
	win := strings.ToLower(string(text[lo:start]))
	if i := strings.LastIndexByte(win, '\n'); i >= 0 {
		win = win[i+1:]
	}
	for _, l := range creditLabels {
		if strings.Contains(win, l) {
			return true
		}
	}
	return false
}

func isRoleLocal(local string) bool {
	l := strings.ToLower(local)
	if i := strings.IndexByte(l, '+'); i > 0 {
		l = l[:i]
	}
	for _, r := range RoleLocalParts {
		if l == r {
			return true
		}
	}
	return false
}

func isLocalChar(c byte) bool {
	return isDigit(c) || isUpper(c) || isLower(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool {
	return isDigit(c) || isUpper(c) || isLower(c) || c == '-' || c == '.'
}

// appendEmails finds addresses of the practical RFC 5322 subset (dot-atoms of letters,
// digits and ._%+- before the @, LDH labels after it, an alphabetic TLD). Addresses at
// reserved or placeholder domains are not matches at all: they are what anonymised data
// looks like.
func appendEmails(dst []Match, text []byte, h Hint) []Match {
	for off := 0; ; {
		i := bytes.IndexByte(text[off:], '@')
		if i < 0 {
			return dst
		}
		at := off + i
		off = at + 1
		s := at
		for s > 0 && isLocalChar(text[s-1]) && at-s < 64 {
			s--
		}
		// A local part cannot start with a dot; "x.@" and "..@" are not addresses.
		for s < at && text[s] == '.' {
			s++
		}
		if s == at || text[at-1] == '.' || (s > 0 && isLocalChar(text[s-1])) {
			continue
		}
		e := at + 1
		for e < len(text) && isDomainChar(text[e]) && e-at <= 253 {
			e++
		}
		for e > at+1 && (text[e-1] == '.' || text[e-1] == '-') {
			e--
		}
		domain := text[at+1 : e]
		if !validDomain(domain) || (e < len(text) && isAlnum(text[e])) {
			continue
		}
		local := string(text[s:at])
		// user:password@host inside a URL is a credential (CR-4's business), not a mailbox;
		// a mailing list's address in an archive URL's path ("/list/announce@lists.x.org/")
		// and a Message-ID ("%3cC628798F-315D-…@apache.org%3e") are not anyone's mailbox.
		if s > 0 && text[s-1] == ':' && bytes.Contains(text[max(0, s-80):s], []byte("://")) ||
			s > 0 && text[s-1] == '/' || e < len(text) && text[e] == '/' || isMessageID(local) {
			continue
		}
		if strings.Contains(local, "..") {
			continue
		}
		d := string(domain)
		if IsPlaceholderDomain(d) {
			continue
		}
		m := Match{Kind: Email, Start: s, End: e, Confidence: Medium}
		if h.Kind == Email {
			m.Confidence = High
		}
		switch {
		case isRoleLocal(local):
			m.Confidence, m.Detail = Low, "role address"
		case credited(text, s, h):
			m.Confidence, m.Detail = Low, "credited author"
		}
		dst = append(dst, m)
		off = e
	}
}

// isMessageID recognises the local part of a Message-ID: URL-encoded angle brackets, or a
// long run of hex digits and dashes (a UUID), which no person picks as a mailbox name.
func isMessageID(local string) bool {
	if strings.Contains(strings.ToLower(local), "%3c") {
		return true
	}
	if len(local) < 16 {
		return false
	}
	digits := 0
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case isDigit(c):
			digits++
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '-', c == '.':
		default:
			return false
		}
	}
	return digits >= 4
}

func validDomain(d []byte) bool {
	if len(d) < 4 || len(d) > 253 {
		return false
	}
	labels := 0
	for len(d) > 0 {
		i := bytes.IndexByte(d, '.')
		label := d
		if i >= 0 {
			label, d = d[:i], d[i+1:]
		} else {
			d = nil
		}
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		labels++
		if d == nil {
			// The last label is the TLD: letters only (or an IDN's xn-- form).
			if len(label) < 2 {
				return false
			}
			if !bytes.HasPrefix(label, []byte("xn--")) {
				for _, c := range label {
					if !isUpper(c) && !isLower(c) {
						return false
					}
				}
			}
			if fileTLDs[strings.ToLower(string(label))] {
				return false
			}
		}
	}
	return labels >= 2
}
