package githistory

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tip is what a selected ref points at, after peeling tags.
type tip struct {
	name string
	oid  string
	typ  string
}

// tipSet is the result of resolving Options.Refs once, so that git log, the depth
// limit and the non-commit tips all see the same snapshot of the refs even if
// they move during the walk.
type tipSet struct {
	commits []string // unique peeled commit ids
	others  []tip    // refs that peel to a blob or a tree
	broken  []error  // refs pointing at missing objects
}

func isGlob(ref string) bool { return strings.ContainsAny(ref, "*?[") }

func (r *repo) resolveTips(ctx context.Context, refs []string) (*tipSet, error) {
	var globArgs, names []string
	required := map[string]bool{}
	if len(refs) == 0 {
		globArgs = []string{"--exclude=refs/stash", "--all"}
	}
	for _, ref := range refs {
		switch {
		case ref == "" || strings.ContainsAny(ref, "\n\x00"):
			return nil, fmt.Errorf("githistory: invalid ref %q", ref)
		case isGlob(ref):
			globArgs = append(globArgs, "--glob="+ref)
		default:
			names = append(names, ref)
			required[ref] = true
		}
	}
	var listed []string
	if len(globArgs) > 0 {
		out, err := r.output(ctx, append([]string{"rev-parse", "--symbolic-full-name"}, globArgs...)...)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(out), "\n") {
			if l != "" {
				listed = append(listed, l)
			}
		}
	}
	if len(refs) == 0 {
		listed = append(listed, "HEAD") // a detached HEAD is history too; unborn is fine
	}
	names = append(listed, names...)
	ts := &tipSet{}
	if len(names) == 0 {
		return ts, nil
	}
	br, err := r.newBatchReader(ctx, true)
	if err != nil {
		return nil, err
	}
	queries := make([]string, len(names))
	for i, n := range names {
		queries[i] = n + "^{}" // peel tags, however deeply nested
	}
	seen := map[string]bool{}
	qerr := br.query(ctx, queries, func(i int, h batchHeader, _ []byte) error {
		name := names[i]
		if h.missing {
			switch {
			case required[name]:
				return fmt.Errorf("githistory: ref %q not found in %s", name, r.dir)
			case name != "HEAD":
				ts.broken = append(ts.broken, &ObjectError{Path: name, Err: fmt.Errorf("%w: ref points at a missing object", ErrCorruptObject)})
			}
			return nil
		}
		if seen[h.oid] {
			return nil
		}
		seen[h.oid] = true
		switch h.typ {
		case "commit":
			ts.commits = append(ts.commits, h.oid)
		case "blob", "tree":
			ts.others = append(ts.others, tip{name: name, oid: h.oid, typ: h.typ})
		}
		return nil
	})
	if err := br.close(ctx); qerr == nil {
		qerr = err
	}
	if qerr != nil {
		return nil, qerr
	}
	return ts, nil
}

// commitNode is what the depth limit needs from a commit object.
type commitNode struct {
	oid       string
	parents   []string
	committed int64
	authored  int64
	seq       int // discovery order, to break ties deterministically
	indeg     int
}

// selectByDepth returns the commits within maxDepth of the tips (see
// Options.MaxDepth) whose author date is not before since, oldest first (see
// depthOrder). It reads only those commits (breadth first through one cat-file
// process), so a shallow scan of a huge history stays cheap.
func (r *repo) selectByDepth(ctx context.Context, tips []string, maxDepth int, since time.Time) ([]string, error) {
	br, err := r.newBatchReader(ctx, false)
	if err != nil {
		return nil, err
	}
	nodes := map[string]*commitNode{}
	queued := map[string]bool{}
	var all []*commitNode
	frontier := make([]string, 0, len(tips))
	for _, t := range tips {
		if !queued[t] {
			queued[t] = true
			frontier = append(frontier, t)
		}
	}
	var qerr error
	for depth := 1; depth <= maxDepth && len(frontier) > 0 && qerr == nil; depth++ {
		var next []string
		qerr = br.query(ctx, frontier, func(i int, h batchHeader, content []byte) error {
			if h.missing {
				return nil // beyond a shallow boundary; git log reports real damage
			}
			if h.typ != "commit" {
				return fmt.Errorf("githistory: %s is a %s, not a commit", frontier[i], h.typ)
			}
			n, err := parseCommitObject(content)
			if err != nil {
				return fmt.Errorf("githistory: commit %s: %w", frontier[i], err)
			}
			n.oid, n.seq = frontier[i], len(all)
			nodes[n.oid] = n
			all = append(all, n)
			if depth < maxDepth {
				for _, p := range n.parents {
					if !queued[p] {
						queued[p] = true
						next = append(next, p)
					}
				}
			}
			return nil
		})
		frontier = next
	}
	if err := br.close(ctx); qerr == nil {
		qerr = err
	}
	if qerr != nil {
		return nil, qerr
	}
	return depthOrder(all, nodes, since), nil
}

// depthOrder sorts the selected commits the way `git log --reverse --date-order`
// sorts a walk, so that attribution does not depend on whether MaxDepth is set:
// git emits newest first, a commit only after all its (selected) children, and
// the list is then reversed.
func depthOrder(all []*commitNode, nodes map[string]*commitNode, since time.Time) []string {
	for _, n := range all {
		for _, p := range n.parents {
			if pn := nodes[p]; pn != nil {
				pn.indeg++ // counts selected children
			}
		}
	}
	ready := &nodeHeap{}
	for _, n := range all {
		if n.indeg == 0 {
			heap.Push(ready, n)
		}
	}
	out := make([]string, 0, len(all))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(*commitNode)
		if since.IsZero() || n.authored >= since.Unix() {
			out = append(out, n.oid)
		}
		for _, p := range n.parents {
			if pn := nodes[p]; pn != nil {
				if pn.indeg--; pn.indeg == 0 {
					heap.Push(ready, pn)
				}
			}
		}
	}
	slices.Reverse(out)
	return out
}

// parseCommitObject reads the parents and dates from a raw commit object.
func parseCommitObject(b []byte) (*commitNode, error) {
	n := &commitNode{}
	var haveAuthor, haveCommitter bool
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte{'\n'})
		b = rest
		if len(line) == 0 {
			break // end of headers
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "parent":
			if !isHexOID(val) {
				return nil, fmt.Errorf("bad parent %q", val)
			}
			n.parents = append(n.parents, string(val))
		case "author", "committer":
			ts, err := identTime(val)
			if err != nil {
				return nil, err
			}
			if key[0] == 'a' {
				n.authored, haveAuthor = ts, true
			} else {
				n.committed, haveCommitter = ts, true
			}
		}
	}
	if !haveAuthor || !haveCommitter {
		return nil, fmt.Errorf("missing author or committer")
	}
	return n, nil
}

// identTime extracts the timestamp from "Name <email> 1700000000 +0000".
func identTime(ident []byte) (int64, error) {
	f := bytes.Fields(ident[bytes.LastIndexByte(ident, '>')+1:])
	if len(f) < 1 {
		return 0, fmt.Errorf("no date in %q", ident)
	}
	ts, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad date in %q", ident)
	}
	return ts, nil
}

type nodeHeap []*commitNode

func (h nodeHeap) Len() int { return len(h) }

// Less puts the newest commit first; among equal dates, the one found first in
// the walk from the tips.
func (h nodeHeap) Less(i, j int) bool {
	if h[i].committed != h[j].committed {
		return h[i].committed > h[j].committed
	}
	return h[i].seq < h[j].seq
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*commitNode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}
