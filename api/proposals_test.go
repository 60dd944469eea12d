package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// A second answer file whose row contradicts the answer an earlier file
// applied to the same household is refused at that row, nothing applied
// and no signal; the same answer again is accepted and applies nothing new.
func TestContradictingAnswerFileIsARowError(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		h := blitar.proposed
		upload := func(body string) *apiResponse {
			t.Helper()
			raw, ct := uploadForm(nil, "jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+body)
			return w.do(apiRequest{method: "POST", route: "/api/v1/proposals/:id/answers", path: fmt.Sprintf("/api/v1/proposals/%d/answers", blitar.sentProposal),
				token: w.byName["dinsos.blitar"].token, raw: raw, contentType: ct})
		}
		r := upload(h.kk + "," + h.nik + ",DITETAPKAN,,,2026-03-25\n")
		r.want(t, "first file", http.StatusOK)
		wantTemporal(t, "first file", r, "SignalWorkflow")

		// Row 2 is blank (skipped); the household is at row 3, by NIK only.
		r = upload("\n," + h.nik + ",DITOLAK,NIK_TIDAK_PADAN,,2026-03-26\n")
		if r.want(t, "rejected after accepted", http.StatusUnprocessableEntity) {
			var v struct {
				Rows []struct {
					Row            int
					Column, Reason string
				}
			}
			r.decode(t, &v)
			want := "this household was already answered DITETAPKAN by an earlier answer file; a household can have only one answer"
			if len(v.Rows) != 1 || v.Rows[0].Row != 3 || v.Rows[0].Column != "status" || v.Rows[0].Reason != want {
				t.Errorf("rejected after accepted: %s", r.body)
			}
		}
		wantTemporal(t, "rejected after accepted", r, "")
		var it store.ProposalItem
		if err := db.Where("proposal_id = ? AND household_id = ?", blitar.sentProposal, h.id).First(&it).Error; err != nil {
			t.Fatal(err)
		}
		if it.Answer != "DITETAPKAN" || it.AnswerReason != "" || it.AnswerDate != "2026-03-25" {
			t.Errorf("the contradicting file changed the answer: %+v", it)
		}

		r = upload(h.kk + ",,DITETAPKAN,,diulang,2026-03-27\n")
		if r.want(t, "same answer again", http.StatusOK) {
			var v struct{ Applied int }
			r.decode(t, &v)
			if v.Applied != 0 {
				t.Errorf("same answer again applied %d", v.Applied)
			}
		}
	})
}
