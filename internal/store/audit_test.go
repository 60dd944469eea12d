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
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Tamper inside a transaction that is rolled back, so each
				// case starts from the intact chain.
				errStop := fmt.Errorf("rollback")
				err := db.Transaction(func(tx *gorm.DB) error {
					// Past the database's own guard, as its owner could.
					storetest.DropAuditGuards(t, tx)
					if err := tt.tamper(tx); err != nil {
						return err
					}
					brk, _, err := (&store.Store{DB: tx}).VerifyAudit(ctx)
					if err != nil {
						return err
					}
					if brk == nil || brk.ID != ids[tt.at] {
						t.Errorf("break at %+v, want entry %d", brk, ids[tt.at])
					}
					return errStop
				})
				if err != errStop {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestAuditChainConcurrentAppends: appends from many transactions at once
// (the officers' results, each in its own) still make one chain: no two
// entries link to the same predecessor, and a key sent twice at once is
// appended once.
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
				// Every key twice: a retry racing its first attempt.
				errs <- s.AppendAuditEntry(context.Background(), store.AuditEntry{
					IdemKey: fmt.Sprintf("race:%d", i%n), At: time.Now(), ActorID: int64(i%n + 1), ActorRole: "village",
					CycleID: 1, Action: "verification.submit",
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
