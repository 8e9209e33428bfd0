// Package nginxtest runs a real nginx on loopback for integration tests: one process, one
// HTTPS server block per site on its own port, a plain-HTTP port per site that redirects
// to it, and certificates made for the test by a throwaway CA. Probes are judged against
// the web server people actually deploy (Debian's nginx with OpenSSL 3), not a Go
// imitation of it.
package nginxtest

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CertKind names the certificate a site presents.
type CertKind string

// Certificate kinds. All are for "localhost" and 127.0.0.1 unless the kind says otherwise.
const (
	CertValid           CertKind = "valid"            // issued by the test CA, 90 days
	CertExpired         CertKind = "expired"          // expired 10 days ago
	CertWrongHost       CertKind = "wrong-host"       // valid, but for wrong.example only
	CertSelfSigned      CertKind = "self-signed"      // signs itself
	CertRSA1024         CertKind = "rsa1024"          // 1024-bit RSA key (needs @SECLEVEL=0)
	CertIncompleteChain CertKind = "incomplete-chain" // issued by an intermediate the server does not send
	CertExpiringSoon    CertKind = "expiring-soon"    // 10 days left
)

// Site is one HTTPS server block.
type Site struct {
	Name string
	// Cert defaults to CertValid.
	Cert CertKind
	// Protocols is nginx's ssl_protocols value; empty means "TLSv1.2 TLSv1.3".
	Protocols string
	// Ciphers is nginx's ssl_ciphers value; empty means nginx's default, except for an
	// rsa1024 certificate, which OpenSSL 3 refuses to load below @SECLEVEL=0.
	Ciphers string
	// Directives are raw nginx directives placed inside server{} (add_header, autoindex,
	// location blocks...). Relative file names resolve against the conf directory.
	Directives string
	// Files maps docroot-relative paths to their content; nothing else is in the docroot.
	Files map[string]string
}

// Server is a running nginx.
type Server struct {
	// CAPool trusts the test root; CAPEM is the root in PEM.
	CAPool *x509.CertPool
	CAPEM  []byte
	// Intermediate is the CA that issues incomplete-chain certificates; it is not in
	// CAPool (a client that knew it could complete the chain).
	Intermediate *x509.Certificate
	// Addr maps a site name to its HTTPS address "127.0.0.1:PORT".
	Addr map[string]string
	// HTTPAddr maps a site name to its plain-HTTP address, which 301-redirects to HTTPS.
	HTTPAddr map[string]string
	// Dir is nginx's prefix: conf/, logs/, certs/ and sites/NAME/ (the docroots).
	Dir string
}

// RequireEnv makes a missing nginx a failure instead of a skip (CI sets it).
const RequireEnv = "POSTURE_REQUIRE_INTEGRATION"

var siteName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,40}$`)

// Binary returns nginx's path, skipping (or failing, under RequireEnv) when it is missing.
func Binary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("nginx is not installed and %s is set (Debian package nginx)", RequireEnv)
	}
	t.Skip("nginx is not installed (Debian package nginx); set " + RequireEnv + " to make this a failure")
	return ""
}

// Start writes the configuration and certificates for sites, checks the configuration
// with nginx -t and starts nginx in the foreground. nginx is stopped when the test ends.
func Start(t testing.TB, sites ...Site) *Server {
	t.Helper()
	bin := Binary(t)
	if len(sites) == 0 {
		t.Fatal("nginxtest.Start: no sites")
	}
	seen := map[string]bool{}
	for i := range sites {
		s := &sites[i]
		if !siteName.MatchString(s.Name) || seen[s.Name] {
			t.Fatalf("nginxtest: site name %q is empty, not [a-z0-9-] or used twice", s.Name)
		}
		seen[s.Name] = true
		if s.Cert == "" {
			s.Cert = CertValid
		}
		if _, ok := certKinds[s.Cert]; !ok {
			t.Fatalf("nginxtest: site %s: unknown certificate kind %q", s.Name, s.Cert)
		}
		if s.Protocols == "" {
			s.Protocols = "TLSv1.2 TLSv1.3"
		}
		if s.Ciphers == "" && s.Cert == CertRSA1024 {
			s.Ciphers = "HIGH:!aNULL:!MD5:@SECLEVEL=0"
		}
	}
	dir := t.TempDir()
	srv := &Server{Dir: dir}
	pki := newPKI(t)
	srv.CAPool, srv.CAPEM, srv.Intermediate = pki.pool(), pki.rootPEM(), pki.inter
	for _, d := range []string{"conf", "logs", "certs", "tmp", "sites"} {
		mkdir(t, filepath.Join(dir, d))
	}
	write(t, filepath.Join(dir, "conf", "ffdhe2048.pem"), []byte(ffdhe2048))
	write(t, filepath.Join(dir, "conf", "dh1024.pem"), []byte(dh1024))
	for _, s := range sites {
		certPEM, keyPEM := pki.issue(t, s.Cert)
		write(t, filepath.Join(dir, "certs", s.Name+".crt"), certPEM)
		write(t, filepath.Join(dir, "certs", s.Name+".key"), keyPEM)
		root := filepath.Join(dir, "sites", s.Name)
		mkdir(t, root)
		for rel, content := range s.Files {
			p := filepath.Join(root, filepath.FromSlash(rel))
			if !strings.HasPrefix(p, root+string(filepath.Separator)) {
				t.Fatalf("nginxtest: site %s: file %q leaves the docroot", s.Name, rel)
			}
			mkdir(t, filepath.Dir(p))
			write(t, p, []byte(content))
		}
	}
	// A port picked here may be taken by someone else before nginx binds it; a failed
	// bind is retried with fresh ports.
	var lastErr string
	for attempt := 0; attempt < 3; attempt++ {
		srv.Addr, srv.HTTPAddr = map[string]string{}, map[string]string{}
		ports := freePorts(t, 2*len(sites))
		for i, s := range sites {
			srv.Addr[s.Name] = ports[2*i]
			srv.HTTPAddr[s.Name] = ports[2*i+1]
		}
		conf := filepath.Join(dir, "conf", "nginx.conf")
		write(t, conf, []byte(config(dir, sites, srv)))
		check := exec.Command(bin, "-t", "-q", "-p", dir+"/", "-e", filepath.Join(dir, "logs", "error.log"), "-c", conf)
		if out, err := check.CombinedOutput(); err != nil {
			t.Fatalf("nginx -t rejects the configuration: %v\n%s\n--- %s ---\n%s", err, out, conf, numbered(conf))
		}
		ok, msg := run(t, bin, dir, conf, srv)
		if ok {
			return srv
		}
		lastErr = msg
		if !strings.Contains(msg, "Address already in use") {
			break
		}
	}
	t.Fatalf("nginx did not start:\n%s", lastErr)
	return nil
}

// run starts nginx and waits until every port accepts connections.
func run(t testing.TB, bin, dir, conf string, srv *Server) (bool, string) {
	t.Helper()
	errLog := filepath.Join(dir, "logs", "error.log")
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir+"/", "-e", errLog, "-c", conf, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	var addrs []string
	for _, a := range srv.Addr {
		addrs = append(addrs, a)
	}
	for _, a := range srv.HTTPAddr {
		addrs = append(addrs, a)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", a, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			select {
			case err := <-exited:
				log, _ := os.ReadFile(errLog)
				return false, fmt.Sprintf("nginx exited (%v)\n%s%s", err, out.String(), log)
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				stop()
				log, _ := os.ReadFile(errLog)
				return false, fmt.Sprintf("nginx does not listen on %s after 10s\n%s%s", a, out.String(), log)
			}
		}
	}
	t.Cleanup(stop)
	return true, ""
}

func config(dir string, sites []Site, srv *Server) string {
	var b strings.Builder
	// One process, no workers: it runs as the test's user (no switch to nobody, who could
	// not read the temp dir) and dies with the test binary (see run), where orphaned
	// workers would keep the ports.
	fmt.Fprintf(&b, `master_process off;
