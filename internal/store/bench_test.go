package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
)

// intakeBatchSize is what the intake activity commits at once.
const intakeBatchSize = 500

// BenchmarkSaveIntakeBatch stores batches of 500 new households (sealed
// NIK and No KK, keyed hashes, duplicate check, tasks and first
// stage-history rows, issues and counters) on the embedded SQLite file, as
// ParseIntake does. households/s is the ceiling of intake's storing step
// on this machine; `verval bench intake` shows how close the activity gets.
func BenchmarkSaveIntakeBatch(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(b.TempDir(), "verval.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	s := &store.Store{DB: db, Keys: pii.DevKeyring()}
	cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30}
	if err := s.CreateCycle(ctx, &cy); err != nil {
		b.Fatal(err)
	}
	in := store.Intake{CycleID: cy.ID, FileName: "bench.csv"}
	if err := s.CreateIntake(ctx, &in, strings.NewReader("id_keluarga_p3ke\n"), 17); err != nil {
		b.Fatal(err)
	}
	due := time.Now().Add(30 * 24 * time.Hour)
	row := 1
	b.ReportAllocs()
	for b.Loop() {
		batch := store.IntakeBatch{IntakeID: in.ID, FirstRow: row + 1, DueAt: due}
		for range intakeBatchSize {
			row++
			batch.Households = append(batch.Households, benchHousehold(row))
		}
		batch.LastRow, batch.Rows, batch.Accepted = row, intakeBatchSize, intakeBatchSize
		// A few percent of rows carry an issue, as real files do.
		for i := 0; i < intakeBatchSize/33; i++ {
			batch.Issues = append(batch.Issues, store.IntakeIssue{Row: batch.FirstRow + i*33, Column: "nik_kepala_keluarga", Reason: "NIK must be 16 digits", Severity: "error"})
		}
		n, err := s.SaveIntakeBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if n != intakeBatchSize {
			b.Fatalf("stored %d of %d", n, intakeBatchSize)
		}
	}
	b.ReportMetric(float64(b.N*intakeBatchSize)/b.Elapsed().Seconds(), "households/s")
}

// benchHousehold is a made-up family of Kec. Wonodadi, Kab. Blitar.
func benchHousehold(i int) store.NewHousehold {
	desa := fmt.Sprintf("35.05.01.20%02d", 1+i%10)
	return store.NewHousehold{
		NIK:  fmt.Sprintf("3505011503%02d%04d", 40+i%60, i%10000),
		NoKK: fmt.Sprintf("350501%010d", i),
		Household: store.Household{
			Row: i, FamilyID: fmt.Sprintf("3505%08d", i), KKMasked: "3505********0001", NIKMasked: "3505********0001",
			Name: "SUPARMAN WIBOWO", Sex: "L", Address: "Dusun Krajan RT 001 RW 002", Members: 4,
			Occupation: "Buruh Tani", Education: "SD/Sederajat",
			Indicators:  domain.Indicators{JenisLantai: "Tanah", JenisDinding: "Bambu", JenisAtap: "Genteng"},
			RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: desa, Desil: 1, InDTKS: i%3 != 0,
		},
	}
}
