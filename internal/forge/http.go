package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a response read into memory; API answers are far smaller.
const maxBody = 16 << 20

// maxPages bounds pagination, so a forge that links pages in a circle cannot keep a
// scan busy for ever.
const maxPages = 50

type transport struct {
	base  *url.URL
	token string
	hc    *http.Client
	kind  Kind
}

// get fetches pathQuery (relative to the API root) or an absolute next-page URL into
// v, and returns the next page's URL from the Link header ("" on the last page).
func (t *transport) get(ctx context.Context, pathQuery string, v any) (string, error) {
	u, err := t.resolve(pathQuery)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("User-Agent", "posture (change-control check)")
	switch t.kind {
	case GitHub:
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		if t.token != "" {
			req.Header.Set("Authorization", "Bearer "+t.token)
		}
	default:
		req.Header.Set("Accept", "application/json")
		if t.token != "" {
			req.Header.Set("Authorization", "token "+t.token)
		}
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// The URL is ours and token-free, but say it shortly.
			return "", fmt.Errorf("GET %s: %w", u.Path, ue.Err)
		}
		return "", fmt.Errorf("GET %s: %w", u.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return "", fmt.Errorf("GET %s: reading the response: %w", u.Path, err)
	}
	if len(body) > maxBody {
		return "", fmt.Errorf("GET %s: response larger than %d MiB", u.Path, maxBody>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", apiError(u.Path, resp, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "", fmt.Errorf("GET %s: unexpected response: %w", u.Path, err)
	}
	return ParseLink(resp.Header.Get("Link"))["next"], nil
}

// resolve turns a path or a pagination link into a URL under the API root. A link to
// anywhere else is refused: following it would send the token there.
func (t *transport) resolve(pathQuery string) (*url.URL, error) {
	if strings.Contains(pathQuery, "://") {
		u, err := url.Parse(pathQuery)
		if err != nil || u.Scheme != t.base.Scheme || u.Host != t.base.Host || !strings.HasPrefix(u.Path, t.base.Path+"/") || u.User != nil {
			return nil, fmt.Errorf("refusing to follow a pagination link outside the API root %s", t.base.Redacted())
		}
		return u, nil
	}
	// pathQuery is already escaped (see seg), so parse rather than assign Path.
	u, err := url.Parse(strings.TrimRight(t.base.String(), "/") + pathQuery)
	if err != nil {
		return nil, fmt.Errorf("building the URL for %s: %w", pathQuery, err)
	}
	return u, nil
}

// apiError reads an error response: GitHub and Gitea both answer {"message": "..."}.
func apiError(path string, resp *http.Response, body []byte) error {
	e := &APIError{Method: http.MethodGet, Path: path, Status: resp.StatusCode}
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil {
		e.Message = strings.TrimSpace(m.Message)
	}
	if len(e.Message) > 300 {
		e.Message = e.Message[:300] + "…"
	}
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests {
		// GitHub's primary limit says remaining 0; a secondary limit sends Retry-After.
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			e.RateLimited = true
			if sec, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				e.Reset = time.Unix(sec, 0).UTC()
			}
		} else if ra := resp.Header.Get("Retry-After"); ra != "" {
			e.RateLimited = true
			if sec, err := strconv.Atoi(ra); err == nil {
				if d := resp.Header.Get("Date"); d != "" {
					if at, err := http.ParseTime(d); err == nil {
						e.Reset = at.Add(time.Duration(sec) * time.Second).UTC()
					}
				}
			}
		} else if resp.StatusCode == http.StatusTooManyRequests {
			e.RateLimited = true
		}
	}
	return e
}

// ParseLink reads an RFC 8288 Link header into rel → URL, as GitHub and Gitea send it
// for pagination: `<https://…?page=2>; rel="next", <https://…?page=5>; rel="last"`.
func ParseLink(h string) map[string]string {
	out := map[string]string{}
	for h != "" {
		h = strings.TrimLeft(h, " \t,")
		if !strings.HasPrefix(h, "<") {
			// Not a link value: skip to the next comma outside a URL.
			i := strings.IndexByte(h, ',')
			if i < 0 {
				break
			}
			h = h[i+1:]
			continue
		}
		end := strings.IndexByte(h, '>')
		if end < 0 {
			break
		}
		target := h[1:end]
		h = h[end+1:]
		valid := !strings.ContainsRune(target, '<')
		// Parameters run to the next comma that starts another link.
		params := h
		if i := strings.Index(h, ",<"); i >= 0 {
			params, h = h[:i], h[i+1:]
		} else if i := strings.Index(h, ", <"); i >= 0 {
			params, h = h[:i], h[i+1:]
		} else {
			h = ""
		}
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				if !valid {
					break // "<" cannot appear in a URL: this is not a link
				}
				rel = strings.ToLower(rel)
				if _, dup := out[rel]; !dup {
					out[rel] = target
				}
			}
		}
	}
	return out
}

// paginate calls fetch for the first page and every next page, up to maxPages,
// stopping early when fetch says it has enough.
func (t *transport) paginate(ctx context.Context, first string, fetch func(next string) (string, bool, error)) error {
	next := first
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return fmt.Errorf("more than %d pages; stopped", maxPages)
		}
		n, enough, err := fetch(next)
		if err != nil {
			return err
		}
		if enough {
			return nil
		}
		next = n
	}
	return nil
}

// seg escapes one path segment (an owner, a repository, a number).
func seg(s string) string { return url.PathEscape(s) }

// branchPath escapes a branch name for a URL path, keeping its slashes as the APIs
// expect ("release/1.0").
func branchPath(b string) string {
	parts := strings.Split(b, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
