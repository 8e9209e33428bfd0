package githistory

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// benchHistory is the load the brief asks for: 10,000 commits touching 20,000
// files, with a merged side branch every 50 commits.
var benchHistory = genOptions{commits: 10000, files: 20000, blobBytes: 2048, mergeEvery: 50, seed: 42}

// BenchmarkWalk builds the repository once with fast-import, then measures Walk
// with a trivial fn (the scanner's own cost is not git's) and, for comparison,
// the git processes alone.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	start := time.Now()
	generatedRepo(b, dir, benchHistory)
	b.Logf("fast-import of %d commits, %d files: %v", benchHistory.commits, benchHistory.files, time.Since(start))

	ctx := context.Background()
	var st Stats
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var sum atomic.Uint64
				var err error
				st, err = Walk(ctx, dir, Options{Workers: workers}, func(_ Blob, c []byte) error {
					if len(c) > 0 {
						sum.Add(uint64(c[0])) // touch the content
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(st.Bytes)
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(st.Commits)/sec, "commits/s")
			b.ReportMetric(float64(st.Blobs)/sec, "blobs/s")
			b.ReportMetric(float64(st.Commits), "commits")
			b.ReportMetric(float64(st.Blobs), "blobs")
		})
	}
	b.Run("MaxDepth=100", func(b *testing.B) {
		for b.Loop() {
			s, err := Walk(ctx, dir, Options{MaxDepth: 100}, func(Blob, []byte) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(s.Commits), "commits")
		}
	})
	// Baselines: what the git processes cost on their own.
	gitOnly := func(name string, stdin func() io.Reader, args ...string) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
				cmd.Env = testGitEnv()
				if stdin != nil {
					cmd.Stdin = stdin()
				}
				out, err := cmd.StdoutPipe()
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, out)
				if err := cmd.Wait(); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(n)
			}
		})
	}
	logArgs := []string{"log", "--all", "-z", "--raw", "-r", "--no-renames", "--no-abbrev", "--root", "--reverse", "--date-order", "--format=%H"}
	for _, mode := range []string{"first-parent", "separate", "combined", "off"} {
		gitOnly("git-log-diff-merges="+mode, nil, append(logArgs, "--diff-merges="+mode)...)
	}
	gitOnly("git-cat-file-all-blobs", nil, "cat-file", "--batch-all-objects", "--batch", "--unordered")
}
