package store_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestIntakeReasonCodes: a database from before the codes gets their
// columns from migration 202612040007, its old issues and failures read
// back without a code (the pages then show the English), and new ones
// keep their code and arguments.
func TestIntakeReasonCodes(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		// Back to the schema before the migration.
		for _, q := range []string{
			"ALTER TABLE intake_issues DROP COLUMN code", "ALTER TABLE intake_issues DROP COLUMN args",
			"ALTER TABLE intakes DROP COLUMN error_code", "ALTER TABLE intakes DROP COLUMN error_args",
			"DELETE FROM schema_migrations WHERE id = '202612040007_intake_reason_codes'",
		} {
			if err := db.Exec(q).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := db.Exec("INSERT INTO intakes (cycle_id, file_name, status, error) VALUES (1, 'old.csv', 'failed', 'the file is empty')").Error; err != nil {
			t.Fatal(err)
		}
		var old store.Intake
		if err := db.Raw("SELECT id FROM intakes").Scan(&old).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`INSERT INTO intake_issues (intake_id, "row", "column", reason, severity) VALUES (?, 2, 'desil', 'required value is empty', 'error')`, old.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		st := storetest.NewStore(db, nil)
		in, err := st.GetIntake(ctx, old.ID)
		if err != nil || in.Error != "the file is empty" || in.ErrorCode != "" || in.ErrorArgs != nil {
			t.Fatalf("the old intake: %+v, %v", in, err)
		}
		issues, _, err := st.IntakeIssues(ctx, old.ID, 10, 0)
		if err != nil || len(issues) != 1 || issues[0].Reason != "required value is empty" || issues[0].Code != "" || issues[0].Args != nil {
			t.Fatalf("the old issue: %+v, %v", issues, err)
		}

		// New ones keep their codes.
		if err := st.FailIntake(ctx, old.ID, "the sheet cannot be read: x", "p3ke.sheet_unreadable", []string{"x"}); err != nil {
			t.Fatal(err)
		}
		in, err = st.GetIntake(ctx, old.ID)
		if err != nil || in.Status != store.IntakeFailed || in.ErrorCode != "p3ke.sheet_unreadable" || !slices.Equal(in.ErrorArgs, []string{"x"}) {
			t.Fatalf("the failed intake: %+v, %v", in, err)
		}
		if err := st.SetIntakeStatus(ctx, old.ID, store.IntakeFailed, "pq: connection reset"); err != nil {
			t.Fatal(err)
		}
		if in, err = st.GetIntake(ctx, old.ID); err != nil || in.ErrorCode != "" || in.ErrorArgs != nil {
			t.Fatalf("a failure without a code keeps none: %+v, %v", in, err)
		}
		is := store.IntakeIssue{IntakeID: old.ID, Row: 3, Column: "desil", Reason: `must be a whole number from 1 to 10, got "x"`, Severity: "error",
			Code: "p3ke.desil_range", Args: []string{`"x"`}}
		if err := db.Create(&is).Error; err != nil {
			t.Fatal(err)
		}
		issues, _, err = st.IntakeIssues(ctx, old.ID, 10, 0)
		if err != nil || len(issues) != 2 || issues[1].Code != "p3ke.desil_range" || !slices.Equal(issues[1].Args, []string{`"x"`}) {
			t.Fatalf("the new issue: %+v, %v", issues, err)
		}
	})
}

// TestIntakeIssuesAfter: the row-error report's pages, on both databases,
// follow row order and the issues of one row in the order they were found,
// each page after the last issue of the one before, none twice, none lost.
func TestIntakeIssuesAfter(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		st := storetest.NewStore(db, nil)
		var issues []store.IntakeIssue
		for _, row := range []int{9, 2, 2, 7, 2, 4} {
			issues = append(issues, store.IntakeIssue{IntakeID: 5, Row: row, Column: "desil", Severity: "error", Reason: "r"})
		}
		issues = append(issues, store.IntakeIssue{IntakeID: 6, Row: 1, Severity: "error"}) // another intake's
		if err := db.Create(&issues).Error; err != nil {
			t.Fatal(err)
		}
		var got []int64
		row, id := 0, int64(0)
		for {
			page, err := st.IntakeIssuesAfter(ctx, 5, row, id, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, is := range page {
				got = append(got, is.ID)
			}
			row, id = page[len(page)-1].Row, page[len(page)-1].ID
		}
		want := []int64{issues[1].ID, issues[2].ID, issues[4].ID, issues[5].ID, issues[3].ID, issues[0].ID}
		if !slices.Equal(got, want) {
			t.Errorf("pages: %v, want %v", got, want)
		}
		if n, err := st.IntakeIssueCount(ctx, 5); err != nil || n != 6 {
			t.Errorf("count: %d, %v", n, err)
		}
	})
}
