//go:build integration

package forge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLiveGitea runs the Gitea client against a real Gitea server that it sets up from
// scratch: POSTURE_GITEA_BIN names the gitea binary and POSTURE_GITEA_STATIC the
// directory holding its options/ (a source checkout, for binaries built without
// bindata). It creates users, a repository, pull requests, a review and a branch
// protection rule through the API, then checks what the client reads back.
//
//	POSTURE_GITEA_BIN=/path/to/gitea POSTURE_GITEA_STATIC=/path/to/gitea-src \
//	  go test -tags integration -run TestLiveGitea ./internal/forge
func TestLiveGitea(t *testing.T) {
	bin := os.Getenv("POSTURE_GITEA_BIN")
	if bin == "" {
		t.Skip("POSTURE_GITEA_BIN not set")
	}
	srv := startGitea(t, bin, os.Getenv("POSTURE_GITEA_STATIC"))
	owner, rev, dev := srv.user("owner", true), srv.user("rev", false), srv.user("dev", false)

	srv.api(owner, "POST", "/user/repos", map[string]any{"name": "widget", "auto_init": true, "default_branch": "main"}, 201)
	for _, u := range []string{"rev", "dev"} {
		srv.api(owner, "PUT", "/repos/owner/widget/collaborators/"+u, map[string]any{"permission": "write"}, 204)
	}
	for i := 1; i <= 3; i++ {
		srv.api(dev, "POST", fmt.Sprintf("/repos/owner/widget/contents/f%d.txt", i), map[string]any{
			"content": base64.StdEncoding.EncodeToString([]byte("x\n")), "message": fmt.Sprintf("Add f%d", i),
			"branch": "main", "new_branch": fmt.Sprintf("feature-%d", i)}, 201)
		srv.api(dev, "POST", "/repos/owner/widget/pulls", map[string]any{"head": fmt.Sprintf("feature-%d", i), "base": "main", "title": fmt.Sprintf("Feature %d", i)}, 201)
	}
	srv.api(rev, "POST", "/repos/owner/widget/pulls/1/reviews", map[string]any{"event": "APPROVED", "body": "ok"}, 200)
	srv.api(rev, "POST", "/repos/owner/widget/pulls/2/reviews", map[string]any{"event": "COMMENT", "body": "hm"}, 200)
	for i := 1; i <= 2; i++ {
		srv.merge(owner, i)
	}
	srv.api(owner, "POST", "/repos/owner/widget/branch_protections", map[string]any{
		"rule_name": "main", "enable_push": false, "required_approvals": 1, "dismiss_stale_approvals": true, "block_admin_merge_override": true}, 201)

	ctx := context.Background()
	c, err := New(Config{Kind: Gitea, APIURL: srv.url + "/api/v1", Token: owner}, "owner", "widget")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := c.Repo(ctx)
	if err != nil || repo.DefaultBranch != "main" {
		t.Fatalf("repo %+v %v", repo, err)
	}
	p, err := c.Protection(ctx, "main")
	if err != nil || states(p) != "review=met force-push=met deletion=met admins=met stale-approvals=met" {
		t.Fatalf("protected: %v %v", states(p), err)
	}
	prs, err := c.MergedPulls(ctx, "main", 30)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range prs {
		reviews, err := c.Reviews(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		by, ok := Approved(pr.Author, reviews)
		got = append(got, fmt.Sprintf("#%d %s %v %s", pr.Number, pr.Author, ok, by))
	}
	slices.Sort(got)
	if want := []string{"#1 dev true rev", "#2 dev false "}; !slices.Equal(got, want) {
		t.Errorf("pulls %q, want %q", got, want)
	}

	// A write collaborator may not read protections: unknown, never pass.
	cdev, _ := New(Config{Kind: Gitea, APIURL: srv.url + "/api/v1", Token: dev}, "owner", "widget")
	if p, err := cdev.Protection(ctx, "main"); err != nil || p.Review.State != Unknown {
		t.Errorf("write collaborator: %+v %v", p, err)
	}
	srv.api(owner, "PATCH", "/repos/owner/widget/branch_protections/main", map[string]any{
		"enable_push": true, "enable_force_push": true, "dismiss_stale_approvals": false, "block_admin_merge_override": false}, 200)
	if p, err := c.Protection(ctx, "main"); err != nil || states(p) != "review=not met force-push=not met deletion=met admins=not met stale-approvals=not met" {
		t.Errorf("weakened: %v %v", states(p), err)
	}
}

type liveGitea struct {
	t    *testing.T
	url  string
	gt   func(args ...string) string
	http *http.Client
}

func startGitea(t *testing.T, bin, static string) *liveGitea {
	work := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ini := fmt.Sprintf(`APP_NAME = posture-test
RUN_MODE = prod
WORK_PATH = %[1]s
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[2]d
ROOT_URL = http://127.0.0.1:%[2]d/
DISABLE_SSH = true
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = %[3]s
[database]
DB_TYPE = sqlite3
PATH = %[1]s/gitea.db
[security]
INSTALL_LOCK = true
SECRET_KEY = posture-live-test
[repository]
ROOT = %[1]s/repos
[log]
MODE = console
LEVEL = warn
[cron]
ENABLED = false
`, work, port, static)
	conf := filepath.Join(work, "app.ini")
	if err := os.WriteFile(conf, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &liveGitea{t: t, url: fmt.Sprintf("http://127.0.0.1:%d", port), http: &http.Client{Timeout: 30 * time.Second}}
	g.gt = func(args ...string) string {
		cmd := exec.Command(bin, append([]string{"--work-path", work, "--config", conf}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gitea %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	g.gt("migrate")
	web := exec.Command(bin, "--work-path", work, "--config", conf, "web")
	web.Stdout, web.Stderr = io.Discard, io.Discard
	if err := web.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { web.Process.Kill(); web.Wait() })
	for i := 0; ; i++ {
		resp, err := http.Get(g.url + "/api/v1/version")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 300 {
			t.Fatalf("gitea did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return g
}

// user creates a user and returns an access token for it.
func (g *liveGitea) user(name string, admin bool) string {
	args := []string{"admin", "user", "create", "--username", name, "--password", "Pass-word-123", "--email", name + "@example.com", "--must-change-password=false"}
	if admin {
		args = append(args, "--admin")
	}
	g.gt(args...)
	out := g.gt("admin", "user", "generate-access-token", "--username", name, "--token-name", "t", "--scopes", "all", "--raw")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func (g *liveGitea) api(token, method, path string, body any, want int) {
	g.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, g.url+"/api/v1"+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.http.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		g.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
}

// merge merges a pull request, retrying while Gitea is still checking it.
func (g *liveGitea) merge(token string, n int) {
	g.t.Helper()
	for i := 0; ; i++ {
		b, _ := json.Marshal(map[string]any{"Do": "merge"})
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/repos/owner/widget/pulls/%d/merge", g.url, n), bytes.NewReader(b))
		req.Header.Set("Authorization", "token "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := g.http.Do(req)
		if err != nil {
			g.t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			return
		}
		if i == 50 {
			g.t.Fatalf("merging #%d: %d %s", n, resp.StatusCode, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
