package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Config is everything the server needs; the CLI fills it from flags.
type Config struct {
	Store   *store.Store
	Auditor Auditor
	// Logger receives request logs and operational messages; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now. Tests inject one to expire sessions.
	Now func() time.Time

	// IdleTimeout ends a session not used for this long (default 30 min);
	// AbsoluteTimeout ends it this long after sign-in whatever happens (default 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration

	// Routes are added to the core route table (identity providers, UI, upload).
	Routes []Route
	// Enrollers offer ways to enrol a credential on an enrolment link, by name
	// ("password" is built in and always offered).
	Enrollers map[string]Enroller
	// Version is shown in metrics.
	Version string
	// ScanRecorded, when set, runs in the transaction that records an uploaded scan: the
	// background jobs queue the new-findings alert there, so an upload and its alert
	// commit together or not at all.
	ScanRecorded func(ctx context.Context, tx *store.Tx, sys store.System, sc store.Scan) error
}

// Server is the HTTP side of posture serve.
type Server struct {
	cfg       Config
	st        *store.Store
	log       *slog.Logger
	now       func() time.Time
	routes    []Route
	mux       *recordingMux
	handler   http.Handler
	metrics   *metrics
	pages     *pages
	enrollers map[string]Enroller
	ui        *uiState // caches of the web UI (ui.go)
	rejects   rejectLimiter
	// signInWith lists the other ways to sign in that /login links to (passkeys, OIDC),
	// set by NewWithIdentity.
	signInWith []signInLink
}

// signInLink is one alternative sign-in method shown on the password sign-in page.
type signInLink struct{ Href, Label string }

// New builds a server and its route table. It does not listen.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Auditor == nil {
		return nil, errors.New("server: a store and an auditor are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now, metrics: newMetrics(cfg.Version)}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.enrollers = map[string]Enroller{"password": &PasswordTOTPEnroller{s: s}}
	for name, e := range cfg.Enrollers {
		s.enrollers[name] = e
	}
	s.routes = append(s.coreRoutes(), cfg.Routes...)
	s.mux = newRecordingMux()
	for _, r := range s.routes {
		if err := s.register(r); err != nil {
			return nil, err
		}
	}
	s.handler = s.outer(s.mux)
	return s, nil
}

// Handler is the whole server as an http.Handler: every request gets a request ID,
// security headers and a log line, then goes through the route table.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the route table (core routes and Config.Routes).
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// MetricsHandler serves /metrics without authentication, for a separately bound
// --metrics-listen address that only the monitoring network reaches.
func (s *Server) MetricsHandler() http.Handler {
	return s.outer(http.HandlerFunc(s.serveMetrics))
}

// Listeners says where Run serves.
type Listeners struct {
	// TLS is the main listener; TLSConfig its certificates.
	TLS       net.Listener
	TLSConfig *tls.Config
	// Redirect, if set, is a plain HTTP listener that only redirects to HTTPS (and
	// answers ACME HTTP-01 challenges when RedirectHandler does).
	Redirect        net.Listener
	RedirectHandler http.Handler
	// Metrics, if set, serves /metrics without authentication (bind it to an address
	// only the monitoring system reaches).
	Metrics net.Listener
}

// ShutdownGrace is how long Run waits for requests in flight after ctx ends.
const ShutdownGrace = 20 * time.Second

// Run serves until ctx is cancelled (SIGTERM, SIGINT), then stops accepting, lets
// requests in flight finish for up to ShutdownGrace, and returns.
func (s *Server) Run(ctx context.Context, l Listeners) error {
	cfg := l.TLSConfig.Clone()
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	errLog := slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)
	newSrv := func(h http.Handler) *http.Server {
		return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute,
			IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: errLog, BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	}
	main := newSrv(s.handler)
	main.TLSConfig = cfg
	servers := []*http.Server{main}
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	serve := func(srv *http.Server, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	serve(main, func() error { return main.Serve(tls.NewListener(l.TLS, cfg)) })
	if l.Redirect != nil {
		h := l.RedirectHandler
		if h == nil {
			h = RedirectToHTTPS(l.TLS.Addr())
		}
		rs := newSrv(h)
		servers = append(servers, rs)
		serve(rs, func() error { return rs.Serve(l.Redirect) })
	}
	if l.Metrics != nil {
		ms := newSrv(s.MetricsHandler())
		servers = append(servers, ms)
		serve(ms, func() error { return ms.Serve(l.Metrics) })
	}
	go s.sweepSessions(ctx)
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	s.log.Info("shutting down", "grace", ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			runErr = errors.Join(runErr, fmt.Errorf("shutdown: %w", err))
		}
	}
	wg.Wait()
	return runErr
}

// sweepSessions deletes long-dead sessions once an hour; several replicas doing it at
// once is harmless.
func (s *Server) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.st.DeleteSessionsBefore(ctx, s.now().Add(-24*time.Hour)); err != nil {
				s.log.Warn("deleting old sessions", "err", err)
			} else if n > 0 {
				s.log.Info("deleted old sessions", "count", n)
			}
		}
	}
}

// RedirectToHTTPS answers every plain-HTTP request with a permanent redirect to the
// same path on the TLS listener's port, and does nothing else.
func RedirectToHTTPS(tlsAddr net.Addr) http.Handler {
	port := ""
	if a, ok := tlsAddr.(*net.TCPAddr); ok && a.Port != 443 {
		port = fmt.Sprint(a.Port)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || len(host) > 255 {
			http.Error(w, "HTTPS only", http.StatusBadRequest)
			return
		}
		if port != "" {
			host = net.JoinHostPort(host, port)
		} else if net.ParseIP(host) != nil && net.ParseIP(host).To4() == nil {
			host = "[" + host + "]"
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}
