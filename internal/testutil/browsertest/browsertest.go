// Package browsertest drives Debian's headless Chromium for end-to-end tests of the
// web UI: a fresh profile per test, the test server's certificate authority pinned,
// an optional WebAuthn virtual authenticator, and a screenshot after every step.
//
// A test using it needs /usr/bin/chromium (apt-get install chromium); without it the
// test is skipped, unless POSTURE_REQUIRE_INTEGRATION is set, when it fails. Set
// POSTURE_CHROMIUM to use another binary. Screenshots go to
// $POSTURE_ARTIFACTS/<test name>/NN-step.png, or to a temporary directory.
package browsertest

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// DefaultChromium is Debian's Chromium.
const DefaultChromium = "/usr/bin/chromium"

// Options configures a browser.
type Options struct {
	// TrustCAs are the certificate authorities of the servers under test. Chromium
	// accepts a chain containing one of their keys and still rejects every other
	// certificate error: see pinFlag.
	TrustCAs []*x509.Certificate
	// StepTimeout bounds each step (default 15 s).
	StepTimeout time.Duration
}

// Browser is one headless Chromium with one tab.
type Browser struct {
	t       testing.TB
	ctx     context.Context
	timeout time.Duration
	dir     string
	step    int
}

// Chromium returns the browser binary to use, or "" when there is none.
func Chromium() string {
	p := os.Getenv("POSTURE_CHROMIUM")
	if p == "" {
		p = DefaultChromium
	}
	if _, err := exec.LookPath(p); err != nil {
		return ""
	}
	return p
}

// RequireChromium skips (or, with POSTURE_REQUIRE_INTEGRATION set, fails) the test
// when Chromium is missing, and returns its path.
func RequireChromium(t testing.TB) string {
	t.Helper()
	p := Chromium()
	if p == "" {
		if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
			t.Fatalf("chromium not found at %s (install the Debian package chromium) and POSTURE_REQUIRE_INTEGRATION is set", DefaultChromium)
		}
		t.Skipf("chromium not found at %s; apt-get install chromium", DefaultChromium)
	}
	return p
}

// pinFlag trusts exactly the given CAs. Chromium's --ignore-certificate-errors-spki-list
// (honoured only with a --user-data-dir, which every Browser has) accepts a chain that
// contains one of the listed public keys and treats it as valid — the page is a secure
// context with no certificate error, which WebAuthn requires — while any other
// certificate problem still fails. That is narrower than --ignore-certificate-errors
// (which would hide a broken chain and makes Chromium refuse WebAuthn) and needs no
// NSS database tools to import the CA into a profile.
func pinFlag(cas []*x509.Certificate) string {
	var pins []string
	for _, c := range cas {
		h := sha256.Sum256(c.RawSubjectPublicKeyInfo)
		pins = append(pins, base64.StdEncoding.EncodeToString(h[:]))
	}
	return strings.Join(pins, ",")
}

// New starts a browser for the test; it is closed at cleanup.
func New(t testing.TB, opt Options) *Browser {
	t.Helper()
	bin := RequireChromium(t)
	if opt.StepTimeout <= 0 {
		opt.StepTimeout = 15 * time.Second
	}
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()), // a fresh profile: no cookies or passkeys from elsewhere
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1024, 768),
	}
	if len(opt.TrustCAs) > 0 {
		flags = append(flags, chromedp.Flag("ignore-certificate-errors-spki-list", pinFlag(opt.TrustCAs)))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(f string, a ...any) { t.Logf("chromedp: "+f, a...) }))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &Browser{t: t, ctx: ctx, timeout: opt.StepTimeout, dir: artifactDir(t)}
	// The first Run starts the browser; it must not have a timeout of its own.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	t.Logf("screenshots in %s", b.dir)
	return b
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func artifactDir(t testing.TB) string {
	base := os.Getenv("POSTURE_ARTIFACTS")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, unsafeName.ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

// Context is the tab's chromedp context, for actions the helpers do not cover.
func (b *Browser) Context() context.Context { return b.ctx }

// ArtifactDir is where the screenshots go.
func (b *Browser) ArtifactDir() string { return b.dir }

// Step runs actions as one named step within the step timeout, then saves a
// screenshot. On failure it saves the screenshot (of the failing state) and fails the
// test, naming the step.
func (b *Browser) Step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.step++
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	shot := b.Screenshot(name)
	if err != nil {
		url, _ := b.location()
		b.t.Fatalf("browser step %d %q failed at %s: %v (screenshot %s)", b.step, name, url, err, shot)
	}
}

// Screenshot saves the visible page as NN-name.png and returns the file.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %q: %v", name, err)
		return ""
	}
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.step, unsafeName.ReplaceAllString(name, "_")))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Logf("screenshot %q: %v", name, err)
		return ""
	}
	return file
}

func (b *Browser) location() (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Location())
}

// Location is the tab's current URL.
func (b *Browser) Location() string {
	b.t.Helper()
	u, err := b.location()
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return u
}

// Text returns the text of the first element matching the CSS selector.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.Screenshot("text-" + css)
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// WaitURL waits until the tab's URL path (with query) starts with prefix.
func WaitURL(prefix string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var last string
		for {
			loc, err := chromedp.Location()(ctx, t)
			if err == nil {
				last = loc
				if i := strings.Index(loc, "://"); i >= 0 {
					if j := strings.Index(loc[i+3:], "/"); j >= 0 && strings.HasPrefix(loc[i+3+j:], prefix) {
						return nil
					}
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s, at %s: %w", prefix, last, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// Authenticator is a virtual WebAuthn authenticator attached to the browser.
type Authenticator struct {
	b  *Browser
	ID webauthn.AuthenticatorID
}

// AddVirtualAuthenticator enables the DevTools WebAuthn domain and adds a platform
// authenticator as a passkey-capable phone or laptop would be: CTAP 2.1, internal
// transport, resident (discoverable) keys, user verification that succeeds, and
// presence simulated so no prompt waits for a touch.
func (b *Browser) AddVirtualAuthenticator() *Authenticator {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	var id webauthn.AuthenticatorID
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		no := false
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &no}); err != nil {
			return fmt.Errorf("WebAuthn.enable: %w", err)
		}
		res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}})
		id = res.AuthenticatorID
		return err
	}))
	if err != nil {
		b.t.Fatalf("virtual authenticator: %v", err)
	}
	return &Authenticator{b: b, ID: id}
}

// Credentials returns the passkeys the authenticator holds.
func (a *Authenticator) Credentials() []*webauthn.Credential {
	a.b.t.Helper()
	ctx, cancel := context.WithTimeout(a.b.ctx, a.b.timeout)
	defer cancel()
	var out []*webauthn.Credential
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: a.ID})
		out = res.Credentials
		return err
	}))
	if err != nil {
		a.b.t.Fatalf("authenticator credentials: %v", err)
	}
	return out
}

// SetUserVerified makes user verification succeed or fail from now on.
func (a *Authenticator) SetUserVerified(ok bool) {
	a.b.t.Helper()
	ctx, cancel := context.WithTimeout(a.b.ctx, a.b.timeout)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, webauthn.SetUserVerified, webauthn.SetUserVerifiedParams{AuthenticatorID: a.ID, IsUserVerified: ok})
		return err
	}))
	if err != nil {
		a.b.t.Fatalf("set user verified: %v", err)
	}
}
