package githistory

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// TestWalkRandomHistories extends TestWalkCoversRevListObjects to random DAGs:
// branches, two- and three-parent merges whose resolutions keep either side,
// rewrite files or add new ones, orphan roots, deletions and re-additions, mode and
// type changes, gitlinks, clock skew (children older than parents), tags and
// deleted branches. Each must deliver exactly the blobs rev-list --objects finds,
// each attributed to the first commit (parents first, then by date) holding it.
func TestWalkRandomHistories(t *testing.T) {
	seeds := 16
	if testing.Short() {
		seeds = 4
	}
	var mergeBlobs, octopus, skewed atomic.Int64
	t.Run("seeds", func(t *testing.T) {
		for seed := int64(1); seed <= int64(seeds); seed++ {
			runRandomHistory(t, seed, &mergeBlobs, &octopus, &skewed)
		}
	})
	// The histories must exercise what the claim is about.
	t.Logf("blobs introduced by merges: %d, octopus merges: %d, commits older than a parent: %d",
		mergeBlobs.Load(), octopus.Load(), skewed.Load())
	if mergeBlobs.Load() == 0 || octopus.Load() == 0 || skewed.Load() == 0 {
		t.Error("random histories too tame")
	}
}

func runRandomHistory(t *testing.T, seed int64, mergeBlobs, octopus, skewed *atomic.Int64) {
	t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		pr, pw := io.Pipe()
		var deleteBranches []string
		go func() {
			deleteBranches = writeRandomDAG(pw, seed, 40)
			pw.Close()
		}()
		r.gitIn(pr, "fast-import", "--quiet")
		for _, b := range deleteBranches {
			r.git("branch", "-q", "-D", b)
		}
		res := mustWalk(t, r.dir, Options{Workers: 3})
		assertCoverage(t, r.dir, res)
		// A depth limit deeper than the history changes nothing, attribution
		// included: the depth path orders commits as git log does.
		assertSameWalk(t, res, mustWalk(t, r.dir, Options{MaxDepth: 1000}))
		for oid, b := range res.blobs {
			if got := strings.TrimSpace(r.git("rev-parse", b.Introduced.Hash+":"+b.Path)); got != oid {
				t.Errorf("commit %s holds %s at %q, not %s", b.Introduced.Hash, got, b.Path, oid)
			}
		}
		parents := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(r.git("rev-list", "--all", "--parents")), "\n") {
			f := strings.Fields(l)
			parents[f[0]] = len(f) - 1
			if len(f) > 3 {
				octopus.Add(1)
			}
		}
		for _, b := range res.blobs {
			if parents[b.Introduced.Hash] > 1 {
				mergeBlobs.Add(1)
			}
		}
		when := map[string]string{}
		log := strings.Split(strings.TrimSpace(r.git("log", "--all", "--format=%H %ct %P")), "\n")
		for _, l := range log {
			f := strings.Fields(l)
			when[f[0]] = f[1]
		}
		for _, l := range log {
			f := strings.Fields(l)
			for _, p := range f[2:] {
				if when[p] > f[1] { // same number of digits
					skewed.Add(1)
				}
			}
		}
	})
}

type dagEntry struct {
	mode string
	ref  string // ":mark" of a blob, or a commit id for a gitlink
}

