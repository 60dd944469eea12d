package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// The login-free status of a sanggah, as JSON and as the page, shows its
// status in every state on the way (registered, re-verification, awaiting
// the decision, upheld, enacted once the household is revoked; rejected;
// closed with the cycle)
// and never the household's name, address, NIK or No KK, its desa, or the
// objector; an unknown code is 404; past the per-address limit it is 429
// with Retry-After, until the window has passed.
func TestSanggahStatusLeaksNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC))
		ctx := t.Context()
		cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30, OpenedAt: a.clock.Now()}
		if err := a.st.CreateCycle(ctx, &cy); err != nil {
			t.Fatal(err)
		}
		const nik, kk, name, address = "3505014107800123", "3505012002260123", "Siti Rahasia Aminah", "Dusun Krajan RT 01"
		const objector, phone = "Pak Pelapor Tersembunyi", "081377775555"
		h, _, _, err := a.st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: nik, NoKK: kk, Name: name, Address: address,
			DesaCode: "35.05.01.2001", Members: 3, Reason: "Diusulkan warga sekitar", Channel: store.ChannelWalkIn}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": "enrolled", "outcome": "eligible"}).Error; err != nil {
			t.Fatal(err)
		}
		dinsos := domain.Actor{UserID: 1, Role: "dinsos"}
		file := func(kind domain.SanggahKind, reason string) *store.Sanggah {
			sg, _, _, err := a.st.CreateSanggah(ctx, store.NewSanggah{CycleID: cy.ID, HouseholdID: h.ID, Kind: kind, Channel: store.ChannelWalkIn,
				ObjectorKind: domain.ObjectorCitizen, Objector: store.SanggahObjector{Name: objector, Phone: phone}, Reason: reason}, dinsos)
			if err != nil {
				t.Fatal(err)
			}
			return sg
		}
		forbidden := []string{nik, kk, name, address, objector, phone, "Jaten", "35.05.01.2001", "Rahasia", "Pelapor"}
		look := func(receipt, want, wantText string) {
			t.Helper()
			r := a.do(apiRequest{method: "GET", route: "/api/v1/status/:code", path: "/api/v1/status/" + receipt})
			if !r.want(t, "status "+want, 200) || !strings.Contains(string(r.body), `"status":"`+want+`"`) ||
				!strings.Contains(string(r.body), "Wonodadi") {
				t.Fatalf("status %s: %s", want, r.body)
			}
			p := a.do(apiRequest{method: "GET", route: "/status", path: "/status?kode=" + strings.ToLower(receipt)})
			if !p.want(t, "status page "+want, 200) || !strings.Contains(string(p.body), wantText) {
				t.Fatalf("status page %s: %.3000s", want, p.body)
			}
			for _, body := range []string{string(r.body), string(p.body)} {
				for _, s := range forbidden {
					if strings.Contains(body, s) {
						t.Errorf("status %s shows %q: %.3000s", want, s, body)
					}
				}
			}
		}
		// Upheld inclusion error, then enacted by the revocation.
		sg := file(domain.SanggahInclusion, "Punya toko besar dan mobil, Rahasia Pelapor")
		look(sg.Receipt, "registered", "Terdaftar")
		must(t, a.st.SanggahStarted(ctx, sg.ID))
		look(sg.Receipt, "reverification", "Verifikasi ulang")
		a.clock.Advance(24 * time.Hour)
		must(t, a.st.RecordSanggahFinding(ctx, store.SanggahStep{SanggahID: sg.ID, Actor: dinsos, At: a.clock.Now(), Outcome: "not_poor", Note: "Siti Rahasia Aminah punya mobil"}))
		look(sg.Receipt, "awaiting_decision", "Menunggu keputusan Dinas Sosial")
		a.clock.Advance(24 * time.Hour)
		must(t, a.st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg.ID, Actor: dinsos, At: a.clock.Now(), Upheld: true, Note: "Dicabut, Jaten"}))
		look(sg.Receipt, "upheld", "Diterima")
		// One the cycle's close ended undecided.
		sg3 := file(domain.SanggahInclusion, "Tokonya dua, Rahasia Pelapor tahu")
		must(t, a.st.SanggahStarted(ctx, sg3.ID))
		must(t, a.st.CloseSanggah(ctx, store.SanggahStep{SanggahID: sg3.ID, At: a.clock.Now(), Note: "tutup buku, Jaten"}))
		look(sg3.Receipt, "closed", "Ditutup tanpa keputusan")
		a.clock.Advance(24 * time.Hour)
		if err := db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": "revoked", "stage_entered_at": a.clock.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		look(sg.Receipt, "enacted", "sudah ditetapkan dengan SK")
		// A rejected exclusion error against the revoked household.
		sg2 := file(domain.SanggahExclusion, "Sebenarnya masih miskin sekali")
		must(t, a.st.SanggahStarted(ctx, sg2.ID))
		must(t, a.st.RecordSanggahFinding(ctx, store.SanggahStep{SanggahID: sg2.ID, Actor: dinsos, At: a.clock.Now(), Outcome: "not_poor", Note: "Tetap mampu"}))
		must(t, a.st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg2.ID, Actor: dinsos, At: a.clock.Now(), Note: "Ditolak"}))
		look(sg2.Receipt, "rejected", "Ditolak")

		a.do(apiRequest{method: "GET", route: "/api/v1/status/:code", path: "/api/v1/status/SGH-3505-2026-999999"}).want(t, "unknown code", 404)
		// The limit is 30 a minute per address, the page and the API
		// counted together: 5 so far in this minute.
		var last *apiResponse
		for i := 0; i < 26; i++ {
			last = a.do(apiRequest{method: "GET", route: "/api/v1/status/:code", path: "/api/v1/status/" + sg.Receipt})
			if last.code == 429 && i < 25 {
				t.Fatalf("429 after %d look-ups", i+6)
			}
		}
		if last.code != 429 || last.header.Get("Retry-After") == "" {
			t.Fatalf("past the limit: %d %v", last.code, last.header)
		}
		page := a.do(apiRequest{method: "GET", route: "/status", path: "/status?kode=" + sg.Receipt})
		if page.code != 429 || page.header.Get("Retry-After") == "" {
			t.Fatalf("the page past the limit: %d", page.code)
		}
		a.clock.Advance(time.Minute)
		a.do(apiRequest{method: "GET", route: "/api/v1/status/:code", path: "/api/v1/status/" + sg.Receipt}).want(t, "after the window", 200)
	})
}

