//go:build integration

package webserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/confparse/nginx"
)

// The nginx fixture is real configuration: nginx itself must accept it, and a broken copy
// must be rejected by nginx and by posture's parser at the same line, so that the parser
// stays faithful to nginx's tokenizer.

const fixtureNginx = "../../../testdata/p4/webserver/nginx"

// prefix copies the fixture into a temporary nginx prefix (conf/ for the configuration,
// logs/ for pid and logs) and writes the certificates the fixture names, which are made
// here so that no private key is committed.
func prefix(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "conf")
	if err := os.CopyFS(conf, os.DirFS(fixtureNginx)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(dir, "logs"), filepath.Join(conf, "ssl")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shop.example.com"},
		DNSNames:  []string{"shop.example.com", "partner.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for name, data := range map[string][]byte{
		"shop.crt":        cert,
		"internal-ca.pem": cert,
		"shop.key":        pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	} {
		if err := os.WriteFile(filepath.Join(conf, "ssl", name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func nginxBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Fatal("nginx is not installed; scripts/test-all installs it (Debian package nginx)")
	}
	return bin
}

// nginxTest runs nginx -t on the prefix and returns whether it accepted the
// configuration and what it said.
func nginxTest(t *testing.T, dir string) (bool, string) {
	t.Helper()
	cmd := exec.Command(nginxBinary(t), "-t", "-q", "-p", dir+"/", "-c", filepath.Join(dir, "conf", "nginx.conf"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return err == nil, string(out)
}

// dirFS reads a directory tree for the parser, the way the probe reads the inventory.
type dirFS string

func (d dirFS) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d dirFS) Glob(pattern string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(string(d), filepath.FromSlash(pattern)))
	var out []string
	for _, m := range matches {
		rel, _ := filepath.Rel(string(d), m)
		out = append(out, filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out, err
}

func TestNginxAcceptsFixture(t *testing.T) {
	dir := prefix(t)
	if ok, out := nginxTest(t, dir); !ok {
		t.Fatalf("nginx -t rejects the fixture:\n%s", out)
	}
	cfg, err := nginx.Load(dirFS(dir), "conf/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Errors) > 0 {
		t.Fatalf("posture rejects what nginx accepts: %v", cfg.Errors)
	}
	if len(cfg.Files) < 8 {
		t.Errorf("posture followed only %v", cfg.Files)
	}
}

var nginxErrRE = regexp.MustCompile(`\[emerg\] (?:\d+#\d+: )?(.*) in (\S+):(\d+)`)

func TestBrokenFixtureRejectedAtTheSameLine(t *testing.T) {
	for _, c := range []struct {
		name, file, after, insert string
	}{
		{"stray closing brace", "nginx.conf", "    include sites-enabled/*.conf;\n}\n", "}\n"},
		{"empty statement", "sites-enabled/partner.conf", "    server_tokens off;\n", "    ;\n"},
		{"text glued to a quoted string", "conf.d/tls.conf", "ssl_session_cache shared:SSL:10m;\n", "add_header X-Test \"a\"b;\n"},
		{"block opened without a name", "sites-enabled/legacy.conf", "    root /srv/downloads;\n", "    {\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := prefix(t)
			target := filepath.Join(dir, "conf", filepath.FromSlash(c.file))
			src, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(string(src), c.after)
			if i < 0 {
				t.Fatalf("%q not in %s", c.after, c.file)
			}
			i += len(c.after)
			broken := string(src[:i]) + c.insert + string(src[i:])
			if err := os.WriteFile(target, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			wantLine := strings.Count(broken[:i], "\n") + 1

			ok, out := nginxTest(t, dir)
			m := nginxErrRE.FindStringSubmatch(out)
			if ok || m == nil {
				t.Fatalf("nginx accepted the broken copy or said something unexpected:\n%s", out)
			}
			nginxLine, _ := strconv.Atoi(m[3])
			if m[2] != target || nginxLine != wantLine {
				t.Errorf("nginx: %s at %s:%d, want %s:%d", m[1], m[2], nginxLine, target, wantLine)
			}

			cfg, err := nginx.Load(dirFS(dir), "conf/nginx.conf")
			if err != nil {
				t.Fatal(err)
			}
			var se *nginx.SyntaxError
			if len(cfg.Errors) != 1 || !errors.As(cfg.Errors[0], &se) {
				t.Fatalf("posture: %v", cfg.Errors)
			}
			if se.Pos.File != "conf/"+c.file || se.Pos.Line != nginxLine {
				t.Errorf("posture: %v; nginx: %s:%d: %s", se, m[2], nginxLine, m[1])
			}
			t.Logf("nginx: %s (line %d); posture: %v", m[1], nginxLine, se)
		})
	}
}
