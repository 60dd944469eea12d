// Package office is verval's application service: every step a person
// takes (open a cycle, load a P3KE file, record a visit or a village
// meeting, draft, review and sign a decree, build and send a Kemensos
// batch, record its answers, close the cycle) and every list they read, as
// one method each.
//
// Each method takes the Caller, checks their role (Allowed, one table for
// both doors) and region, then calls the store and the workflows. Package
// api (JSON) and package api/web (pages) are thin adapters over it: they
// parse a request, call one method and render its result or its
// *domain.Error. No rule lives in a handler, so a page cannot skip a rule
// the API keeps.
package office

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/semaphore"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/objstore"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// Deps are what the office needs, built once in cmd/verval.
type Deps struct {
	Store    *store.Store
	Temporal client.Client
	// Namespace is the Temporal namespace, for resetting a household's
	// sticky queue.
	Namespace string
	// ResetSticky resets a household's sticky queue before an Update: set
	// it when the workers cache workflows.
	ResetSticky bool
	Log         *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Kemensos configures proposals.
	Kemensos KemensosOptions
	// EnrolRules are the programmes' rules (VERVAL_ENROL_RULES); nil means
	// enrol.DefaultRules.
	EnrolRules []enrol.Rule
	// MaxIntakeFile bounds a P3KE upload; 0 means DefaultMaxIntakeFile.
	MaxIntakeFile int64
	// WorkbookMemory bounds the shared strings of the uploaded workbooks
	// being checked at once, in uncompressed bytes; 0 means
	// DefaultWorkbookMemory.
	WorkbookMemory int64
	// Objects keeps the sealed photos; nil refuses photo steps (503).
	Objects objstore.Store
	// PhotoRules say which photos a visit outcome needs
	// (VERVAL_PHOTOS_REQUIRED); nil means domain.DefaultPhotoRules.
	PhotoRules domain.PhotoRules
	// MaxPhoto bounds a photo upload; 0 means DefaultMaxPhoto.
	MaxPhoto int64
	// VisitFarKm: a visit this far from the median of its desa's visits
	// is flagged for the TKSK; 0 means DefaultVisitFarKm.
	VisitFarKm float64
}

// KemensosOptions configures the Kemensos gateway.
type KemensosOptions struct {
	// CutoffDay is the regency's monthly data cut-off (default 17): a
	// proposal built after it goes into next month's batch.
	CutoffDay int
	// ReminderAfter: Dinsos is reminded when a batch has unanswered
	// households this long after submission (default 60 days).
	ReminderAfter time.Duration
	// Simulated: batches are marked as answered by the simulated Kemensos
	// (the worker's gateway answers them).
	Simulated bool
}

// Service is the office. Its fields are unexported: the doors reach the
// store and the workflows only through its methods.
type Service struct {
	store    *store.Store
	temporal client.Client
	cases    workflows.Cases
	log      *slog.Logger
	now      func() time.Time
	kemensos KemensosOptions
	rules    []enrol.Rule
	// maxIntakeFile bounds a P3KE upload, in bytes.
	maxIntakeFile int64
	// workbooks admits uploaded workbooks to be read (admitWorkbook).
	workbooks *semaphore.Weighted
	// workbookMemory is workbooks' capacity.
	workbookMemory int64
	objects        objstore.Store
	photoRules     domain.PhotoRules
	maxPhoto       int64
	visitFarKm     float64
}