// An objection past its due date and undecided is on the stuck list, in
// the API (sanggah) and on the "Kasus macet" page, for the regions that
// hold its desa only; before its due date, or once decided, it is not.
func TestOverdueSanggahIsStuck(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC))
		ctx := t.Context()
		cy, h := decidedHousehold(t, a, db, "124", "Budi", "not_eligible", "not_poor")
		sg, _, _, err := a.st.CreateSanggah(ctx, store.NewSanggah{CycleID: cy.ID, HouseholdID: h.ID, Kind: domain.SanggahExclusion,
			Channel: store.ChannelLetter, ObjectorKind: domain.ObjectorHousehold, Objector: store.SanggahObjector{Name: "Budi"},
			Reason: "Kami masih miskin, rumah bocor"}, domain.Actor{UserID: 1, Role: "dinsos"})
		must(t, err)
		must(t, a.st.SanggahStarted(ctx, sg.ID))
		sanggahUsers(t, a,
			store.NewUser{Username: "dinsos.uji", Role: auth.RoleDinsos, Region: "35.05"},
			store.NewUser{Username: "desa.jaten", Role: auth.RoleVillage, Region: "35.05.01.2001"},
			store.NewUser{Username: "desa.salam", Role: auth.RoleVillage, Region: "35.05.01.2002"},
		)
		stuck := func(who string) (api, page bool) {
			t.Helper()
			token := a.login(who, "rahasia-uji-2026")
			var v struct{ Sanggah []struct{ ID int64 } }
			r := a.do(apiRequest{method: "GET", route: "/api/v1/cycles/:id/stuck", path: fmt.Sprintf("/api/v1/cycles/%d/stuck", cy.ID), token: token})
			r.decode(t, &v)
			p := a.do(apiRequest{method: "GET", route: "/macet", path: "/macet", cookie: token})
			return len(v.Sanggah) == 1 && v.Sanggah[0].ID == sg.ID, strings.Contains(string(p.body), sg.Receipt)
		}
		if api, page := stuck("dinsos.uji"); api || page {
			t.Fatalf("before its due date: api %v page %v", api, page)
		}
		a.clock.Advance(15 * 24 * time.Hour)
		for who, want := range map[string]bool{"dinsos.uji": true, "desa.jaten": true, "desa.salam": false} {
			if api, page := stuck(who); api != want || page != want {
				t.Errorf("%s: overdue on the API %v, on the page %v, want %v", who, api, page, want)
			}
		}
		must(t, a.st.RecordSanggahFinding(ctx, store.SanggahStep{SanggahID: sg.ID, At: a.clock.Now(), Outcome: "eligible", Note: "Miskin"}))
		must(t, a.st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg.ID, At: a.clock.Now(), Upheld: true, Note: "Diterima"}))
		if api, page := stuck("dinsos.uji"); api || page {
			t.Fatalf("once decided: api %v page %v", api, page)
		}
	})
}

