package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

const serveLong = `NAME
    posture serve - run the posture server (HTTPS only)

SYNOPSIS
    posture serve [--data DIR] [--listen ADDR] [--database URL]
                  [--tls-cert FILE --tls-key FILE |
                   --acme-domain NAME [--acme-directory URL] [--acme-ca-file FILE]]
                  [--http-redirect ADDR] [--metrics-listen ADDR]
                  [--idle-timeout D] [--absolute-timeout D]
                  [--public-url URL] [--passkeys=false]
                  [--oidc-issuer URL --oidc-client-id ID --oidc-client-secret-file FILE
                   [--oidc-allowed-domain DOMAIN]... [--oidc-auto-provision] [--oidc-name NAME]
                   [--oidc-role GROUP=ROLE]... [--oidc-groups-claim NAME]
                   [--oidc-groups-scope NAME]]

DESCRIPTION
    Serves the web UI and API over TLS (1.2 or later) and nothing else: plain HTTP
    is only ever a redirect (--http-redirect). The certificate comes from, in order:
      --tls-cert/--tls-key   files (PEM)
      --acme-domain NAME     ACME (Let's Encrypt, or --acme-directory), cached in DIR/acme
      nothing                a local CA made in DIR/tls on first run; the command prints
                             the CA's SHA-256 fingerprint: import DIR/tls/ca.crt into the
                             browsers that will use the server, after checking it.

    State lives in the database (--database, default SQLite at DIR/posture.db), so
    several replicas may share one PostgreSQL database. Create the first admin with
    'posture admin bootstrap'. /healthz and /readyz are unauthenticated; /metrics
    needs a token with the metrics:read scope, or is served without one on
    --metrics-listen (bind that to a monitoring-only address).

    SIGTERM or SIGINT stops accepting connections and lets requests in flight
    finish (up to 20 s).

OPTIONS
    --data DIR           data directory (default $POSTURE_DATA, else the user config
                         directory's posture/)
    --listen ADDR        HTTPS address (default 127.0.0.1:8443)
    --database URL       sqlite:///path or postgres://… (default SQLite in --data)
    --acme-directory URL  ACME directory (default Let's Encrypt production)
    --acme-ca-file FILE  PEM roots the ACME client trusts for the directory, instead
                         of the system's: for a private ACME server (step-ca, Pebble)
    --public-url URL     the origin browsers use, https://host[:port] (default
                         https://ACME-DOMAIN, or https://localhost:PORT when listening
                         on loopback or all addresses); passkeys and OIDC need it
    --passkeys           offer passkeys (WebAuthn) at /login/passkey, on enrolment
                         links and at /account (default true; needs a public URL
                         whose host is a name, not an IP address)
    --oidc-issuer URL    sign-in through this OpenID Connect issuer at /login/oidc;
                         register PUBLIC-URL/login/oidc/callback as its redirect URI
    --oidc-client-id ID, --oidc-client-secret-file FILE (mode 0600 or stricter)
    --oidc-allowed-domain DOMAIN  email domains that may sign in (repeatable)
    --oidc-auto-provision  create unknown users as viewers at first sign-in
                         (needs --oidc-allowed-domain)
    --oidc-role GROUP=ROLE  let the issuer decide roles (repeatable): at each OIDC
                         sign-in the account gets the role of the first listed group
                         it is in; identities in none are refused. Passkey and
                         password sign-ins keep the stored role (break-glass admin)
    --oidc-groups-claim NAME  claim holding the groups (default groups)
    --oidc-groups-scope NAME  scope asked for with --oidc-role (default groups, as
                         Okta and Dex need; --oidc-groups-scope= for Entra ID)

EXIT STATUS
    0 after a clean shutdown; 2 on a configuration or start-up error.`

// dataFlags are shared by posture serve, admin and audit: where the data and database
// are, and which key signs the audit log's checkpoints.
type dataFlags struct {
	data, database string
	keys           keys.Config
}

func (f *dataFlags) register(cmd *cobra.Command) {
	p := cmd.PersistentFlags()
	p.StringVar(&f.data, "data", "", "data directory (default $POSTURE_DATA or the user config directory)")
	p.StringVar(&f.database, "database", "", "database URL: sqlite:///path or postgres://… (default SQLite in --data)")
	p.StringVar(&f.keys.Provider, "key-provider", "file", "audit checkpoint key provider: file, vault or kms")
	p.StringVar(&f.keys.File, "key-file", "", "file provider's key (default DIR/audit-signing.key)")
	p.StringVar(&f.keys.VaultAddr, "vault-addr", "", "Vault address (default $VAULT_ADDR)")
	p.StringVar(&f.keys.VaultMount, "vault-mount", "transit", "Vault transit mount")
	p.StringVar(&f.keys.VaultKey, "vault-key", "", "Vault transit key name")
	p.StringVar(&f.keys.KMSKeyID, "kms-key", "", "AWS KMS key id, ARN or alias")
	p.StringVar(&f.keys.KMSRegion, "kms-region", "", "AWS region (default $AWS_REGION)")
}

