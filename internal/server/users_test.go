package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/store"
)

var inviteLinkRE = regexp.MustCompile(`<code id="enrolment-link">https://[^/]+(/enrol\?token=[^<]+)</code>`)

// TestUsersPageInviteRoleDisable: an admin invites a user with a role from the Users
// page, the link enrols that user once, the role changes and the account is disabled
// and enabled again, each step audited; the guards refuse a self-disable and demoting
// the last admin, and non-admins cannot reach any of it.
func TestUsersPageInviteRoleDisable(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	ctx := context.Background()
	admin := h.user("ada@example.com", store.RoleAdmin)
	c := h.client()
	h.login(c, admin)

	resp, body := h.do(c, "GET", "/users", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "ada@example.com") || !strings.Contains(body, `href="/users" aria-current="page"`) {
		t.Fatalf("users page: %d\n%s", resp.StatusCode, body)
	}
	csrf := csrfFrom(t, body)

	// Invite an approver; the page shows the link once.
	resp, body = h.do(c, "POST", "/users", url.Values{"csrf_token": {csrf}, "email": {"Sam@Example.com"}, "role": {"approver"}}, nil)
	m := inviteLinkRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("invite: %d\n%s", resp.StatusCode, body)
	}
	sam, err := h.st.UserByEmail(ctx, "sam@example.com")
	if err != nil || sam.Role != store.RoleApprover || sam.Name != "sam" {
		t.Fatalf("invited user %+v, %v", sam, err)
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	if resp, _ := h.do(h.client(), "GET", link, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("enrolment link: %d", resp.StatusCode)
	}
	// The same address twice is refused.
	if resp, _ := h.do(c, "POST", "/users", url.Values{"csrf_token": {csrf}, "email": {"sam@example.com"}, "role": {"viewer"}}, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate invite: %d", resp.StatusCode)
	}

	// A new link for the not-yet-enrolled account; none for an enrolled one.
	resp, body = h.do(c, "POST", "/users/"+itoa(sam.ID), url.Values{"csrf_token": {csrf}, "action": {"reinvite"}}, nil)
	if m2 := inviteLinkRE.FindStringSubmatch(body); resp.StatusCode != 200 || m2 == nil || m2[1] == m[1] {
		t.Fatalf("reinvite: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := h.do(c, "POST", "/users/"+itoa(admin.ID), url.Values{"csrf_token": {csrf}, "action": {"reinvite"}}, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("reinvite of an enrolled account: %d", resp.StatusCode)
	}
	change := func(id int64, v url.Values) *http.Response {
		t.Helper()
		v.Set("csrf_token", csrf)
		resp, _ := h.do(c, "POST", "/users/"+itoa(id), v, nil)
		return resp
	}
	if resp := change(sam.ID, url.Values{"action": {"role"}, "role": {"auditor"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set role: %d", resp.StatusCode)
	}
	if resp := change(sam.ID, url.Values{"action": {"disable"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if u, _ := h.st.GetUser(ctx, sam.ID); u.Role != store.RoleAuditor || !u.Disabled {
		t.Fatalf("after role and disable: %+v", u)
	}
	if resp := change(sam.ID, url.Values{"action": {"enable"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	// Guards: no self-disable, no demoting the last admin, no unknown role.
	for name, v := range map[string]url.Values{
		"self-disable":      {"action": {"disable"}},
		"demote last admin": {"action": {"role"}, "role": {"viewer"}},
	} {
		if resp := change(admin.ID, v); resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if resp := change(sam.ID, url.Values{"action": {"role"}, "role": {"root"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown role: %d", resp.StatusCode)
	}
	if u, _ := h.st.GetUser(ctx, admin.ID); u.Role != store.RoleAdmin || u.Disabled {
		t.Fatalf("admin after refused changes: %+v", u)
	}
	for _, want := range []struct{ action, outcome string }{
		{"user.invite", OutcomeSuccess}, {"user.invite", OutcomeFailure}, {"user.role", OutcomeSuccess}, {"user.disable", OutcomeSuccess},
		{"user.enable", OutcomeSuccess}, {"user.disable", OutcomeFailure}, {"user.role", OutcomeFailure},
		{"user.reinvite", OutcomeSuccess}, {"user.reinvite", OutcomeFailure},
	} {
		if len(h.audit.find(want.action, want.outcome)) == 0 {
			t.Errorf("no %s %s event", want.action, want.outcome)
		}
	}
	if ev := h.audit.find("user.role", OutcomeSuccess); len(ev) != 1 || ev[0].Detail != "approver -> auditor" || ev[0].Object != "user:"+itoa(sam.ID) {
		t.Errorf("role event: %+v", ev)
	}

	// With a second admin, the first may be demoted.
	other := h.user("bo@example.com", store.RoleAdmin)
	if resp := change(admin.ID, url.Values{"action": {"role"}, "role": {"engineer"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demote with another admin: %d", resp.StatusCode)
	}
	// Not an admin any more: the page and the actions are refused.
	if resp, _ := h.do(c, "GET", "/users", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("users page as engineer: %d", resp.StatusCode)
	}
	if resp := change(other.ID, url.Values{"action": {"disable"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("disable as engineer: %d", resp.StatusCode)
	}
}

// TestUsersAPI: the same actions over JSON with a signed-in admin's session.
func TestUsersAPI(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	admin := h.user("ada@example.com", store.RoleAdmin)
	c := h.client()
	h.login(c, admin)
	csrf := h.sessionCSRF(c)
	resp, body := h.postJSON(c, "/api/v1/users", csrf, []byte(`{"email":"eve@example.com","name":"Eve","role":"engineer"}`))
	var out map[string]any
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &out) != nil || out["role"] != "engineer" ||
		!strings.Contains(out["enrolment_url"].(string), "/enrol?token=") {
		t.Fatalf("invite: %d %s", resp.StatusCode, body)
	}
	id := itoa(int64(out["id"].(float64)))
	if resp, body := h.postJSON(c, "/api/v1/users/"+id+"/role", csrf, []byte(`{"role":"approver"}`)); resp.StatusCode != 200 || !strings.Contains(body, `"role":"approver"`) {
		t.Fatalf("role: %d %s", resp.StatusCode, body)
	}
	if resp, body := h.postJSON(c, "/api/v1/users/"+id+"/enrolment", csrf, nil); resp.StatusCode != http.StatusCreated || !strings.Contains(body, "/enrol?token=") {
		t.Fatalf("new link: %d %s", resp.StatusCode, body)
	}
	if resp, body := h.postJSON(c, "/api/v1/users/"+id+"/disable", csrf, nil); resp.StatusCode != 200 || !strings.Contains(body, `"disabled":true`) {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := h.postJSON(c, "/api/v1/users/999/enable", csrf, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown user: %d", resp.StatusCode)
	}
	if resp, _ := h.postJSON(c, "/api/v1/users", csrf, []byte(`["not an object"]`)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad body: %d", resp.StatusCode)
	}
	// Without the CSRF header a session cannot change anything.
	if resp, _ := h.postJSON(c, "/api/v1/users/"+id+"/enable", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", resp.StatusCode)
	}
}
