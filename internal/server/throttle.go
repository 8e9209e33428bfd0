package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Login rate limiting (docs/server.md, "Login rate limiting"). Counters live in the
// database, so every replica sees the same ones. Each failed sign-in counts against
// buckets chosen so that an attacker cannot lock a user out:
//
//   - from a known device of the account (a browser that signed in to it before, shown
//     by its device cookie): only that device's bucket, which only that browser can
//     fill. An attacker hammering the account does not touch it.
//   - from anywhere else: the account's bucket for unknown devices, and the client's
//     bucket (its address; throttling only, it grants nothing), which stops one client
//     spraying many accounts.
//
// Past a threshold each further failure doubles the wait, up to throttleMax.
type throttlePolicy struct {
	free int           // failures allowed before any wait
	base time.Duration // wait after the first failure past free
}

var (
	throttleDevice  = throttlePolicy{free: 5, base: time.Second}
	throttleAccount = throttlePolicy{free: 10, base: time.Second}
	throttleClient  = throttlePolicy{free: 30, base: time.Second}
)

const (
	throttleMax    = 15 * time.Minute
	throttleForget = 24 * time.Hour
)

func (p throttlePolicy) lockFor(failures int) time.Duration {
	if failures <= p.free {
		return 0
	}
	d := p.base
	for i := p.free + 1; i < failures && d < throttleMax; i++ {
		d *= 2
	}
	return min(d, throttleMax)
}

type loginBuckets struct {
	known  bool
	device string // set when known
	acct   string
	client string
}

func bucketHash(kind, s string) string {
	h := sha256.Sum256([]byte(s))
	return kind + ":" + hex.EncodeToString(h[:16])
}

// clientAddr is the peer's IP. X-Forwarded-For is not read: it is whatever the client
// says, and a load balancer setup that needs it is future configuration.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bucketsFor picks the buckets a sign-in attempt for email (userID, 0 if unknown) counts
// against.
func (s *Server) bucketsFor(ctx context.Context, r *http.Request, email string, userID int64) loginBuckets {
	b := loginBuckets{acct: bucketHash("acct", store.NormalizeEmail(email)), client: bucketHash("client", clientAddr(r))}
	if c, err := r.Cookie(deviceCookie); err == nil && userID != 0 {
		if h, err := parseSecret(c.Value); err == nil {
			if owner, err := s.st.KnownDeviceUser(ctx, h); err == nil && owner == userID {
				b.known, b.device = true, "device:"+hex.EncodeToString(h[:16])
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				s.log.Warn("reading known device", "err", err)
			}
		}
	}
	return b
}

func (b loginBuckets) names() []string {
	if b.known {
		return []string{b.device}
	}
	return []string{b.acct, b.client}
}

// lockedUntil is when the attempt may be made; zero if now.
func (s *Server) lockedUntil(ctx context.Context, b loginBuckets) (time.Time, error) {
	t, err := s.st.LockedUntil(ctx, b.names())
	if err != nil || !t.After(s.now()) {
		return time.Time{}, err
	}
	return t, nil
}

func (s *Server) recordFailure(ctx context.Context, b loginBuckets) error {
	now := s.now()
	if b.known {
		return s.st.RecordLoginFailure(ctx, []string{b.device}, now, throttleForget, throttleDevice.lockFor)
	}
	if err := s.st.RecordLoginFailure(ctx, []string{b.acct}, now, throttleForget, throttleAccount.lockFor); err != nil {
		return err
	}
	return s.st.RecordLoginFailure(ctx, []string{b.client}, now, throttleForget, throttleClient.lockFor)
}

// recordSuccess forgets the failures of the device or client that just signed in. The
// account's bucket is left to decay: resetting it would let an attacker's guesses
// start over each time the real user signs in.
func (s *Server) recordSuccess(ctx context.Context, w http.ResponseWriter, r *http.Request, b loginBuckets, userID int64) {
	names := []string{b.client}
	if b.known {
		names = []string{b.device}
	}
	if err := s.st.ResetLoginFailures(ctx, names); err != nil {
		s.log.Warn("resetting login throttle", "err", err)
	}
	id := ""
	if c, err := r.Cookie(deviceCookie); err == nil {
		if _, err := parseSecret(c.Value); err == nil {
			id = c.Value
		}
	}
	if id != "" {
		// A browser shared by two people: each account gets its own device cookie.
		if owner, err := s.st.KnownDeviceUser(ctx, hashSecret(id)); err == nil && owner != userID {
			id = ""
		}
	}
	if id == "" {
		id = newSecret()
	}
	if err := s.st.AddKnownDevice(ctx, hashSecret(id), userID, s.now()); err != nil {
		s.log.Warn("recording known device", "err", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(deviceCookieAge.Seconds())})
}
