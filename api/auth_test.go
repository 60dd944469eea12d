package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

var authT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const authPassword = "rahasia-desa-2026"

// authEnv is a Server on a real store with a settable clock.
type authEnv struct {
	t     *testing.T
	srv   *Server
	st    *store.Store
	clock *storetest.Clock
}

// newAuthEnv builds a Server on db with two users: desa1 (village officer
// of Jaten, 35.05.01.2001) and dinsos (Kab. Blitar). Sessions last an hour.
func newAuthEnv(t *testing.T, db *gorm.DB) *authEnv {
	t.Helper()
	clock := storetest.NewClock(authT0)
	st := storetest.NewStore(db, clock.Now)
	for _, u := range []store.NewUser{
		{Username: "desa1", Password: authPassword, Name: "Operator Desa Jaten", Role: auth.RoleVillage, Region: "35.05.01.2001"},
		{Username: "dinsos", Password: authPassword, Name: "Operator Dinsos", Role: auth.RoleDinsos, Region: "35.05"},
	} {
		if _, err := st.CreateUser(t.Context(), u); err != nil {
			t.Fatalf("CreateUser %s: %v", u.Username, err)
		}
	}
	srv := New(Deps{Office: office.New(office.Deps{Store: st, Log: storetest.Logger(t), Now: clock.Now}), Log: storetest.Logger(t), SessionTTL: time.Hour})
	return &authEnv{t: t, srv: srv, st: st, clock: clock}
}

// do sends a request from remote address ip ("" means 192.0.2.1) with the
// given headers; body is JSON-encoded unless it is a string.
func (e *authEnv) do(method, path, ip string, body any, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ip == "" {
		ip = "192.0.2.1"
	}
	req.RemoteAddr = net.JoinHostPort(ip, "4000")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w
}

func (e *authEnv) login(user, pass, ip string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodPost, "/api/v1/login", ip, loginRequest{Username: user, Password: pass})
}

// mustLogin logs in and returns the token.
func (e *authEnv) mustLogin(user string) string {
	e.t.Helper()
	w := e.login(user, authPassword, "")
	if w.Code != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", user, w.Code, w.Body)
	}
	var resp loginResponse
	authDecode(e.t, w, &resp)
	return resp.Token
}

func authBearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

func authDecode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", w.Body, err)
	}
}

func authWantStatus(t *testing.T, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body %s", w.Code, want, w.Body)
	}
}

func TestLoginMeLogout(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newAuthEnv(t, db)

		w := e.login("Desa1", authPassword, "")
		authWantStatus(t, w, http.StatusOK)
		var resp loginResponse
		authDecode(t, w, &resp)
		wantUser := userView{ID: resp.User.ID, Username: "desa1", Name: "Operator Desa Jaten", Role: auth.RoleVillage, Region: "35.05.01.2001", RegionName: "Jaten",
			Regions: []string{"35.05.01.2001"}}
		if resp.Token == "" || !resp.ExpiresAt.Equal(authT0.Add(time.Hour)) || !reflect.DeepEqual(resp.User, wantUser) || resp.User.ID == 0 {
			t.Fatalf("login response %+v", resp)
		}
		if strings.Contains(w.Body.String(), authPassword) {
			t.Fatal("response echoes the password")
		}

		w = e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(resp.Token)...)
		authWantStatus(t, w, http.StatusOK)
		var me userView
		authDecode(t, w, &me)
		if !reflect.DeepEqual(me, wantUser) {
			t.Fatalf("/me %+v, want %+v", me, wantUser)
		}

		// The same token in the session cookie, as the web pages send it.
		w = e.do(http.MethodGet, "/api/v1/me", "", nil, "Cookie", sessionCookie+"="+resp.Token)
		authWantStatus(t, w, http.StatusOK)

		w = e.do(http.MethodPost, "/api/v1/logout", "", nil, authBearer(resp.Token)...)
		authWantStatus(t, w, http.StatusNoContent)
		w = e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(resp.Token)...)
		authWantStatus(t, w, http.StatusUnauthorized)
		w = e.do(http.MethodPost, "/api/v1/logout", "", nil, authBearer(resp.Token)...)
		authWantStatus(t, w, http.StatusUnauthorized)

		t.Run("expiry", func(t *testing.T) {
			tok := e.mustLogin("desa1")
			e.clock.Advance(59 * time.Minute)
			authWantStatus(t, e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(tok)...), http.StatusOK)
			e.clock.Advance(time.Minute)
			authWantStatus(t, e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(tok)...), http.StatusUnauthorized)
		})
	})
}

