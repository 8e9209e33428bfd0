package httpcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
)

// loginRe recognises a login form: a password field is what makes a page a login page,
// whatever its language or framework.
var loginRe = regexp.MustCompile(`(?is)<input\b[^>]{0,500}?\btype\s*=\s*["']?password\b`)

// IsLoginPage says whether body holds a password field.
func IsLoginPage(body []byte) bool { return loginRe.Match(body) }

// maxLines bounds the line check of a body (a KEY=VALUE file is short).
const maxLines = 2000

// confirm says whether r is the real thing rule looks for, and what may be quoted of it.
// It does not know the site's not-found answer; the caller compares with that first.
func (rule *Rule) confirm(r *response) (evidence string, ok bool) {
	if !slices.Contains(rule.Status, r.status) {
		return "", false
	}
	body := r.body
	if rule.LoginPageOK && IsLoginPage(body) {
		return "", false
	}
	if len(rule.Prefix) > 0 {
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		found := false
		for _, p := range rule.Prefix {
			found = found || bytes.HasPrefix(trimmed, []byte(p))
		}
		if !found {
			return "", false
		}
	}
	for _, re := range rule.body {
		if !re.Match(body) {
			return "", false
		}
	}
	for _, re := range rule.mustNot {
		if re.Match(body) {
			return "", false
		}
	}
	if rule.lines != nil && !everyLine(rule.lines, body, r.truncated) {
		return "", false
	}
	var objects int
	if len(rule.JSONArrayKeys) > 0 {
		if objects, ok = jsonArrayWithKeys(body, rule.JSONArrayKeys); !ok {
			return "", false
		}
	}
	var listing Listing
	if rule.Detector == "directory-listing" {
		if listing, ok = DetectListing(body); !ok {
			return "", false
		}
	}
	return rule.quote(r, objects, listing), true
}

// everyLine says whether every non-empty line matches re. A line cut off by the read
// limit is not judged.
func everyLine(re *regexp.Regexp, body []byte, truncated bool) bool {
	lines := bytes.Split(body, []byte("\n"))
	if truncated && len(lines) > 1 {
		lines = lines[:len(lines)-1]
	}
	n := 0
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if n++; n > maxLines {
			break
		}
		if !re.Match(l) {
			return false
		}
	}
	return n > 0
}

// jsonArrayWithKeys reads the start of a JSON array and says whether its first element is
// an object with all keys, and how many elements the read part holds.
func jsonArrayWithKeys(body []byte, keys []string) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return 0, false
	}
	n := 0
	for dec.More() {
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			// A body cut off by the read limit still proves the shape if the first
			// element decoded.
			return n, n > 0
		}
		if n == 0 {
			for _, k := range keys {
				if _, ok := obj[k]; !ok {
					return 0, false
				}
			}
		}
		n++
	}
	return n, n > 0
}

var (
	envKeyRe  = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=`)
	defineRe  = regexp.MustCompile(`\bdefine\s*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]`)
	dbConstRe = regexp.MustCompile(`\bDB_(?:PASSWORD|NAME|USER|HOST)\b`)
	tagRe     = regexp.MustCompile(`<[^>]*>`)
)

// How much of a body evidence may quote.
const (
	maxQuoted  = 12
	maxQuoteLn = 100
)

// quote renders what may be shown of a confirmed body. Values are never quoted from files
// that hold secrets: only names.
func (rule *Rule) quote(r *response, objects int, l Listing) string {
	head := statusLine(r)
	switch rule.Evidence {
	case "first-line":
		line, _, _ := strings.Cut(string(bytes.TrimSpace(r.body)), "\n")
		return head + "; " + truncate(strings.TrimSpace(line), maxQuoteLn)
	case "keys":
		return head + "; keys " + names(envKeyRe, r.body) + " (values not shown)"
	case "defines":
		n := names(defineRe, r.body)
		if n == "" {
			n = names(dbConstRe, r.body)
		}
		return head + "; defines " + n + " (values not shown)"
	case "json-array":
		more := ""
		if r.truncated {
			more = "at least "
		}
		return fmt.Sprintf("%s; JSON array of %s%d objects with %s", head, more, objects, strings.Join(rule.JSONArrayKeys, ", "))
	case "title":
		if m := titleRe.FindSubmatch(r.body); m != nil {
			t := strings.TrimSpace(html.UnescapeString(string(tagRe.ReplaceAll(m[1], nil))))
			return head + "; title " + truncate(t, maxQuoteLn)
		}
	case "match":
		re := rule.body[len(rule.body)-1]
		if m := re.FindSubmatch(r.body); m != nil {
			return head + "; " + truncate(string(m[re.SubexpIndex("evidence")]), maxQuoteLn)
		}
	case "listing":
		return head + "; " + listingEvidence(l)
	}
	return head
}

// names lists the distinct first groups of re in body, a few at most.
func names(re *regexp.Regexp, body []byte) string {
	var out []string
	seen := map[string]bool{}
	for _, m := range re.FindAllSubmatch(body, -1) {
		n := string(m[len(m)-1])
		if seen[n] {
			continue
		}
		seen[n] = true
		if len(out) == maxQuoted {
			out = append(out, "…")
			break
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}
