package office

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/workflows"
)

// Tasks lists the caller's verification tasks (their desa's, kecamatan's
// or regency's), most urgent first, with the total the filter matches.
func (s *Service) Tasks(ctx context.Context, c Caller, f store.TaskFilter) ([]store.TaskView, int64, error) {
	if err := c.may(StepReadTasks); err != nil {
		return nil, 0, err
	}
	switch f.Status {
	case "", domain.TaskOpen, domain.TaskSubmitted, domain.TaskClosed:
	default:
		return nil, 0, domain.FieldErr("status", domain.CodeBadRequest, "must be open, submitted or closed")
	}
	tasks, total, err := s.store.ListTasks(ctx, c.Principal, f)
	for i := range tasks {
		c.mask(&tasks[i].Name, &tasks[i].Address)
	}
	return tasks, total, err
}

// Task is household id's verification task if the caller may see it.
func (s *Service) Task(ctx context.Context, c Caller, id int64) (*store.TaskView, error) {
	if err := c.may(StepReadTasks); err != nil {
		return nil, err
	}
	t, err := s.store.GetTask(ctx, c.Principal, id)
	if err != nil {
		return nil, err
	}
	c.mask(&t.Name, &t.Address)
	return t, nil
}

// VisitResult is a village officer's visit result as a door takes it.
type VisitResult struct {
	// Version is the task version being corrected; 0 for a first result.
	Version     int
	Outcome     domain.Outcome
	VisitDate   string
	DuplicateOf int64
	Indicators  domain.Indicators
	Note        string
	// Location is where the phone was when the result was recorded, if
	// it gave one. It is kept beside the case (store.VisitPoint), not in
	// the workflow.
	Location *Location
}

// SubmitResult records a village officer's visit to task t through the
// household workflow's Update: the workflow's validator decides, so a
// refused result leaves no trace. key (the client's Idempotency-Key, or
// the form's) makes a resent result apply once; "" is a new request. The
// refusals are *domain.Error.
func (s *Service) SubmitResult(ctx context.Context, c Caller, t *store.TaskView, key string, r VisitResult) (workflows.VerificationResponse, error) {
	if err := c.may(StepSubmitResult); err != nil {
		return workflows.VerificationResponse{}, err
	}
	req := workflows.VerificationRequest{
		Actor: c.Actor(), ExpectedVersion: r.Version, Outcome: r.Outcome, VisitDate: strings.TrimSpace(r.VisitDate),
		DuplicateOf: r.DuplicateOf, Indicators: r.Indicators, Note: strings.TrimSpace(r.Note),
	}
	k, err := idempotency(c, "visit", t.HouseholdID, key, []any{req.ExpectedVersion, req.Outcome, req.VisitDate, req.DuplicateOf, req.Indicators, req.Note})
	if err != nil {
		return workflows.VerificationResponse{}, err
	}
	if !r.Location.valid() {
		return workflows.VerificationResponse{}, domain.FieldErr("location", domain.CodeVisitLocation)
	}
	if err := s.checkPhotos(ctx, t.HouseholdID, r.Outcome); err != nil {
		return workflows.VerificationResponse{}, err
	}
	req.Key, req.KeyHash = k.key, k.hash
	if r.DuplicateOf != 0 && r.DuplicateOf != t.HouseholdID {
		// The duplicate must be a household of the same cycle the officer can see.
		d, err := s.store.GetHousehold(ctx, c.Principal, r.DuplicateOf)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.CycleID != t.CycleID) {
			return workflows.VerificationResponse{}, domain.FieldErr("duplicateOf", domain.CodeVisitDuplicateUnknown)
		} else if err != nil {
			return workflows.VerificationResponse{}, err
		}
	}
	resp, err := s.cases.SubmitVerification(ctx, t.CycleID, t.HouseholdID, k.updateID, req)
	err = temporalx.RefusalOf(err)
	if current, ok := aheadByUnaccepted(err, t, r.Version); ok {
		// The database holds version r.Version from an attempt the
		// workflow never accepted (its workflow task failed after the
		// write): the workflow is one behind. This result supersedes that
		// attempt, so it is sent as the workflow's next version; the
		// store overwrites the unaccepted write with it.
		req.ExpectedVersion = current
		resp, err = s.cases.SubmitVerification(ctx, t.CycleID, t.HouseholdID, k.updateID+"-after-unaccepted", req)
		err = temporalx.RefusalOf(err)
	}
	if err == nil {
		s.recordVisitPoint(ctx, c, t, resp.Version, r.Location)
	}
	return resp, err
}

