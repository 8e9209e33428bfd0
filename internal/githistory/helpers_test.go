package githistory

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testRepo builds real repositories for tests. Commits get a clock that advances
// one minute per commit, so ordering and --since are deterministic.
type testRepo struct {
	t     testing.TB
	dir   string
	clock int64
}

// baseTime is the first commit's date.
const baseTime = 1600000000

// testGitEnv keeps the test's own git commands away from the developer's config.
func testGitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@e", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@e")
}

func newRepo(t testing.TB) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir(), clock: baseTime}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *testRepo) gitIn(stdin io.Reader, args ...string) string {
	r.t.Helper()
	full := append([]string{"-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false",
		"-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("@%d +0000", r.clock)
	cmd.Env = append(testGitEnv(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	cmd.Stdin = stdin
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), stderr.String())
	}
	return out.String()
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitIn(nil, args...)
}

func (r *testRepo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) remove(path string) {
	r.t.Helper()
	r.git("rm", "-q", "--", path)
}

// commit stages everything and commits, returning the commit id.
func (r *testRepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	r.clock += 60
	return r.rev("HEAD")
}

func (r *testRepo) rev(name string) string {
	r.t.Helper()
	return strings.TrimSpace(r.git("rev-parse", "--verify", "--end-of-options", name))
}

// blobID is the object id content would have.
func (r *testRepo) blobID(content string) string {
	r.t.Helper()
	return strings.TrimSpace(r.gitIn(strings.NewReader(content), "hash-object", "--stdin"))
}

// walkResult is everything a Walk delivered, keyed by OID.
type walkResult struct {
	stats  Stats
	err    error
	blobs  map[string]Blob
	data   map[string]string
	calls  map[string]int
	byPath map[string]Blob
}

func walk(t testing.TB, dir string, opt Options) walkResult {
	t.Helper()
	res := walkResult{blobs: map[string]Blob{}, data: map[string]string{}, calls: map[string]int{}, byPath: map[string]Blob{}}
	var mu sync.Mutex
	res.stats, res.err = Walk(context.Background(), dir, opt, func(b Blob, content []byte) error {
		if int64(len(content)) != b.Size {
			t.Errorf("%s: %d bytes for size %d", b.OID, len(content), b.Size)
		}
		mu.Lock()
		defer mu.Unlock()
		res.blobs[b.OID] = b
		res.data[b.OID] = string(content)
		res.calls[b.OID]++
		res.byPath[b.Path] = b
		return nil
	})
	for oid, n := range res.calls {
		if n != 1 {
			t.Errorf("blob %s delivered %d times", oid, n)
		}
	}
	if res.stats.Blobs != len(res.calls) {
		t.Errorf("Stats.Blobs = %d, delivered %d", res.stats.Blobs, len(res.calls))
	}
	return res
}

func mustWalk(t testing.TB, dir string, opt Options) walkResult {
	t.Helper()
	res := walk(t, dir, opt)
	if res.err != nil {
		t.Fatalf("Walk: %v", res.err)
	}
	return res
}

func (w walkResult) paths() []string {
	var p []string
	for path := range w.byPath {
		p = append(p, path)
	}
	sort.Strings(p)
	return p
}

// reachableBlobs is the oracle for coverage: every blob `git rev-list --objects`
// finds from refs (all refs but the stash, plus HEAD, when refs is empty).
func reachableBlobs(t testing.TB, dir string, refs ...string) map[string]bool {
	t.Helper()
	if len(refs) == 0 {
		refs = []string{"--exclude=refs/stash", "--all", "HEAD"}
	}
	cmd := exec.Command("git", append([]string{"-C", dir, "rev-list", "--objects", "--no-object-names"}, refs...)...)
	cmd.Env = testGitEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rev-list: %v", err)
	}
	check := exec.Command("git", "-C", dir, "cat-file", "--batch-check=%(objectname) %(objecttype)")
	check.Env = testGitEnv()
	check.Stdin = bytes.NewReader(out)
	types, err := check.Output()
	if err != nil {
		t.Fatalf("cat-file: %v", err)
	}
	blobs := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(types)), "\n") {
		if oid, typ, _ := strings.Cut(l, " "); typ == "blob" {
			blobs[oid] = true
		}
	}
	return blobs
}

// firstCommitHolding is the oracle for attribution: walking commits oldest first
// (git rev-list --reverse --date-order), the first whose tree holds each blob.
func firstCommitHolding(t testing.TB, dir string) map[string]string {
	t.Helper()
	cmd := exec.Command("git", "-C", dir, "rev-list", "--reverse", "--date-order", "--exclude=refs/stash", "--all", "HEAD")
	cmd.Env = testGitEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rev-list: %v", err)
	}
	first := map[string]string{}
	for _, c := range strings.Fields(string(out)) {
		ls := exec.Command("git", "-C", dir, "ls-tree", "-r", "-z", c)
		ls.Env = testGitEnv()
		tree, err := ls.Output()
		if err != nil {
			t.Fatalf("ls-tree: %v", err)
		}
		for _, rec := range strings.Split(strings.TrimSuffix(string(tree), "\x00"), "\x00") {
			f := strings.Fields(strings.SplitN(rec, "\t", 2)[0])
			if len(f) == 3 && f[1] == "blob" {
				if _, ok := first[f[2]]; !ok {
					first[f[2]] = c
				}
			}
		}
	}
	return first
}

