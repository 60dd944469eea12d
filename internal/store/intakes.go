package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/verval/verval/internal/domain"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/reason"
)

// Intake statuses.
const (
	IntakeQueued  = "queued"
	IntakeRunning = "running"
	IntakeDone    = "done"
	IntakeFailed  = "failed"
)

// GetIntake returns an intake of a cycle the principal's region covers;
// the API checks the cycle first.
func (s *Store) GetIntake(ctx context.Context, id int64) (*Intake, error) {
	var in Intake
	if err := s.DB.WithContext(ctx).First(&in, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &in, nil
}

// IntakeIssues lists an intake's row issues in row order.
func (s *Store) IntakeIssues(ctx context.Context, id int64, limit, offset int) ([]IntakeIssue, int64, error) {
	q := s.DB.WithContext(ctx).Model(&IntakeIssue{}).Where("intake_id = ?", id)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []IntakeIssue
	err := q.Order("row, id").Limit(limit).Offset(offset).Find(&out).Error
	return out, total, err
}

// IntakeIssueCount counts an intake's row issues.
func (s *Store) IntakeIssueCount(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&IntakeIssue{}).Where("intake_id = ?", id).Count(&n).Error
	return n, err
}

// IntakeIssuesAfter lists at most limit of an intake's row issues in row
// order after the issue at (row, id) (from the start for 0, 0): the
// report's pages, each found by the index rather than by skipping the
// ones before it.
func (s *Store) IntakeIssuesAfter(ctx context.Context, id int64, row int, issueID int64, limit int) ([]IntakeIssue, error) {
	var out []IntakeIssue
	err := s.DB.WithContext(ctx).Where(`intake_id = ? AND ("row" > ? OR ("row" = ? AND id > ?))`, id, row, row, issueID).
		Order("row, id").Limit(limit).Find(&out).Error
	return out, err
}

// IntakeWithCycle is an intake and its cycle, without the file.
func (s *Store) IntakeWithCycle(ctx context.Context, id int64) (*Intake, *Cycle, error) {
	in, err := s.GetIntake(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var c Cycle
	if err := s.DB.WithContext(ctx).First(&c, "id = ?", in.CycleID).Error; err != nil {
		return nil, nil, wrapNotFound(err)
	}
	return in, &c, nil
}

// IntakeNotStarted is the ErrorCode of an intake whose workflow could not
// be started, with IntakeNotStartedMessage its English.
const IntakeNotStarted reason.Code = "intake.not_started"

// IntakeNotStartedMessage is IntakeNotStarted's English.
const IntakeNotStartedMessage = "could not start the intake; upload again"

// The coded reasons of a family an intake leaves out because the cycle has
// it already (same No KK or P3KE id): an IntakeIssue of SeverityPresent on
// the family's row. IntakeCarried: the family was carried into this cycle
// from last year's (CarryOver), as household %s of this cycle, from the
// cycle of year %s. IntakePresent: the family came into this cycle
// earlier, from another file (or an usul), as household %s.
const (
	IntakeCarried reason.Code = "intake.carried"
	IntakePresent reason.Code = "intake.present"
)

// SeverityPresent is the severity of a row the intake left out because its
// family is in the cycle already: neither rejected nor a warning on a row
// that went in. Such rows are the intake's AlreadyPresent.
const SeverityPresent = "present"

// intakeEnglish is the English of the intake's own codes.
var intakeEnglish = reason.Catalogue{
	IntakeNotStarted: {Format: IntakeNotStartedMessage},
	IntakeCarried:    {Format: "already in this cycle as household %s, carried from the cycle of %s"},
	IntakePresent:    {Format: "already in this cycle as household %s, from an earlier file or usul of this cycle"},
}

// IntakeCodes returns the codes of the intake's own reasons, verval's and
// not the file's (the file's are internal/p3ke's): a failure to start, and
// a family already in the cycle.
func IntakeCodes() []reason.Code { return intakeEnglish.Codes() }

// IntakeEnglish is the English of IntakeCodes.
func IntakeEnglish() reason.Catalogue { return reason.Merge(intakeEnglish) }

// SetIntakeStatus records an intake's status (and error, when failed). An
// intake that ends deletes its uploaded file in the same transaction: the
// accepted families are stored (NIK and No KK sealed) and the row issues
// kept, so the file would only be a second copy of every number.
func (s *Store) SetIntakeStatus(ctx context.Context, id int64, status, msg string) error {
	return s.setIntakeStatus(ctx, id, status, msg, "", nil)
}

// FailIntake records that an intake failed: msg in English, and the coded
// reason (code and args) the pages translate; code is empty for a failure
// of verval's own, which has no code.
func (s *Store) FailIntake(ctx context.Context, id int64, msg string, code reason.Code, args []string) error {
	return s.setIntakeStatus(ctx, id, IntakeFailed, msg, code, args)
}

func (s *Store) setIntakeStatus(ctx context.Context, id int64, status, msg string, code reason.Code, args []string) error {
	u := map[string]any{"status": status, "error": msg, "error_code": string(code), "error_args": nil}
	if len(args) > 0 {
		b, err := json.Marshal(args)
		if err != nil {
			return err
		}
		u["error_args"] = string(b)
	}
	ended := status == IntakeDone || status == IntakeFailed
	if ended {
		u["finished_at"] = s.now()
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Intake{}).Where("id = ?", id).Updates(u).Error; err != nil {
			return err
		}
		if !ended {
			return nil
		}
		return deleteIntakeFile(tx, id)
	})
}