func (f *dataFlags) dir(e *env) (string, error) {
	if f.data != "" {
		return f.data, nil
	}
	if d := e.getenv("POSTURE_DATA"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", usageError("no --data and no user config directory: %v", err)
	}
	return filepath.Join(d, "posture"), nil
}

// serverAudit is the hash-chained audit log as the server and the admin commands use it.
type serverAudit struct {
	logAuditor
}

// Close signs a last checkpoint and stops the log's writer.
func (a serverAudit) Close() error { return a.l.Close(context.Background()) }

// open opens the store and the hash-chained audit log of the data directory. The
// checkpoint key is created on first use when the file provider is used.
func (f *dataFlags) open(ctx context.Context, e *env, log *slog.Logger) (string, *store.Store, serverAudit, error) {
	dir, err := f.dir(e)
	if err != nil {
		return "", nil, serverAudit{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, serverAudit{}, usageError("data directory: %v", err)
	}
	st, err := store.Open(ctx, store.Options{DataDir: dir, URL: f.database, Logger: log, Now: e.now})
	if err != nil {
		return "", nil, serverAudit{}, &exitError{code: ExitError, err: err}
	}
	signer, err := keys.OpenSigner(ctx, f.keys, dir, true, e.getenv)
	if err != nil {
		st.Close()
		return "", nil, serverAudit{}, &exitError{code: ExitError, err: fmt.Errorf("audit checkpoint key: %w", err)}
	}
	l, err := audit.New(st, audit.Options{Signer: signer, Now: e.now, Logger: log})
	if err != nil {
		st.Close()
		return "", nil, serverAudit{}, &exitError{code: ExitError, err: err}
	}
	return dir, st, serverAudit{logAuditor{l}}, nil
}

func newServe(e *env) *cobra.Command {
	var df dataFlags
	var jf jobFlags
	var listen, cert, key, acmeDomain, acmeDir, redirect, metricsListen string
	var acmeCA string
	var idle, absolute time.Duration
	var idf identityFlags
	var allowBadClock bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the posture server (HTTPS, sessions, API tokens)",
		Long:  serveLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (cert == "") != (key == "") {
				return usageError("--tls-cert and --tls-key go together")
			}
			if cert != "" && acmeDomain != "" {
				return usageError("choose --tls-cert/--tls-key or --acme-domain, not both")
			}
			if acmeCA != "" && acmeDomain == "" {
				return usageError("--acme-ca-file needs --acme-domain")
			}
			if acmeDir != "" && acmeDomain == "" {
				return usageError("--acme-directory needs --acme-domain")
			}
			ic, err := idf.config(e, listen, acmeDomain)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			warn, err := checkServeClock(ctx, clockProbe())
			switch {
			case err != nil && !allowBadClock:
				return &exitError{code: ExitError, err: err}
			case err != nil:
				fmt.Fprintln(e.stderr, "warning:", err)
			case warn != "":
				fmt.Fprintln(e.stderr, "warning:", warn)
			}
			log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			dir, st, aud, err := df.open(ctx, e, log)
			if err != nil {
				return err
			}
			defer st.Close()
			defer aud.Close()
			// Background jobs (P7: alerts, scheduled backups, retention; docs/jobs.md).
			if jf.baseURL = idf.publicURL; jf.baseURL == "" {
				jf.baseURL = defaultPublicURL(listen, acmeDomain)
			}
			rt, err := jf.start(ctx, e, log, dir, st, aud)
			if err != nil {
				return err
			}
			defer rt.Stop()
			v, _ := e.version()
			// Governance records (P7: deviations, changes, incidents, attestations, reviews;
			// docs/governance.md). Evidence data keys are wrapped by the audit key provider.
			govSvc := &governance.Service{St: st, Audit: aud.l, EvidenceDir: filepath.Join(dir, "evidence"), Now: e.now}
			if signer, err := keys.OpenSigner(ctx, df.keys, dir, true, e.getenv); err == nil {
				govSvc.Keys, _ = signer.(keys.Wrapper)
			}
			// Its reminders go out through the jobs' alert notifier, its daily sweep is a
			// scheduled job, and scheduled scans apply its approved deviations.
			if err := rt.AttachGovernance(ctx, govSvc); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			gov := server.NewGovernance(govSvc)
			// Alert channels, deliveries, jobs and scan schedules (docs/jobs.md, docs/alerts.md).
			ops := server.NewOps(rt.Queue, rt.Scheduler, rt.Channels)
			srv, err := newServer(server.Config{Store: st, Auditor: aud, Logger: log, Now: e.now, IdleTimeout: idle, AbsoluteTimeout: absolute, Version: v,
				Routes: append(gov.Routes(), ops.Routes()...), ScanRecorded: rt.ScanRecorded}, ic)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			gov.Attach(srv)
			ops.Attach(srv)
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return usageError("listen on %s: %v", listen, err)
			}
			l := server.Listeners{TLS: ln}
			defer func() {
				for _, x := range []net.Listener{l.TLS, l.Redirect, l.Metrics} {
					if x != nil {
						x.Close()
					}
				}
			}()
			switch {
			case cert != "":
				c, err := tls.LoadX509KeyPair(cert, key)
				if err != nil {
					return usageError("TLS certificate: %v", err)
				}
				l.TLSConfig = &tls.Config{Certificates: []tls.Certificate{c}}
			case acmeDomain != "":
				m, err := acmeManager(filepath.Join(dir, "acme"), acmeDomain, acmeDir, acmeCA)
				if err != nil {
					return err
				}
				l.TLSConfig = m.TLSConfig()
				l.RedirectHandler = acmeHTTP01(m.HTTPHandler(server.RedirectToHTTPS(ln.Addr())))
			default:
				names := localNames(ln.Addr())
				c, ca, err := server.LocalTLS(filepath.Join(dir, "tls"), names, e.now())
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				l.TLSConfig = &tls.Config{Certificates: []tls.Certificate{c}}
				verb := "Using"
				if ca.Created {
					verb = "Created"
				}
				fmt.Fprintf(e.stderr, "warning: no --tls-cert or --acme-domain: %s a local certificate authority.\n"+
					"  Browsers will not trust it until you import %s.\n"+
					"  Before importing, check that its SHA-256 fingerprint is\n    %s\n"+
					"  Certificate names: %v\n", verb, ca.CertFile, ca.Fingerprint, names)
			}
			l.TLSConfig.MinVersion = tls.VersionTLS12
			if redirect != "" {
				if l.Redirect, err = net.Listen("tcp", redirect); err != nil {
					return usageError("listen on %s: %v", redirect, err)
				}
			}
			if metricsListen != "" {
				if l.Metrics, err = net.Listen("tcp", metricsListen); err != nil {
					return usageError("listen on %s: %v", metricsListen, err)
				}
			}
			fmt.Fprintf(e.stderr, "posture serve: listening on https://%s\n", ln.Addr())
			if err := srv.Run(ctx, l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return &exitError{code: ExitError, err: err}
			}
			fmt.Fprintln(e.stderr, "posture serve: stopped")
			return nil
		},
	}
	df.register(cmd)
	jf.register(cmd, &df)
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8443", "HTTPS listen address")
	f.BoolVar(&allowBadClock, "allow-unsynchronised-clock", false, "start even when the system clock is known to be unsynchronised (audit times are then untrustworthy)")
	f.StringVar(&cert, "tls-cert", "", "TLS certificate chain (PEM)")
	f.StringVar(&key, "tls-key", "", "TLS private key (PEM)")
	f.StringVar(&acmeDomain, "acme-domain", "", "obtain the certificate for this name by ACME")
	f.StringVar(&acmeDir, "acme-directory", "", "ACME directory URL (default Let's Encrypt production)")
	f.StringVar(&acmeCA, "acme-ca-file", "", "PEM roots trusted for the ACME directory instead of the system's (private ACME servers)")
	f.StringVar(&redirect, "http-redirect", "", "plain-HTTP address that only redirects to HTTPS (and answers ACME HTTP-01)")
	f.StringVar(&metricsListen, "metrics-listen", "", "separate address serving /metrics without authentication")
	f.DurationVar(&idle, "idle-timeout", 30*time.Minute, "end sessions unused for this long")
	f.DurationVar(&absolute, "absolute-timeout", 12*time.Hour, "end sessions this long after sign-in")
	idf.register(f)
	return cmd
}

