package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
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

// TestDecreeStepKeyBoundToRequest (issue 23, item 9): a decree step's
// Idempotency-Key reaches its Update bound to the step and its request:
// the same key and request give the same Update ID (Temporal answers the
// first result), another request with the key another Update ID, and the
// key and hash travel in the request for the workflow's validator.
func TestDecreeStepKeyBoundToRequest(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	blitar := w.cycles[0]
	d := store.Decree{CycleID: blitar.id, RegencyCode: blitar.regency, Kind: domain.DecreeAmendment, Status: domain.DecreeReturned}
	if err := w.db.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	token := w.byName["dinsos.blitar"].token
	send := func(reason string) (client.UpdateWorkflowOptions, workflows.DecreeRequest) {
		t.Helper()
		r := w.do(apiRequest{method: "POST", route: "/api/v1/decrees/:id/withdraw", path: fmt.Sprintf("/api/v1/decrees/%d/withdraw", d.ID),
			token: token, json: map[string]any{"reason": reason}, header: map[string]string{"Idempotency-Key": "k-1"}})
		calls := r.temporalCalls("UpdateWorkflow")
		if len(calls) != 1 {
			t.Fatalf("withdraw: %s, %d Updates", r.shown(), len(calls))
		}
		opts := calls[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
		return opts, opts.Args[0].(workflows.DecreeRequest)
	}
	first, req := send("daftar keliru")
	again, _ := send(" daftar keliru ")
	other, otherReq := send("salah kecamatan")
	if first.UpdateID != again.UpdateID {
		t.Errorf("the same key and request: Update IDs %q and %q", first.UpdateID, again.UpdateID)
	}
	if first.UpdateID == other.UpdateID {
		t.Errorf("the same key with another reason shares Update ID %q", first.UpdateID)
	}
	if req.Key == "" || req.Key != otherReq.Key || req.KeyHash == "" || req.KeyHash == otherReq.KeyHash || !strings.HasSuffix(first.UpdateID, "-"+req.KeyHash) {
		t.Errorf("key and hash: %+v / %+v, Update ID %q", req, otherReq, first.UpdateID)
	}
}
