package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestSQLiteReadsDoNotWaitForTheWriter: with a write transaction open on
// the embedded database's one writer connection, a query still answers
// from the read pool, and sees what was committed before it, not the
// transaction's uncommitted rows.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(t.TempDir(), "verval.db"), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	writer, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if n := writer.Stats().MaxOpenConnections; n != 1 {
		t.Fatalf("the writer pool allows %d connections; SQLite has one writer", n)
	}
	committed := store.Cycle{RegencyCode: "35.05", Year: 2026, OpenedAt: time.Now(), VerificationDays: 30}
	if err := db.Create(&committed).Error; err != nil {
		t.Fatalf("a write outside a transaction: %v", err)
	}

	tx := db.Begin()
	if err := tx.Create(&store.Cycle{RegencyCode: "35.05", Year: 2027, OpenedAt: time.Now(), VerificationDays: 30}).Error; err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	readCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var years []int
	if err := db.WithContext(readCtx).Model(&store.Cycle{}).Order("year").Pluck("year", &years).Error; err != nil {
		t.Fatalf("a read while the writer is in a transaction: %v", err)
	}
	if len(years) != 1 || years[0] != 2026 {
		t.Fatalf("read %v, want the committed [2026] only", years)
	}
	// Inside the transaction its own rows are visible: it runs on the writer.
	var n int64
	if err := tx.Model(&store.Cycle{}).Count(&n).Error; err != nil || n != 2 {
		t.Fatalf("count inside the transaction: %d, %v; want 2", n, err)
	}
}
