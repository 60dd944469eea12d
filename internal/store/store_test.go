package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

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

// TestIntakeFileSealedAndDroppedAtTheEnd: the uploaded P3KE file, which
// lists every family's NIK, is stored sealed (no number in clear in the
// row), opens back to the upload, and is gone once the intake ends.
func TestIntakeFileSealedAndDroppedAtTheEnd(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := storetest.NewStore(db, nil)
		cy := store.Cycle{RegencyCode: "35.05", Year: 2026, OpenedAt: time.Now(), VerificationDays: 30}
		if err := db.Create(&cy).Error; err != nil {
			t.Fatal(err)
		}
		upload := []byte("nik,no_kk\n3505011503800001,3505010101260001\n")
		in := &store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		if err := st.CreateIntake(ctx, in, upload); err != nil {
			t.Fatal(err)
		}
		var raw store.IntakeFile
		if err := db.First(&raw, "intake_id = ?", in.ID).Error; err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw.Data, []byte("3505011503800001")) || bytes.Contains(raw.Data, []byte("nik,no_kk")) {
			t.Fatal("the stored file holds the upload in clear")
		}
		got, err := st.IntakeFileData(ctx, in.ID)
		if err != nil || !bytes.Equal(got, upload) {
			t.Fatalf("file read back: %q, %v", got, err)
		}

		if err := st.SetIntakeStatus(ctx, in.ID, store.IntakeRunning, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := st.IntakeFileData(ctx, in.ID); err != nil {
			t.Fatalf("a running intake lost its file: %v", err)
		}
		if err := st.SetIntakeStatus(ctx, in.ID, store.IntakeDone, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := st.IntakeFileData(ctx, in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("file after the intake ended: %v, want ErrNotFound", err)
		}
	})
}
