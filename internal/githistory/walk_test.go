package githistory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

func TestWalkDedupAndAttribution(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "shared secret\n")
	first := r.commit("add a")
	r.write("b.txt", "shared secret\n")
	r.write("dir/c.txt", "shared secret\n")
	r.commit("copy to b and c")
	r.git("checkout", "-q", "-b", "other")
	r.write("other.txt", "shared secret\n")
	r.write("only-other.txt", "other branch\n")
	otherTip := r.commit("on other")
	r.git("checkout", "-q", "main")
	r.remove("a.txt")
	r.commit("delete a")
	r.write("a.txt", "shared secret\n")
	r.commit("re-add a with the same content")

	res := mustWalk(t, r.dir, Options{})
	shared := r.blobID("shared secret\n")
	if n := res.calls[shared]; n != 1 {
		t.Fatalf("shared blob read %d times, want 1", n)
	}
	b := res.blobs[shared]
	if b.Introduced.Hash != first || b.Path != "a.txt" || b.Introduced.Subject != "add a" {
		t.Errorf("shared blob attributed to %+v at %q, want commit %s at a.txt", b.Introduced, b.Path, first)
	}
	if b.Introduced.Author != "t" || b.Introduced.Email != "t@e" || b.Introduced.Date.Unix() != baseTime {
		t.Errorf("commit metadata = %+v", b.Introduced)
	}
	if got := res.blobs[r.blobID("other branch\n")].Introduced.Hash; got != otherTip {
		t.Errorf("other-branch blob attributed to %s, want %s", got, otherTip)
	}
	if res.data[shared] != "shared secret\n" {
		t.Errorf("content = %q", res.data[shared])
	}
	if res.stats.Commits != 5 || res.stats.Blobs != 2 || res.stats.Bytes != int64(len("shared secret\nother branch\n")) {
		t.Errorf("stats = %+v", res.stats)
	}
}

// TestWalkCoversRevListObjects is the evidence for the merge handling chosen in
// the package comment: on a crafted history, every blob rev-list --objects finds
// is delivered, and each is attributed to the first commit (oldest first) whose
// tree holds it.
func TestWalkCoversRevListObjects(t *testing.T) {
	r := newRepo(t)
	r.write("root.txt", "root\n")
	r.commit("root commit")
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature.txt", "feature\n")
	r.commit("feature")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main\n")
	r.commit("main")
	// A merge whose resolution adds a file and rewrites one neither side had.
	r.git("merge", "-q", "--no-ff", "--no-commit", "feature")
	r.write("merge-only.txt", "introduced by the merge resolution\n")
	r.write("feature.txt", "feature, resolved differently in the merge\n")
	mergeCommit := r.commit("merge feature")
	// An octopus merge of three branches that also adds a file of its own.
	for _, b := range []string{"o1", "o2"} {
		r.git("checkout", "-q", "-b", b, "main~1")
		r.write(b+".txt", b+"\n")
		r.commit(b)
	}
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-commit", "o1", "o2")
	r.write("octopus-only.txt", "octopus\n")
	octopus := r.commit("octopus")
	// A mode-only change and a type change (file to symlink).
	r.git("update-index", "--chmod=+x", "root.txt")
	r.git("commit", "-q", "-m", "chmod")
	r.clock += 60
	r.remove("main.txt")
	if err := os.Symlink("root.txt", filepath.Join(r.dir, "main.txt")); err != nil {
		t.Fatal(err)
	}
	r.commit("main.txt becomes a symlink")
	// A second root commit on an orphan branch.
	r.git("checkout", "-q", "--orphan", "orphan")
	r.git("rm", "-rfq", ".")
	r.write("orphan.txt", "orphan\n")
	r.commit("second root")
	r.git("checkout", "-q", "main")

	res := mustWalk(t, r.dir, Options{})
	assertCoverage(t, r.dir, res)
	assertSameWalk(t, res, mustWalk(t, r.dir, Options{MaxDepth: 100}))
	for content, want := range map[string]string{
		"introduced by the merge resolution\n":         mergeCommit,
		"feature, resolved differently in the merge\n": mergeCommit,
		"octopus\n": octopus,
	} {
		if got := res.blobs[r.blobID(content)].Introduced.Hash; got != want {
			t.Errorf("%q attributed to %s, want %s", content, got, want)
		}
	}
	if got := res.data[r.blobID("root.txt")]; got != "root.txt" {
		t.Errorf("symlink content = %q, want its target", got)
	}
}

