// Package config reads verval's configuration from the environment, in one
// place, failing fast with a message that names the variable at fault.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/pii"
)

// Config is everything verval's processes read from the environment.
type Config struct {
	// HTTPAddr is where the API and web pages listen.
	HTTPAddr string
	// PublicURL is the API's address as a browser reaches it (for links and
	// the Temporal UI's codec endpoint).
	PublicURL string
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For names the client; from any other peer the
	// header is ignored. Empty: none, the peer is the client.
	TrustedProxies []string
	// DatabaseURL is a postgres:// URL; empty means the embedded SQLite file.
	DatabaseURL string
	// DataDir holds the embedded database and the dev server's files.
	DataDir string
	// TemporalAddress is the Temporal frontend, host:port.
	TemporalAddress string
	// TemporalNamespace is the Temporal namespace.
	TemporalNamespace string
	// TemporalUIURL is the Temporal Web UI as a browser reaches it, for links
	// to stuck cases.
	TemporalUIURL string
	// LogLevel is the slog level.
	LogLevel slog.Level
	// LogFormat is "text" or "json".
	LogFormat string
	// PIIKeys are the AES keys for personal data, "id:base64[,id:base64]",
	// first one active.
	PIIKeys string
	// PIIHashKey is the HMAC key for look-up hashes of NIK and No KK (base64).
	PIIHashKey string
	// CodecAuthToken is the bearer token the codec server demands (the
	// Temporal CLI's --codec-auth). The Web UI cannot send it; only
	// `verval dev`, on the development keys, adds it for its own UI.
	CodecAuthToken string
	// DevUsers creates the development users on start.
	DevUsers bool
	// SessionTTL is how long a login token stays valid.
	SessionTTL time.Duration
	// ShutdownTimeout bounds a graceful shutdown.
	ShutdownTimeout time.Duration
	// RequestTimeout bounds an API request's calls to Temporal and the
	// database, so an outage answers 503 instead of hanging.
	RequestTimeout time.Duration
	// MetricsAddr serves /metrics on its own listener (host:port), or
	// "off"; empty serves it on HTTP_ADDR.
	MetricsAddr string
	// WorkflowCache is the worker's sticky workflow cache size
	// (DefaultWorkflowCache unless VERVAL_WORKFLOW_CACHE is set). Each
	// cached household costs memory; one not cached replays its history at
	// its next step; 0 turns the cache and sticky task queues off
	// (docs/performance.md).
	WorkflowCache int
	// WorkflowPollers is how many workflow-task polls the worker keeps open
	// (DefaultWorkflowPollers unless VERVAL_WORKFLOW_POLLERS is set). With
	// fewer polls than the tasks arriving, tasks wait on the server, and
	// every Update with them.
	WorkflowPollers int
	// FanOutUpdates is how many household Updates the worker's fan-outs
	// (village meetings, the cycle's close) send at once, all together
	// (DefaultFanOutUpdates unless VERVAL_FANOUT_UPDATES is set); 0 is no
	// bound.
	FanOutUpdates int
	// Kemensos is "file" (Dinsos downloads the proposal file and uploads
	// the ministry's answer) or "simulated" (the local stack's stand-in).
	Kemensos string
	// KemensosDelay is how long the simulated Kemensos takes to answer.
	KemensosDelay time.Duration
	// KemensosRejectShare is the share of additions the simulator rejects.
	KemensosRejectShare float64
	// KemensosCutoffDay is the monthly data cut-off day.
	KemensosCutoffDay int
	// KemensosReminderAfter: Dinsos is reminded when a submitted batch
	// still has unanswered households this long after submission (and
	// every period after).
	KemensosReminderAfter time.Duration
	// KemensosSeed seeds the simulated Kemensos: the same seed rejects the
	// same households.
	KemensosSeed int64
	// EnrolGateway is "export" (each programme's enrolment list, downloaded
	// by Dinsos) or "simulated" (memberships kept in memory, benchmarks).
	EnrolGateway string
	// EnrolRules are the programmes' eligibility rules, from the JSON file
	// VERVAL_ENROL_RULES names, or enrol.DefaultRules.
	EnrolRules []enrol.Rule
	// ObjectStore is where the sealed photos are kept: "dir:PATH" (by
	// default DataDir/objects) or an S3-compatible bucket's URL,
	// http(s)://host:port/bucket (VERVAL_OBJECT_STORE).
	ObjectStore string
	// S3AccessKey, S3SecretKey and S3Region are the bucket's credentials
	// and region (VERVAL_S3_ACCESS_KEY, VERVAL_S3_SECRET_KEY,
	// VERVAL_S3_REGION).
	S3AccessKey, S3SecretKey, S3Region string
	// PhotoRules say which photos each visit outcome needs
	// (VERVAL_PHOTOS_REQUIRED).
	PhotoRules domain.PhotoRules
	// VisitFarKm: a visit farther than this from its desa's other visits
	// is flagged for the TKSK (VERVAL_VISIT_FAR_KM).
	VisitFarKm float64
}

