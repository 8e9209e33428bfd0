package httpcheck

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

// Listing is a generated directory index recognised in a response body.
type Listing struct {
	// Server is the software whose layout matched: nginx, apache, lighttpd, python, iis.
	Server string
	// Dir is the directory the page says it lists.
	Dir string
	// Entries counts the links to files and directories, not parent or sort links.
	Entries int
}

var (
	listTitleRe = regexp.MustCompile(`(?is)<title>\s*(index of|directory listing for)\s+(/[^<]{0,1000}?)\s*</title>`)
	listH1Re    = regexp.MustCompile(`(?is)<h1>\s*(index of|directory listing for)\s+(/[^<]{0,1000}?)\s*</h1>`)
	// nginx autoindex: the heading is followed by a rule and a <pre> of links whose first
	// is the parent directory.
	nginxListRe = regexp.MustCompile(`(?is)</h1>\s*<hr>\s*<pre>\s*<a href="\.\./">\.\./</a>`)
	// Apache mod_autoindex: a "Parent Directory" link, the sortable column headers, or its
	// [PARENTDIR] icon text.
	apacheListRe = regexp.MustCompile(`(?i)>\s*Parent Directory\s*</a>|<a href="\?C=[NMSD];O=[AD]">|alt="\[PARENTDIR\]"`)
	lighttpdRe   = regexp.MustCompile(`(?i)<table summary="Directory Listing"|<div class="list">\s*<table`)
	pythonListRe = regexp.MustCompile(`(?is)</h1>\s*<hr>\s*<ul>\s*(?:</ul>|<li><a href=)`)
	iisListRe    = regexp.MustCompile(`(?i)<A HREF="[^"]*">\[To Parent Directory\]</A>`)
	iisTitleRe   = regexp.MustCompile(`(?is)<title>[^<]{0,500} - (/[^<]{0,1000})</title>`)
	hrefRe       = regexp.MustCompile(`(?i)<a href="([^"]{1,1000})"`)
)

// maxListingScan bounds how much of a body the detector reads: a listing announces itself
// in its first lines, and entries are only counted, not needed in full.
const maxListingScan = 256 << 10

// DetectListing says whether body is a web server's generated directory listing. A page
// merely titled "Index of" is not enough: the heading must repeat the title and the
// markup around it must be that of a known generator, so a blog post about listings is
// not reported.
func DetectListing(body []byte) (Listing, bool) {
	if len(body) > maxListingScan {
		body = body[:maxListingScan]
	}
	if iisListRe.Match(body) {
		if m := iisTitleRe.FindSubmatch(body); m != nil {
			return Listing{Server: "iis", Dir: clean(m[1]), Entries: countEntries(body)}, true
		}
	}
	t := listTitleRe.FindSubmatch(body)
	h := listH1Re.FindSubmatch(body)
	if t == nil || h == nil {
		return Listing{}, false
	}
	kindT, dirT := strings.ToLower(string(t[1])), clean(t[2])
	kindH, dirH := strings.ToLower(string(h[1])), clean(h[2])
	if kindT != kindH || dirT != dirH {
		return Listing{}, false
	}
	l := Listing{Dir: dirT, Entries: countEntries(body)}
	switch {
	case kindT == "directory listing for" && pythonListRe.Match(body):
		l.Server = "python"
	case kindT != "index of":
		return Listing{}, false
	case nginxListRe.Match(body):
		l.Server = "nginx"
	case lighttpdRe.Match(body):
		l.Server = "lighttpd"
	case apacheListRe.Match(body):
		l.Server = "apache"
	default:
		return Listing{}, false
	}
	return l, true
}

func clean(b []byte) string {
	return strings.TrimSpace(html.UnescapeString(string(bytes.TrimSpace(b))))
}

// countEntries counts links that name an entry: not the parent, not a sort header, not
// an absolute link elsewhere.
func countEntries(body []byte) int {
	n := 0
	for _, m := range hrefRe.FindAllSubmatch(body, 10000) {
		h := string(m[1])
		switch {
		case h == "../" || h == "/" || h == "..":
			continue
		case strings.HasPrefix(h, "?"):
			continue
		case strings.Contains(h, "://"):
			continue
		}
		n++
	}
	return n
}
