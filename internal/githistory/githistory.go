// Package githistory reads every unique blob of a git repository's history exactly
// once, with the commit that introduced it, so that a secret scanner can look at
// content that is no longer in the working tree. It drives the git binary (no git
// library): one `git log --raw` enumerates what each commit added or modified, one
// long-lived `git cat-file --batch-command` learns sizes (so huge blobs are never
// read) and another streams contents to a bounded pool of workers.
//
// Why first-parent diffs are enough: for any blob B reachable from the walked tips,
// take the oldest commit C (parents before children) whose tree holds B at some
// path. None of C's parents holds B anywhere, or that parent would be older, so
// C's diff against its first parent (against the empty tree for a root or a
// shallow boundary commit) lists B as added or modified, and no older commit's
// diff lists B at all. Walking every commit reachable from the tips with
// `--diff-merges=first-parent` therefore delivers every reachable blob and
// attributes it to that oldest commit. Without a merge diff (git log's default) a
// blob that only a merge resolution introduced would be missed; -m and --cc find
// the same blobs as first-parent but diff each merge against every parent and, for
// --cc, print a different raw format. Blobs that a ref points at directly, or that
// sit in a tagged tree, are in no commit: Walk adds them after the log.
// TestWalkCoversRevListObjects and TestWalkRandomHistories check all of this
// against `git rev-list --objects` and a brute-force oracle; TestMergeDiffModes and
// BenchmarkWalk record the merge-mode choice.
package githistory

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// Options select which part of history Walk reads. The zero value reads everything.
type Options struct {
	// Refs are the tips to walk. An entry with a glob character (*, ? or [) is
	// passed to git as --glob (so "heads/*" means refs/heads/*); any other entry is
	// a revision such as "refs/heads/main", "main", "v1.0" or a commit id, and must
	// exist. Empty means every ref under refs/ except refs/stash, plus HEAD, so a
	// detached HEAD's commits are scanned but work parked in the stash is not.
	Refs []string
	// Since skips commits whose author date is before it, so a scheduled scan can
	// look at recent work only. git also pre-filters on committer date
	// (--since-as-filter) to avoid diffing old commits; a commit whose committer
	// date precedes its own author date (a skewed clock) can be missed. Refs that
	// point straight at a blob or a tree have no date and are skipped.
	Since time.Time
	// MaxDepth bounds a scan of recent work cheaply: it keeps commits at most
	// MaxDepth-1 parent links away from some tip, over all parents, the way
	// `git fetch --depth` counts (1 keeps only the tips). With several refs a
	// commit is kept if it is close enough to any of them, so a busy branch cannot
	// push a quiet one's commits out. Each kept commit is diffed against its real
	// first parent: only blobs that kept commits add or modify are reported, and
	// an older blob counts only where a kept commit puts it at a new path. Only the
	// kept commits are read, so the cost does not grow with the rest of history.
	MaxDepth int
	// MaxBlobSize keeps a huge binary from being loaded: larger blobs are not read
	// (git is only asked for their size) and are listed in Stats.SkippedLarge.
	// 0 means 10 MiB; a negative value means no limit.
	MaxBlobSize int64
	// Workers bounds the goroutines calling fn, and so the contents held in memory
	// at once (about twice Workers blobs). 0 means GOMAXPROCS.
	Workers int
}

// DefaultMaxBlobSize applies when Options.MaxBlobSize is 0.
const DefaultMaxBlobSize = 10 << 20

// Commit identifies where a blob was introduced, for a finding's provenance.
type Commit struct {
	Hash    string
	Author  string
	Email   string
	Date    time.Time // author date, in the author's time zone
	Subject string
}

// Blob is one unique blob (dedup by object id), attributed to the oldest commit (by
// commit date, then topological order) in which it appears at Path as an added or
// modified file. A blob that no commit holds (a ref pointing at a blob or a tree)
// has a zero Introduced and a Path of the form "refs/tags/x" or "refs/tags/x:dir/file".
// Path holds the bytes git stored, which need not be UTF-8.
type Blob struct {
	OID        string
	Path       string
	Size       int64
	Introduced Commit
}

// Stats describes a walk, for progress reports and for telling a user what was not
// read.
type Stats struct {
	Commits int   // commits whose changes were examined
	Blobs   int   // blobs handed to fn
	Bytes   int64 // their total size
	// SkippedLarge lists blobs over MaxBlobSize, so a report can say they were not
	// scanned rather than stay silent.
	SkippedLarge []Blob
	Duration     time.Duration
	// Shallow is set when the repository is a shallow clone: history stops at the
	// shallow boundary, whose commits count as roots (their whole tree is new).
	Shallow bool
}

var (
	// ErrNotRepository means the directory is not inside a git repository.
	ErrNotRepository = errors.New("not a git repository")
	// ErrGitMissing means no git binary was found on PATH.
	ErrGitMissing = errors.New("git binary not found")
	// ErrCorruptObject marks a blob that git could not read (missing or corrupt).
	// Walk still delivers every other blob; each unreadable one is an *ObjectError.
	ErrCorruptObject = errors.New("unreadable git object")
)

// ObjectError names a blob that could not be read, so a report can point at it.
type ObjectError struct {
	OID    string
	Path   string
	Commit string // introducing commit, "" if unknown
	Err    error
}

func (e *ObjectError) Error() string {
	s := "object " + e.OID
	if e.Path != "" {
		s += fmt.Sprintf(" (%q", e.Path)
		if e.Commit != "" {
			s += " in commit " + e.Commit
		}
		s += ")"
	}
	return s + ": " + e.Err.Error()
}

func (e *ObjectError) Unwrap() error { return e.Err }

func (o Options) maxBlobSize() int64 {
	switch {
	case o.MaxBlobSize == 0:
		return DefaultMaxBlobSize
	case o.MaxBlobSize < 0:
		return 1<<63 - 1
	}
	return o.MaxBlobSize
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}
