package server

import (
	"crypto/subtle"
	"errors"
	"fmt"
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

// submittedCSRF returns the token from the header or, failing that, the form, which it
// reads (multipart included). An error means the form could not be read: too large
// (*http.MaxBytesError) or malformed.
func submittedCSRF(r *http.Request) (string, error) {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t, nil
	}
	// ParseMultipartForm ignores ParseForm's error when the body is not multipart.
	if err := r.ParseForm(); err != nil {
		return "", err
	}
	if err := r.ParseMultipartForm(multipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return "", err
	}
	return r.PostFormValue(CSRFField), nil
}

// multipartMemory is how much of a multipart form is held in memory; larger file parts
// go to temporary files (http.Request.ParseMultipartForm's default).
const multipartMemory = 32 << 20

// formUnreadable answers a state-changing request whose form could not be read and
// reports whether it did.
func formUnreadable(w http.ResponseWriter, err error) bool {
	if err == nil {
		return false
	}
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		bodyTooLarge(w, mbe.Limit)
		return true
	}
	http.Error(w, "bad request: the form could not be read", http.StatusBadRequest)
	return true
}

// bodyTooLarge answers a request over its route's MaxBody.
func bodyTooLarge(w http.ResponseWriter, limit int64) {
	http.Error(w, fmt.Sprintf("request body larger than %d bytes (%d MiB)", limit, limit>>20), http.StatusRequestEntityTooLarge)
}

func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *Server) checkSessionCSRF(w http.ResponseWriter, r *http.Request, p *Principal) bool {
	t, err := submittedCSRF(r)
	if formUnreadable(w, err) {
		return false
	}
	if sameOrigin(r) && tokensEqual(t, p.csrf) {
		return true
	}
	http.Error(w, "forbidden: missing or invalid CSRF token, or cross-site request", http.StatusForbidden)
	return false
}

// checkPublicCSRF protects the forms used before there is a session (sign-in,
// enrolment) against login CSRF with a double-submit cookie: the form must carry the
// value of a __Host- cookie that only this origin can have set.
func (s *Server) checkPublicCSRF(w http.ResponseWriter, r *http.Request) bool {
	t, err := submittedCSRF(r)
	if formUnreadable(w, err) {
		return false
	}
	c, err := r.Cookie(preSessionCSRF)
	if err == nil && sameOrigin(r) && tokensEqual(t, c.Value) {
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
