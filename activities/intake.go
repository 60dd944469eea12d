package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// intakeBatch is how many rows one transaction stores: large enough to
// amortise commits, small enough that a crash repeats little work.
const intakeBatch = 500

// startParallelism is how many workflow starts run at once; the Temporal
// frontend, not verval, is the limit, and a few dozen in flight saturate a
// dev server on two cores.
const startParallelism = 32

// markBatch is how many started households are marked in one transaction.
const markBatch = 250

// IntakeRef names an intake.
type IntakeRef struct {
	IntakeID int64
}

// IntakeCounts are an intake's figures so far.
type IntakeCounts struct {
	Rows     int
	Stored   int
	Started  int
	Rejected int
}

// ParseIntake validates the intake's file row by row and stores every
// accepted desil-1 family with its verification task, in batches. It is
// resumable: each batch commits with the last row it covers, so a retry
// after a crash skips what is stored and the counts stay exact.
func (a *Activities) ParseIntake(ctx context.Context, in IntakeRef) (IntakeCounts, error) {
	intake, cycle, err := a.Store.IntakeWithCycle(ctx, in.IntakeID)
	if err != nil {
		return IntakeCounts{}, classify(err)
	}
	file, err := a.Store.OpenIntakeFile(ctx, in.IntakeID)
	if err != nil {
		return IntakeCounts{}, classify(err)
	}
	if err := a.Store.SetIntakeStatus(ctx, in.IntakeID, store.IntakeRunning, ""); err != nil {
		return IntakeCounts{}, classify(err)
	}
	p, err := p3ke.Open(file, p3ke.Options{Regency: cycle.RegencyCode, MaxDesil: cycle.MaxDesil})
	if err != nil {
		if err := file.Err(); err != nil {
			return IntakeCounts{}, classify(err) // the database failed, not the file
		}
		var fe *p3ke.FormatError
		if errors.As(err, &fe) {
			return IntakeCounts{}, unreadableFile(fe)
		}
		return IntakeCounts{}, temporal.NewNonRetryableApplicationError(err.Error(), "UnreadableFile", nil)
	}
	defer p.Close()
	due := cycle.VerificationDue()
	b := store.IntakeBatch{IntakeID: in.IntakeID, DueAt: due}
	counts := IntakeCounts{}
	flush := func() error {
		if b.Rows == 0 {
			return nil
		}
		n, err := a.Store.SaveIntakeBatch(ctx, b)
		if err != nil {
			return classify(err)
		}
		counts.Stored += n
		activity.RecordHeartbeat(ctx, b.LastRow)
		b = store.IntakeBatch{IntakeID: in.IntakeID, DueAt: due}
		return ctx.Err()
	}
	for res, err := range p.All() {
		if err != nil {
			if err := file.Err(); err != nil {
				return counts, classify(err)
			}
			var fe *p3ke.FormatError
			if errors.As(err, &fe) {
				return counts, unreadableFile(p3ke.UnreadablePastRow(b.LastRow, fe))
			}
			return counts, temporal.NewNonRetryableApplicationError("the file cannot be read past row "+fmt.Sprint(b.LastRow)+": "+err.Error(), "UnreadableFile", nil)
		}
		// A family ends at its last member row (a DTSEN file's); a batch
		// holds whole families.
		row := res.LastRow
		counts.Rows++
		if row <= intake.LastRow {
			continue // stored before a restart
		}
		if b.FirstRow == 0 {
			b.FirstRow = res.Record.Row
		}
		b.LastRow = row
		b.Rows++
		switch res.Status {
		case p3ke.Accepted:
			b.Accepted++
			b.Households = append(b.Households, household(res.Record))
		case p3ke.Skipped:
			b.Skipped++
			b.References = append(b.References, reference(res.Record, cycle.RegencyCode))
		case p3ke.Rejected:
			b.Rejected++
			counts.Rejected++
		}
		for _, is := range res.Issues {
			if is.Severity == p3ke.SeverityWarning {
				b.Warnings++
			}
			b.Issues = append(b.Issues, store.IntakeIssue{Row: is.Row, Column: is.Column, Reason: is.Reason, Severity: string(is.Severity),
				Code: string(is.Code), Args: is.Args})
		}
		if b.Rows >= intakeBatch {
			if err := flush(); err != nil {
				return counts, err
			}
		}
	}
	return counts, flush()
}

// household turns an accepted P3KE record into a household to store.
func household(r p3ke.Record) store.NewHousehold {
	i := r.Indicators
	return store.NewHousehold{NIK: r.NIK, NoKK: r.NoKK, Household: store.Household{
		Row: r.Row, FamilyID: r.FamilyID, KKMasked: ident.Mask(r.NoKK), NIKMasked: ident.Mask(r.NIK),
		Name: r.Name, Sex: r.Sex, BirthDate: r.BirthDate, Address: r.Address, Members: r.Members,
		Occupation: r.Occupation, Education: r.Education,
		Indicators: domain.Indicators{
			KepemilikanRumah: i.HomeOwnership, JenisLantai: i.Floor, JenisDinding: i.Wall, JenisAtap: i.Roof,
			SumberAirMinum: i.DrinkingWater, SumberPenerangan: i.Lighting, BahanBakarMemasak: i.CookingFuel, FasilitasBAB: i.Toilet,
		},
		RegencyCode: wilayah.Regency(r.VillageCode), KecamatanCode: wilayah.Kecamatan(r.VillageCode), DesaCode: r.VillageCode,
		Desil: r.Desil, InDTKS: r.InDTKS, PKH: r.PKH, BPNT: r.BPNT, PBI: r.PBI,
	}, People: people(r.People)}
}