// assertCoverage checks res against the rev-list and first-holder oracles.
func assertCoverage(t *testing.T, dir string, res walkResult) {
	t.Helper()
	want := reachableBlobs(t, dir)
	for oid := range want {
		if _, ok := res.blobs[oid]; !ok {
			t.Errorf("reachable blob %s not delivered", oid)
		}
	}
	for oid, b := range res.blobs {
		if !want[oid] {
			t.Errorf("delivered blob %s (%q) is not reachable", oid, b.Path)
		}
	}
	first := firstCommitHolding(t, dir)
	for oid, b := range res.blobs {
		if first[oid] != b.Introduced.Hash {
			t.Errorf("blob %s (%q) attributed to %s, first commit holding it is %s", oid, b.Path, b.Introduced.Hash, first[oid])
		}
	}
}

func TestWalkFilters(t *testing.T) {
	r := newRepo(t)
	var commits []string
	for i, c := range []string{"one", "two", "three", "four", "five"} {
		r.write(c+".txt", c+"\n")
		commits = append(commits, r.commit(c))
		_ = i
	}
	r.git("checkout", "-q", "-b", "side", commits[1])
	r.write("side.txt", "side\n")
	r.commit("side")
	r.git("tag", "-a", "-m", "release", "v1", commits[2])
	r.git("checkout", "-q", "main")

	names := func(res walkResult) []string {
		var out []string
		for _, p := range res.paths() {
			out = append(out, strings.TrimSuffix(p, ".txt"))
		}
		return out
	}
	tests := []struct {
		name        string
		opt         Options
		want        []string
		wantCommits int
	}{
		{"all", Options{}, []string{"five", "four", "one", "side", "three", "two"}, 6},
		{"since third commit", Options{Since: time.Unix(baseTime+2*60, 0)}, []string{"five", "four", "side", "three"}, 4},
		{"depth 1 is the tips", Options{MaxDepth: 1}, []string{"five", "side", "three"}, 3},
		{"depth 2", Options{MaxDepth: 2}, []string{"five", "four", "side", "three", "two"}, 5},
		{"depth per ref", Options{MaxDepth: 2, Refs: []string{"refs/heads/side"}}, []string{"side", "two"}, 2},
		{"depth and since", Options{MaxDepth: 3, Since: time.Unix(baseTime+3*60, 0)}, []string{"five", "four", "side"}, 3},
		{"one branch", Options{Refs: []string{"side"}}, []string{"one", "side", "two"}, 3},
		{"glob", Options{Refs: []string{"heads/s*"}}, []string{"one", "side", "two"}, 3},
		{"tags only", Options{Refs: []string{"refs/tags/*"}}, []string{"one", "three", "two"}, 3},
		{"commit id", Options{Refs: []string{commits[0]}}, []string{"one"}, 1},
		{"glob matching nothing", Options{Refs: []string{"refs/heads/nope*"}}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mustWalk(t, r.dir, tc.opt)
			if got := names(res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("paths = %v, want %v", got, tc.want)
			}
			if res.stats.Commits != tc.wantCommits {
				t.Errorf("Commits = %d, want %d", res.stats.Commits, tc.wantCommits)
			}
		})
	}
	if _, err := Walk(context.Background(), r.dir, Options{Refs: []string{"refs/heads/missing"}}, nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing ref: err = %v", err)
	}
}

func TestWalkTagsAndDeletedBranch(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("a")
	r.git("checkout", "-q", "-b", "gone")
	r.write("leak.txt", "only on a deleted branch\n")
	r.commit("leak")
	r.git("tag", "kept-by-tag")
	r.git("checkout", "-q", "main")
	r.git("branch", "-q", "-D", "gone")
	// A ref pointing straight at a blob, and an annotated tag of a tree.
	blob := strings.TrimSpace(r.gitIn(strings.NewReader("tagged blob\n"), "hash-object", "-w", "--stdin"))
	r.git("tag", "blob-tag", blob)
	inner := strings.TrimSpace(r.gitIn(strings.NewReader("in a tagged tree\n"), "hash-object", "-w", "--stdin"))
	tree := strings.TrimSpace(r.gitIn(strings.NewReader("100644 blob "+inner+"\tinner.txt\n"), "mktree"))
	r.git("tag", "-a", "-m", "a tree", "tree-tag", tree)

	res := mustWalk(t, r.dir, Options{})
	assertCoverageSet(t, r.dir, res)
	if b := res.blobs[r.blobID("only on a deleted branch\n")]; b.Path != "leak.txt" || b.Introduced.Subject != "leak" {
		t.Errorf("tag-only blob = %+v", b)
	}
	if b := res.blobs[blob]; b.Path != "refs/tags/blob-tag" || b.Introduced.Hash != "" {
		t.Errorf("tagged blob = %+v", b)
	}
	if b := res.blobs[r.blobID("in a tagged tree\n")]; b.Path != "refs/tags/tree-tag:inner.txt" {
		t.Errorf("blob in tagged tree = %+v", b)
	}
	tagsOnly := mustWalk(t, r.dir, Options{Refs: []string{"refs/tags/kept*"}})
	if _, ok := tagsOnly.blobs[r.blobID("only on a deleted branch\n")]; !ok || len(tagsOnly.blobs) != 2 {
		t.Errorf("tags-only walk = %v", tagsOnly.paths())
	}
}

