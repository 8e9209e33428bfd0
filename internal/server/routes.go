package server

// coreRoutes is THE route table of the core server. Add a route here (or, from another
// package, in Config.Routes) with the permission it needs; TestRouteTable fails if a
// route is served that is not declared, or reachable without authentication when it is
// not one of the public routes.
func (s *Server) coreRoutes() []Route {
	return append([]Route{
		{"GET", "/healthz", PermPublic, s.healthz},
		{"GET", "/readyz", PermPublic, s.readyz},
		{"GET", "/static/", PermPublic, staticHandler()},
		{"GET", "/login", PermPublic, s.loginPage},
		{"POST", "/login", PermPublic, s.login},
		{"GET", "/enrol", PermPublic, s.enrol},
		{"POST", "/enrol", PermPublic, s.enrol},

		{"POST", "/logout", PermSignedIn, s.logout},
		{"GET", "/{$}", PermDashboardRead, s.dashboard},
		{"GET", "/metrics", PermMetricsRead, s.serveMetrics},
		{"GET", "/api/v1/whoami", PermSignedIn, s.whoami},
		{"GET", "/api/v1/users", PermUsersManage, s.listUsers},
		{"POST", "/api/v1/users/{id}/revoke-sessions", PermUsersManage, s.revokeUserSessions},
	}, s.uiRoutes()...) // inventory, upload and web UI: ui.go
}