// StickyWorkers reports whether workers cache workflows, so that their
// tasks go to sticky queues and an Update first resets the household's
// (workflows.Cases.ResetSticky). API and worker processes must be given
// the same VERVAL_WORKFLOW_CACHE for the API to know.
func (c Config) StickyWorkers() bool { return c.WorkflowCache > 0 }

// DefaultWorkflowCache is the worker's sticky workflow cache, in
// households, when VERVAL_WORKFLOW_CACHE is not set: none. A household is
// touched a handful of times in a year, days apart, so a cached one is
// rarely met again before it is evicted, and replaying its 20 to 40
// events costs about a millisecond. A cache costs about 50 KB per
// household (the 10,000-household bench peaked at 732 MB with the SDK's
// 10,000, 259 MB with 2,000), and sticky task queues put the next task of a
// cached household on one worker's queue: behind that worker's backlog,
// or waiting for a worker that stopped. Without a cache every task goes to
// the shared queue with the whole history, any worker takes it, and a
// worker's memory does not grow with the households open
// (docs/performance.md).
const DefaultWorkflowCache = 0

// DefaultWorkflowPollers is the worker's workflow-task polls when
// VERVAL_WORKFLOW_POLLERS is not set. The SDK's 2 starve a busy worker:
// with 50 officers submitting, tasks waited more than the 5 s sticky
// schedule-to-start timeout on the server (0.1 WorkflowTaskTimedOut per
// household) and submissions took 14.7 s at p99; with 16 the same bench
// verified twice as fast with no timed-out task (docs/performance.md).
const DefaultWorkflowPollers = 16

// DefaultFanOutUpdates is the household Updates a worker's fan-outs send
// at once when VERVAL_FANOUT_UPDATES is not set. Villages finishing
// together start their meetings together; unbounded, each meeting's
// Updates took the server from the officers' submissions, whose slowest
// one in a hundred waited on them (docs/performance.md).
const DefaultFanOutUpdates = 4