// people turns a family's member rows into members to store.
func people(ms []p3ke.Member) []store.NewMember {
	if len(ms) == 0 {
		return nil
	}
	out := make([]store.NewMember, len(ms))
	for i, m := range ms {
		out[i] = store.NewMember{NIK: m.NIK, HouseholdMember: store.HouseholdMember{
			Name: m.Name, Relation: string(m.Relation), Sex: m.Sex, BirthDate: m.BirthDate, Occupation: m.Occupation,
			Disability: string(m.Disability), InSchool: m.InSchool, Pregnant: m.Pregnant,
		}}
	}
	return out
}

// reference turns a family above the cycle's scope into its reference
// row: nothing personal.
func reference(r p3ke.Record, regency string) store.ReferenceFamily {
	desa := r.VillageCode
	if desa == "" {
		desa = regency
	}
	return store.ReferenceFamily{Row: r.Row, FamilyID: r.FamilyID, Desil: r.Desil, DesaCode: desa, Members: r.Members}
}

// StartIntakeCases starts the workflow of every household the intake
// stored, and of those an earlier intake of the cycle stored but ended
// without starting (store.PendingStarts: a parse that failed part way
// stored its first batches), startParallelism at a time. It is a sliding window: the next
// household starts as soon as any start returns, and the households
// started are marked in the database in batches behind the window (every
// markBatch starts or every second), which is also when the activity
// heartbeats. Starting an existing workflow ID is refused by Temporal, so
// after a crash the households started but not yet marked are simply
// started again, and nobody twice.
func (a *Activities) StartIntakeCases(ctx context.Context, in IntakeRef) (IntakeCounts, error) {
	intake, cycle, err := a.Store.IntakeWithCycle(ctx, in.IntakeID)
	if err != nil {
		return IntakeCounts{}, classify(err)
	}
	due := cycle.VerificationDue()
	counts := IntakeCounts{Started: intake.WorkflowsStarted}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	todo := make(chan store.PendingStart, startParallelism)
	started := make(chan int64, startParallelism)
	g.Go(func() error {
		defer close(todo)
		var after int64
		for {
			page, err := a.Store.PendingStarts(gctx, in.IntakeID, after, 500)
			if err != nil {
				return classify(err)
			}
			if len(page) == 0 {
				return nil
			}
			for _, h := range page {
				select {
				case todo <- h:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			after = page[len(page)-1].ID
		}
	})
	var starters sync.WaitGroup
	for range startParallelism {
		starters.Add(1)
		g.Go(func() error {
			defer starters.Done()
			for h := range todo {
				if _, err := a.Cases.StartHousehold(gctx, domain.HouseholdStart{
					CycleID: h.CycleID, HouseholdID: h.ID, Year: cycle.Year,
					RegencyCode: h.RegencyCode, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode,
					Desil: h.Desil, InDTKS: h.InDTKS, CycleOpenedAt: cycle.OpenedAt, DueAt: due,
				}); err != nil {
					return fmt.Errorf("start household workflows: %w", err)
				}
				select {
				case started <- h.ID:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	go func() {
		starters.Wait()
		close(started)
	}()

	var batch []int64
	mark := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := a.Store.MarkStarted(ctx, in.IntakeID, batch); err != nil {
			return classify(err)
		}
		counts.Started += len(batch)
		batch = batch[:0]
		activity.RecordHeartbeat(ctx, counts.Started)
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var markErr error
	for markErr == nil {
		select {
		case id, ok := <-started:
			if !ok {
				return counts, errors.Join(g.Wait(), mark())
			}
			if batch = append(batch, id); len(batch) >= markBatch {
				markErr = mark()
			}
		case <-tick.C:
			markErr = mark()
		}
	}
	// Marking failed: stop the window; what was started but not marked is
	// started again (and refused as already started) on the retry.
	cancel()
	for range started {
	}
	_ = g.Wait()
	return counts, markErr
}

// IntakeFailure is the coded reason a file stopped its intake
// (internal/p3ke's codes): the details of ParseIntake's UnreadableFile
// application error, which the intake workflow hands to FinishIntake.
type IntakeFailure struct {
	Code reason.Code
	Args []string
}

// unreadableFile is ParseIntake's non-retryable error for a file that
// cannot be read (further): fe's English as the message, its code as the
// details.
func unreadableFile(fe *p3ke.FormatError) error {
	return temporal.NewNonRetryableApplicationError(fe.Error(), "UnreadableFile", nil, IntakeFailure{Code: fe.Code, Args: fe.Args})
}

// FinishIntakeInput closes an intake.
type FinishIntakeInput struct {
	IntakeID int64
	// Error is the reason an intake failed; empty when it succeeded.
	Error string
	// Code and Args are Error as a coded reason, when the file was at
	// fault (IntakeFailure); empty for a failure of verval's own.
	Code reason.Code
	Args []string
}

// FinishIntake records an intake's end.
func (a *Activities) FinishIntake(ctx context.Context, in FinishIntakeInput) error {
	if in.Error == "" {
		return classify(a.Store.SetIntakeStatus(ctx, in.IntakeID, store.IntakeDone, ""))
	}
	return classify(a.Store.FailIntake(ctx, in.IntakeID, in.Error, in.Code, in.Args))
}