// An objector who asked for someone outside the village gets the TKSK:
// the village officer and the PSM are refused the finding (403
// sanggah.not_yours) before Temporal is reached; the TKSK records it.
func TestSanggahOutsideTheVillageIsTheTKSKs(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC))
		cy, h := decidedHousehold(t, a, db, "125", "Citra", "enrolled", "eligible")
		sanggahUsers(t, a,
			store.NewUser{Username: "dinsos.uji", Role: auth.RoleDinsos, Region: "35.05"},
			store.NewUser{Username: "desa.jaten", Role: auth.RoleVillage, Region: "35.05.01.2001"},
			store.NewUser{Username: "psm.jaten", Role: auth.RolePSM, Region: "35.05.01.2001"},
			store.NewUser{Username: "tksk.uji", Role: auth.RoleTKSK, Region: "35.05.01"},
		)
		var sg store.Sanggah
		r := a.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/sanggah", path: fmt.Sprintf("/api/v1/cycles/%d/sanggah", cy.ID),
			token: a.login("dinsos.uji", "rahasia-uji-2026"), json: map[string]any{"householdId": h.ID, "kind": "inclusion", "channel": "letter",
				"objectorKind": "citizen", "objectorName": "Tetangga", "reason": "Kepala desa kerabatnya, minta dicek orang luar", "reverifier": "tksk"}})
		r.want(t, "file", 201)
		r.decode(t, &sg)
		finding := map[string]string{"outcome": "not_poor", "note": "Punya mobil"}
		for _, who := range []string{"desa.jaten", "psm.jaten"} {
			r := a.do(apiRequest{method: "POST", route: "/api/v1/sanggah/:id/finding", path: fmt.Sprintf("/api/v1/sanggah/%d/finding", sg.ID),
				token: a.login(who, "rahasia-uji-2026"), json: finding})
			var e struct{ Code string }
			r.decode(t, &e)
			if r.code != 403 || e.Code != string(domain.CodeSanggahNotYours) || len(r.temporal) != 0 {
				t.Errorf("%s: %d %s, Temporal %d calls", who, r.code, r.body, len(r.temporal))
			}
		}
		a.do(apiRequest{method: "POST", route: "/api/v1/sanggah/:id/finding", path: fmt.Sprintf("/api/v1/sanggah/%d/finding", sg.ID),
			token: a.login("tksk.uji", "rahasia-uji-2026"), json: finding}).want(t, "the TKSK's finding", 200)
	})
}

