package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// sessionCookie carries the session token for the server-rendered pages;
// API clients send it as "Authorization: Bearer <token>" instead. Whoever
// sets the cookie must make it HttpOnly, Secure and SameSite=Lax.
const sessionCookie = "verval_session"

// principalKey is where authenticate leaves the caller in the gin context.
const principalKey = "principal"

// maxLoginBody bounds a login request: two short strings.
const maxLoginBody = 8 << 10

// Sign-in protection (docs/security.md, "Sign-in protection"). Failed
// logins are counted over a sliding loginWindow three ways, each with its
// own answer, so that guessing is slow and a stranger cannot keep an
// officer out for long:
//
//   - one account from one address (the pair): loginPairMax failures, then
//     that address is refused for that account until the oldest failure
//     leaves the window (at most 15 minutes). Strict, and it harms no one
//     else: the officer signs in from their own address.
//   - one account from any addresses: loginAccountFree failures pass
//     freely; after them each attempt waits after the last failure, 1 s,
//     then 2, 4, ... up to loginAccountMaxDelay. Many addresses together
//     get about two guesses a minute at one account, and the officer, even
//     while someone guesses, waits half a minute at most.
//   - one address over every account: loginAddressMax failures, then the
//     address is refused until the oldest leaves the window. High, because
//     a whole office may share one address (a NAT, or the reverse proxy
//     when VERVAL_TRUSTED_PROXIES is not set), and mistyped or unknown
//     usernames there must not lock everyone out.
//
// A refusal is 429 with Retry-After and is not itself a failure. A
// success forgets its account's and its pair's failures, not the
// address's. An unknown username and a wrong password get the same answer
// after the same work (store.Login hashes either way).
const (
	loginWindow          = 15 * time.Minute
	loginPairMax         = 5
	loginAccountFree     = 5
	loginAccountMaxDelay = 30 * time.Second
	loginAddressMax      = 100
	// loginMaxKeys bounds the limiter's memory (a few MB at most).
	loginMaxKeys = 10000
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// userView is the caller as /login and /me show it.
type userView struct {
	ID         int64     `json:"id"`
	Username   string    `json:"username"`
	Name       string    `json:"name"`
	Role       auth.Role `json:"role"`
	Region     string    `json:"region"`
	RegionName string    `json:"regionName"`
	// Regions are every region the account holds (Region is the first).
	Regions []string `json:"regions"`
	// MustChangePassword: signed in with a one-time password; every route
	// but POST /me/password, GET /me and POST /logout answers 403
	// auth.password_change until it is changed.
	MustChangePassword bool `json:"mustChangePassword"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      userView  `json:"user"`
}

func viewUser(p auth.Principal) userView {
	name, _ := wilayah.Default().Name(p.Region)
	return userView{ID: p.UserID, Username: p.Username, Name: p.Name, Role: p.Role, Region: p.Region, RegionName: name,
		Regions: append([]string{}, p.AllRegions()...), MustChangePassword: p.MustChangePassword}
}

// login checks a username and password and returns a session token.
// Every credential failure gets the same 401, whether the username exists or
// not; repeated failures get 429 with Retry-After.
func (s *Server) login(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody)
	var req loginRequest
	if !s.bind(c, &req, `must be JSON: {"username":"...","password":"..."}`) {
		return
	}
	if strings.TrimSpace(req.Username) == "" || req.Password == "" {
		s.fail(c, badRequest("body", "username and password are required"))
		return
	}
	user := store.NormalizeUsername(req.Username)
	ip := clientKey(c.ClientIP())
	now := s.deps.Office.Now()
	if wait := s.limiter.blocked(now, user, ip); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Header("Retry-After", strconv.Itoa(secs))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{
			Error:     fmt.Sprintf("too many failed logins; try again in %d seconds", secs),
			RequestID: c.GetString(requestIDKey),
		})
		return
	}

	ctx := c.Request.Context()
	release, err := s.limiter.acquire(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	token, p, expires, err := s.deps.Office.Login(ctx, user, req.Password, s.deps.SessionTTL)
	release()
	switch {
	case errors.Is(err, store.ErrBadCredentials):
		s.limiter.failed(s.deps.Office.Now(), user, ip)
		c.Header("WWW-Authenticate", `Bearer realm="verval"`)
		c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: store.ErrBadCredentials.Error(), RequestID: c.GetString(requestIDKey)})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.limiter.succeeded(user, ip)
	c.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: expires, User: viewUser(p)})
}

// logout revokes the caller's session token. It runs behind authenticate.
func (s *Server) logout(c *gin.Context) {
	token, fromCookie := sessionToken(c)
	if err := s.deps.Office.Logout(c.Request.Context(), token); err != nil {
		s.fail(c, err)
		return
	}
	if fromCookie {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(sessionCookie, "", -1, "/", "", s.deps.SecureCookies || c.Request.TLS != nil, true)
	}
	c.Status(http.StatusNoContent)
}

// me returns the caller.
func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, viewUser(principal(c)))
}

// authenticate admits requests carrying a live session token, as a bearer
// token or in the session cookie, and leaves the caller for principal.
// Requests authenticated by the cookie, which a browser sends on its own,
// must also pass Go's cross-origin (CSRF) check when they change state.
func (s *Server) authenticate() gin.HandlerFunc {
	csrf := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		token, fromCookie := sessionToken(c)
		if token == "" {
			c.Header("WWW-Authenticate", `Bearer realm="verval"`)
			s.fail(c, errUnauthorized)
			return
		}
		if fromCookie {
			if err := csrf.Check(c.Request); err != nil {
				s.fail(c, errCrossOrigin)
				return
			}
		}
		p, err := s.deps.Office.Authenticate(c.Request.Context(), token)
		switch {
		case errors.Is(err, store.ErrBadCredentials):
			c.Header("WWW-Authenticate", `Bearer realm="verval", error="invalid_token"`)
			s.fail(c, errUnauthorized)
			return
		case err != nil:
			s.fail(c, store.WrapUnavailable(err))
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// sessionToken returns the request's session token: the bearer token when
// there is an Authorization header, else the session cookie's value.
func sessionToken(c *gin.Context) (token string, fromCookie bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		return strings.TrimSpace(tok), false
	}
	if v, err := c.Cookie(sessionCookie); err == nil && v != "" {
		return v, true
	}
	return "", false
}

// principal returns the caller that authenticate admitted. It panics on a
// route without authenticate, a wiring mistake the tests catch.
func principal(c *gin.Context) auth.Principal {
	v, ok := c.Get(principalKey)
	p, ok2 := v.(auth.Principal)
	if !ok || !ok2 {
		panic("api: principal called on a route without authenticate()")
	}
	return p
}

// may admits only callers whose role may take step (the office's one
// table); the rest get 403. It runs after authenticate, before a handler
// parses anything, and the office checks the same table again.
func may(step office.Step) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		refuse := func(e *domain.Error) {
			// The same answer s.fail gives e.
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: e.Message(), Code: string(e.Code), RequestID: c.GetString(requestIDKey)})
		}
		switch {
		case p.MustChangePassword:
			refuse(domain.Err(domain.CodePasswordChange))
		case !office.Allowed(step, p.Role):
			refuse(errForbidden)
		default:
			c.Next()
		}
	}
}

type passwordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// changePassword replaces the caller's password; a one-time password must
// be changed this way before any other step.
func (s *Server) changePassword(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody)
	var req passwordRequest
	if !s.bind(c, &req, `must be JSON: {"currentPassword":"...","newPassword":"..."}`) {
		return
	}
	if err := s.deps.Office.ChangePassword(c.Request.Context(), caller(c), req.CurrentPassword, req.NewPassword); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// contentSecurityPolicy fits server-rendered pages whose scripts, styles and
// images are all served by verval itself: nothing inline, nothing from
// elsewhere, and no framing (clickjacking).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the browser hardening headers on every response, and
// forbids caching of API answers, which carry personal data.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// clientKey is the throttling key of a client address. An IPv6 host
// usually owns a whole /64, so IPv6 addresses count per /64.
func clientKey(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil {
		return ip
	}
	if addr.To4() == nil {
		return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return addr.String()
}

// loginLimiter counts failed logins (see loginWindow) and bounds how many
// password hashes run at once (each takes tens of milliseconds and about
// 19 MiB). It is in memory, per replica: behind a load balancer each
// replica allows its own quota, which still makes guessing slow. Safe for
// concurrent use.
type loginLimiter struct {
	window       time.Duration
	pairMax      int
	accountFree  int
	accountDelay time.Duration // the longest wait of an account
	addressMax   int
	maxKeys      int
	accountKeep  int // failures an account key keeps: enough to reach accountDelay
	hashing      chan struct{}
	mu           sync.Mutex
	// failures holds, per key ("p:" account and address, "u:" account,
	// "ip:" address), the times of its recent failures, oldest first,
	// never more than that kind's limit.
	failures map[string][]time.Time
}

// newLoginLimiter counts failures within window: pairMax per account and
// address, accountFree per account before the waits (up to accountDelay),
// addressMax per address; tracking at most maxKeys keys.
func newLoginLimiter(window time.Duration, pairMax, accountFree int, accountDelay time.Duration, addressMax, maxKeys int) *loginLimiter {
	keep := accountFree + 1
	for d := time.Second; d < accountDelay; d *= 2 {
		keep++
	}
	return &loginLimiter{
		window: window, pairMax: pairMax, accountFree: accountFree, accountDelay: accountDelay,
		addressMax: addressMax, maxKeys: maxKeys, accountKeep: keep,
		hashing:  make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		failures: make(map[string][]time.Time),
	}
}

func userKey(user string) string {
	// Usernames are at most 64 characters; a longer one cannot exist, so
	// its tail does not need remembering.
	if len(user) > 80 {
		user = user[:80]
	}
	return "u:" + user
}

func pairKey(user, ip string) string { return "p:" + userKey(user)[2:] + " " + ip }

// blocked returns how long this account from this address must still
// wait, or 0.
func (l *loginLimiter) blocked(now time.Time, user, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	wait := max(l.fullLocked(now, pairKey(user, ip), l.pairMax), l.fullLocked(now, "ip:"+ip, l.addressMax))
	if times := l.recentLocked(now, userKey(user)); len(times) >= l.accountFree {
		delay := l.accountDelay
		if n := len(times) - l.accountFree; n < 30 {
			delay = min(time.Second<<n, delay)
		}
		wait = max(wait, times[len(times)-1].Add(delay).Sub(now))
	}
	return max(wait, 0)
}

// fullLocked is how long until key has fewer than limit failures.
func (l *loginLimiter) fullLocked(now time.Time, key string, limit int) time.Duration {
	times := l.recentLocked(now, key)
	if len(times) < limit {
		return 0
	}
	return times[len(times)-limit].Add(l.window).Sub(now)
}

// recentLocked drops key's failures older than the window and returns the rest.
func (l *loginLimiter) recentLocked(now time.Time, key string) []time.Time {
	times := l.failures[key]
	i := 0
	for i < len(times) && !now.Before(times[i].Add(l.window)) {
		i++
	}
	if i == 0 {
		return times
	}
	times = times[i:]
	if len(times) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = times
	}
	return times
}

// failed records a failed login for the account, the address and the two
// together.
func (l *loginLimiter) failed(now time.Time, user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, keep := range map[string]int{pairKey(user, ip): l.pairMax, userKey(user): l.accountKeep, "ip:" + ip: l.addressMax} {
		times := l.recentLocked(now, key)
		if times == nil && len(l.failures) >= l.maxKeys {
			l.evictLocked(now)
		}
		if len(times) >= keep {
			times = times[len(times)-keep+1:]
		}
		l.failures[key] = append(times, now)
	}
}

// succeeded forgets the account's failures and the pair's. The address's
// stay: one good password must not buy a client more guesses at other
// accounts.
func (l *loginLimiter) succeeded(user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, userKey(user))
	delete(l.failures, pairKey(user, ip))
}

// evictLocked makes room for a new key: first by dropping keys whose
// failures have all expired, and if none have, by dropping an arbitrary
// tenth of the keys (map order is random). An attacker would need failures
// from thousands of addresses to push out a key this way.
func (l *loginLimiter) evictLocked(now time.Time) {
	for key := range l.failures {
		l.recentLocked(now, key)
	}
	if len(l.failures) < l.maxKeys {
		return
	}
	drop := max(1, l.maxKeys/10)
	for key := range l.failures {
		if drop == 0 {
			break
		}
		delete(l.failures, key)
		drop--
	}
}

// keys is how many keys the limiter tracks, for tests.
func (l *loginLimiter) keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.failures)
}

// acquire waits for a password-hashing slot; release must be called after
// the check. A request that cannot get a slot within a few seconds gets
// 503 rather than queueing without bound.
func (l *loginLimiter) acquire(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case l.hashing <- struct{}{}:
		return func() { <-l.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, errBusy
	}
}