// NewHousehold is one accepted P3KE row, still in clear text; the store
// seals NIK and No KK before writing.
type NewHousehold struct {
	Household
	NIK  string
	NoKK string
	// People are the family's members (a DTSEN file's), the head among
	// them; none for a P3KE file.
	People []NewMember
}

// IntakeBatch is the outcome of a run of consecutive rows.
type IntakeBatch struct {
	IntakeID int64
	// FirstRow and LastRow bound the rows of the batch; a batch whose rows
	// were already stored (a retried activity) is skipped whole.
	FirstRow, LastRow int
	Households        []NewHousehold
	// References are the batch's families above the cycle's scope.
	References []ReferenceFamily
	Issues     []IntakeIssue
	Accepted   int
	Skipped    int
	Rejected   int
	Warnings   int
	Rows       int
	DueAt      time.Time
}

// SaveIntakeBatch stores a batch's new households (with their tasks and
// first stage-history row), its issues and its counts in one transaction. A
// family already in the cycle (same No KK or P3KE id) is counted as already
// present and not stored again. It returns how many were stored.
func (s *Store) SaveIntakeBatch(ctx context.Context, b IntakeBatch) (int, error) {
	stored := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var in Intake
		if err := tx.First(&in, "id = ?", b.IntakeID).Error; err != nil {
			return wrapNotFound(err)
		}
		if in.LastRow >= b.LastRow {
			return nil // stored by an earlier attempt
		}
		now := s.now()
		fresh, present, err := s.newOnly(tx, in.CycleID, b.Households)
		if err != nil {
			return err
		}
		b.Issues = append(b.Issues, present...)
		rows := make([]Household, 0, len(fresh))
		for _, nh := range fresh {
			h := nh.Household
			h.CycleID, h.IntakeID = in.CycleID, in.ID
			if h.NIKSealed, err = s.Keys.Seal(nh.NIK, ADNIK); err != nil {
				return err
			}
			if h.KKSealed, err = s.Keys.Seal(nh.NoKK, ADNoKK); err != nil {
				return err
			}
			h.NIKHash, h.KKHash = s.Keys.Hash(nh.NIK), s.Keys.Hash(nh.NoKK)
			h.Stage, h.StageEnteredAt = "awaiting_verification", now
			rows = append(rows, h)
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
				return fmt.Errorf("store households: %w", err)
			}
			tasks := make([]Task, len(rows))
			evs := make([]StageEvent, len(rows))
			for i, h := range rows {
				tasks[i] = Task{HouseholdID: h.ID, CycleID: h.CycleID, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode, DueAt: b.DueAt.UTC(), Status: domain.TaskOpen}
				evs[i] = StageEvent{HouseholdID: h.ID, Seq: 0, Stage: h.Stage, At: now, Reason: "P3KE intake"}
			}
			if err := tx.CreateInBatches(&tasks, 200).Error; err != nil {
				return fmt.Errorf("store tasks: %w", err)
			}
			if err := tx.CreateInBatches(&evs, 200).Error; err != nil {
				return fmt.Errorf("store stage history: %w", err)
			}
			if err := s.createMembers(tx, fresh, rows); err != nil {
				return err
			}
		}
		if len(b.References) > 0 {
			for i := range b.References {
				b.References[i].CycleID, b.References[i].IntakeID = in.CycleID, in.ID
			}
			// A family already kept (the same file uploaded again) is
			// kept once: unique on cycle and family id.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&b.References, 200).Error; err != nil {
				return fmt.Errorf("store reference families: %w", err)
			}
		}
		if len(b.Issues) > 0 {
			for i := range b.Issues {
				b.Issues[i].IntakeID = in.ID
			}
			if err := tx.CreateInBatches(&b.Issues, 200).Error; err != nil {
				return fmt.Errorf("store issues: %w", err)
			}
		}
		stored = len(rows)
		return tx.Model(&Intake{}).Where("id = ?", in.ID).Updates(map[string]any{
			"last_row":          b.LastRow,
			"rows_parsed":       gorm.Expr("rows_parsed + ?", b.Rows),
			"accepted":          gorm.Expr("accepted + ?", b.Accepted),
			"skipped":           gorm.Expr("skipped + ?", b.Skipped),
			"rejected":          gorm.Expr("rejected + ?", b.Rejected),
			"warnings":          gorm.Expr("warnings + ?", b.Warnings),
			"households_stored": gorm.Expr("households_stored + ?", len(rows)),
			"already_present":   gorm.Expr("already_present + ?", len(b.Households)-len(rows)),
		}).Error
	})
	return stored, err
}

