package server

import (
	"crypto/subtle"
	"net/http"
)

// CSRFField and CSRFHeader carry the CSRF token of state-changing requests.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// sameOrigin rejects requests the browser says came from another site. Sec-Fetch-Site
// and Origin are set by browsers and cannot be forged by a cross-site page; clients
// that send neither (curl, scripts) still need the token.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	// Under Referrer-Policy: no-referrer, browsers send "Origin: null" with form
	// submissions even to the same origin. null is also what a sandboxed frame or a
	// data: URL sends, so it passes only when the browser says the request is
	// same-origin; the CSRF token is checked in any case.
	if o == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	if o != "" && o != "https://"+r.Host {
		return false
	}
	return true
}

func submittedCSRF(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFField)
}

func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *Server) checkSessionCSRF(w http.ResponseWriter, r *http.Request, p *Principal) bool {
	if sameOrigin(r) && tokensEqual(submittedCSRF(r), p.csrf) {
		return true
	}
	http.Error(w, "forbidden: missing or invalid CSRF token, or cross-site request", http.StatusForbidden)
	return false
}

// checkPublicCSRF protects the forms used before there is a session (sign-in,
// enrolment) against login CSRF with a double-submit cookie: the form must carry the
// value of a __Host- cookie that only this origin can have set.
func (s *Server) checkPublicCSRF(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(preSessionCSRF)
	if err == nil && sameOrigin(r) && tokensEqual(submittedCSRF(r), c.Value) {
		return true
	}
	http.Error(w, "forbidden: missing or invalid CSRF token, or cross-site request; reload the form and try again", http.StatusForbidden)
	return false
}

// PreSessionCSRF returns the double-submit token for a public form, setting its cookie
// when the browser has none yet.
func PreSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preSessionCSRF); err == nil {
		if _, err := parseSecret(c.Value); err == nil {
			return c.Value
		}
	}
	v := newSecret()
	http.SetCookie(w, &http.Cookie{Name: preSessionCSRF, Value: v, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return v
}