// localNames are the names the local certificate is made for: loopback, this host's
// name, and the listen address when it is specific.
func localNames(addr net.Addr) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	if a, ok := addr.(*net.TCPAddr); ok && !a.IP.IsUnspecified() && !a.IP.IsLoopback() {
		names = append(names, a.IP.String())
	}
	return names
}

// identityFlags are serve's sign-in options beyond password and TOTP: passkeys and
// OIDC (server.IdentityConfig).
type identityFlags struct {
	publicURL, issuer, clientID, secretFile, name string
	groupsClaim, groupsScope                      string
	domains, roleGroups                           []string
	passkeys, autoProvision                       bool
}

func (f *identityFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.publicURL, "public-url", "", "origin browsers use, https://host[:port] (default derived from --acme-domain or --listen)")
	fs.BoolVar(&f.passkeys, "passkeys", true, "offer passkey (WebAuthn) sign-in and enrolment")
	fs.StringVar(&f.issuer, "oidc-issuer", "", "OpenID Connect issuer URL for single sign-on")
	fs.StringVar(&f.clientID, "oidc-client-id", "", "OIDC client ID")
	fs.StringVar(&f.secretFile, "oidc-client-secret-file", "", "file holding the OIDC client secret (mode 0600)")
	fs.StringArrayVar(&f.domains, "oidc-allowed-domain", nil, "email domain allowed to sign in through OIDC (repeatable)")
	fs.BoolVar(&f.autoProvision, "oidc-auto-provision", false, "create unknown OIDC users as viewers (needs --oidc-allowed-domain)")
	fs.StringVar(&f.name, "oidc-name", "", "name of the identity provider on the sign-in page")
	fs.StringArrayVar(&f.roleGroups, "oidc-role", nil, "GROUP=ROLE: the issuer decides roles; first listed group the user is in wins (repeatable)")
	fs.StringVar(&f.groupsClaim, "oidc-groups-claim", "", "ID token claim listing the user's groups (default groups)")
	fs.StringVar(&f.groupsScope, "oidc-groups-scope", "groups", "scope requested with --oidc-role so that the issuer lists groups (empty: none)")
}