// newOnly drops the families already in the cycle, by No KK hash or P3KE
// id, and says for each which household of the cycle has it: an issue on
// its row, coded IntakeCarried when that household was carried from last
// year's cycle and IntakePresent otherwise.
func (s *Store) newOnly(tx *gorm.DB, cycleID int64, hs []NewHousehold) ([]NewHousehold, []IntakeIssue, error) {
	if len(hs) == 0 {
		return nil, nil, nil
	}
	hashes := make([]string, len(hs))
	ids := make([]string, len(hs))
	for i, h := range hs {
		hashes[i], ids[i] = s.Keys.Hash(h.NoKK), h.FamilyID
	}
	var existing []Household
	if err := tx.Select("id, kk_hash, family_id, source, prev_household_id").
		Where("cycle_id = ? AND (kk_hash IN ? OR family_id IN ?)", cycleID, hashes, ids).Find(&existing).Error; err != nil {
		return nil, nil, err
	}
	seen := make(map[string]*Household, 2*len(existing))
	for i, e := range existing {
		seen["kk:"+e.KKHash], seen["id:"+e.FamilyID] = &existing[i], &existing[i]
	}
	var prevYear string
	out := hs[:0:0]
	var issues []IntakeIssue
	for i, h := range hs {
		e, column := seen["kk:"+hashes[i]], "no_kk"
		if e == nil {
			e, column = seen["id:"+h.FamilyID], "id_keluarga_p3ke"
		}
		if e == nil {
			out = append(out, h)
			continue
		}
		code, args := IntakePresent, []string{strconv.FormatInt(e.ID, 10)}
		if e.Source == SourceCarried && e.PrevHouseholdID != nil {
			if prevYear == "" {
				var cy Cycle
				if err := tx.Select("cycles.year").Joins("JOIN households ON households.cycle_id = cycles.id").
					First(&cy, "households.id = ?", *e.PrevHouseholdID).Error; err != nil {
					return nil, nil, wrapNotFound(err)
				}
				prevYear = strconv.Itoa(cy.Year)
			}
			code, args = IntakeCarried, append(args, prevYear)
		}
		issues = append(issues, IntakeIssue{Row: h.Row, Column: column, Severity: SeverityPresent, Code: string(code), Args: args,
			Reason: intakeEnglish.MustRender(code, args)})
	}
	return out, issues, nil
}

// PendingStart is a stored household whose workflow is not yet started.
type PendingStart struct {
	ID            int64
	CycleID       int64
	KecamatanCode string
	DesaCode      string
	RegencyCode   string
	Desil         int
	InDTKS        bool `gorm:"column:in_dtks"`
}

// PendingStarts lists, after afterID, the households whose workflows an
// intake starts and that are not started yet: its own, and those of an
// earlier intake of its cycle that ended (done or failed) without
// starting them, such as the batches stored before a parse that failed
// part way. The households of another intake still running are left to
// it: its file is not checked to the end yet.
func (s *Store) PendingStarts(ctx context.Context, intakeID, afterID int64, limit int) ([]PendingStart, error) {
	var out []PendingStart
	ended := s.DB.Model(&Intake{}).Select("id").
		Where("cycle_id = (?) AND status IN ?", s.DB.Model(&Intake{}).Select("cycle_id").Where("id = ?", intakeID), []string{IntakeDone, IntakeFailed})
	err := s.DB.WithContext(ctx).Model(&Household{}).
		Select("id, cycle_id, kecamatan_code, desa_code, regency_code, desil, in_dtks").
		Where("(intake_id = ? OR intake_id IN (?)) AND workflow_started = ? AND id > ?", intakeID, ended, false, afterID).
		Order("id").Limit(limit).Scan(&out).Error
	return out, err
}

// MarkStarted records that these households' workflows run, and counts them
// on the intake.
func (s *Store) MarkStarted(ctx context.Context, intakeID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Household{}).Where("id IN ? AND workflow_started = ?", ids, false).Update("workflow_started", true)
		if res.Error != nil {
			return res.Error
		}
		return tx.Model(&Intake{}).Where("id = ?", intakeID).
			Update("workflows_started", gorm.Expr("workflows_started + ?", res.RowsAffected)).Error
	})
}

// Associated data for sealed columns: a NIK ciphertext copied into the No
// KK column (or anywhere else) no longer opens. A batch's copies of its
// households' numbers (ProposalItem.NIKSealed, KKSealed) are the
// household's ciphertexts, under these same strings.
const (
	ADNIK  = "households.nik"
	ADNoKK = "households.no_kk"
)
