package githistory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFirstParentLog(t *testing.T) {
	r := newRepo(t)
	r.write("a", "1")
	first := r.commit("first")
	r.git("checkout", "-q", "-b", "topic")
	r.write("b", "2")
	side := r.commit("side work")
	r.git("checkout", "-q", "main")
	r.write("c", "3")
	r.commit("on main\n\nbody line\n\nReviewed-by: R <r@e>")
	r.clock += 60
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic")
	ctx := context.Background()

	log, err := FirstParentLog(ctx, r.dir, "refs/heads/main", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Commits) != 3 {
		t.Fatalf("commits %+v", log.Commits)
	}
	merge, onMain, root := log.Commits[0], log.Commits[1], log.Commits[2]
	if len(merge.Parents) != 2 || merge.Parents[1] != side || merge.Subject() != "Merge branch 'topic'" {
		t.Errorf("merge %+v", merge)
	}
	if onMain.Message != "on main\n\nbody line\n\nReviewed-by: R <r@e>\n" || onMain.Author != "t" || onMain.Email != "t@e" {
		t.Errorf("message %q", onMain.Message)
	}
	if root.Hash != first || len(root.Parents) != 0 || root.Boundary {
		t.Errorf("root %+v", root)
	}
	if !log.Newest.Equal(merge.Date) {
		t.Errorf("newest %v, merge %v", log.Newest, merge.Date)
	}
	// The window cuts by committer date.
	log, err = FirstParentLog(ctx, r.dir, "refs/heads/main", onMain.Date)
	if err != nil || len(log.Commits) != 2 {
		t.Fatalf("since: %+v %v", log, err)
	}
}

func TestDefaultBranchAndRemote(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	if _, err := DefaultBranch(ctx, r.dir); !errors.Is(err, ErrNoBranch) {
		t.Errorf("unborn: %v", err)
	}
	r.write("a", "1")
	r.commit("first")
	br, err := DefaultBranch(ctx, r.dir)
	if err != nil || br.Name != "main" || br.Ref != "refs/heads/main" {
		t.Errorf("checked out: %+v %v", br, err)
	}
	// A detached HEAD falls back to the conventional names.
	r.git("checkout", "-q", "--detach")
	br, err = DefaultBranch(ctx, r.dir)
	if err != nil || br.Name != "main" || !strings.Contains(br.Source, "conventional") {
		t.Errorf("detached: %+v %v", br, err)
	}
	if u, err := RemoteURL(ctx, r.dir, "origin"); err != nil || u != "" {
		t.Errorf("no origin: %q %v", u, err)
	}
	r.git("remote", "add", "origin", "https://example.com/a/b.git")
	if u, err := RemoteURL(ctx, r.dir, "origin"); err != nil || u != "https://example.com/a/b.git" {
		t.Errorf("origin: %q %v", u, err)
	}
}

func TestParseBranchLogRejects(t *testing.T) {
	h := strings.Repeat("a", 40)
	good := h + "\x00\x00n\x00e\x00100\x00msg\n\x00"
	if cs, err := parseBranchLog([]byte(good), 40); err != nil || len(cs) != 1 || cs[0].Message != "msg\n" {
		t.Fatalf("good: %+v %v", cs, err)
	}
	for _, bad := range []string{
		h + "\x00\x00n\x00e\x00100\x00",       // five fields
		"xyz\x00\x00n\x00e\x00100\x00msg\x00", // not a commit id
		h + "\x00zz\x00n\x00e\x00100\x00msg\x00",
		h + "\x00\x00n\x00e\x00soon\x00msg\x00",
	} {
		if _, err := parseBranchLog([]byte(bad), 40); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseBranchLog(f *testing.F) {
	h := strings.Repeat("b", 40)
	f.Add([]byte(h + "\x00" + h + " " + h + "\x00n\x00e\x00100\x00msg\x00"))
	f.Add([]byte("\n" + h + "\x00\x00\x00\x00-1\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := parseBranchLog(data, 40)
		if err != nil {
			return
		}
		for _, c := range cs {
			if len(c.Hash) != 40 {
				t.Fatalf("hash %q", c.Hash)
			}
			for _, p := range c.Parents {
				if len(p) != 40 {
					t.Fatalf("parent %q", p)
				}
			}
		}
	})
}
