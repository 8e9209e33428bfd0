package server

// coreRoutes is THE route table of the core server. Add a route here (or, from another
// package, in Config.Routes) with the permission it needs; TestRouteTable fails if a
// route is served that is not declared, or reachable without authentication when it is
// not one of the public routes.
func (s *Server) coreRoutes() []Route {
	return append([]Route{
		{"GET", "/healthz", PermPublic, s.healthz, 0},
		{"GET", "/readyz", PermPublic, s.readyz, 0},
		{"GET", "/static/", PermPublic, staticHandler(), 0},
		{"GET", "/login", PermPublic, s.loginPage, 0},
		{"POST", "/login", PermPublic, s.login, 0},
		{"GET", "/enrol", PermPublic, s.enrol, 0},
		{"POST", "/enrol", PermPublic, s.enrol, 0},

		{"POST", "/logout", PermSignedIn, s.logout, 0},
		{"GET", "/{$}", PermDashboardRead, s.dashboard, 0},
		{"GET", "/metrics", PermMetricsRead, s.serveMetrics, 0},
		{"GET", "/api/v1/whoami", PermSignedIn, s.whoami, 0},
		{"GET", "/api/v1/users", PermUsersManage, s.listUsers, 0},
		{"POST", "/api/v1/users/{id}/revoke-sessions", PermUsersManage, s.revokeUserSessions, 0},
		{"POST", "/api/v1/users", PermUsersManage, s.apiInviteUser, 0},
		{"POST", "/api/v1/users/{id}/role", PermUsersManage, s.apiChangeUser("role"), 0},
		{"POST", "/api/v1/users/{id}/disable", PermUsersManage, s.apiChangeUser("disable"), 0},
		{"POST", "/api/v1/users/{id}/enable", PermUsersManage, s.apiChangeUser("enable"), 0},
		{"POST", "/api/v1/users/{id}/enrolment", PermUsersManage, s.apiReinviteUser, 0},
		{"GET", "/users", PermUsersManage, s.usersPage, 0},
		{"POST", "/users", PermUsersManage, s.usersInviteForm, 0},
		{"POST", "/users/{id}", PermUsersManage, s.usersChangeForm, 0},
		{"GET", "/tokens", PermTokensManage, s.tokensPage, 0},
		{"POST", "/tokens", PermTokensManage, s.tokenCreateForm, 0},
		{"POST", "/tokens/{id}/revoke", PermTokensManage, s.tokenRevokeForm, 0},
	}, s.uiRoutes()...) // inventory, upload and web UI: ui.go
}
