package forge

import (
	"fmt"
	"net/url"
	"strings"
)

// Remote is a repository on a forge, as a git remote URL names it.
type Remote struct {
	// Host is the forge's host name (with a port only for http(s) URLs, where the
	// port is the web server's).
	Host string
	// WebBase is the forge's web root: https://HOST plus any path prefix of an http(s)
	// remote (a Gitea served under /git/).
	WebBase     string
	Owner, Repo string
}

// String names the repository without credentials, for reports.
func (r Remote) String() string { return r.Host + "/" + r.Owner + "/" + r.Repo }

// ParseRemote reads a git remote URL: https://host/owner/repo(.git),
// git@host:owner/repo(.git), ssh://git@host[:port]/owner/repo(.git) and git://.
// Credentials in the URL are dropped. Local paths and file:// URLs are not forges.
func ParseRemote(raw string) (Remote, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Remote{}, fmt.Errorf("empty remote URL")
	}
	var host, path, prefix string
	scheme, web := "https", false
	switch {
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		if err != nil {
			// The parse error would quote the URL, credentials and all.
			return Remote{}, fmt.Errorf("remote URL is not a valid URL")
		}
		switch u.Scheme {
		case "https", "http":
			scheme, host, web = u.Scheme, u.Host, true
		case "ssh", "git", "git+ssh", "ssh+git":
			host = u.Hostname()
		default:
			return Remote{}, fmt.Errorf("remote URL scheme %q is not a forge's", u.Scheme)
		}
		path = u.Path
	default:
		// scp-like "[user@]host:path"; a colon after a slash makes it a local path.
		colon := strings.IndexByte(raw, ':')
		slash := strings.IndexByte(raw, '/')
		if colon <= 0 || (slash >= 0 && slash < colon) {
			return Remote{}, fmt.Errorf("remote is a local path, not a forge")
		}
		host = raw[:colon]
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		path = raw[colon+1:]
	}
	host = strings.ToLower(host)
	if host == "" || strings.ContainsAny(host, "/\\ ") {
		return Remote{}, fmt.Errorf("remote URL has no host")
	}
	segs := strings.FieldsFunc(strings.TrimSuffix(strings.TrimSuffix(path, "/"), ".git"), func(r rune) bool { return r == '/' })
	if len(segs) < 2 {
		return Remote{}, fmt.Errorf("remote URL does not name owner/repository")
	}
	owner, repo := segs[len(segs)-2], segs[len(segs)-1]
	if scheme == "https" || scheme == "http" {
		// Only a web URL says where the forge is mounted; ssh paths are relative to
		// the git user, not to the web root.
		if web && len(segs) > 2 {
			prefix = "/" + strings.Join(segs[:len(segs)-2], "/")
		}
	}
	return Remote{Host: host, WebBase: scheme + "://" + host + prefix, Owner: owner, Repo: repo}, nil
}

// Guess names the forge a host runs, when it is well known.
func Guess(host string) (Kind, bool) {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	switch h {
	case "github.com", "www.github.com":
		return GitHub, true
	case "codeberg.org", "gitea.com":
		return Gitea, true
	}
	return "", false
}

// DefaultAPIURL is the API root of a remote's forge when none is configured.
func DefaultAPIURL(k Kind, r Remote) string {
	switch {
	case k == GitHub && (r.Host == "github.com" || r.Host == "www.github.com"):
		return "https://api.github.com"
	case k == GitHub:
		return r.WebBase + "/api/v3" // GitHub Enterprise Server
	}
	return r.WebBase + "/api/v1"
}

// NormaliseAPIURL completes a configured API URL: a Gitea root without /api/v1 gets
// it, as does a GitHub Enterprise root without /api/v3.
func NormaliseAPIURL(k Kind, s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	switch {
	case k == Gitea && !strings.HasSuffix(u.Path, "/api/v1"):
		return s + "/api/v1"
	case k == GitHub && u.Host != "api.github.com" && !strings.HasSuffix(u.Path, "/api/v3"):
		return s + "/api/v3"
	}
	return s
}
