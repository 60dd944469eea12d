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

// Login throttling: at most loginMaxFailures failed logins per username and
// per client address in any loginWindow. Five in fifteen minutes leaves room
// for an officer fumbling a phone keyboard and makes online guessing
// useless; tracking both stops one address trying many usernames and many
// addresses trying one username.
const (
	loginMaxFailures = 5
	loginWindow      = 15 * time.Minute
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
			Error:     fmt.Sprintf("too many failed logins; try again in %d minutes", (secs+59)/60),
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
	s.limiter.succeeded(user)
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

// loginLimiter throttles failed logins per username and per client, and
// bounds how many password hashes run at once (each takes tens of
// milliseconds and about 19 MiB). It is in memory, per replica: behind a
// load balancer each replica allows its own quota, which still makes
// guessing slow. Safe for concurrent use.
type loginLimiter struct {
	max     int
	window  time.Duration
	maxKeys int
	// hashing has one slot per password check allowed to run at once.
	hashing chan struct{}

	mu sync.Mutex
	// failures holds, per key ("u:" username or "ip:" address), the times
	// of its recent failures, oldest first, never more than max.
	failures map[string][]time.Time
}

// newLoginLimiter allows maxFailures failures per key in any window,
// tracking at most maxKeys keys.
func newLoginLimiter(maxFailures int, window time.Duration, maxKeys int) *loginLimiter {
	return &loginLimiter{
		max:      maxFailures,
		window:   window,
		maxKeys:  maxKeys,
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

// blocked returns how long the username or client must still wait, or 0.
func (l *loginLimiter) blocked(now time.Time, user, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.waitLocked(now, userKey(user)), l.waitLocked(now, "ip:"+ip))
}

func (l *loginLimiter) waitLocked(now time.Time, key string) time.Duration {
	times := l.recentLocked(now, key)
	if len(times) < l.max {
		return 0
	}
	return times[0].Add(l.window).Sub(now)
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

// failed records a failed login for the username and the client.
func (l *loginLimiter) failed(now time.Time, user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range []string{userKey(user), "ip:" + ip} {
		times := l.recentLocked(now, key)
		if times == nil && len(l.failures) >= l.maxKeys {
			l.evictLocked(now)
		}
		if len(times) >= l.max {
			times = times[1:]
		}
		l.failures[key] = append(times, now)
	}
}

// succeeded forgets the username's failures. The client's stay: one good
// password must not buy a client more guesses at other accounts.
func (l *loginLimiter) succeeded(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, userKey(user))
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