// assertCoverageSet checks only that delivered blobs equal reachable blobs.
func assertCoverageSet(t *testing.T, dir string, res walkResult) {
	t.Helper()
	want := reachableBlobs(t, dir)
	var got []string
	for oid := range res.blobs {
		got = append(got, oid)
	}
	var w []string
	for oid := range want {
		w = append(w, oid)
	}
	sort.Strings(got)
	sort.Strings(w)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("delivered %v\nreachable %v", got, w)
	}
}

func TestWalkPaths(t *testing.T) {
	r := newRepo(t)
	paths := map[string]string{
		"with space/file name.txt": "space\n",
		"ünïcødé/日本語.txt":          "unicode\n",
		"new\nline.txt":            "newline\n",
		"tab\there.txt":            "tab\n",
		"quote\"and\\slash.txt":    "quote\n",
		"latin1-\xe9\xff.txt":      "not utf-8\n",
		"-dash.txt":                "dash\n",
		":colon:.txt":              "colon\n",
	}
	for p, c := range paths {
		r.write(p, c)
	}
	if err := os.Symlink("with space/file name.txt", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.commit("odd paths")
	// A submodule gitlink: a commit id in the tree, not a blob.
	sub := r.rev("HEAD")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+sub+",submodule")
	r.git("commit", "-q", "-m", "gitlink")

	res := mustWalk(t, r.dir, Options{})
	for p, c := range paths {
		b, ok := res.byPath[p]
		if !ok {
			t.Errorf("path %q not delivered; got %q", p, res.paths())
			continue
		}
		if res.data[b.OID] != c {
			t.Errorf("%q: content %q, want %q", p, res.data[b.OID], c)
		}
	}
	if b, ok := res.byPath["link"]; !ok || res.data[b.OID] != "with space/file name.txt" {
		t.Errorf("symlink not delivered with its target as content: %+v", b)
	}
	if _, ok := res.byPath["submodule"]; ok {
		t.Error("gitlink delivered as a blob")
	}
	if len(res.blobs) != len(paths)+1 {
		t.Errorf("delivered %d blobs, want %d", len(res.blobs), len(paths)+1)
	}
}

func TestWalkLargeBlobSkipped(t *testing.T) {
	r := newRepo(t)
	big := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	r.write("big.bin", big)
	r.write("small.txt", "small\n")
	r.commit("big and small")
	res := mustWalk(t, r.dir, Options{MaxBlobSize: 1024})
	if _, ok := res.byPath["big.bin"]; ok {
		t.Error("large blob delivered")
	}
	if _, ok := res.byPath["small.txt"]; !ok {
		t.Error("small blob not delivered")
	}
	sk := res.stats.SkippedLarge
	if len(sk) != 1 || sk[0].Path != "big.bin" || sk[0].Size != int64(len(big)) || sk[0].OID != r.blobID(big) || sk[0].Introduced.Subject != "big and small" {
		t.Errorf("SkippedLarge = %+v", sk)
	}
	all := mustWalk(t, r.dir, Options{MaxBlobSize: -1})
	if all.data[r.blobID(big)] != big {
		t.Error("no limit: large blob not delivered whole")
	}
}

func TestWalkEmptyAndNotRepo(t *testing.T) {
	r := newRepo(t)
	res := mustWalk(t, r.dir, Options{})
	if res.stats.Commits != 0 || res.stats.Blobs != 0 || res.stats.Bytes != 0 || len(res.stats.SkippedLarge) != 0 {
		t.Errorf("empty repo stats = %+v", res.stats)
	}
	if m, err := HeadBlobs(context.Background(), r.dir); err != nil || len(m) != 0 {
		t.Errorf("HeadBlobs on unborn HEAD = %v, %v", m, err)
	}

	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "does-not-exist")} {
		if _, err := Walk(context.Background(), dir, Options{}, nil); !errors.Is(err, ErrNotRepository) {
			t.Errorf("Walk(%s) err = %v, want ErrNotRepository", dir, err)
		}
		if _, err := HeadBlobs(context.Background(), dir); !errors.Is(err, ErrNotRepository) {
			t.Errorf("HeadBlobs(%s) err = %v", dir, err)
		}
		if err := Staged(context.Background(), dir, nil); !errors.Is(err, ErrNotRepository) {
			t.Errorf("Staged(%s) err = %v", dir, err)
		}
	}
}

