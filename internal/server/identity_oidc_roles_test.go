package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/posture-dev/posture/internal/store"
)

// TestOIDCRolesFromGroups: with group mappings the issuer decides roles at every OIDC
// sign-in, each change is audited, and an identity in no mapped group gets nothing.
func TestOIDCRolesFromGroups(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	cfg := m.Config()
	h := newIdentityHarness(t, time.Now().UTC(), &OIDCConfig{
		Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		AllowedDomains: []string{"example.com"}, AutoProvision: true,
		GroupsScope: "groups",
		RoleGroups:  []GroupRole{{"sec-admins", store.RoleAdmin}, {"security", store.RoleApprover}, {"engineering", store.RoleEngineer}},
	})
	ctx := context.Background()
	signIn := func(groups ...string) (*http.Response, string) {
		t.Helper()
		m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "jo@example.com", EmailVerified: true, Groups: groups})
		c := h.client()
		return h.do(c, "GET", h.oidcAuthorize(c, nil), nil, nil)
	}
	role := func() store.Role {
		t.Helper()
		u, err := h.st.UserByOIDC(ctx, m.Issuer(), "s-1")
		if err != nil {
			t.Fatal(err)
		}
		return u.Role
	}

	// In no mapped group: refused before any account exists.
	if resp, body := signIn("marketing"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not in a group") {
		t.Fatalf("unmapped groups: %d %s", resp.StatusCode, body)
	}
	if ev := h.audit.find("login", OutcomeFailure); len(ev) != 1 || !strings.Contains(ev[0].Detail, "none of the groups") {
		t.Fatalf("refusal audit: %+v", ev)
	}
	if n := countRows(t, h.st, "users") + countRows(t, h.st, "sessions"); n != 0 {
		t.Fatalf("%d rows written for an identity in no mapped group", n)
	}

	// The first mapping the user is in wins, whatever the order of the claim.
	if resp, body := signIn("engineering", "security"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d %s", resp.StatusCode, body)
	}
	if got := role(); got != store.RoleApprover {
		t.Fatalf("provisioned as %s, want approver", got)
	}
	if ev := h.audit.find("user.provision", OutcomeSuccess); len(ev) != 1 || !strings.Contains(ev[0].Detail, `approver via`) || !strings.Contains(ev[0].Detail, `"security"`) {
		t.Fatalf("provision audit: %+v", ev)
	}

	// Removed from security at the issuer: the next sign-in lowers the role, audited.
	if resp, _ := signIn("engineering"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", resp.StatusCode)
	}
	if got := role(); got != store.RoleEngineer {
		t.Fatalf("role after leaving security = %s", got)
	}
	ev := h.audit.find("user.role", OutcomeSuccess)
	if len(ev) != 1 || ev[0].Detail != `approver -> engineer via issuer group "engineering"` {
		t.Fatalf("role change audit: %+v", ev)
	}
	// An unchanged role is not a change.
	signIn("engineering")
	if n := len(h.audit.find("user.role", OutcomeSuccess)); n != 1 {
		t.Fatalf("%d role changes after a sign-in with the same groups", n)
	}
	// Removed from every mapped group: refused, and the stored role is left as it was.
	if resp, _ := signIn(); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without groups: %d", resp.StatusCode)
	}
}

func TestParseGroupRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want GroupRole
		ok   bool
	}{
		{"security=approver", GroupRole{"security", store.RoleApprover}, true},
		{" sec-admins = admin ", GroupRole{"sec-admins", store.RoleAdmin}, true},
		{"cn=sec,ou=groups,dc=example=auditor", GroupRole{"cn=sec,ou=groups,dc=example", store.RoleAuditor}, true},
		{"/team/platform=engineer", GroupRole{"/team/platform", store.RoleEngineer}, true},
		{"security=root", GroupRole{}, false},
		{"=admin", GroupRole{}, false},
		{"admin", GroupRole{}, false},
		{"security=", GroupRole{}, false},
	} {
		got, err := ParseGroupRole(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseGroupRole(%q) = %+v, %v", tc.in, got, err)
		}
	}
	if err := checkRoleGroups([]GroupRole{{"a", store.RoleViewer}, {"a", store.RoleAdmin}}); err == nil {
		t.Error("a group mapped twice was accepted")
	}
}

func TestClaimStrings(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want []string
	}{
		{[]any{"a", "b"}, []string{"a", "b"}},
		{"solo", []string{"solo"}},
		{[]any{"a", 3.0, map[string]any{}}, []string{"a"}},
		{nil, nil},
		{42.0, nil},
	} {
		if got := claimStrings(tc.in); strings.Join(got, ",") != strings.Join(tc.want, ",") || len(got) != len(tc.want) {
			t.Errorf("claimStrings(%v) = %q", tc.in, got)
		}
	}
}