// aheadByUnaccepted reports whether err is the workflow refusing a stale
// version because the database is one version ahead of it: the task read
// from the database is at sent (what the officer saw and sent), the
// workflow at sent-1. It returns the workflow's version.
func aheadByUnaccepted(err error, t *store.TaskView, sent int) (int, bool) {
	e, ok := domain.As(err)
	if !ok || e.Code != domain.CodeVisitStale || len(e.Args) == 0 {
		return 0, false
	}
	current, convErr := strconv.Atoi(e.Args[0])
	return current, convErr == nil && sent > 0 && t.Version == sent && current == sent-1
}

// Reopen sends task t's household back to village verification (TKSK,
// Dinsos) with a reason; key as for SubmitResult.
func (s *Service) Reopen(ctx context.Context, c Caller, t *store.TaskView, key, reason string) (workflows.ReopenResponse, error) {
	if err := c.may(StepReopen); err != nil {
		return workflows.ReopenResponse{}, err
	}
	req := workflows.ReopenRequest{Actor: c.Actor(), Reason: strings.TrimSpace(reason)}
	k, err := idempotency(c, "reopen", t.HouseholdID, key, []any{req.Reason})
	if err != nil {
		return workflows.ReopenResponse{}, err
	}
	req.Key, req.KeyHash = k.key, k.hash
	resp, err := s.cases.Reopen(ctx, t.CycleID, t.HouseholdID, k.updateID, req)
	return resp, temporalx.RefusalOf(err)
}

// Assign gives task t to one active village officer of its desa (TKSK,
// Dinsos); assignee 0 gives it back to the whole desa.
func (s *Service) Assign(ctx context.Context, c Caller, t *store.TaskView, assignee int64) error {
	if err := c.may(StepAssign); err != nil {
		return err
	}
	return s.store.AssignTask(ctx, t.HouseholdID, t.DesaCode, assignee, c.Actor())
}

// VillageOfficers lists the active officers of desa, whom a supervisor
// may assign its tasks to.
func (s *Service) VillageOfficers(ctx context.Context, c Caller, desa string) ([]store.Officer, error) {
	if err := c.may(StepAssign); err != nil {
		return nil, err
	}
	if !c.Covers(desa) {
		return nil, store.ErrNotFound
	}
	return s.store.VillageOfficers(ctx, desa)
}

// DesaHouseholds lists the households of a cycle in one desa, by name,
// for a village officer to pick the other record of a duplicate ("Data
// ganda") by name rather than by a number no page shows. Names and
// addresses are masked for the roles that do not see them; a desa outside
// the caller's region is not found.
func (s *Service) DesaHouseholds(ctx context.Context, c Caller, cycleID int64, desa string) ([]store.HouseholdChoice, error) {
	if err := c.may(StepReadHouseholds); err != nil {
		return nil, err
	}
	if !c.Covers(desa) {
		return nil, store.ErrNotFound
	}
	list, err := s.store.DesaHouseholds(ctx, c.Principal, cycleID, desa)
	if err != nil {
		return nil, err
	}
	for i := range list {
		c.mask(&list[i].Name, &list[i].Address)
	}
	return list, nil
}

// maxKey bounds an idempotency key, which goes into an Update ID.
const maxKey = 100

// idemKey is an Update's idempotency: the caller-scoped key the workflow
// remembers, the hash of the request it came with, and the Update ID.
type idemKey struct{ key, hash, updateID string }

// idempotency binds an Idempotency-Key to the request it came with
// (canonical: the request's fields as JSON, in a fixed order): the Update
// ID holds a short hash of it, so the same key and request get the first
// answer (Temporal deduplicates the Update ID), while the same key with
// another request is a new Update, which the workflow's validator refuses
// (request.idempotency_key_reused, 422). Without a key every request is new.
func idempotency(c Caller, kind string, id int64, key string, request []any) (idemKey, error) {
	if key == "" {
		u, err := updateID(c, kind, id, "")
		return idemKey{updateID: u}, err
	}
	u, err := updateID(c, kind, id, key)
	if err != nil {
		return idemKey{}, err
	}
	b, err := json.Marshal(request)
	if err != nil {
		return idemKey{}, err
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:6])
	return idemKey{key: fmt.Sprintf("u%d-%s", c.UserID, key), hash: hash, updateID: u + "-" + hash}, nil
}

// updateID builds a Temporal Update ID from an idempotency key, scoped to
// the caller and the household so keys cannot collide across users;
// without a key every request is new.
func updateID(c Caller, kind string, id int64, key string) (string, error) {
	if key == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		key = hex.EncodeToString(b[:])
	} else if len(key) > maxKey {
		return "", domain.FieldErr("Idempotency-Key", domain.CodeBadRequest, fmt.Sprintf("must be at most %d characters", maxKey))
	}
	return fmt.Sprintf("%s-%d-u%d-%s", kind, id, c.UserID, key), nil
}
