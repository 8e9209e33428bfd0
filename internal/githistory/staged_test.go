package githistory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func staged(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := Staged(context.Background(), dir, func(b Blob, content []byte) error {
		if b.Introduced != (Commit{}) || int64(len(content)) != b.Size || b.OID == "" {
			t.Errorf("blob %+v with %d bytes", b, len(content))
		}
		got[b.Path] = string(content)
		return nil
	})
	if err != nil {
		t.Fatalf("Staged: %v", err)
	}
	return got
}

func TestStaged(t *testing.T) {
	r := newRepo(t)
	if got := staged(t, r.dir); len(got) != 0 {
		t.Errorf("nothing staged in an empty repo: %v", got)
	}
	r.write("first.txt", "first\n")
	r.git("add", "first.txt")
	if got := staged(t, r.dir); !reflect.DeepEqual(got, map[string]string{"first.txt": "first\n"}) {
		t.Errorf("unborn HEAD: %v", got)
	}
	r.write("modified.txt", "v1\n")
	r.write("deleted.txt", "going\n")
	r.write("unstaged.txt", "v1\n")
	r.write("same.txt", "unchanged\n")
	r.commit("base")

	r.write("modified.txt", "v2 with a token\n")
	r.write("new dir/new file.txt", "brand new\n")
	r.write("copy.txt", "unchanged\n") // same content as a committed file: still a file to check
	r.remove("deleted.txt")
	r.git("add", "modified.txt", "new dir", "copy.txt")
	r.write("unstaged.txt", "v2 not staged\n")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+r.rev("HEAD")+",sub")

	want := map[string]string{
		"modified.txt":         "v2 with a token\n",
		"new dir/new file.txt": "brand new\n",
		"copy.txt":             "unchanged\n",
	}
	if got := staged(t, r.dir); !reflect.DeepEqual(got, want) {
		t.Errorf("Staged = %v, want %v", got, want)
	}
	// From a subdirectory the whole index is still checked.
	if got := staged(t, filepath.Join(r.dir, "new dir")); !reflect.DeepEqual(got, want) {
		t.Errorf("Staged from a subdirectory = %v", got)
	}

	boom := errors.New("boom")
	if err := Staged(context.Background(), r.dir, func(Blob, []byte) error { return boom }); err != boom {
		t.Errorf("fn error: got %v", err)
	}
	waitNoGitChildren(t)
}

// A hook run by `git commit -a` sees a temporary index in GIT_INDEX_FILE.
func TestStagedHonoursIndexFile(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("a")
	r.write("a.txt", "changed in the temporary index\n")
	tmpIndex := filepath.Join(t.TempDir(), "index")
	data, err := os.ReadFile(filepath.Join(r.dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(tmpIndex, data, 0o644)
	t.Setenv("GIT_INDEX_FILE", tmpIndex)
	r.git("add", "a.txt")
	if got := staged(t, r.dir); got["a.txt"] != "changed in the temporary index\n" {
		t.Errorf("Staged with GIT_INDEX_FILE = %v", got)
	}
	t.Setenv("GIT_INDEX_FILE", "")
	os.Unsetenv("GIT_INDEX_FILE")
	if got := staged(t, r.dir); len(got) != 0 {
		t.Errorf("Staged with the real index = %v", got)
	}
}

func TestHeadBlobs(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.write("dir/with space.txt", "b\n")
	r.write("new\nline", "c\n")
	if err := os.Symlink("a.txt", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.commit("one")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+r.rev("HEAD")+",sub")
	r.git("commit", "-q", "-m", "gitlink")
	r.remove("a.txt")
	r.write("staged-only.txt", "not in HEAD\n")
	r.git("add", "staged-only.txt")

	got, err := HeadBlobs(context.Background(), filepath.Join(r.dir, "dir"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.txt":              r.blobID("a\n"),
		"dir/with space.txt": r.blobID("b\n"),
		"new\nline":          r.blobID("c\n"),
		"link":               r.blobID("a.txt"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HeadBlobs = %v, want %v", got, want)
	}
	// Detached HEAD at the first commit.
	r.git("checkout", "-q", "--detach", "HEAD~1")
	got, err = HeadBlobs(context.Background(), r.dir)
	if err != nil || len(got) != 4 || strings.Contains(strings.Join(keys(got), ","), "sub") {
		t.Errorf("detached HEAD: %v, %v", got, err)
	}
}

func keys(m map[string]string) []string {
	var k []string
	for p := range m {
		k = append(k, p)
	}
	return k
}