// genOptions shape a generated history.
type genOptions struct {
	commits    int
	files      int // distinct paths by the end
	blobBytes  int // average content size
	mergeEvery int
	seed       int64
}

// writeFastImport writes a `git fast-import` stream for a history on refs/heads/main
// with side branches merged back every mergeEvery commits (each merge also adds a
// file of its own), so a repository with thousands of commits builds in seconds.
func writeFastImport(w io.Writer, o genOptions) {
	rng := rand.New(rand.NewSource(o.seed))
	bw := bufio.NewWriterSize(w, 1<<20)
	defer bw.Flush()
	const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega config token secret password key value host port user name"
	vocab := strings.Fields(words)
	mark := 0
	blob := func() int {
		mark++
		n := o.blobBytes/2 + rng.Intn(o.blobBytes+1)
		var sb strings.Builder
		fmt.Fprintf(&sb, "# blob %d\n", mark)
		for sb.Len() < n {
			sb.WriteString(vocab[rng.Intn(len(vocab))])
			if rng.Intn(8) == 0 {
				fmt.Fprintf(&sb, " = %x\n", rng.Uint64())
			} else {
				sb.WriteByte(' ')
			}
		}
		fmt.Fprintf(bw, "blob\nmark :%d\ndata %d\n%s\n", mark, sb.Len(), sb.String())
		return mark
	}
	var paths []string
	newPath := func() string {
		// 20 top-level directories of 25 packages: small trees, like a real
		// project, so fast-import does not spend its time on huge root trees.
		n := len(paths)
		p := fmt.Sprintf("mod%02d/pkg%02d/file%05d.txt", n%20, (n/20)%25, n)
		paths = append(paths, p)
		return p
	}
	when := int64(baseTime)
	commitMark := map[string]int{}
	commit := func(ref string, from int, merge int, changes map[string]int, msg string) int {
		mark++
		when += 30
		fmt.Fprintf(bw, "commit %s\nmark :%d\nauthor t <t@e> %d +0000\ncommitter t <t@e> %d +0000\ndata %d\n%s\n",
			ref, mark, when, when, len(msg), msg)
		if from > 0 {
			fmt.Fprintf(bw, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(bw, "merge :%d\n", merge)
		}
		keys := make([]string, 0, len(changes))
		for p := range changes {
			keys = append(keys, p)
		}
		sort.Strings(keys)
		for _, p := range keys {
			fmt.Fprintf(bw, "M 100644 :%d %s\n", changes[p], p)
		}
		bw.WriteString("\n")
		commitMark[ref] = mark
		return mark
	}
	perCommit := float64(o.files) / float64(o.commits)
	added := 0.0
	change := func() map[string]int {
		ch := map[string]int{}
		for added += perCommit; added >= 1; added-- {
			ch[newPath()] = blob()
		}
		for k := 1 + rng.Intn(3); k > 0 && len(paths) > 0; k-- {
			ch[paths[rng.Intn(len(paths))]] = blob()
		}
		return ch
	}
	main := 0
	for i := 0; i < o.commits; {
		if o.mergeEvery > 0 && i > 0 && i%o.mergeEvery == 0 && i+3 < o.commits {
			// A side branch of two commits, merged back with an extra file.
			side := commit("refs/heads/side", main, 0, change(), fmt.Sprintf("side %d", i))
			side = commit("refs/heads/side", side, 0, change(), fmt.Sprintf("side %d b", i))
			main = commit("refs/heads/main", main, 0, change(), fmt.Sprintf("main %d", i))
			mch := map[string]int{newPath(): blob()}
			main = commit("refs/heads/main", main, side, mch, fmt.Sprintf("merge %d", i))
			i += 4
			continue
		}
		main = commit("refs/heads/main", main, 0, change(), fmt.Sprintf("commit %d", i))
		i++
	}
}

// generatedRepo builds a repository from writeFastImport in dir.
func generatedRepo(t testing.TB, dir string, o genOptions) {
	t.Helper()
	r := &testRepo{t: t, dir: dir}
	r.git("init", "-q", "-b", "main")
	pr, pw := io.Pipe()
	go func() {
		writeFastImport(pw, o)
		pw.Close()
	}()
	// fast-import builds each merge's tree from its first parent plus the listed
	// changes (like `git merge -s ours` plus a new file), so every merge also
	// introduces a blob of its own.
	r.gitIn(pr, "fast-import", "--quiet")
}

// gitChildren lists git processes whose parent is this test process.
func gitChildren(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	me := fmt.Sprint(os.Getpid())
	var out []string
	for _, e := range ents {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) > 2 && f[1] != "Z" && f[2] == me && s[open+1:close] == "git" {
			out = append(out, e.Name())
		}
	}
	return out
}

// waitNoGitChildren waits briefly for git children to disappear.
func waitNoGitChildren(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := gitChildren(t)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("git processes left running: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
