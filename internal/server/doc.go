// Package server is the core of `posture serve`: TLS, security headers, request logging
// and metrics, the route table with the permission each route needs, sessions, CSRF
// protection, API tokens, login rate limiting and the enrolment of the first admin.
// Every piece of state another replica would need lives in the database (internal/store);
// the process itself holds only metrics counters. docs/server.md describes the design.
//
// Packages that add features (identity providers, the web UI, scan upload) add Routes
// to the table, read the signed-in Principal with PrincipalFrom, and record what they
// do with Server.Audit, which fails closed.
package server