func TestGitMissing(t *testing.T) {
	r := newRepo(t)
	t.Setenv("PATH", t.TempDir())
	if _, err := Walk(context.Background(), r.dir, Options{}, nil); !errors.Is(err, ErrGitMissing) {
		t.Errorf("err = %v, want ErrGitMissing", err)
	}
}

func TestWalkShallowClone(t *testing.T) {
	r := newRepo(t)
	for _, c := range []string{"one", "two", "three"} {
		r.write(c+".txt", c+"\n")
		r.commit(c)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	r.git("clone", "-q", "--depth", "2", "file://"+r.dir, clone)
	res := mustWalk(t, clone, Options{})
	if !res.stats.Shallow {
		t.Error("Shallow not set")
	}
	// The boundary commit counts as a root: its whole tree is new.
	want := []string{"one.txt", "three.txt", "two.txt"}
	if got := res.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("paths = %v, want %v", got, want)
	}
	if res.stats.Commits != 2 {
		t.Errorf("Commits = %d, want 2", res.stats.Commits)
	}
	if full := mustWalk(t, r.dir, Options{}); full.stats.Shallow {
		t.Error("Shallow set on a full clone")
	}
	if res := mustWalk(t, clone, Options{MaxDepth: 5}); len(res.blobs) != 3 {
		t.Errorf("MaxDepth past the shallow boundary: %v", res.paths())
	}
}