// An officer objecting in its own name is the objection's creator: the
// household's village (its officer, PSM) does not get the creator's
// account, in the objection, the list or the household's history (API
// and page); Dinsos does.
func TestVillageDoesNotSeeWhoObjected(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC))
		ctx := t.Context()
		cy, h := decidedHousehold(t, a, db, "126", "Dewi", "enrolled", "eligible")
		ids := sanggahUsers(t, a,
			store.NewUser{Username: "dinsos.uji", Role: auth.RoleDinsos, Region: "35.05"},
			store.NewUser{Username: "desa.jaten", Role: auth.RoleVillage, Region: "35.05.01.2001"},
			store.NewUser{Username: "psm.jaten", Role: auth.RolePSM, Region: "35.05.01.2001"},
		)
		sg, _, _, err := a.st.CreateSanggah(ctx, store.NewSanggah{CycleID: cy.ID, HouseholdID: h.ID, Kind: domain.SanggahInclusion, Channel: store.ChannelPSM,
			ObjectorKind: domain.ObjectorOfficer, Objector: store.SanggahObjector{Name: "Pengguna psm.jaten"}, Reason: "Punya usaha penggilingan padi"},
			domain.Actor{UserID: ids["psm.jaten"], Role: "psm"})
		must(t, err)
		for who, want := range map[string]int64{"desa.jaten": 0, "psm.jaten": 0, "dinsos.uji": ids["psm.jaten"]} {
			token := a.login(who, "rahasia-uji-2026")
			var one struct{ CreatedBy int64 }
			a.do(apiRequest{method: "GET", route: "/api/v1/sanggah/:id", path: fmt.Sprintf("/api/v1/sanggah/%d", sg.ID), token: token}).decode(t, &one)
			var list struct{ Sanggah []struct{ CreatedBy int64 } }
			a.do(apiRequest{method: "GET", route: "/api/v1/cycles/:id/sanggah", path: fmt.Sprintf("/api/v1/cycles/%d/sanggah", cy.ID), token: token}).decode(t, &list)
			if one.CreatedBy != want || len(list.Sanggah) != 1 || list.Sanggah[0].CreatedBy != want {
				t.Errorf("%s sees the creator %d (list %+v), want %d", who, one.CreatedBy, list.Sanggah, want)
			}
			// Nor in the household's history.
			var hh struct {
				Audit []struct {
					Action    string
					ActorID   int64
					ActorRole string
				}
			}
			a.do(apiRequest{method: "GET", route: "/api/v1/households/:id", path: fmt.Sprintf("/api/v1/households/%d", h.ID), token: token}).decode(t, &hh)
			found := false
			for _, e := range hh.Audit {
				if e.Action == "sanggah.create" {
					found = true
					if e.ActorID != want || (want == 0) != (e.ActorRole == "") {
						t.Errorf("%s sees the objection recorded by %s #%d, want #%d", who, e.ActorRole, e.ActorID, want)
					}
				}
			}
			if !found {
				t.Errorf("%s: no sanggah.create entry in the household's history %+v", who, hh.Audit)
			}
			page := a.do(apiRequest{method: "GET", route: "/rumah-tangga/:id", path: fmt.Sprintf("/rumah-tangga/%d", h.ID), cookie: token})
			if want == 0 && strings.Contains(string(page.body), fmt.Sprintf("#%d<", ids["psm.jaten"])) {
				t.Errorf("%s's household page names the objecting officer", who)
			}
		}
	})
}

// decidedHousehold opens the 2026 cycle of Kab. Blitar and puts in it a
// household of Jaten (an usul, name given, NIK and No KK ending in suffix)
// already decided: at stage with outcome.
func decidedHousehold(t *testing.T, a *testAPI, db *gorm.DB, suffix, name, stage, outcome string) (store.Cycle, *store.Household) {
	t.Helper()
	ctx := t.Context()
	cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30, OpenedAt: a.clock.Now()}
	must(t, a.st.CreateCycle(ctx, &cy))
	h, _, _, err := a.st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: "3505014107800" + suffix, NoKK: "3505012002260" + suffix, Name: name,
		Address: "Dusun Krajan", DesaCode: "35.05.01.2001", Members: 3, Reason: "Diusulkan warga sekitar", Channel: store.ChannelWalkIn}, 1)
	must(t, err)
	must(t, db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": stage, "outcome": outcome}).Error)
	return cy, h
}

// sanggahUsers creates the accounts, each with the tests' password and a
// name from its username, and returns their ids by username.
func sanggahUsers(t *testing.T, a *testAPI, users ...store.NewUser) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, u := range users {
		u.Password, u.Name = "rahasia-uji-2026", "Pengguna "+u.Username
		created, err := a.st.CreateUser(t.Context(), u)
		must(t, err)
		ids[u.Username] = created.ID
	}
	return ids
}
