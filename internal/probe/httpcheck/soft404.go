package httpcheck

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
)

// notFound is the shape of an answer, compared between a path that cannot exist and a
// probed path: a site that answers every path with the same page (a soft 404, a
// single-page app, a catch-all login) is recognised by it.
type notFound struct {
	status int
	hash   [32]byte
	title  string
	length int
}

var titleRe = regexp.MustCompile(`(?is)<title[^>]*>(.{0,500}?)</title>`)

// shapeOf normalises the answer to reqPath: pages often echo the path they were asked
// for ("/x.php was not found"), which must not make two not-found pages differ.
func shapeOf(r *response, reqPath string) notFound {
	body := r.body
	for _, v := range pathVariants(reqPath) {
		body = bytes.ReplaceAll(body, []byte(v), nil)
	}
	nf := notFound{status: r.status, hash: sha256.Sum256(body), length: len(body)}
	if m := titleRe.FindSubmatch(body); m != nil {
		nf.title = strings.TrimSpace(html.UnescapeString(string(m[1])))
	}
	return nf
}

func pathVariants(p string) []string {
	base := path.Base(p)
	vs := []string{p, url.PathEscape(p), html.EscapeString(p), strings.TrimPrefix(p, "/"), base}
	out := vs[:0]
	for _, v := range vs {
		if len(v) >= 2 {
			out = append(out, v)
		}
	}
	// Longest first, so that removing the base does not break up the full path.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// same says whether o looks like the not-found answer b.
func (b notFound) same(o notFound) bool {
	if b.status != o.status {
		return false
	}
	if b.hash == o.hash {
		return true
	}
	if b.title != "" && b.title == o.title {
		d := b.length - o.length
		if d < 0 {
			d = -d
		}
		return d <= max(64, b.length/10)
	}
	return false
}

// baseline is what the site answers for paths that do not exist, by extension: sites
// route "*.php" or dot-files differently from the rest.
type baseline struct {
	shapes []notFound
	// learned says how many of the not-found requests were answered.
	learned, asked int
	statuses       map[int]bool
}

func (b *baseline) matches(r *response, reqPath string) bool {
	if b == nil {
		return false
	}
	s := shapeOf(r, reqPath)
	for _, x := range b.shapes {
		if x.same(s) {
			return true
		}
	}
	return false
}

// learnNotFound asks origin for random paths that cannot exist, one per extension the
// rules probe, plus a bare name and a directory.
func (s *scan) learnNotFound(ctx context.Context, origin *url.URL) *baseline {
	token := randomToken()
	exts := map[string]bool{"": true, "/": true}
	for _, r := range s.rules.Paths {
		for _, p := range r.Paths {
			if strings.HasSuffix(p, "/") {
				continue
			}
			exts[extOf(p)] = true
		}
	}
	var paths []string
	for e := range exts {
		paths = append(paths, "/posture-not-found-"+token+e)
	}
	sort.Strings(paths)
	shapes := make([]*notFound, len(paths))
	s.parallel(ctx, len(paths), func(i int) {
		u := *origin
		u.Path = paths[i]
		r, err := s.f.get(ctx, "", u.String(), probeBody)
		if err != nil {
			return
		}
		s.record(r, kindBaseline, 0)
		sh := shapeOf(r, paths[i])
		shapes[i] = &sh
	})
	b := &baseline{asked: len(paths), statuses: map[int]bool{}}
	for _, sh := range shapes {
		if sh != nil {
			b.shapes = append(b.shapes, *sh)
			b.learned++
			b.statuses[sh.status] = true
		}
	}
	return b
}

// extOf is what follows the last dot of the last segment (".php", ".php~", ".env"), or
// "" without one.
func extOf(p string) string {
	base := path.Base(p)
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i:]
	}
	return ""
}

func randomToken() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