func TestWalkCorruptObjects(t *testing.T) {
	r := newRepo(t)
	var contents []string
	for i := 0; i < 6; i++ {
		contents = append(contents, strings.Repeat(string(rune('a'+i)), 20000+i)+"\n")
		r.write(string(rune('a'+i))+".txt", contents[i])
	}
	r.commit("six files")
	objectFile := func(oid string) string { return filepath.Join(r.dir, ".git", "objects", oid[:2], oid[2:]) }
	corrupt := func(oid string, f func([]byte) []byte) {
		p := objectFile(oid)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o644)
		if err := os.WriteFile(p, f(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	garbage := r.blobID(contents[1])
	corrupt(garbage, func([]byte) []byte { return []byte("this is not zlib") })
	// Keeps a valid header, so the size check passes and cat-file dies while
	// streaming the content: the stage must restart and go on.
	damaged := r.blobID(contents[3])
	corrupt(damaged, func(b []byte) []byte {
		for i := len(b) / 2; i < len(b)/2+16; i++ {
			b[i] ^= 0xff
		}
		return b
	})

	res := walk(t, r.dir, Options{Workers: 2})
	t.Log(res.err)
	if !errors.Is(res.err, ErrCorruptObject) {
		t.Fatalf("err = %v, want ErrCorruptObject", res.err)
	}
	for _, bad := range []string{garbage, damaged} {
		if !strings.Contains(res.err.Error(), bad) {
			t.Errorf("error does not name %s: %v", bad, res.err)
		}
		if _, ok := res.blobs[bad]; ok {
			t.Errorf("corrupt blob %s delivered", bad)
		}
	}
	var oe *ObjectError
	if !errors.As(res.err, &oe) || oe.Path == "" || oe.Commit == "" {
		t.Errorf("ObjectError = %+v", oe)
	}
	for i, c := range contents {
		if i == 1 || i == 3 {
			continue
		}
		if res.data[r.blobID(c)] != c {
			t.Errorf("intact blob %d not delivered", i)
		}
	}
	waitNoGitChildren(t)
}

func TestWalkCorruptTreeFailsNamingIt(t *testing.T) {
	r := newRepo(t)
	r.write("ok.txt", "fine\n")
	r.commit("first")
	r.write("sub/x.txt", "x\n")
	r.commit("second")
	tree := r.rev("HEAD:sub")
	p := filepath.Join(r.dir, ".git", "objects", tree[:2], tree[2:])
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := walk(t, r.dir, Options{})
	if res.err == nil || !strings.Contains(res.err.Error(), tree) {
		t.Errorf("err = %v, want one naming tree %s", res.err, tree)
	}
	if _, ok := res.byPath["ok.txt"]; !ok {
		t.Error("blob of the intact first commit not delivered")
	}
}

func TestWalkCancel(t *testing.T) {
	dir := t.TempDir()
	generatedRepo(t, dir, genOptions{commits: 400, files: 800, blobBytes: 512, seed: 1})
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	start := time.Now()
	_, err := Walk(ctx, dir, Options{Workers: 4}, func(Blob, []byte) error {
		if calls.Add(1) == 50 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
		t.Errorf("cancel took %v", d)
	}
	waitNoGitChildren(t)
	waitGoroutines(t, before)

	// An fn error stops the walk the same way and is returned as is.
	boom := errors.New("boom")
	calls.Store(0)
	_, err = Walk(context.Background(), dir, Options{}, func(Blob, []byte) error {
		if calls.Add(1) == 10 {
			return boom
		}
		return nil
	})
	if err != boom {
		t.Fatalf("err = %v, want fn's error", err)
	}
	waitNoGitChildren(t)
	waitGoroutines(t, before)

	// Cancelled before it starts.
	if _, err := Walk(ctx, dir, Options{}, func(Blob, []byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("pre-cancelled err = %v", err)
	}
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, want <= %d\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWalkHostileConfig(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("a")
	r.write("b.txt", "a\n")
	r.write("sub/c.txt", "c\n")
	r.commit("b")
	want := mustWalk(t, r.dir, Options{})

	cfg := filepath.Join(t.TempDir(), "gitconfig")
	os.WriteFile(cfg, []byte(`[color]
	ui = always
[core]
	abbrev = 7
	quotepath = on
[log]
	showSignature = true
	showRoot = false
	date = relative
	decorate = full
	diffMerges = separate
[diff]
	renames = copies
	noprefix = true
	relative = true
	external = /bin/false
[format]
	pretty = oneline
[i18n]
	logOutputEncoding = ISO-8859-1
[pager]
	log = /bin/false
`), 0o644)
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)
	t.Setenv("GIT_DIR", "/nonexistent")
	t.Setenv("GIT_PAGER", "/bin/false")
	got := mustWalk(t, filepath.Join(r.dir, "sub"), Options{})
	if !reflect.DeepEqual(got.blobs, want.blobs) {
		t.Errorf("with a hostile config:\n got %v\nwant %v", got.blobs, want.blobs)
	}
}

// Only what the kept commits add or modify is reported: a blob from before the
// cut shows up only if a kept commit puts it at a new path.
func TestWalkDepthCut(t *testing.T) {
	r := newRepo(t)
	r.write("old.txt", "old secret\n")
	r.commit("one")
	r.write("untouched.txt", "untouched\n")
	r.commit("two")
	r.write("moved/old.txt", "old secret\n")
	copyCommit := r.commit("three copies old.txt")
	r.write("four.txt", "four\n")
	r.commit("four")
	res := mustWalk(t, r.dir, Options{MaxDepth: 2})
	want := []string{"four.txt", "moved/old.txt"}
	if got := res.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("paths = %v, want %v", got, want)
	}
	if b := res.byPath["moved/old.txt"]; b.Introduced.Hash != copyCommit {
		t.Errorf("copied blob attributed to %s, want %s", b.Introduced.Hash, copyCommit)
	}
}

func TestWalkSHA256AndBare(t *testing.T) {
	r := &testRepo{t: t, dir: t.TempDir(), clock: baseTime}
	r.git("init", "-q", "-b", "main", "--object-format=sha256")
	r.write("a.txt", "sha256 content\n")
	r.write("b.txt", "more\n")
	first := r.commit("first")
	r.write("a.txt", "changed\n")
	r.commit("second")
	r.write("c.txt", "staged\n")
	r.git("add", "c.txt")

	res := mustWalk(t, r.dir, Options{})
	oid := r.blobID("sha256 content\n")
	if len(oid) != 64 || res.blobs[oid].Introduced.Hash != first || len(res.blobs) != 3 {
		t.Errorf("sha256 walk: %v", res.blobs)
	}
	assertCoverage(t, r.dir, res)
	if m, err := HeadBlobs(context.Background(), r.dir); err != nil || len(m) != 2 || len(m["a.txt"]) != 64 {
		t.Errorf("HeadBlobs = %v, %v", m, err)
	}
	if got := staged(t, r.dir); !reflect.DeepEqual(got, map[string]string{"c.txt": "staged\n"}) {
		t.Errorf("Staged = %v", got)
	}
	if res := mustWalk(t, r.dir, Options{MaxDepth: 1}); len(res.blobs) != 1 {
		t.Errorf("sha256 MaxDepth 1: %v", res.paths())
	}

	bare := filepath.Join(t.TempDir(), "bare.git")
	r.git("clone", "-q", "--bare", r.dir, bare)
	assertSameWalk(t, res, mustWalk(t, bare, Options{}))
}
