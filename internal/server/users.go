package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// User administration: invite a user with a role (a one-time enrolment link), change
// a role, disable and enable an account. Each is a privileged action, audited before it
// is stored, from the Users page or the API; both go through the actions below. Two
// guards keep the server administrable: nobody disables their own account, and the
// last active admin cannot be demoted or disabled.

// enrolmentTTL is how long an invitation link works.
const enrolmentTTL = 72 * time.Hour

// userError is a refused user action, with the status to answer.
type userError struct {
	status int
	msg    string
}

func (e *userError) Error() string { return e.msg }

func refuseUser(status int, format string, args ...any) error {
	return &userError{status: status, msg: fmt.Sprintf(format, args...)}
}

// invitation is what inviting a user gives the admin: the account and its one-time link.
type invitation struct {
	User      store.User
	Path      string
	ExpiresAt time.Time
}

// inviteUser creates an account with the role and a one-time enrolment link for it.
func (s *Server) inviteUser(r *http.Request, email, name string, role store.Role) (invitation, error) {
	email = store.NormalizeEmail(email)
	if !role.Valid() {
		return invitation{}, refuseUser(http.StatusBadRequest, "role %q: want viewer, engineer, approver, admin or auditor", role)
	}
	if name = strings.TrimSpace(name); name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	object := "email:" + email
	if err := s.Audit(r, "user.invite", object, OutcomeSuccess, "role "+string(role)); err != nil {
		return invitation{}, errAuditFailed
	}
	u, err := s.st.CreateUser(r.Context(), store.UserInput{Name: name, Email: email, Role: role})
	switch {
	case errors.Is(err, store.ErrConflict):
		_ = s.Audit(r, "user.invite", object, OutcomeFailure, "an account with this address exists")
		return invitation{}, refuseUser(http.StatusConflict, "an account for %s exists already", email)
	case errors.Is(err, store.ErrInvalid):
		_ = s.Audit(r, "user.invite", object, OutcomeFailure, clipDetail(err.Error(), 200))
		return invitation{}, refuseUser(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "create user: "))
	case err != nil:
		_ = s.Audit(r, "user.invite", object, OutcomeError, "not created")
		return invitation{}, err
	}
	return s.enrolmentLink(r, u, "user.invite")
}

func (s *Server) enrolmentLink(r *http.Request, u store.User, action string) (invitation, error) {
	secret, hash := NewEnrolmentSecret()
	expires := s.now().Add(enrolmentTTL)
	if err := s.st.CreateEnrolment(r.Context(), u.ID, hash, expires); err != nil {
		_ = s.Audit(r, action, "user:"+itoa(u.ID), OutcomeError, "enrolment link not stored")
		return invitation{}, err
	}
	return invitation{User: u, Path: "/enrol?token=" + url.QueryEscape(secret), ExpiresAt: expires}, nil
}

// reinviteUser makes a new enrolment link for an account that has no credential yet
// (its invitation expired or was lost). An enrolled account gets none: a link would
// let whoever holds it add a credential to someone else's account.
func (s *Server) reinviteUser(r *http.Request, id int64) (invitation, error) {
	ctx := r.Context()
	u, err := s.st.GetUser(ctx, id)
	if isNotFound(err) {
		return invitation{}, refuseUser(http.StatusNotFound, "no user %d", id)
	} else if err != nil {
		return invitation{}, err
	}
	object := "user:" + itoa(id)
	keys, err := s.st.WebAuthnCredentials(ctx, id)
	if err != nil {
		return invitation{}, err
	}
	ids, err := s.st.OIDCIdentities(ctx, id)
	if err != nil {
		return invitation{}, err
	}
	if u.HasPassword || u.HasTOTP || len(keys) > 0 || len(ids) > 0 || u.Disabled {
		msg := u.Email + " has enrolled already or is disabled: a new link is only for accounts without a credential"
		if err := s.Audit(r, "user.reinvite", object, OutcomeFailure, msg); err != nil {
			return invitation{}, errAuditFailed
		}
		return invitation{}, refuseUser(http.StatusConflict, "%s", msg)
	}
	if err := s.Audit(r, "user.reinvite", object, OutcomeSuccess, "new enrolment link"); err != nil {
		return invitation{}, errAuditFailed
	}
	return s.enrolmentLink(r, u, "user.reinvite")
}