pid %[1]s/logs/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    default_type application/octet-stream;
    types { text/html html; text/plain txt; application/json json; }
    client_body_temp_path %[1]s/tmp/body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
`, dir)
	sorted := append([]Site(nil), sites...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, s := range sorted {
		fmt.Fprintf(&b, `
    # site %[1]s (certificate %[2]s)
    server {
        listen %[3]s ssl;
        server_name localhost;
        root %[4]s/sites/%[1]s;
        ssl_certificate %[4]s/certs/%[1]s.crt;
        ssl_certificate_key %[4]s/certs/%[1]s.key;
        ssl_protocols %[5]s;
`, s.Name, s.Cert, srv.Addr[s.Name], dir, s.Protocols)
		if s.Ciphers != "" {
			fmt.Fprintf(&b, "        ssl_ciphers %s;\n", quote(s.Ciphers))
		}
		if d := strings.TrimSpace(s.Directives); d != "" {
			for _, line := range strings.Split(d, "\n") {
				b.WriteString("        " + strings.TrimSpace(line) + "\n")
			}
		}
		_, port, _ := net.SplitHostPort(srv.Addr[s.Name])
		fmt.Fprintf(&b, `    }
    server {
        listen %s;
        server_name localhost;
        return 301 https://$host:%s$request_uri;
    }
`, srv.HTTPAddr[s.Name], port)
	}
	b.WriteString("}\n")
	return b.String()
}

// quote makes a value one nginx token.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// freePorts picks n distinct loopback ports. Every listener stays open until all are
// picked: closed one by one, the kernel may hand the same port out twice, and nginx then
// merges a plain and an ssl listen on one port into an ssl one without a certificate.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out
}

func mkdir(t testing.TB, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func numbered(p string) string {
	data, _ := os.ReadFile(p)
	var b strings.Builder
	for i, l := range strings.Split(string(data), "\n") {
		fmt.Fprintf(&b, "%3d %s\n", i+1, l)
	}
	return b.String()
}

// dh1024 is a 1024-bit group (openssl dhparam 1024), for a site with Logjam-size DHE
// parameters (ssl_dhparam dh1024.pem;).
const dh1024 = `-----BEGIN DH PARAMETERS-----
MIGHAoGBAKzIdheeurtvitlH4MXKyOd9qW3NjCfQsu468J5A3b0eEoaK4FR0YrUR
1MgiZ18I4+ZOUv7MY3MHCVe4Ip4Bw+hUwHgcizzAyYwTNSABWZHT9c+lRMsDP0+Y
WGAVOma0aYjwG43hTGk3iIjkhwYWJxX09yB9R+WegAQyEQ7q+Ky3AgEC
-----END DH PARAMETERS-----
`

// ffdhe2048 is the RFC 7919 group, for sites that offer DHE suites (ssl_dhparam
// ffdhe2048.pem;): nginx disables DHE without parameters.
const ffdhe2048 = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`