// defaultPublicURL is what browsers most likely use: the ACME name, or localhost for a
// server on loopback or all addresses. A specific other address gives none, since an
// IP origin cannot have passkeys.
func defaultPublicURL(listen, acmeDomain string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "0" { // a port picked at listen time is not known yet
		return ""
	}
	if port == "443" {
		port = ""
	} else {
		port = ":" + port
	}
	if acmeDomain != "" {
		return "https://" + acmeDomain + port
	}
	if ip := net.ParseIP(host); host == "" || host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		return "https://localhost" + port
	}
	if net.ParseIP(host) == nil {
		return "https://" + host + port
	}
	return ""
}

// config checks the identity flags and reads the client secret: before serve opens
// the data directory, so that a mistyped flag changes nothing on disk.
func (f *identityFlags) config(e *env, listen, acmeDomain string) (server.IdentityConfig, error) {
	ic := server.IdentityConfig{PublicURL: f.publicURL, Passkeys: f.passkeys}
	if ic.PublicURL == "" {
		ic.PublicURL = defaultPublicURL(listen, acmeDomain)
	}
	if f.passkeys {
		u, err := url.Parse(ic.PublicURL)
		if ic.PublicURL == "" || err != nil || net.ParseIP(u.Hostname()) != nil {
			fmt.Fprintf(e.stderr, "warning: passkeys are off: they need --public-url with a host name (not an IP address)\n")
			ic.Passkeys = false
		}
	}
	if f.issuer != "" {
		if f.clientID == "" || f.secretFile == "" {
			return ic, usageError("--oidc-issuer needs --oidc-client-id and --oidc-client-secret-file")
		}
		if ic.PublicURL == "" {
			return ic, usageError("--oidc-issuer needs --public-url (the issuer redirects browsers back to it)")
		}
		secret, err := readSecretFile(f.secretFile)
		if err != nil {
			return ic, usageError("--oidc-client-secret-file: %v", err)
		}
		ic.OIDC = &server.OIDCConfig{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: secret,
			AllowedDomains: f.domains, AutoProvision: f.autoProvision, DisplayName: f.name, GroupsClaim: f.groupsClaim, GroupsScope: f.groupsScope}
		for _, v := range f.roleGroups {
			g, err := server.ParseGroupRole(v)
			if err != nil {
				return ic, usageError("--oidc-role: %v", err)
			}
			ic.OIDC.RoleGroups = append(ic.OIDC.RoleGroups, g)
		}
		if f.groupsClaim != "" && len(f.roleGroups) == 0 {
			return ic, usageError("--oidc-groups-claim needs --oidc-role")
		}
	} else if f.clientID != "" || f.secretFile != "" || len(f.domains) > 0 || f.autoProvision || len(f.roleGroups) > 0 || f.groupsClaim != "" {
		return ic, usageError("the --oidc-* flags need --oidc-issuer")
	}
	if err := server.CheckIdentityConfig(ic); err != nil {
		return ic, usageError("%v", err)
	}
	return ic, nil
}

func newServer(cfg server.Config, ic server.IdentityConfig) (*server.Server, error) {
	if !ic.Passkeys && ic.OIDC == nil {
		return server.New(cfg)
	}
	srv, err := server.NewWithIdentity(cfg, ic)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return srv, nil
}

// readSecretFile reads a secret that must not be readable by other users.
func readSecretFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by other users (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return secret, nil
}
