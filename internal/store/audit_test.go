package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// appendEntries appends n audit entries and returns their ids in order.
func appendEntries(t *testing.T, s *store.Store, n int) []int64 {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.AppendAuditEntry(context.Background(), store.AuditEntry{
			IdemKey: fmt.Sprintf("test:%d", i), At: time.Date(2026, 5, 1, 8, i, 0, 123456789, time.UTC),
			ActorID: int64(i + 1), ActorRole: "village", CycleID: 1, Action: "verification.submit", Detail: `{"outcome":"eligible"}`,
		}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	if err := s.DB.Model(&store.AuditEntry{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAuditChain(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s := storetest.NewStore(db, nil)
		ctx := context.Background()
		ids := appendEntries(t, s, 5)
		// A retried append (same key) adds nothing.
		if err := s.AppendAuditEntry(ctx, store.AuditEntry{IdemKey: "test:2", At: time.Now(), Action: "again"}); err != nil {
			t.Fatal(err)
		}
		brk, n, err := s.VerifyAudit(ctx)
		if err != nil || brk != nil || n != 5 {
			t.Fatalf("intact chain: break %+v, %d entries, %v; want none, 5", brk, n, err)
		}

		tests := []struct {
			name   string
			tamper func(tx *gorm.DB) error
			at     int // index into ids of the first broken entry
		}{
			{"edited detail", func(tx *gorm.DB) error {
				return tx.Model(&store.AuditEntry{}).Where("id = ?", ids[2]).Update("detail", `{"outcome":"not_poor"}`).Error
			}, 2},
			{"edited actor", func(tx *gorm.DB) error {
				return tx.Model(&store.AuditEntry{}).Where("id = ?", ids[1]).Update("actor_id", 99).Error
			}, 1},
			{"deleted entry", func(tx *gorm.DB) error {
				return tx.Delete(&store.AuditEntry{}, ids[3]).Error
			}, 4},
			// No link after it to break: the chain's head tells.
			{"deleted last entry", func(tx *gorm.DB) error {
				return tx.Delete(&store.AuditEntry{}, ids[4]).Error
			}, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if brk := breakAfter(t, db, tt.tamper); brk == nil || brk.ID != ids[tt.at] {
					t.Errorf("break at %+v, want entry %d", brk, ids[tt.at])
				}
			})
		}
	})
}

// breakAfter tampers with the chain inside a transaction that is rolled
// back (so the next case starts from the intact chain) and returns what
// VerifyAudit finds meanwhile.
func breakAfter(t *testing.T, db *gorm.DB, tamper func(tx *gorm.DB) error) *store.AuditBreak {
	t.Helper()
	var brk *store.AuditBreak
	errStop := fmt.Errorf("rollback")
	err := db.Transaction(func(tx *gorm.DB) error {
		// Past the database's own guard, as its owner could.
		storetest.DropAuditGuards(t, tx)
		if err := tamper(tx); err != nil {
			return err
		}
		b, _, err := (&store.Store{DB: tx}).VerifyAudit(context.Background())
		brk = b
		if err != nil {
			return err
		}
		return errStop
	})
	if err != errStop {
		t.Fatal(err)
	}
	return brk
}

// TestAuditChainConcurrentAppends: appends from many transactions at once
// (the officers' results, each in its own, with their other writes before
// the append) still make one chain: no two entries link to the same
// predecessor, a key sent twice at once is appended once, the chain's head
// is its last entry, and VerifyAudit still catches an edit and a removal
// after them.
func TestAuditChainConcurrentAppends(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s := storetest.NewStore(db, nil)
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.DB.Transaction(func(tx *gorm.DB) error {
					// The transaction's own work first, as RecordVisit's,
					// so that appends meet transactions at every stage.
					var x int64
					if err := tx.Model(&store.AuditEntry{}).Where("actor_id = ?", i%n+1).Count(&x).Error; err != nil {
						return err
					}
					time.Sleep(time.Duration(i%5) * time.Millisecond)
					// Every key twice: a retry racing its first attempt.
					return store.AppendAudit(tx, store.AuditEntry{
						IdemKey: fmt.Sprintf("race:%d", i%n), At: time.Now(), ActorID: int64(i%n + 1), ActorRole: "village",
						CycleID: 1, Action: "verification.submit", Detail: fmt.Sprintf(`{"n":%d,"text":"ü \\ '%d"}`, i%n, i),
					})
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		brk, count, err := s.VerifyAudit(context.Background())
		if err != nil || brk != nil || count != n {
			t.Fatalf("after %d concurrent appends of %d keys: break %+v, %d entries, %v; want an intact chain of %d", 2*n, n, brk, count, err, n)
		}
		var ids []int64
		if err := db.Model(&store.AuditEntry{}).Order("id").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		var last store.AuditEntry
		var head store.AuditHead
		if err := db.Last(&last).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Take(&head, "id = 1").Error; err != nil || head.Hash != last.Hash {
			t.Fatalf("head %q (%v), want the last entry's hash %q", head.Hash, err, last.Hash)
		}
		if brk := breakAfter(t, db, func(tx *gorm.DB) error {
			return tx.Model(&store.AuditEntry{}).Where("id = ?", ids[n/2]).Update("actor_role", "dinsos").Error
		}); brk == nil || brk.ID != ids[n/2] {
			t.Errorf("an edited entry: break %+v, want entry %d", brk, ids[n/2])
		}
		if brk := breakAfter(t, db, func(tx *gorm.DB) error {
			return tx.Delete(&store.AuditEntry{}, ids[n-1]).Error
		}); brk == nil || brk.ID != ids[n-2] {
			t.Errorf("the last entry removed: break %+v, want at entry %d", brk, ids[n-2])
		}
	})
}

// TestAuditAppendOnly: the database itself refuses to change or remove an
// audit entry, on SQLite and PostgreSQL, whatever the statement; appending
// still works, and the chain stays intact.
func TestAuditAppendOnly(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s := storetest.NewStore(db, nil)
		ids := appendEntries(t, s, 3)
		attempts := map[string]func() error{
			"update one column": func() error {
				return db.Model(&store.AuditEntry{}).Where("id = ?", ids[1]).Update("detail", `{"outcome":"not_poor"}`).Error
			},
			"update by SQL": func() error { return db.Exec("UPDATE audit_entries SET action = 'x'").Error },
			"delete one":    func() error { return db.Delete(&store.AuditEntry{}, ids[2]).Error },
			"delete all":    func() error { return db.Exec("DELETE FROM audit_entries").Error },
		}
		if store.IsPostgres(db) {
			attempts["truncate"] = func() error { return db.Exec("TRUNCATE audit_entries").Error }
		}
		for name, attempt := range attempts {
			err := attempt()
			if err == nil || !strings.Contains(err.Error(), store.AuditAppendOnlyMessage) {
				t.Errorf("%s: error %v, want the database's refusal (%q)", name, err, store.AuditAppendOnlyMessage)
			}
		}
		appendEntries(t, s, 4) // test:0..2 again are no-ops, test:3 is new
		brk, n, err := s.VerifyAudit(context.Background())
		if err != nil || brk != nil || n != 4 {
			t.Fatalf("after refused edits: break %+v, %d entries, %v; want intact, 4", brk, n, err)
		}
	})
}

// TestAuditHeadMigration: a database whose chain was written before the
// head existed gets a head at its last entry, and appends carry on from
// it with the chain intact.
func TestAuditHeadMigration(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s := storetest.NewStore(db, nil)
		appendEntries(t, s, 3)
		if err := db.Exec("DROP TABLE audit_heads").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM schema_migrations WHERE id = ?", "202612072401_audit_head").Error; err != nil {
			t.Fatal(err)
		}
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		appendEntries(t, s, 5) // test:0..2 again are no-ops
		brk, n, err := s.VerifyAudit(context.Background())
		if err != nil || brk != nil || n != 5 {
			t.Fatalf("after the migration: break %+v, %d entries, %v; want intact, 5", brk, n, err)
		}
	})
}