// New builds the office from its dependencies.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.EnrolRules == nil {
		d.EnrolRules = enrol.DefaultRules()
	}
	if d.Kemensos.CutoffDay <= 0 {
		d.Kemensos.CutoffDay = 17
	}
	if d.MaxIntakeFile <= 0 {
		d.MaxIntakeFile = DefaultMaxIntakeFile
	}
	if d.WorkbookMemory <= 0 {
		d.WorkbookMemory = DefaultWorkbookMemory
	}
	if d.PhotoRules == nil {
		d.PhotoRules = domain.DefaultPhotoRules()
	}
	if d.MaxPhoto <= 0 {
		d.MaxPhoto = DefaultMaxPhoto
	}
	if d.VisitFarKm <= 0 {
		d.VisitFarKm = DefaultVisitFarKm
	}
	return &Service{
		store: d.Store, temporal: d.Temporal, log: d.Log, now: d.Now, kemensos: d.Kemensos, rules: d.EnrolRules,
		maxIntakeFile: d.MaxIntakeFile, objects: d.Objects, photoRules: d.PhotoRules, maxPhoto: d.MaxPhoto, visitFarKm: d.VisitFarKm,
		workbooks: semaphore.NewWeighted(d.WorkbookMemory), workbookMemory: d.WorkbookMemory,
		cases: workflows.Cases{Client: d.Temporal, Namespace: d.Namespace, ResetSticky: d.ResetSticky},
	}
}

// Now is the office's clock, for the doors' own displays.
func (s *Service) Now() time.Time { return s.now() }

// EnrolRules are the configured programmes' rules, in their order.
func (s *Service) EnrolRules() []enrol.Rule { return s.rules }

// Caller is who takes a step: the signed-in principal and the request
// that carries the step, for the audit trail.
type Caller struct {
	auth.Principal
	RequestID string
}

// Actor is the caller as workflow inputs and the audit trail record them.
func (c Caller) Actor() domain.Actor {
	return domain.Actor{UserID: c.UserID, Role: string(c.Role), RequestID: c.RequestID}
}

// may refuses a step the caller's role may not take, and every step of a
// caller still signed in with a one-time password.
func (c Caller) may(st Step) error {
	if c.MustChangePassword {
		return domain.Err(domain.CodePasswordChange)
	}
	if !Allowed(st, c.Role) {
		return domain.Err(domain.CodeForbidden)
	}
	return nil
}

// seesNames reports whether the caller works with families by name: the
// roles of the regency's own offices and villages. An administrator fixing
// a stuck case sees names masked and addresses hidden everywhere.
func (c Caller) seesNames() bool {
	return c.Role.Visits() || c.Is(auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati)
}

// mask hides a family's name (first letters kept) and address from a
// caller who does not work with families by name: the one masking rule of
// every list, file and page.
func (c Caller) mask(name, address *string) {
	if !c.seesNames() {
		*name, *address = pii.MaskName(*name), HiddenAddress
	}
}

// maskName hides a member's name (first letters kept) from a caller who
// does not work with families by name, as mask does a head's.
func (c Caller) maskName(name *string) {
	if !c.seesNames() {
		*name = pii.MaskName(*name)
	}
}

// HiddenAddress replaces an address the caller may not see.
const HiddenAddress = "(hidden)"

// Ready reports whether the database and Temporal both answer, for the
// readiness probe: the first failure, or nil.
func (s *Service) Ready(ctx context.Context) (database, temporal error) {
	database = store.Ping(ctx, s.store.DB)
	_, temporal = s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return database, temporal
}

// audit appends an entry for a step that has happened; a failure is
// logged, since the step stands.
func (s *Service) audit(ctx context.Context, c Caller, cycleID int64, householdID *int64, action string, detail any) {
	if err := s.auditFirst(ctx, c, cycleID, householdID, action, detail); err != nil {
		s.log.Error("audit append failed", "action", action, "requestId", c.RequestID, "err", err)
	}
}

// auditFirst appends the entry and reports whether it was written: a step
// that hands out personal data gives nothing when it was not (no audit, no
// data). The key is the request's own (store.UniqueAuditKey): a step runs
// once per request.
func (s *Service) auditFirst(ctx context.Context, c Caller, cycleID int64, householdID *int64, action string, detail any) error {
	a := c.Actor()
	return s.store.AppendAuditEntry(ctx, store.AuditEntry{
		IdemKey: store.UniqueAuditKey(action, a.RequestID), At: s.now(), ActorID: a.UserID, ActorRole: a.Role,
		RequestID: a.RequestID, CycleID: cycleID, HouseholdID: householdID, Action: action, Detail: store.JSON(detail),
	})
}
