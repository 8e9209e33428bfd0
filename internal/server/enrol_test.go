package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

var secretFieldRE = regexp.MustCompile(`name="totp_secret" value="([A-Z2-7]+)"`)

func TestEnrolmentOverHTTP(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		u, err := h.st.CreateUser(ctx, store.UserInput{Name: "Ada", Email: "ada@example.com", Role: store.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		link, hash := NewEnrolmentSecret()
		if err := h.st.CreateEnrolment(ctx, u.ID, hash, h.clock.now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		c := h.client()
		resp, body := h.do(c, "GET", "/enrol?token="+link, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET enrol: %d %s", resp.StatusCode, body)
		}
		m := secretFieldRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no TOTP secret on the page:\n%s", body)
		}
		secret, _ := ParseTOTPSecretText(m[1])
		csrf := csrfFrom(t, body)
		pw := "a long enough password"
		form := func(code, pw2 string) url.Values {
			return url.Values{"csrf_token": {csrf}, "token": {link}, "method": {"password"}, "totp_secret": {m[1]},
				"password": {pw}, "password_confirm": {pw2}, "code": {code}}
		}
		code := TOTPCode(secret, h.clock.now())
		for name, f := range map[string]url.Values{
			"wrong code":       form("000000", pw),
			"passwords differ": form(code, pw+"x"),
		} {
			if resp, _ := h.do(c, "POST", "/enrol", f, nil); resp.StatusCode != 400 {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
		}
		short := form(code, "short")
		short.Set("password", "short")
		if resp, _ := h.do(c, "POST", "/enrol", short, nil); resp.StatusCode != 400 {
			t.Errorf("short password: %d", resp.StatusCode)
		}
		if resp, body := h.do(c, "POST", "/enrol", form(code, pw), nil); resp.StatusCode != 200 || !strings.Contains(body, "Enrolled") {
			t.Fatalf("enrol: %d %s", resp.StatusCode, body)
		}
		if len(h.audit.find("enrol", OutcomeSuccess)) != 1 {
			t.Error("enrolment not audited")
		}
		// Single use.
		if resp, _ := h.do(c, "POST", "/enrol", form(code, pw), nil); resp.StatusCode != 404 {
			t.Errorf("second use: %d", resp.StatusCode)
		}
		if resp, _ := h.do(c, "GET", "/enrol?token="+link, nil, nil); resp.StatusCode != 404 {
			t.Errorf("GET after use: %d", resp.StatusCode)
		}
		// The enrolment code cannot be replayed to sign in; the next one works.
		if resp := h.tryLogin(c, u.Email, pw, code); resp.StatusCode != 401 {
			t.Errorf("sign-in with the enrolment code: %d", resp.StatusCode)
		}
		h.login(c, testUser{User: u, password: pw, secret: secret})
	})
}

func TestEnrolmentLinkExpiry(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	ctx := context.Background()
	u, _ := h.st.CreateUser(ctx, store.UserInput{Name: "Ada", Email: "ada@example.com", Role: store.RoleAdmin})
	link, hash := NewEnrolmentSecret()
	if err := h.st.CreateEnrolment(ctx, u.ID, hash, h.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.clock.add(time.Hour)
	c := h.client()
	for _, p := range []string{"/enrol?token=" + link, "/enrol?token=garbage", "/enrol"} {
		if resp, _ := h.do(c, "GET", p, nil, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}
