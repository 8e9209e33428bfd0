package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/posture-dev/posture/internal/store"
)

// GroupRole gives members of an issuer group a posture role.
type GroupRole struct {
	Group string
	Role  store.Role
}

// ParseGroupRole reads GROUP=ROLE. The group is split at the last '=' so that group
// names holding one (LDAP-style DNs such as cn=sec,ou=groups) still work.
func ParseGroupRole(s string) (GroupRole, error) {
	i := strings.LastIndexByte(s, '=')
	if i <= 0 {
		return GroupRole{}, fmt.Errorf("%q is not GROUP=ROLE", s)
	}
	g := GroupRole{Group: strings.TrimSpace(s[:i]), Role: store.Role(strings.TrimSpace(s[i+1:]))}
	if g.Group == "" || !g.Role.Valid() {
		return GroupRole{}, fmt.Errorf("%q is not GROUP=ROLE with ROLE one of viewer, engineer, approver, admin, auditor", s)
	}
	return g, nil
}

func checkRoleGroups(gs []GroupRole) error {
	seen := map[string]bool{}
	for _, g := range gs {
		if g.Group == "" || !g.Role.Valid() {
			return fmt.Errorf("oidc: group mapping %q=%q: a group and a valid role are needed", g.Group, g.Role)
		}
		// Two roles for one group would depend on flag order in a way nobody reads.
		if seen[g.Group] {
			return fmt.Errorf("oidc: group %q is mapped twice", g.Group)
		}
		seen[g.Group] = true
	}
	return nil
}

// roleFromGroups is the role of the first mapping whose group the user is in.
func roleFromGroups(gs []GroupRole, groups []string) (store.Role, string, bool) {
	in := make(map[string]bool, len(groups))
	for _, g := range groups {
		in[g] = true
	}
	for _, g := range gs {
		if in[g.Group] {
			return g.Role, g.Group, true
		}
	}
	return "", "", false
}

// claimStrings reads a groups claim: a list of strings (the usual form) or a single
// string (some issuers send one group that way). Anything else is no groups.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// syncRole gives u the role its groups map to, audited before it is stored: the
// issuer decides roles, and each change is a privileged action on the record.
func (o *oidcLogin) syncRole(w http.ResponseWriter, r *http.Request, u *store.User, role store.Role, group string) bool {
	s := o.s
	object := fmt.Sprintf("user:%d", u.ID)
	detail := fmt.Sprintf("%s -> %s via issuer group %s", u.Role, role, quoteDetail(clipDetail(group, 100)))
	if err := s.Audit(r, "user.role", object, OutcomeSuccess, detail); err != nil {
		AuditFailed(w)
		return false
	}
	if err := s.st.SetUserRole(r.Context(), u.ID, role); err != nil {
		_ = s.Audit(r, "user.role", object, OutcomeError, "not changed: "+clipDetail(err.Error(), 200))
		if !errors.Is(err, store.ErrInvalid) {
			s.log.Error("setting role from oidc groups", "request_id", RequestID(r.Context()), "err", err)
		}
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
		return false
	}
	u.Role = role
	return true
}
