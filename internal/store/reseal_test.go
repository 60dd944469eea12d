package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestReseal: after a new key is made active, the re-seal moves every
// sealed value (households' NIK and No KK, the numbers a batch keeps, a
// running intake's file) to it, so the old key can be retired; a second
// run changes nothing; a keyring without the old key stops with an error
// naming it.
func TestReseal(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		old := storetest.NewStore(db, nil)
		cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30}
		if err := old.CreateCycle(ctx, &cy); err != nil {
			t.Fatal(err)
		}
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		if err := old.CreateIntake(ctx, &in, strings.NewReader("a running intake's file"), 23); err != nil {
			t.Fatal(err)
		}
		const n = 7
		batch := store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: n + 1, Rows: n, Accepted: n, DueAt: time.Now().Add(time.Hour)}
		for i := range n {
			batch.Households = append(batch.Households, store.NewHousehold{
				NIK: fmt.Sprintf("350501150380%04d", i), NoKK: fmt.Sprintf("35050101012600%02d", i),
				Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("F", i), Name: "X", Address: "Y",
					RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1},
			})
		}
		if _, err := old.SaveIntakeBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}

		// A batch keeps the numbers it proposed of two households.
		prop := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-07", Status: domain.ProposalSubmitted, Items: 2, CreatedAt: time.Now()}
		if err := db.Create(&prop).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO proposal_items (proposal_id, household_id, jenis, answer, signalled, corrected, kk_hash, kk_sealed, nik_hash, nik_sealed) "+
			"SELECT ?, id, 'TAMBAH', '', false, false, kk_hash, kk_sealed, nik_hash, nik_sealed FROM households WHERE row <= 3", prop.ID).Error; err != nil {
			t.Fatal(err)
		}
		const items = 2

		// An objection keeps its objector sealed.
		objector, err := old.Keys.Seal(`{"name":"Pelapor","phone":"081234567890"}`, store.ADSanggahObjector)
		if err != nil {
			t.Fatal(err)
		}
		sg := store.Sanggah{CycleID: cy.ID, HouseholdID: 1, Receipt: "SGH-3505-2026-000001", Seq: 1, Kind: domain.SanggahInclusion,
			Channel: store.ChannelWalkIn, ObjectorKind: domain.ObjectorCitizen, Reason: "Punya mobil", Reverifier: domain.ReverifyVillage,
			RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", ObjectorSealed: objector,
			Status: domain.SanggahReverification, StatusAt: time.Now(), DueAt: time.Now(), HouseholdStage: "enrolled", CreatedAt: time.Now()}
		if err := db.Create(&sg).Error; err != nil {
			t.Fatal(err)
		}

		// A change of members carries a newborn's NIK, sealed.
		const babyNIK = "3505014103260001"
		if err := old.StageChangeMembers(ctx, 1, "k", []store.MemberChange{{Kind: domain.MemberBorn, Date: "2026-03-01", NIK: babyNIK,
			Member: store.HouseholdMember{Name: "BAYI", Sex: "P", Relation: "anak"}}}); err != nil {
			t.Fatal(err)
		}

		devKeys, hashKey := pii.DevKeyringEnv()
		newKey := "k2:" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("n", 32)))
		both, err := pii.ParseKeyring(newKey+","+devKeys, hashKey)
		if err != nil {
			t.Fatal(err)
		}
		rotated := &store.Store{DB: db, Keys: both}
		var calls int
		rep, err := rotated.Reseal(ctx, 3, func(done, total int64) {
			calls++
			if total != n || done > total {
				t.Errorf("progress %d of %d", done, total)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Active != "k2" || rep.Resealed[pii.DevKeyID] != 2*n+2*items+3 || rep.Current != 0 || calls != 3 {
			t.Fatalf("first run: %+v after %d progress calls; want %d values moved from %s in 3 batches", rep, calls, 2*n+2*items+3, pii.DevKeyID)
		}

		// The old key can go: everything opens with the new one alone.
		only, err := pii.ParseKeyring(newKey, hashKey)
		if err != nil {
			t.Fatal(err)
		}
		var rows []store.Household
		if err := db.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for i, h := range rows {
			nik, err := only.Open(h.NIKSealed, store.ADNIK)
			if err != nil || nik != fmt.Sprintf("350501150380%04d", i) {
				t.Fatalf("household %d NIK after the re-seal: %q, %v", h.ID, nik, err)
			}
			if _, err := only.Open(h.KKSealed, store.ADNoKK); err != nil {
				t.Fatalf("household %d No KK after the re-seal: %v", h.ID, err)
			}
		}
		lines, err := (&store.Store{DB: db, Keys: only}).ProposalLines(ctx, prop.ID)
		if err != nil || len(lines) != items {
			t.Fatalf("the batch's file after the re-seal: %+v, %v", lines, err)
		}
		if err := db.First(&sg, sg.ID).Error; err != nil {
			t.Fatal(err)
		}
		if o, err := (&store.Store{DB: db, Keys: only}).SanggahObjectorOf(&sg); err != nil || o.Phone != "081234567890" {
			t.Fatalf("the objector after the re-seal: %+v, %v", o, err)
		}
		var edit store.ChangeMember
		if err := db.First(&edit).Error; err != nil {
			t.Fatal(err)
		}
		if nik, err := only.Open(edit.NIKSealed, store.ADMemberNIK); err != nil || nik != babyNIK {
			t.Fatalf("the change's newborn NIK after the re-seal: %q, %v", nik, err)
		}
		if data := readIntakeFile(t, &store.Store{DB: db, Keys: only}, in.ID); string(data) != "a running intake's file" {
			t.Fatalf("intake file after the re-seal: %q", data)
		}

		again, err := rotated.Reseal(ctx, 3, nil)
		if err != nil || len(again.Resealed) != 0 || again.Current != 2*n+2*items+3 {
			t.Fatalf("second run: %+v, %v; want nothing to do", again, err)
		}

		// Rotating on to k3 without k2 in the keyring cannot open anything.
		k3 := "k3:" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("3", 32)))
		missing, err := pii.ParseKeyring(k3+","+devKeys, hashKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&store.Store{DB: db, Keys: missing}).Reseal(ctx, 3, nil); err == nil || !strings.Contains(err.Error(), `"k2"`) {
			t.Fatalf("re-seal without the key in use: %v, want an error naming k2", err)
		}
	})
}
