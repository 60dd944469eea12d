package web

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestHouseholdPageShowsTheRegistryNow: "Terdaftar DTKS" on a household's
// page is whether the family is in the registry now, with the file's
// terdaftar_dtks beside it where they differ: a family the file had out
// of it is in once Kemensos took its TAMBAH (and enrolled), one the file
// had in is out once Kemensos took its HAPUS, and an enrolled family is in
// it; a family nothing has decided about is as its file says.
func TestHouseholdPageShowsTheRegistryNow(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnvDB(t, db)
		added, removed, enrolled := e.hh["SITI AMINAH"], e.hh["BUDI SANTOSO"], e.hh["WARSINI"]
		dinsos := e.login("dinsos")
		shows := func(id int64, want string) {
			t.Helper()
			page := dinsos.get(fmt.Sprintf("/rumah-tangga/%d", id)).Body.String()
			if !strings.Contains(page, "<dt>Terdaftar DTKS</dt><dd>"+want+"</dd>") {
				i := strings.Index(page, "Terdaftar DTKS")
				t.Errorf("household %d: %q, want Terdaftar DTKS %q", id, page[i:min(len(page), i+120)], want)
			}
		}
		shows(added, "Tidak")

		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.Model(&store.Household{}).Where("id = ?", added).Update("stage", "enrolled").Error)
		must(db.Model(&store.Household{}).Where("id = ?", removed).Updates(map[string]any{"stage": "removed", "in_dtks": true}).Error)
		must(db.Model(&store.Household{}).Where("id = ?", enrolled).Update("stage", "enrolled").Error)
		p := store.Proposal{CycleID: e.cycle.ID, DecreeID: 1, Month: "2026-05", Status: domain.ProposalSubmitted, Items: 2, Answered: 2}
		must(db.Create(&p).Error)
		must(db.Create(&[]store.ProposalItem{
			{ProposalID: p.ID, HouseholdID: added, Jenis: "TAMBAH", Answer: "DITETAPKAN", AnswerDate: "2026-05-04"},
			{ProposalID: p.ID, HouseholdID: removed, Jenis: "HAPUS", Alasan: "MAMPU", Answer: "DITETAPKAN", AnswerDate: "2026-05-04"},
		}).Error)

		shows(added, "Ya (ditetapkan Kemensos 4 Mei 2026; berkas: Tidak)")
		shows(removed, "Tidak (dihapus Kemensos 4 Mei 2026; berkas: Ya)")
		shows(enrolled, "Ya (keluarga penerima bantuan; berkas: Tidak)")
	})
}
