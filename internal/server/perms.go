package server

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Permission is what a route requires. Roles (people) and scopes (API tokens) grant
// permissions; no code checks a role directly, so what a role may do is the data below.
type Permission string

// Permissions. PermPublic is the only one that needs no authentication: health checks,
// sign-in, enrolment and static assets.
const (
	PermPublic            Permission = "public"
	PermSignedIn          Permission = "signed-in" // any authenticated principal
	PermDashboardRead     Permission = "dashboard:read"
	PermSystemsRead       Permission = "systems:read"
	PermSystemsWrite      Permission = "systems:write"
	PermFindingsRead      Permission = "findings:read"
	PermFindingsTriage    Permission = "findings:triage"
	PermScansWrite        Permission = "scans:write"
	PermDeviationsApprove Permission = "deviations:approve"
	PermUsersManage       Permission = "users:manage"
	PermTokensManage      Permission = "tokens:manage"
	PermConfigWrite       Permission = "config:write"
	PermAuditRead         Permission = "audit:read"
	PermMetricsRead       Permission = "metrics:read"
	// Governance (P7, gov.go): the records behind the record controls.
	PermDeviationsRead    Permission = "deviations:read"
	PermDeviationsRequest Permission = "deviations:request"
	PermRecordsRead       Permission = "records:read"
	PermRecordsWrite      Permission = "records:write"
	PermChangesApprove    Permission = "changes:approve"
	PermEvidenceRead      Permission = "evidence:read"
	PermPolicyReview      Permission = "policy:review"
)

var readPerms = []Permission{PermSignedIn, PermDashboardRead, PermSystemsRead, PermFindingsRead, PermDeviationsRead, PermRecordsRead}

// govWrite is what everyone who keeps records may do: record emergency changes,
// incidents and attestations, and approve a colleague's change (never their own).
var govWrite = []Permission{PermRecordsWrite, PermChangesApprove, PermEvidenceRead}

func with(base []Permission, more ...Permission) []Permission {
	return append(append([]Permission(nil), base...), more...)
}

// rolePermissions is the authorisation policy for people. Only admin and auditor read
// the audit log (LG-2).
var rolePermissions = map[store.Role][]Permission{
	store.RoleViewer:   readPerms,
	store.RoleEngineer: with(with(readPerms, govWrite...), PermFindingsTriage, PermScansWrite, PermSystemsWrite, PermDeviationsRequest),
	store.RoleApprover: with(with(readPerms, govWrite...), PermFindingsTriage, PermDeviationsApprove, PermDeviationsRequest, PermPolicyReview),
	store.RoleAuditor:  with(readPerms, PermAuditRead, PermEvidenceRead),
	store.RoleAdmin: with(with(readPerms, govWrite...), PermSystemsWrite, PermFindingsTriage, PermScansWrite, PermDeviationsApprove,
		PermUsersManage, PermTokensManage, PermConfigWrite, PermAuditRead, PermMetricsRead, PermDeviationsRequest, PermPolicyReview),
}

// Token scopes: what a machine credential may be created with.
const (
	ScopeRead        = "read"
	ScopeScansWrite  = "scans:write"
	ScopeMetricsRead = "metrics:read"
)

// scopePermissions is the authorisation policy for API tokens.
var scopePermissions = map[string][]Permission{
	ScopeRead: readPerms,
	// posture scan --server --upload pulls the system's deviations with the upload token.
	ScopeScansWrite:  {PermSignedIn, PermScansWrite, PermDeviationsRead},
	ScopeMetricsRead: {PermMetricsRead},
}

// Scopes lists the scopes an API token may have.
func Scopes() []string {
	out := make([]string, 0, len(scopePermissions))
	for s := range scopePermissions {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// ValidScope reports whether s is a scope a token may have.
func ValidScope(s string) bool { _, ok := scopePermissions[s]; return ok }

// MaxTokenLife bounds an API token's life, wherever it is created.
const MaxTokenLife = 366 * 24 * time.Hour

// NormalizeScopes checks the scopes of a token being created and returns them sorted,
// each once: the CLI and the tokens page accept the same.
func NormalizeScopes(in []string) ([]string, error) {
	for _, sc := range in {
		if !ValidScope(sc) {
			return nil, fmt.Errorf("unknown scope %q (want one of %s)", clipDetail(sc, 40), strings.Join(Scopes(), ", "))
		}
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// RolePermissions returns what a role may do, for the UI and docs.
func RolePermissions(r store.Role) []Permission {
	return append([]Permission(nil), rolePermissions[r]...)
}

func permSet(lists ...[]Permission) map[Permission]bool {
	m := map[Permission]bool{}
	for _, l := range lists {
		for _, p := range l {
			m[p] = true
		}
	}
	return m
}