func TestLoginFailures(t *testing.T) {
	e := newAuthEnv(t, storetest.SQLite(t))
	var wrongPass, noUser errorBody
	w := e.login("desa1", "not-the-password", "198.51.100.1")
	authWantStatus(t, w, http.StatusUnauthorized)
	authDecode(t, w, &wrongPass)
	w = e.login("nobody", authPassword, "198.51.100.2")
	authWantStatus(t, w, http.StatusUnauthorized)
	authDecode(t, w, &noUser)
	if wrongPass.Error != noUser.Error || wrongPass.Field != "" {
		t.Fatalf("a wrong password (%q) and an unknown user (%q) must look the same", wrongPass.Error, noUser.Error)
	}

	for name, body := range map[string]string{
		"not JSON":         "username=desa1",
		"truncated":        `{"username":"desa1",`,
		"wrong types":      `{"username":1,"password":2}`,
		"missing password": `{"username":"desa1"}`,
		"empty":            `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			authWantStatus(t, e.do(http.MethodPost, "/api/v1/login", "198.51.100.3", body), http.StatusBadRequest)
		})
	}
	// A body over the login's own 8 KiB bound is 413, like every route's.
	tooLarge := `{"username":"desa1","password":"` + strings.Repeat("x", 10_000) + `"}`
	authWantStatus(t, e.do(http.MethodPost, "/api/v1/login", "198.51.100.3", tooLarge), http.StatusRequestEntityTooLarge)
}

// wantRetryAfter is a 429's Retry-After in seconds, failing the test if the
// answer is not a 429 with one.
func wantRetryAfter(t *testing.T, w *httptest.ResponseRecorder) int {
	t.Helper()
	authWantStatus(t, w, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || secs <= 0 {
		t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	return secs
}

// TestLoginThrottle (issue 23 item 4, issue 18 "Sign-in protection"): the
// three counts of api/auth.go, on an injected clock.
func TestLoginThrottle(t *testing.T) {
	e := newAuthEnv(t, storetest.SQLite(t))

	t.Run("one address guessing one account is refused until its failures age", func(t *testing.T) {
		const ip = "203.0.113.7"
		for range loginPairMax {
			authWantStatus(t, e.login("desa1", "wrong-password", ip), http.StatusUnauthorized)
		}
		if secs := wantRetryAfter(t, e.login("desa1", authPassword, ip)); secs > int(loginWindow/time.Second) {
			t.Fatalf("Retry-After %d beyond the window", secs)
		}
		// The officer, from their own address, waits one second (the
		// account's first delay), not fifteen minutes.
		secs := wantRetryAfter(t, e.login("desa1", authPassword, "198.51.100.20"))
		if secs != 1 {
			t.Fatalf("the officer's wait: %d s, want 1", secs)
		}
		e.clock.Advance(time.Second)
		authWantStatus(t, e.login("desa1", authPassword, "198.51.100.20"), http.StatusOK)
		// The guesser's address is still refused for that account...
		wantRetryAfter(t, e.login("desa1", authPassword, ip))
		// ...until its failures leave the window.
		e.clock.Advance(loginWindow)
		authWantStatus(t, e.login("desa1", authPassword, ip), http.StatusOK)
	})

	t.Run("many addresses guessing one account are slowed, the officer waits seconds", func(t *testing.T) {
		e.clock.Advance(loginWindow)
		guess := 0
		wrong := func() *httptest.ResponseRecorder {
			guess++
			return e.login("desa1", "wrong-password", fmt.Sprintf("203.0.113.%d", 100+guess))
		}
		for range loginAccountFree {
			authWantStatus(t, wrong(), http.StatusUnauthorized)
		}
		// Each further attempt waits twice as long as the one before,
		// up to the cap; a refused attempt is not a failure.
		var waits []int
		for range 8 {
			secs := wantRetryAfter(t, wrong())
			waits = append(waits, secs)
			e.clock.Advance(time.Duration(secs) * time.Second)
			authWantStatus(t, wrong(), http.StatusUnauthorized)
		}
		want := []int{1, 2, 4, 8, 16, 30, 30, 30}
		if fmt.Sprint(waits) != fmt.Sprint(want) {
			t.Fatalf("waits %v, want %v", waits, want)
		}
		// The officer, arriving now, is told to wait at most the cap and
		// then signs in.
		secs := wantRetryAfter(t, e.login("desa1", authPassword, "198.51.100.20"))
		if secs > int(loginAccountMaxDelay/time.Second) {
			t.Fatalf("the officer is kept out %d s", secs)
		}
		e.clock.Advance(time.Duration(secs) * time.Second)
		authWantStatus(t, e.login("desa1", authPassword, "198.51.100.20"), http.StatusOK)
		// Success forgets the account's failures: no wait after one more.
		authWantStatus(t, wrong(), http.StatusUnauthorized)
		authWantStatus(t, e.login("desa1", authPassword, "198.51.100.20"), http.StatusOK)
	})

	t.Run("an office behind one address is not locked out by unknown usernames", func(t *testing.T) {
		e.clock.Advance(loginWindow)
		const office = "192.0.2.200"
		for i := range loginAddressMax - 1 {
			authWantStatus(t, e.login(fmt.Sprintf("salah%d", i), "wrong-password", office), http.StatusUnauthorized)
		}
		authWantStatus(t, e.login("dinsos", authPassword, office), http.StatusOK)
		authWantStatus(t, e.login("desa1", authPassword, office), http.StatusOK)
		// Past the address's limit the address is refused, for a while.
		authWantStatus(t, e.login("salah", "wrong-password", office), http.StatusUnauthorized)
		wantRetryAfter(t, e.login("dinsos", authPassword, office))
		authWantStatus(t, e.login("dinsos", authPassword, "192.0.2.201"), http.StatusOK)
		e.clock.Advance(loginWindow)
		authWantStatus(t, e.login("dinsos", authPassword, office), http.StatusOK)
	})

	t.Run("IPv6 counts per /64", func(t *testing.T) {
		e.clock.Advance(loginWindow)
		for i := range loginPairMax {
			authWantStatus(t, e.login("dinsos", "wrong-password", fmt.Sprintf("2001:db8:1:2::%x", i+1)), http.StatusUnauthorized)
		}
		e.clock.Advance(loginAccountMaxDelay)
		wantRetryAfter(t, e.login("dinsos", authPassword, "2001:db8:1:2::ffff"))
		authWantStatus(t, e.login("dinsos", authPassword, "2001:db8:1:3::1"), http.StatusOK)
	})
}

// TestLoginTrustedProxies: the address a trusted proxy forwards is the
// client's, each counted apart; from any other peer X-Forwarded-For is
// ignored, so a guesser cannot dodge the count by forging it.
func TestLoginTrustedProxies(t *testing.T) {
	db := storetest.SQLite(t)
	e := newAuthEnv(t, db)
	e.srv = New(Deps{Office: e.srv.deps.Office, Log: storetest.Logger(t), SessionTTL: time.Hour, TrustedProxies: []string{"10.0.0.0/24"}})
	via := func(peer, forwarded, pass string) *httptest.ResponseRecorder {
		return e.do(http.MethodPost, "/api/v1/login", peer, loginRequest{Username: "desa1", Password: pass}, "X-Forwarded-For", forwarded)
	}
	for range loginPairMax {
		authWantStatus(t, via("10.0.0.5", "203.0.113.1", "wrong-password"), http.StatusUnauthorized)
	}
	wantRetryAfter(t, via("10.0.0.5", "203.0.113.1", authPassword))
	e.clock.Advance(time.Second) // the account's first wait
	authWantStatus(t, via("10.0.0.5", "203.0.113.2", authPassword), http.StatusOK)

	// An untrusted peer's forged header changes nothing: its failures are
	// its own address's.
	for i := range loginPairMax {
		authWantStatus(t, via("198.51.100.9", fmt.Sprintf("203.0.113.%d", 50+i), "wrong-password"), http.StatusUnauthorized)
	}
	e.clock.Advance(loginAccountMaxDelay)
	wantRetryAfter(t, via("198.51.100.9", "203.0.113.99", authPassword))
}

// TestLoginSameAnswerForUnknownUser: an unknown username and a wrong
// password get the same status, headers and body (the request id aside),
// after the same work: a password hash each.
func TestLoginSameAnswerForUnknownUser(t *testing.T) {
	e := newAuthEnv(t, storetest.SQLite(t))
	answer := func(w *httptest.ResponseRecorder) string {
		var b map[string]any
		authDecode(t, w, &b)
		delete(b, "requestId")
		return fmt.Sprint(w.Code, w.Header().Get("WWW-Authenticate"), w.Header().Get("Content-Type"), b)
	}
	timed := func(user string, ip int) (string, time.Duration) {
		start := time.Now()
		w := e.login(user, "wrong-password", fmt.Sprintf("192.0.2.%d", ip))
		return answer(w), time.Since(start)
	}
	var known, unknown []time.Duration
	for i := range 7 {
		a, d1 := timed("desa1", 10+i)
		b, d2 := timed("nobody", 20+i)
		if a != b {
			t.Fatalf("wrong password: %s\nunknown user: %s", a, b)
		}
		known, unknown = append(known, d1), append(unknown, d2)
		e.clock.Advance(loginWindow)
	}
	// The fastest of each within a factor of two: both hash a password
	// (tens of ms); without the hash an unknown user answered in well
	// under 1 ms. The fastest, not the median: a busy machine only adds
	// time to some answers, and the least is the work itself.
	if k, u := slices.Min(known), slices.Min(unknown); u < k/2 || u > 2*k {
		t.Errorf("fastest time: wrong password %s, unknown user %s", k, u)
	}
}

func TestLoginLimiterBoundedMemory(t *testing.T) {
	l := newLoginLimiter(time.Minute, 3, 3, 30*time.Second, 3, 100)
	now := authT0
	for i := range 1000 {
		l.failed(now, fmt.Sprintf("user%d", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		if n := l.keys(); n > 100 {
			t.Fatalf("%d keys after %d failures, limit 100", n, i+1)
		}
	}
	// Expired keys are dropped first.
	now = now.Add(time.Minute)
	l.failed(now, "fresh", "10.9.9.9")
	if n := l.keys(); n != 3 {
		t.Fatalf("%d keys after the window, want 3", n)
	}
	// A key never holds more than its kind needs.
	for range 20 {
		l.failed(now, "fresh", "10.9.9.9")
	}
	l.mu.Lock()
	pair, account, address := len(l.failures[pairKey("fresh", "10.9.9.9")]), len(l.failures["u:fresh"]), len(l.failures["ip:10.9.9.9"])
	l.mu.Unlock()
	if pair != 3 || address != 3 || account != l.accountKeep {
		t.Fatalf("keys hold %d, %d, %d failures, want 3, %d, 3", pair, account, address, l.accountKeep)
	}
}

func TestAuthenticate(t *testing.T) {
	e := newAuthEnv(t, storetest.SQLite(t))
	// Routes only this test uses, guarded as real ones are.
	g := e.srv.router.Group("/test", e.srv.authenticate())
	g.GET("/dinsos", may(office.StepIntake), func(c *gin.Context) { c.String(http.StatusOK, principal(c).Username) })
	g.POST("/change", func(c *gin.Context) { c.Status(http.StatusNoContent) })

	village, dinsos := e.mustLogin("desa1"), e.mustLogin("dinsos")

	for name, headers := range map[string][]string{
		"no token":         nil,
		"garbage bearer":   authBearer("garbage"),
		"empty bearer":     {"Authorization", "Bearer "},
		"basic auth":       {"Authorization", "Basic ZGVzYTE6cmFoYXNpYQ=="},
		"bare token":       {"Authorization", village},
		"well-formed fake": authBearer(strings.Repeat("A", 43)),
		"garbage cookie":   {"Cookie", sessionCookie + "=garbage"},
	} {
		t.Run(name, func(t *testing.T) {
			w := e.do(http.MethodGet, "/api/v1/me", "", nil, headers...)
			authWantStatus(t, w, http.StatusUnauthorized)
			if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("roles", func(t *testing.T) {
		authWantStatus(t, e.do(http.MethodGet, "/test/dinsos", "", nil, authBearer(village)...), http.StatusForbidden)
		w := e.do(http.MethodGet, "/test/dinsos", "", nil, authBearer(dinsos)...)
		authWantStatus(t, w, http.StatusOK)
		if w.Body.String() != "dinsos" {
			t.Fatalf("principal %q", w.Body)
		}
	})

	t.Run("cookie requests are checked for cross-site forgery", func(t *testing.T) {
		cookie := []string{"Cookie", sessionCookie + "=" + village}
		w := e.do(http.MethodPost, "/test/change", "", nil, append(cookie, "Sec-Fetch-Site", "cross-site")...)
		authWantStatus(t, w, http.StatusForbidden)
		if !strings.Contains(w.Body.String(), "cross-origin") {
			t.Errorf("body %s", w.Body)
		}
		authWantStatus(t, e.do(http.MethodPost, "/test/change", "", nil, append(cookie, "Sec-Fetch-Site", "same-origin")...), http.StatusNoContent)
		// A bearer token is never sent by a browser on its own.
		authWantStatus(t, e.do(http.MethodPost, "/test/change", "", nil, append(authBearer(village), "Sec-Fetch-Site", "cross-site")...), http.StatusNoContent)
	})

	t.Run("disabled user", func(t *testing.T) {
		tok := e.mustLogin("desa1")
		e.st.DB.Model(&store.User{}).Where("username = ?", "desa1").Update("disabled", true)
		t.Cleanup(func() { e.st.DB.Model(&store.User{}).Where("username = ?", "desa1").Update("disabled", false) })
		authWantStatus(t, e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(tok)...), http.StatusUnauthorized)
		authWantStatus(t, e.login("desa1", authPassword, "192.0.2.77"), http.StatusUnauthorized)
	})

	t.Run("cookie logout clears the cookie", func(t *testing.T) {
		tok := e.mustLogin("dinsos")
		w := e.do(http.MethodPost, "/api/v1/logout", "", nil, "Cookie", sessionCookie+"="+tok)
		authWantStatus(t, w, http.StatusNoContent)
		if c := w.Header().Get("Set-Cookie"); !strings.Contains(c, sessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
			t.Fatalf("Set-Cookie %q", c)
		}
	})
}

func TestDatabaseDownIs503(t *testing.T) {
	// Nothing listens on port 1, so every query fails to connect.
	db, err := gorm.Open(postgres.Open("postgres://postgres@127.0.0.1:1/verval?sslmode=disable&connect_timeout=2"),
		&gorm.Config{DisableAutomaticPing: true, TranslateError: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Deps{Office: office.New(office.Deps{Store: storetest.NewStore(db, nil)}), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionTTL: time.Hour})
	e := &authEnv{t: t, srv: srv}
	w := e.do(http.MethodGet, "/api/v1/me", "", nil, authBearer(strings.Repeat("A", 43))...)
	authWantStatus(t, w, http.StatusServiceUnavailable)
	if w.Header().Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	authWantStatus(t, e.login("desa1", authPassword, ""), http.StatusServiceUnavailable)
}

func TestSecurityHeaders(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(securityHeaders())
	r.GET("/api/v1/x", func(c *gin.Context) { c.Status(http.StatusOK) })
	r.GET("/page", func(c *gin.Context) { c.Status(http.StatusOK) })
	for _, path := range []string{"/api/v1/x", "/page", "/missing"} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		h := w.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: headers %v", path, h)
		}
		if noStore := h.Get("Cache-Control") == "no-store"; noStore != strings.HasPrefix(path, "/api/") {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
	}
}

// TLS ends at the reverse proxy, so no request verval sees is TLS: the
// session cookie is Secure when the public address is https
// (Deps.SecureCookies, from PUBLIC_URL), on the page's login and on the
// API's logout alike, and not otherwise (a plain-http development setup).
func TestSessionCookieSecureWhenPublicURLIsHTTPS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("secure=%v", secure), func(t *testing.T) {
			e := newAuthEnv(t, storetest.SQLite(t))
			e.srv = New(Deps{Office: office.New(office.Deps{Store: e.st, Log: storetest.Logger(t), Now: e.clock.Now}),
				Log: storetest.Logger(t), SessionTTL: time.Hour, SecureCookies: secure})
			w := e.do(http.MethodPost, "/masuk", "", "username=desa1&password="+url.QueryEscape(authPassword),
				"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
			var token string
			for _, c := range w.Result().Cookies() {
				if c.Name == sessionCookie {
					token = c.Value
					if c.Secure != secure || !c.HttpOnly {
						t.Errorf("login cookie Secure=%v HttpOnly=%v, want Secure=%v HttpOnly", c.Secure, c.HttpOnly, secure)
					}
				}
			}
			if token == "" {
				t.Fatalf("page login: %d, no session cookie", w.Code)
			}
			w = e.do(http.MethodPost, "/api/v1/logout", "", nil, "Cookie", sessionCookie+"="+token)
			if c := w.Header().Get("Set-Cookie"); strings.Contains(c, "; Secure") != secure {
				t.Errorf("logout's Set-Cookie %q, want Secure=%v", c, secure)
			}
		})
	}
}
