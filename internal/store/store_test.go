package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
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
// lists every family's NIK, is stored sealed in chunks (no number in clear
// in any row), reads back to the upload front to back and at any offset
// across chunk boundaries, and is gone once the intake ends.
func TestIntakeFileSealedAndDroppedAtTheEnd(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		upload := bigUpload(2*store.IntakeChunkSize + 12_345)
		in := &store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		if err := st.CreateIntake(ctx, in, bytes.NewReader(upload), int64(len(upload))); err != nil {
			t.Fatal(err)
		}
		var chunks []store.IntakeFileChunk
		if err := db.Order("seq").Find(&chunks, "intake_id = ?", in.ID).Error; err != nil {
			t.Fatal(err)
		}
		if len(chunks) != 3 || in.Size != int64(len(upload)) {
			t.Fatalf("%d chunks, size %d; want 3 chunks of a %d-byte file", len(chunks), in.Size, len(upload))
		}
		for _, c := range chunks {
			if bytes.Contains(c.Data, []byte("3505011503800001")) || bytes.Contains(c.Data, []byte("nik,no_kk")) {
				t.Fatalf("chunk %d holds the upload in clear", c.Seq)
			}
		}
		if got := readIntakeFile(t, st, in.ID); !bytes.Equal(got, upload) {
			t.Fatalf("file read back: %d bytes, want the %d uploaded", len(got), len(upload))
		}
		f, err := st.OpenIntakeFile(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, off := range []int64{0, store.IntakeChunkSize - 3, 2*store.IntakeChunkSize - 1, 5, int64(len(upload)) - 7} {
			p := make([]byte, 10)
			n, err := f.ReadAt(p, off)
			want := upload[off:min(off+10, int64(len(upload)))]
			if !bytes.Equal(p[:n], want) || (n < 10) != errors.Is(err, io.EOF) {
				t.Fatalf("ReadAt(10 bytes, %d) = %q, %v; want %q", off, p[:n], err, want)
			}
		}
		if f.Size() != int64(len(upload)) || f.Err() != nil {
			t.Fatalf("Size %d, Err %v", f.Size(), f.Err())
		}

		if err := st.SetIntakeStatus(ctx, in.ID, store.IntakeRunning, ""); err != nil {
			t.Fatal(err)
		}
		if got := readIntakeFile(t, st, in.ID); len(got) != len(upload) {
			t.Fatal("a running intake lost its file")
		}
		if err := st.SetIntakeStatus(ctx, in.ID, store.IntakeDone, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := st.OpenIntakeFile(ctx, in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("file after the intake ended: %v, want ErrNotFound", err)
		}
		var left int64
		if err := db.Model(&store.IntakeFileChunk{}).Where("intake_id = ?", in.ID).Count(&left).Error; err != nil || left != 0 {
			t.Fatalf("%d chunks left after the intake ended (%v)", left, err)
		}
	})
}

// TestIntakeFileTampering: chunks bound to their intake, place and the
// file's size: a file cut short, or chunks swapped, does not read back, and
// the failure is kept for the caller to tell from a bad file.
func TestIntakeFileTampering(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		upload := bigUpload(3 * store.IntakeChunkSize)
		newIntake := func() int64 {
			in := &store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
			if err := st.CreateIntake(ctx, in, bytes.NewReader(upload), int64(len(upload))); err != nil {
				t.Fatal(err)
			}
			return in.ID
		}
		readAll := func(id int64) error {
			f, err := st.OpenIntakeFile(ctx, id)
			if err != nil {
				return err
			}
			if _, err := io.ReadAll(f); err != nil {
				if f.Err() == nil {
					t.Errorf("read failed (%v) but Err() is nil", err)
				}
				return err
			}
			return nil
		}

		cut := newIntake()
		if err := db.Where("intake_id = ? AND seq = 2", cut).Delete(&store.IntakeFileChunk{}).Error; err != nil {
			t.Fatal(err)
		}
		if err := readAll(cut); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("file without its last chunk: %v, want ErrNotFound", err)
		}

		swapped := newIntake()
		var c0, c1 store.IntakeFileChunk
		db.First(&c0, "intake_id = ? AND seq = 0", swapped)
		db.First(&c1, "intake_id = ? AND seq = 1", swapped)
		db.Model(&store.IntakeFileChunk{}).Where("intake_id = ? AND seq = 1", swapped).Update("data", c0.Data)
		if err := readAll(swapped); err == nil {
			t.Error("a chunk moved to another place opened")
		}
		other := newIntake()
		db.Model(&store.IntakeFileChunk{}).Where("intake_id = ? AND seq = 0", other).Update("data", c1.Data)
		if err := readAll(other); err == nil {
			t.Error("another intake's chunk opened")
		}
	})
}