// changeUser sets a user's role, or disables or enables the account.
func (s *Server) changeUser(r *http.Request, id int64, action string, role store.Role) (store.User, error) {
	ctx := r.Context()
	u, err := s.st.GetUser(ctx, id)
	if isNotFound(err) {
		return u, refuseUser(http.StatusNotFound, "no user %d", id)
	} else if err != nil {
		return u, err
	}
	object := "user:" + itoa(id)
	refuse := func(status int, format string, args ...any) (store.User, error) {
		msg := fmt.Sprintf(format, args...)
		if err := s.Audit(r, "user."+action, object, OutcomeFailure, msg); err != nil {
			return u, errAuditFailed
		}
		return u, refuseUser(status, "%s", msg)
	}
	me := PrincipalFrom(ctx).User
	lastAdmin := func() (bool, error) {
		if u.Role != store.RoleAdmin || u.Disabled {
			return false, nil
		}
		all, err := s.st.ListUsers(ctx)
		if err != nil {
			return false, err
		}
		for _, o := range all {
			if o.ID != u.ID && o.Role == store.RoleAdmin && !o.Disabled {
				return false, nil
			}
		}
		return true, nil
	}
	var detail string
	var apply func() error
	switch action {
	case "role":
		if !role.Valid() {
			return refuse(http.StatusBadRequest, "role %q: want viewer, engineer, approver, admin or auditor", role)
		}
		if role == u.Role {
			return u, nil
		}
		if role != store.RoleAdmin {
			if last, err := lastAdmin(); err != nil {
				return u, err
			} else if last {
				return refuse(http.StatusConflict, "%s is the last active admin; make someone else admin first", u.Email)
			}
		}
		detail = fmt.Sprintf("%s -> %s", u.Role, role)
		apply = func() error { return s.st.SetUserRole(ctx, id, role) }
		u.Role = role
	case "disable", "enable":
		disable := action == "disable"
		if disable == u.Disabled {
			return u, nil
		}
		if disable {
			if me != nil && me.ID == id {
				return refuse(http.StatusConflict, "you cannot disable your own account")
			}
			if last, err := lastAdmin(); err != nil {
				return u, err
			} else if last {
				return refuse(http.StatusConflict, "%s is the last active admin; make someone else admin first", u.Email)
			}
			detail = "sessions revoked"
		}
		apply = func() error { return s.st.SetUserDisabled(ctx, id, disable) }
		u.Disabled = disable
	default:
		return refuse(http.StatusBadRequest, "unknown action %q", action)
	}
	if err := s.Audit(r, "user."+action, object, OutcomeSuccess, detail); err != nil {
		return u, errAuditFailed
	}
	if err := apply(); err != nil {
		_ = s.Audit(r, "user."+action, object, OutcomeError, "not carried out")
		return u, err
	}
	return u, nil
}

// errAuditFailed stops an action whose audit event could not be written.
var errAuditFailed = errors.New("audit log unavailable")

// userFailed answers a user action's error as HTML or JSON.
func (s *Server) userFailed(w http.ResponseWriter, r *http.Request, html bool, err error) {
	var ue *userError
	switch {
	case errors.Is(err, errAuditFailed):
		AuditFailed(w)
	case errors.As(err, &ue):
		s.fail(w, r, html, ue.status, "Not changed", ue.msg)
	default:
		s.unavailable(w, r, html, "user administration", err)
	}
}

// usersPage lists the accounts with their role and state, and the forms that change
// them.
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		s.unavailable(w, r, true, "listing users", err)
		return
	}
	p := PrincipalFrom(r.Context())
	var me int64
	if p.User != nil {
		me = p.User.ID
	}
	s.page(w, r, "users", "Users", map[string]any{"Nav": "users", "Users": users, "Roles": store.Roles,
		"CSRF": p.CSRFToken(), "Me": me})
}

