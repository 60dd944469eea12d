package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// A withdrawn decree shows why it was withdrawn, and every further step
// (withdrawing it again included) is refused with that reason, 409,
// without asking its ended workflow.
func TestWithdrawnDecreeRefusesSteps(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		d := store.Decree{CycleID: blitar.id, RegencyCode: blitar.regency, Kind: domain.DecreeAmendment, Status: domain.DecreeWithdrawn, WithdrawReason: "daftar keliru"}
		if err := db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		token := w.byName["dinsos.blitar"].token
		r := w.do(apiRequest{method: "GET", route: "/api/v1/decrees/:id", path: fmt.Sprintf("/api/v1/decrees/%d", d.ID), token: token})
		if r.want(t, "withdrawn decree", http.StatusOK) {
			var v struct {
				Decree struct {
					Status         domain.DecreeStatus
					WithdrawReason string
				}
			}
			r.decode(t, &v)
			if v.Decree.Status != domain.DecreeWithdrawn || v.Decree.WithdrawReason != "daftar keliru" {
				t.Errorf("withdrawn decree: %s", r.body)
			}
		}
		for _, step := range []string{"submit", "revise", "withdraw"} {
			r = w.do(apiRequest{method: "POST", route: "/api/v1/decrees/:id/" + step, path: fmt.Sprintf("/api/v1/decrees/%d/%s", d.ID, step),
				token: token, json: map[string]any{"reason": "lagi"}})
			if r.want(t, step+" a withdrawn decree", http.StatusConflict) && !strings.Contains(string(r.body), "the decree was withdrawn") {
				t.Errorf("%s a withdrawn decree: %s", step, r.body)
			}
			wantTemporal(t, step+" a withdrawn decree", r, "")
		}
	})
}