// writeRandomDAG writes a fast-import stream for a random history and returns
// branches to delete afterwards (their commits stay reachable through tags).
func writeRandomDAG(w io.Writer, seed int64, steps int) []string {
	rng := rand.New(rand.NewSource(seed))
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	mark := 0
	pool := []string{} // blob marks, reused so that contents repeat
	newBlob := func() string {
		mark++
		content := fmt.Sprintf("content %d of seed %d\n", mark, seed)
		fmt.Fprintf(bw, "blob\nmark :%d\ndata %d\n%s\n", mark, len(content), content)
		pool = append(pool, fmt.Sprintf(":%d", mark))
		return pool[len(pool)-1]
	}
	blobRef := func() string {
		if len(pool) == 0 || rng.Intn(3) == 0 {
			return newBlob()
		}
		return pool[rng.Intn(len(pool))]
	}
	type node struct {
		mark int
		tree map[string]dagEntry
	}
	branches := map[string]*node{}
	var names []string
	var commits []*node
	usedTime := map[int64]bool{}
	step := 0
	commit := func(branch string, parents []*node, tree map[string]dagEntry) *node {
		mark++
		step++
		when := int64(baseTime + step*100 + rng.Intn(301) - 150) // may be older than a parent
		for usedTime[when] {
			when++
		}
		usedTime[when] = true
		msg := fmt.Sprintf("step %d on %s", step, branch)
		fmt.Fprintf(bw, "commit refs/heads/%s\nmark :%d\nauthor t <t@e> %d +0000\ncommitter t <t@e> %d +0000\ndata %d\n%s\n",
			branch, mark, when, when, len(msg), msg)
		for i, p := range parents {
			if i == 0 {
				fmt.Fprintf(bw, "from :%d\n", p.mark)
			} else {
				fmt.Fprintf(bw, "merge :%d\n", p.mark)
			}
		}
		fmt.Fprintf(bw, "deleteall\n") // then list the whole tree: merges get exactly this tree
		paths := make([]string, 0, len(tree))
		for p := range tree {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(bw, "M %s %s %s\n", tree[p].mode, tree[p].ref, fastImportPath(p))
		}
		bw.WriteString("\n")
		n := &node{mark: mark, tree: tree}
		if _, ok := branches[branch]; !ok {
			names = append(names, branch)
		}
		branches[branch] = n
		commits = append(commits, n)
		return n
	}
	copyTree := func(t map[string]dagEntry) map[string]dagEntry {
		c := make(map[string]dagEntry, len(t))
		for k, v := range t {
			c[k] = v
		}
		return c
	}
	files := []string{"a.txt", "b.txt", "dir/c.txt", "dir/sub/d.txt", "e with space.txt", "f\nnewline", "g\xff.bin"}
	mutate := func(t map[string]dagEntry) {
		for k := 1 + rng.Intn(3); k > 0; k-- {
			p := files[rng.Intn(len(files))]
			switch op := rng.Intn(10); {
			case op < 5:
				t[p] = dagEntry{"100644", blobRef()}
			case op < 7:
				delete(t, p)
			case op < 8:
				if e, ok := t[p]; ok && e.mode != "160000" {
					e.mode = map[string]string{"100644": "100755", "100755": "120000", "120000": "100644"}[e.mode]
					t[p] = e
				}
			case op < 9:
				t["sub-"+p] = dagEntry{"160000", fmt.Sprintf("%040x", rng.Int63())}
			default:
				if e, ok := t[p]; ok {
					t[p+".copy"] = e
				}
			}
		}
	}
	root := map[string]dagEntry{"a.txt": {"100644", blobRef()}}
	commit("main", nil, root)
	var toDelete []string
	for step < steps {
		cur := names[rng.Intn(len(names))]
		switch op := rng.Intn(20); {
		case op < 10:
			tree := copyTree(branches[cur].tree)
			mutate(tree)
			commit(cur, []*node{branches[cur]}, tree)
		case op < 13:
			from := commits[rng.Intn(len(commits))]
			tree := copyTree(from.tree)
			mutate(tree)
			commit(fmt.Sprintf("b%d", step), []*node{from}, tree)
		case op < 18 && len(names) > 1:
			parents := []*node{branches[cur]}
			for _, n := range rng.Perm(len(names))[:1+rng.Intn(2)] {
				if names[n] != cur {
					parents = append(parents, branches[names[n]])
				}
			}
			if len(parents) == 1 {
				continue
			}
			tree := map[string]dagEntry{}
			for _, p := range parents {
				for k, v := range p.tree {
					if _, ok := tree[k]; !ok || rng.Intn(2) == 0 {
						tree[k] = v
					}
				}
			}
			if rng.Intn(2) == 0 {
				mutate(tree) // a resolution that neither side had
			}
			commit(cur, parents, tree)
		case op < 19:
			tree := map[string]dagEntry{}
			mutate(tree)
			commit(fmt.Sprintf("orphan%d", step), nil, tree)
		default:
			if cur != "main" {
				fmt.Fprintf(bw, "reset refs/tags/t%d\nfrom :%d\n\n", step, branches[cur].mark)
				toDelete = append(toDelete, cur)
				step++
			}
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, b := range toDelete {
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// fastImportPath quotes a path the way fast-import requires when it holds a
// newline or starts with a quote.
func fastImportPath(p string) string {
	if !strings.ContainsAny(p, "\n") && !strings.HasPrefix(p, `"`) {
		return p
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(p) + `"`
}

// TestMergeDiffModes records why Walk passes --diff-merges: by default git log
// shows no diff for merges, so a blob that only a merge resolution introduced
// would be missed. Any merge diff finds it; first-parent is the cheapest (one tree
// diff per merge, see BenchmarkWalk/git-log-diff-merges=*) and prints plain raw
// lines.
func TestMergeDiffModes(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("root")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.txt", "side\n")
	r.commit("side")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main\n")
	r.commit("main")
	r.git("merge", "-q", "--no-commit", "side")
	r.write("resolution.txt", "only the merge has this\n")
	r.commit("merge")
	blob := r.blobID("only the merge has this\n")
	for mode, wantFound := range map[string]bool{"off": false, "first-parent": true, "separate": true, "combined": true, "dense-combined": true} {
		out := r.git("log", "--all", "-z", "--raw", "--no-abbrev", "--root", "--format=%H", "--diff-merges="+mode)
		if found := strings.Contains(out, blob); found != wantFound {
			t.Errorf("--diff-merges=%s: merge-only blob found = %v, want %v", mode, found, wantFound)
		}
	}
}

func assertSameWalk(t *testing.T, want, got walkResult) {
	t.Helper()
	if len(got.blobs) != len(want.blobs) {
		t.Errorf("delivered %d blobs, want %d", len(got.blobs), len(want.blobs))
	}
	for oid, w := range want.blobs {
		if g, ok := got.blobs[oid]; !ok {
			t.Errorf("blob %s (%q) missing", oid, w.Path)
		} else if g.Introduced.Hash != w.Introduced.Hash || g.Path != w.Path {
			t.Errorf("blob %s: %s at %q, want %s at %q", oid, g.Introduced.Hash, g.Path, w.Introduced.Hash, w.Path)
		}
	}
	if got.stats.Commits != want.stats.Commits {
		t.Errorf("Commits = %d, want %d", got.stats.Commits, want.stats.Commits)
	}
}