// usersInviteForm creates an account from the Users page and shows its link once.
func (s *Server) usersInviteForm(w http.ResponseWriter, r *http.Request) {
	inv, err := s.inviteUser(r, r.PostFormValue("email"), r.PostFormValue("name"), store.Role(r.PostFormValue("role")))
	if err != nil {
		s.userFailed(w, r, true, err)
		return
	}
	s.invitationPage(w, r, "User invited", inv)
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request, title string, inv invitation) {
	s.page(w, r, "user-invited", title, map[string]any{"Nav": "users", "Invited": inv.User,
		"Link": "https://" + r.Host + inv.Path, "Expires": inv.ExpiresAt})
}

// usersChangeForm applies one change from the Users page.
func (s *Server) usersChangeForm(w http.ResponseWriter, r *http.Request) {
	id, ok := userID(w, r, true, s)
	if !ok {
		return
	}
	if r.PostFormValue("action") == "reinvite" {
		inv, err := s.reinviteUser(r, id)
		if err != nil {
			s.userFailed(w, r, true, err)
			return
		}
		s.invitationPage(w, r, "New enrolment link", inv)
		return
	}
	if _, err := s.changeUser(r, id, r.PostFormValue("action"), store.Role(r.PostFormValue("role"))); err != nil {
		s.userFailed(w, r, true, err)
		return
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

func userID(w http.ResponseWriter, r *http.Request, html bool, s *Server) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, html, http.StatusBadRequest, "Not changed", "bad user id")
		return 0, false
	}
	return id, true
}

// userJSON is a user as the API shows it.
func userJSON(u store.User) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role, "disabled": u.Disabled, "created_at": u.CreatedAt}
}

// decodeUserRequest reads a small JSON object of string fields.
func decodeUserRequest(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	if !isJSON(r) {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]any{"error": "send Content-Type: application/json"})
		return nil, false
	}
	var in map[string]string
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "body must be a JSON object of strings: " + clipDetail(err.Error(), 100)})
		return nil, false
	}
	return in, true
}

// apiInviteUser is POST /api/v1/users {"email", "name", "role"}: the account and its
// one-time enrolment link, which is shown this once.
func (s *Server) apiInviteUser(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeUserRequest(w, r)
	if !ok {
		return
	}
	inv, err := s.inviteUser(r, in["email"], in["name"], store.Role(in["role"]))
	if err != nil {
		s.userFailed(w, r, false, err)
		return
	}
	writeJSON(w, http.StatusCreated, invitationJSON(r, inv))
}

func invitationJSON(r *http.Request, inv invitation) map[string]any {
	out := userJSON(inv.User)
	out["enrolment_url"] = "https://" + r.Host + inv.Path
	out["enrolment_expires_at"] = inv.ExpiresAt
	return out
}

// apiChangeUser is POST /api/v1/users/{id}/role {"role"}, /disable and /enable.
func (s *Server) apiChangeUser(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := userID(w, r, false, s)
		if !ok {
			return
		}
		var role store.Role
		if action == "role" {
			in, ok := decodeUserRequest(w, r)
			if !ok {
				return
			}
			role = store.Role(in["role"])
		}
		u, err := s.changeUser(r, id, action, role)
		if err != nil {
			s.userFailed(w, r, false, err)
			return
		}
		writeJSON(w, http.StatusOK, userJSON(u))
	}
}

// apiReinviteUser is POST /api/v1/users/{id}/enrolment: a new one-time link for an
// account that has no credential yet.
func (s *Server) apiReinviteUser(w http.ResponseWriter, r *http.Request) {
	id, ok := userID(w, r, false, s)
	if !ok {
		return
	}
	inv, err := s.reinviteUser(r, id)
	if err != nil {
		s.userFailed(w, r, false, err)
		return
	}
	writeJSON(w, http.StatusCreated, invitationJSON(r, inv))
}