// TestIntakeFileFromBeforeChunks: an intake running across the upgrade
// still has its file in the single-row table; it reads back, and goes when
// the intake ends.
func TestIntakeFileFromBeforeChunks(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		in := &store.Intake{CycleID: cy.ID, FileName: "p3ke.csv", Status: store.IntakeRunning, Size: 999}
		if err := db.Create(in).Error; err != nil {
			t.Fatal(err)
		}
		upload := []byte("nik,no_kk\n3505011503800001,3505010101260001\n")
		sealed, err := st.Keys.SealBytes(upload, fmt.Appendf(nil, "intake_files.data:%d", in.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO intake_files (intake_id, data) VALUES (?, ?)", in.ID, []byte(sealed)).Error; err != nil {
			t.Fatal(err)
		}
		if got := readIntakeFile(t, st, in.ID); !bytes.Equal(got, upload) {
			t.Fatalf("old file read back: %q", got)
		}
		if err := st.SetIntakeStatus(ctx, in.ID, store.IntakeFailed, "x"); err != nil {
			t.Fatal(err)
		}
		var left int64
		if err := db.Table("intake_files").Where("intake_id = ?", in.ID).Count(&left).Error; err != nil || left != 0 {
			t.Fatalf("old file left after the intake ended: %d, %v", left, err)
		}
	})
}

// forEachDBWithCycle runs fn on each test database with a store and an
// open cycle.
func forEachDBWithCycle(t *testing.T, fn func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle)) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := storetest.NewStore(db, nil)
		cy := store.Cycle{RegencyCode: "35.05", Year: 2026, OpenedAt: time.Now(), VerificationDays: 30}
		if err := db.Create(&cy).Error; err != nil {
			t.Fatal(err)
		}
		fn(t, db, st, cy)
	})
}

// bigUpload is n bytes of P3KE-like CSV.
func bigUpload(n int) []byte {
	var b bytes.Buffer
	b.WriteString("nik,no_kk\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "35050115038%05d,35050101012%05d\n", i%100000, i%100000)
	}
	b.Truncate(n)
	copy(b.Bytes()[10:], "3505011503800001")
	return b.Bytes()
}

// readIntakeFile reads an intake's whole file.
func readIntakeFile(t *testing.T, st *store.Store, id int64) []byte {
	t.Helper()
	f, err := st.OpenIntakeFile(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestVillageTaskListUsesItsIndex: the two statements behind a village
// officer's task list (the count and the page) find the village's open
// tasks through a village index on SQLite, instead of reading every task of
// the cycle, and the page comes in order from idx_tasks_desa_status_due,
// unsorted.
func TestVillageTaskListUsesItsIndex(t *testing.T) {
	db := storetest.SQLite(t)
	st := storetest.NewStore(db, nil)
	officer := auth.Principal{UserID: 7, Role: auth.RoleVillage, Region: "35.05.01.2001"}
	plans := queryPlans(t, db, func() error {
		_, _, err := st.ListTasks(context.Background(), officer, store.TaskFilter{CycleID: 1, Status: domain.TaskOpen})
		return err
	})
	if len(plans) != 2 {
		t.Fatalf("ListTasks ran %d statements, want the count and the page: %q", len(plans), plans)
	}
	for i, p := range plans {
		if !strings.Contains(p.plan, "idx_tasks_desa_cycle_status") && !strings.Contains(p.plan, "idx_tasks_desa_status_due") {
			t.Errorf("statement %d does not use a village index:\n%s\nplan:\n%s", i, p.sql, p.plan)
		}
		if i == 1 && (!strings.Contains(p.plan, "idx_tasks_desa_status_due") || strings.Contains(p.plan, "TEMP B-TREE")) {
			t.Errorf("the page is not read in order from idx_tasks_desa_status_due:\n%s\nplan:\n%s", p.sql, p.plan)
		}
	}
}

// TestProgressReadsItsIndexAlone: the cycle's progress per desa and stage,
// which the dashboard reads on every load, is counted from
// idx_households_progress alone (a covering index, in its order), for the
// regency and for a kecamatan, never by reading the households table and
// sorting it.
func TestProgressReadsItsIndexAlone(t *testing.T) {
	db := storetest.SQLite(t)
	st := storetest.NewStore(db, nil)
	for _, p := range []auth.Principal{
		{UserID: 2, Role: auth.RoleDinsos, Region: "35.05"},
		{UserID: 3, Role: auth.RoleTKSK, Region: "35.05.01"},
	} {
		plans := queryPlans(t, db, func() error {
			_, err := st.Progress(context.Background(), p, 1)
			return err
		})
		if len(plans) != 1 || !strings.Contains(plans[0].plan, "COVERING INDEX idx_households_progress") || strings.Contains(plans[0].plan, "TEMP B-TREE") {
			t.Errorf("%s's progress: %+v; want one statement read from idx_households_progress alone, in order", p.Role, plans)
		}
	}
}

// statementPlan is a statement GORM ran and SQLite's plan for it.
type statementPlan struct{ sql, plan string }

// queryPlans runs run with db's queries captured, and answers each query's
// statement with its plan (EXPLAIN QUERY PLAN, one detail a line).
func queryPlans(t *testing.T, db *gorm.DB, run func() error) []statementPlan {
	t.Helper()
	var stmts []string
	var args [][]any
	capture := func(tx *gorm.DB) {
		stmts = append(stmts, tx.Statement.SQL.String())
		args = append(args, tx.Statement.Vars)
	}
	name := fmt.Sprintf("test:capture:%d", time.Now().UnixNano())
	if err := db.Callback().Query().After("gorm:query").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().After("gorm:row").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	err := run()
	_ = db.Callback().Query().Remove(name)
	_ = db.Callback().Row().Remove(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []statementPlan
	for i, sql := range stmts {
		rows, err := db.Raw("EXPLAIN QUERY PLAN "+sql, args[i]...).Rows()
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		out = append(out, statementPlan{sql, strings.Join(plan, "\n")})
	}
	return out
}