// Load reads the configuration through getenv (os.Getenv in production, a
// map in tests). dev selects the defaults of the one-command local stack.
func Load(getenv func(string) string, dev bool) (Config, error) {
	c := Config{
		HTTPAddr:          envOr(getenv, "HTTP_ADDR", ":8080"),
		DatabaseURL:       getenv("DATABASE_URL"),
		DataDir:           envOr(getenv, "VERVAL_DATA_DIR", "data"),
		TemporalAddress:   envOr(getenv, "TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: envOr(getenv, "TEMPORAL_NAMESPACE", "default"),
		TemporalUIURL:     envOr(getenv, "TEMPORAL_UI_URL", "http://localhost:8233"),
		LogFormat:         envOr(getenv, "LOG_FORMAT", "text"),
		PIIKeys:           getenv("VERVAL_PII_KEYS"),
		PIIHashKey:        getenv("VERVAL_PII_HASH_KEY"),
		CodecAuthToken:    getenv("VERVAL_CODEC_AUTH_TOKEN"),
	}
	var errs []error
	if err := c.LogLevel.UnmarshalText([]byte(envOr(getenv, "LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", getenv("LOG_LEVEL")))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("HTTP_ADDR: %q is not host:port (for example :8080)", c.HTTPAddr))
	}
	if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
		errs = append(errs, fmt.Errorf("TEMPORAL_ADDRESS: %q is not host:port (for example temporal:7233)", c.TemporalAddress))
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("DATABASE_URL: must be a postgres:// URL (leave it empty for the embedded database)"))
		}
	}
	c.PublicURL = envOr(getenv, "PUBLIC_URL", "http://localhost"+portOf(c.HTTPAddr))
	for _, p := range strings.Split(getenv("VERVAL_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			errs = append(errs, fmt.Errorf("VERVAL_TRUSTED_PROXIES: %q is not an address or a CIDR range (for example 10.0.0.5 or 10.0.0.0/24)", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	var err error
	if c.DevUsers, err = envBool(getenv, "VERVAL_DEV_USERS", dev); err != nil {
		errs = append(errs, err)
	}
	if c.SessionTTL, err = envDuration(getenv, "VERVAL_SESSION_TTL", 12*time.Hour); err != nil {
		errs = append(errs, err)
	}
	if c.ShutdownTimeout, err = envDuration(getenv, "VERVAL_SHUTDOWN_TIMEOUT", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	if c.RequestTimeout, err = envDuration(getenv, "VERVAL_REQUEST_TIMEOUT", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	kemDefault := "file"
	if dev {
		kemDefault = "simulated"
	}
	c.Kemensos = envOr(getenv, "VERVAL_KEMENSOS", kemDefault)
	if c.Kemensos != "file" && c.Kemensos != "simulated" {
		errs = append(errs, fmt.Errorf("VERVAL_KEMENSOS: %q is not file or simulated", c.Kemensos))
	}
	if c.KemensosDelay, err = envDuration(getenv, "VERVAL_KEMENSOS_DELAY", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	if v := getenv("VERVAL_KEMENSOS_REJECT_SHARE"); v != "" {
		if c.KemensosRejectShare, err = strconv.ParseFloat(v, 64); err != nil || c.KemensosRejectShare < 0 || c.KemensosRejectShare > 1 {
			errs = append(errs, fmt.Errorf("VERVAL_KEMENSOS_REJECT_SHARE: %q is not a share between 0 and 1", v))
		}
	} else {
		c.KemensosRejectShare = 0.1
	}
	if c.KemensosReminderAfter, err = envDays(getenv, "VERVAL_KEMENSOS_REMINDER_AFTER", 60*24*time.Hour); err != nil {
		errs = append(errs, err)
	}
	c.KemensosSeed = 1
	if v := strings.TrimSpace(getenv("VERVAL_KEMENSOS_SEED")); v != "" {
		if c.KemensosSeed, err = strconv.ParseInt(v, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("VERVAL_KEMENSOS_SEED: %q is not a whole number", v))
		}
	}
	c.EnrolGateway = envOr(getenv, "VERVAL_ENROL_GATEWAY", "export")
	if c.EnrolGateway != "export" && c.EnrolGateway != "simulated" {
		errs = append(errs, fmt.Errorf("VERVAL_ENROL_GATEWAY: %q is not export or simulated", c.EnrolGateway))
	}
	if c.EnrolRules, err = enrol.LoadRules(strings.TrimSpace(getenv("VERVAL_ENROL_RULES"))); err != nil {
		errs = append(errs, fmt.Errorf("VERVAL_ENROL_RULES: %w", err))
	}
	c.MetricsAddr = strings.TrimSpace(getenv("METRICS_ADDR"))
	if c.MetricsAddr != "" && c.MetricsAddr != "off" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR: %q is not host:port or off", c.MetricsAddr))
		}
	}
	c.WorkflowCache, c.WorkflowPollers = DefaultWorkflowCache, DefaultWorkflowPollers
	if v := getenv("VERVAL_WORKFLOW_CACHE"); v != "" {
		if c.WorkflowCache, err = strconv.Atoi(v); err != nil || (c.WorkflowCache < 100 && c.WorkflowCache != 0) {
			errs = append(errs, fmt.Errorf("VERVAL_WORKFLOW_CACHE: %q is not 0 (no cache) or a number of workflows (at least 100)", v))
		}
	}
	if v := getenv("VERVAL_WORKFLOW_POLLERS"); v != "" {
		if c.WorkflowPollers, err = strconv.Atoi(v); err != nil || c.WorkflowPollers < 2 || c.WorkflowPollers > 256 {
			errs = append(errs, fmt.Errorf("VERVAL_WORKFLOW_POLLERS: %q is not a number from 2 to 256", v))
		}
	}
	c.FanOutUpdates = DefaultFanOutUpdates
	if v := getenv("VERVAL_FANOUT_UPDATES"); v != "" {
		if c.FanOutUpdates, err = strconv.Atoi(v); err != nil || c.FanOutUpdates < 0 || c.FanOutUpdates > 256 {
			errs = append(errs, fmt.Errorf("VERVAL_FANOUT_UPDATES: %q is not a number from 0 (no bound) to 256", v))
		}
	}
	c.KemensosCutoffDay = 17
	if v := getenv("VERVAL_KEMENSOS_CUTOFF_DAY"); v != "" {
		if c.KemensosCutoffDay, err = strconv.Atoi(v); err != nil || c.KemensosCutoffDay < 1 || c.KemensosCutoffDay > 28 {
			errs = append(errs, fmt.Errorf("VERVAL_KEMENSOS_CUTOFF_DAY: %q is not a day from 1 to 28", v))
		}
	}
	c.ObjectStore = envOr(getenv, "VERVAL_OBJECT_STORE", "dir:"+filepath.Join(c.DataDir, "objects"))
	c.S3AccessKey, c.S3SecretKey = strings.TrimSpace(getenv("VERVAL_S3_ACCESS_KEY")), strings.TrimSpace(getenv("VERVAL_S3_SECRET_KEY"))
	c.S3Region = envOr(getenv, "VERVAL_S3_REGION", "us-east-1")
	if strings.HasPrefix(c.ObjectStore, "http://") || strings.HasPrefix(c.ObjectStore, "https://") {
		if u, err := url.Parse(c.ObjectStore); err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" || strings.Contains(strings.Trim(u.Path, "/"), "/") {
			errs = append(errs, fmt.Errorf("VERVAL_OBJECT_STORE: %q is not http(s)://host:port/bucket", c.ObjectStore))
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			errs = append(errs, errors.New("VERVAL_S3_ACCESS_KEY and VERVAL_S3_SECRET_KEY are required when VERVAL_OBJECT_STORE is an S3 bucket"))
		}
	} else if strings.TrimPrefix(c.ObjectStore, "dir:") == "" {
		errs = append(errs, errors.New("VERVAL_OBJECT_STORE: \"dir:\" names no directory"))
	}
	if c.PhotoRules, err = domain.ParsePhotoRules(getenv("VERVAL_PHOTOS_REQUIRED")); err != nil {
		errs = append(errs, fmt.Errorf("VERVAL_PHOTOS_REQUIRED: %w", err))
	}
	c.VisitFarKm = 5
	if v := strings.TrimSpace(getenv("VERVAL_VISIT_FAR_KM")); v != "" {
		if c.VisitFarKm, err = strconv.ParseFloat(v, 64); err != nil || c.VisitFarKm <= 0 || c.VisitFarKm > 1000 {
			errs = append(errs, fmt.Errorf("VERVAL_VISIT_FAR_KM: %q is not a distance in km from 0 to 1000", v))
		}
	}
	if !dev {
		// Outside the local stack, personal data must never be sealed with
		// the well-known development keys.
		if c.PIIKeys == "" || c.PIIHashKey == "" {
			errs = append(errs, errors.New("VERVAL_PII_KEYS and VERVAL_PII_HASH_KEY are required outside `verval dev` (see docs/security.md)"))
		} else if k, err := pii.ParseKeyring(c.PIIKeys, c.PIIHashKey); err == nil && k.Insecure() {
			// Set explicitly, the public keys are as good as none. A
			// throw-away stack of a test may say so (fault tests).
			allow, err := envBool(getenv, "VERVAL_ALLOW_DEV_KEYS", false)
			if err != nil {
				errs = append(errs, err)
			} else if !allow {
				errs = append(errs, errors.New("VERVAL_PII_KEYS or VERVAL_PII_HASH_KEY holds a public development key, refused outside `verval dev`: generate your own keys (docs/security.md); only a throw-away test stack may set VERVAL_ALLOW_DEV_KEYS=true"))
			}
		}
		if c.DatabaseURL == "" && getenv("VERVAL_ALLOW_SQLITE") != "true" {
			errs = append(errs, errors.New("DATABASE_URL is required outside `verval dev` (set VERVAL_ALLOW_SQLITE=true to use the embedded file anyway)"))
		}
	}
	if c.CodecAuthToken == "" && dev {
		c.CodecAuthToken = "dev-codec-token"
	}
	return c, errors.Join(errs...)
}

// SQLitePath is the embedded database file.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "verval.db") }

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string, def bool) (bool, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("%s: %q is not true or false", key, v)
	}
	return b, nil
}

func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return def, fmt.Errorf("%s: %q is not a positive duration such as 30s or 12h", key, v)
	}
	return d, nil
}

// envDays reads a duration written in days ("60d") or as a Go duration
// ("1440h", "90s" for a test stack).
func envDays(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return def, fmt.Errorf("%s: %q is not a positive number of days such as 60d, or a duration such as 1440h", key, v)
}

func portOf(addr string) string {
	if _, p, err := net.SplitHostPort(addr); err == nil {
		return ":" + p
	}
	return ""
}

// SecureCookies reports whether the session cookie must be Secure: the
// public address browsers use is https. TLS ends at the reverse proxy in
// front of verval (docs/deployment.md), so no request verval sees is TLS.
func (c Config) SecureCookies() bool {
	u, err := url.Parse(c.PublicURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}
