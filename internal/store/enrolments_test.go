package store_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// The export gateway's lists: an enrolment is put once, an exit ends it
// (or stands alone for aid verval never gave), and the first exit is kept.
func TestEnrolmentLists(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := storetest.NewStore(db, nil)
		t1 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		t2 := t1.Add(48 * time.Hour)
		e := func(p string, at time.Time, reason string) enrol.Entry {
			return enrol.Entry{CycleID: 1, HouseholdID: 7, Programme: p, At: at, Reason: reason}
		}
		for range 2 {
			if err := st.PutEnrolment(ctx, e(enrol.PKH, t1, "")); err != nil {
				t.Fatal(err)
			}
			if err := st.PutEnrolment(ctx, e(enrol.BPNT, t1, "")); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := st.ActiveProgrammes(ctx, 1, 7); err != nil || len(got) != 2 || got[0] != enrol.BPNT || got[1] != enrol.PKH {
			t.Fatalf("ActiveProgrammes = %v, %v; want [BPNT PKH]", got, err)
		}
		for _, reason := range []string{"revoked: a", "revoked: b"} {
			if err := st.PutExit(ctx, e(enrol.PKH, t2, reason)); err != nil {
				t.Fatal(err)
			}
			if err := st.PutExit(ctx, e(enrol.PBIJK, t2, reason)); err != nil {
				t.Fatal(err)
			}
		}
		// Enrolling again after the exit does not put the household back.
		if err := st.PutEnrolment(ctx, e(enrol.PKH, t2, "")); err != nil {
			t.Fatal(err)
		}
		if got, err := st.ActiveProgrammes(ctx, 1, 7); err != nil || len(got) != 1 || got[0] != enrol.BPNT {
			t.Fatalf("ActiveProgrammes = %v, %v; want [BPNT]", got, err)
		}
		var rows []store.Enrolment
		if err := db.Order("programme").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
		}
		pbi, pkh := rows[1], rows[2]
		if pkh.Status != store.EnrolmentExited || pkh.ExitReason != "revoked: a" || pkh.EnrolledAt == nil || !pkh.EnrolledAt.Equal(t1) || !pkh.ExitedAt.Equal(t2) {
			t.Errorf("PKH %+v, want enrolled %v, exited %v by the first revocation", pkh, t1, t2)
		}
		if pbi.Status != store.EnrolmentExited || pbi.EnrolledAt != nil || pbi.ExitReason != "revoked: a" {
			t.Errorf("PBI-JK %+v, want an exit record alone", pbi)
		}
	})
}
