package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

type sanggahRequest struct {
	HouseholdID   int64  `json:"householdId"`
	Kind          string `json:"kind"`
	Channel       string `json:"channel"`
	ObjectorKind  string `json:"objectorKind"`
	ObjectorName  string `json:"objectorName"`
	ObjectorPhone string `json:"objectorPhone"`
	Reason        string `json:"reason"`
	Reverifier    string `json:"reverifier"`
}

// sanggahView is an objection as the API shows it: never its objector.
type sanggahView struct {
	store.Sanggah
	TemporalURL string `json:"temporalUrl"`
}

func (s *Server) viewSanggah(sg *store.Sanggah) sanggahView {
	return sanggahView{Sanggah: *sg, TemporalURL: s.sanggahWorkflowURL(sg.ID)}
}

// sanggahWorkflowURL links an objection's case in the Temporal Web UI.
func (s *Server) sanggahWorkflowURL(id int64) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimRight(s.deps.TemporalUIURL, "/"),
		url.PathEscape(s.deps.TemporalNamespace), url.PathEscape(workflows.SanggahWorkflowID(id)))
}

// fileSanggah records an objection to a household's decision and starts
// its case; the answer carries the objector's receipt code.
func (s *Server) fileSanggah(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req sanggahRequest
	if !s.bind(c, &req, `must be JSON: {"householdId":1,"kind":"inclusion","channel":"walk_in","objectorKind":"citizen","objectorName":"...","objectorPhone":"08...","reason":"..."}`) {
		return
	}
	sg, err := s.deps.Office.FileSanggah(c.Request.Context(), caller(c), office.NewSanggah{
		CycleID: cy.ID, HouseholdID: req.HouseholdID, Kind: domain.SanggahKind(req.Kind), Channel: req.Channel,
		ObjectorKind: req.ObjectorKind, Objector: store.SanggahObjector{Name: req.ObjectorName, Phone: req.ObjectorPhone},
		Reason: req.Reason, Reverifier: req.Reverifier,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.viewSanggah(sg))
}

// listSanggah lists a cycle's objections in the caller's region.
func (s *Server) listSanggah(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	list, err := s.deps.Office.ListSanggah(c.Request.Context(), caller(c), cy, c.Query("status"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]sanggahView, len(list))
	for i := range list {
		out[i] = s.viewSanggah(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"sanggah": out})
}

func (s *Server) getSanggah(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	sg, err := s.deps.Office.GetSanggah(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewSanggah(sg))
}

type sanggahFindingRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// sanggahFinding records the re-verification's finding.
func (s *Server) sanggahFinding(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req sanggahFindingRequest
	if !s.bind(c, &req, `must be JSON: {"outcome":"not_poor","note":"..."}`) {
		return
	}
	sg, err := s.deps.Office.SanggahFinding(c.Request.Context(), caller(c), id, c.GetHeader("Idempotency-Key"), domain.Outcome(req.Outcome), req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewSanggah(sg))
}

type sanggahDecisionRequest struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// sanggahDecision records Dinsos' decision.
func (s *Server) sanggahDecision(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req sanggahDecisionRequest
	if !s.bind(c, &req, `must be JSON: {"decision":"upheld","note":"..."}`) {
		return
	}
	sg, err := s.deps.Office.DecideSanggah(c.Request.Context(), caller(c), id, c.GetHeader("Idempotency-Key"), req.Decision, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewSanggah(sg))
}

// publicSanggah is the login-free status of an objection: its status,
// dates and kecamatan, and nothing that names a person or a desa.
type publicSanggah struct {
	store.SanggahPublic
	KecamatanName string `json:"kecamatanName"`
}

// sanggahStatus answers the login-free status of a receipt code, limited
// per client address (429 with Retry-After past the limit).
func (s *Server) sanggahStatus(c *gin.Context) {
	if !s.statusAllowed(c) {
		return
	}
	st, err := s.deps.Office.SanggahStatus(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	name, _ := wilayah.Default().Name(st.KecamatanCode)
	c.JSON(http.StatusOK, publicSanggah{SanggahPublic: *st, KecamatanName: name})
}

// statusAllowed counts a status look-up against the client's address and
// answers 429 with Retry-After when it is over the limit.
func (s *Server) statusAllowed(c *gin.Context) bool {
	wait := s.status.take(s.deps.Office.Now(), clientKey(c.ClientIP()))
	if wait <= 0 {
		return true
	}
	secs := int((wait + time.Second - 1) / time.Second)
	c.Header("Retry-After", strconv.Itoa(secs))
	c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{
		Error:     fmt.Sprintf("too many status look-ups; try again in %d seconds", secs),
		RequestID: c.GetString(requestIDKey),
	})
	return false
}

// Status look-ups a client address may make per statusWindow: enough for
// a person checking their receipts, too few to walk the codes.
const (
	statusWindow  = time.Minute
	statusMax     = 30
	statusMaxKeys = 100_000
)

// statusLimiter counts each address's look-ups in a sliding window. In
// memory, per replica, as the login throttle is. Safe for concurrent use.
type statusLimiter struct {
	window  time.Duration
	max     int
	maxKeys int
	mu      sync.Mutex
	hits    map[string][]time.Time
}

func newStatusLimiter(window time.Duration, max, maxKeys int) *statusLimiter {
	return &statusLimiter{window: window, max: max, maxKeys: maxKeys, hits: make(map[string][]time.Time)}
}

// take counts a look-up by key at now, or returns how long key must wait.
func (l *statusLimiter) take(now time.Time, key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.hits[key]
	for len(recent) > 0 && now.Sub(recent[0]) >= l.window {
		recent = recent[1:]
	}
	if len(recent) >= l.max {
		l.hits[key] = recent
		return recent[0].Add(l.window).Sub(now)
	}
	if len(l.hits) >= l.maxKeys {
		// Too many addresses to track: forget the idle ones.
		for k, v := range l.hits {
			if len(v) == 0 || now.Sub(v[len(v)-1]) >= l.window {
				delete(l.hits, k)
			}
		}
	}
	l.hits[key] = append(recent, now)
	return 0
}
