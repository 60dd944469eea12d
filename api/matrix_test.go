package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/photo"
	"github.com/verval/verval/internal/photo/phototest"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// The role × region matrix: every route, every role, a record inside the
// caller's region and records outside it, on SQLite and PostgreSQL.
//
// The world has two regencies. Kab. Blitar (35.05): Desa Jaten and Desa
// Salam of Kec. Wonodadi (35.05.01) and Desa Jati of Kec. Udanawu
// (35.05.02). Kota Lubuklinggau (16.73): Kel. Air Kuti of Lubuk Linggau
// Timur I (16.73.01) and Kel. Kayu Ara of Lubuk Linggau Barat I (16.73.02).
// Each regency has a 2026 cycle, an intake with one row issue, one
// household (with its task) per desa, a signed decree, a draft proposal and
// one sent to Kemensos; notifications are addressed to each desa,
// kecamatan and regency. Users of every role exist in both regencies, so
// each actor's "own" and "other" records follow from its region, and a
// village officer's "other" records include the next desa of the same
// kecamatan. Temporal is a mock that accepts every call; which calls a
// request made is checked, so a refused request provably never reached a
// workflow.
//
// The rows cover the JSON API (mxRows), the web pages (pageRows, where the
// session is the cookie and "no session" is a 303 to the login page) and
// the codec endpoint, which no session opens.

// mxT0 is when the cycles open and the households are loaded; the tests
// run 30 days later, so every case has been in its stage long enough to
// count as stuck.
var mxT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const mxPassword = "rahasia-matriks-2026"

// mxActor is a user the matrix acts as.
type mxActor struct {
	username string
	role     auth.Role
	// region is the dotted code the role is scoped to, the first of
	// regions; empty for admin.
	region  string
	regions []string
	id      int64
	token   string
}

// covers reports whether code lies inside one of the actor's regions.
func (a *mxActor) covers(code string) bool {
	for _, r := range a.regions {
		if within(code, r) {
			return true
		}
	}
	return false
}

func (a *mxActor) String() string { return a.username }

// regency is the regency the actor's region lies in ("" for admin).
func (a *mxActor) regency() string {
	if a.role == auth.RoleAdmin {
		return ""
	}
	return a.region[:5]
}

// within reports whether code lies inside region: written here from the
// domain's rule (codes nest by dotted prefix), not taken from the code
// under test.
func within(code, region string) bool {
	return code == region || strings.HasPrefix(code, region+".")
}

type mxCycle struct {
	id      int64
	regency string
	intake  int64
	// decree is a signed decree; draftProposal a proposal not yet sent,
	// sentProposal one sent to Kemensos and waiting for answers.
	decree, draftProposal, sentProposal int64
	// proposed is the household both proposals list.
	proposed *mxHousehold
	// sanggah is an objection in re-verification against sanggahHH, with
	// its receipt code.
	sanggah   int64
	sanggahHH *mxHousehold
	receipt   string
	// sanggahPhoto is a photo attached to the objection.
	sanggahPhoto int64
}

type mxHousehold struct {
	id       int64
	cycle    *mxCycle
	desa     string
	name     string
	masked   string // the name as an administrator sees it
	address  string
	nik, kk  string
	familyID string
	// programmes are its enrolments as "programme:status", by programme.
	programmes string
	// photo is a photo of its visit, stored sealed in the object store.
	photo int64
	// stage and enteredAt are the case's stage and when it entered it, as
	// seeded: awaiting_verification since mxT0 unless set otherwise.
	stage     string
	enteredAt time.Time
}

func (h *mxHousehold) kec() string { return h.desa[:8] }

// mxWorld is the server, its data and its users.
type mxWorld struct {
	*testAPI
	actors []*mxActor
	byName map[string]*mxActor
	cycles []*mxCycle
	// closable are a 2025 cycle per regency with no intake running, which
	// the close row closes (closing the 2026 cycles would refuse the rows
	// after it).
	closable   []*mxCycle
	households []*mxHousehold
	nextYear   int
}

// mxUsers are the matrix's users: every role in both regencies.
var mxUsers = []struct {
	username string
	role     auth.Role
	region   string
	// more are the account's other regions.
	more []string
}{
	{"desa.jaten", auth.RoleVillage, "35.05.01.2001", nil},
	{"psm.jaten", auth.RolePSM, "35.05.01.2001", nil},
	// A PKH companion of Salam (Kec. Wonodadi) and Jati (Kec. Udanawu),
	// not of Jaten, Salam's neighbour.
	{"pendamping.blitar", auth.RolePendamping, "35.05.01.2002", []string{"35.05.02.2001"}},
	{"tksk.wonodadi", auth.RoleTKSK, "35.05.01", nil},
	{"dinsos.blitar", auth.RoleDinsos, "35.05", nil},
	{"bupati.blitar", auth.RoleBupati, "35.05", nil},
	{"admin", auth.RoleAdmin, "", nil},
	{"kel.airkuti", auth.RoleVillage, "16.73.01.1001", nil},
	{"tksk.llg.timur1", auth.RoleTKSK, "16.73.01", nil},
	{"dinsos.llg", auth.RoleDinsos, "16.73", nil},
	{"walikota.llg", auth.RoleBupati, "16.73", nil},
	// Not actors of the matrix: the second officer of Wonodadi, so
	// Salam has an officer too, and two accounts the account rows
	// disable, enable and reset.
	{"desa.salam", auth.RoleVillage, "35.05.01.2002", nil},
	{"akun.blitar", auth.RoleVillage, "35.05.02.2001", nil},
	{"akun.llg", auth.RoleVillage, "16.73.02.1001", nil},
}

// mxAccounts are the accounts the account rows act on.
var mxAccounts = []string{"akun.blitar", "akun.llg"}

// mxHouseholds are the seeded families, one per desa, and two more in
// Salam: one that entered its stage 17 days before the tests run (stuck
// for 14 days, not for 20) and one whose case ended (never stuck).
var mxHouseholds = []mxHousehold{
	{desa: "35.05.01.2001", name: "Siti Aminah", masked: "S*** A*****", address: "Dusun Krajan RT 01 RW 02, Jaten", nik: "3505014107800001", kk: "3505012002260001", familyID: "P3KE-3505-0001"},
	{desa: "35.05.01.2002", name: "Budi Santoso", masked: "B*** S******", address: "Jl. Raya Salam 7", nik: "3505010503750002", kk: "3505012002260002", familyID: "P3KE-3505-0002"},
	{desa: "35.05.01.2002", name: "Rina Marlina", masked: "R*** M******", address: "Jl. Raya Salam 9", nik: "3505014402880006", kk: "3505012002260006", familyID: "P3KE-3505-0004",
		stage: "awaiting_verification", enteredAt: mxT0.Add(13 * 24 * time.Hour)},
	{desa: "35.05.01.2002", name: "Joko Susilo", masked: "J*** S*****", address: "Dusun Salam RT 04", nik: "3505011009700007", kk: "3505012002260007", familyID: "P3KE-3505-0005",
		stage: "not_eligible"},
	{desa: "35.05.02.2001", name: "Sri Wahyuni", masked: "S** W******", address: "Dusun Jati RT 03", nik: "3505024712690003", kk: "3505022002260003", familyID: "P3KE-3505-0003"},
	{desa: "16.73.01.1001", name: "Ahmad Fauzi", masked: "A**** F****", address: "Jl. Yos Sudarso 12, Air Kuti", nik: "1673011208810004", kk: "1673012002260004", familyID: "P3KE-1673-0001"},
	{desa: "16.73.02.1001", name: "Dewi Lestari", masked: "D*** L******", address: "Gg. Mawar 3, Kayu Ara", nik: "1673025506900005", kk: "1673022002260005", familyID: "P3KE-1673-0002"},
}

// newWorld seeds the world on db and logs every actor in.
func newWorld(t *testing.T, db *gorm.DB, opts ...func(*office.Deps)) *mxWorld {
	t.Helper()
	w := &mxWorld{testAPI: newTestAPI(t, db, mxT0, opts...), byName: map[string]*mxActor{}, nextYear: 2030}
	ctx := t.Context()
	for _, u := range mxUsers {
		regions := append([]string{u.region}, u.more...)
		if u.region == "" {
			regions = nil
		}
		created, err := w.st.CreateUser(ctx, store.NewUser{Username: u.username, Password: mxPassword, Name: "Pengguna " + u.username, Role: u.role, Regions: regions})
		if err != nil {
			t.Fatalf("CreateUser %s: %v", u.username, err)
		}
		a := &mxActor{username: u.username, role: u.role, region: u.region, regions: regions, id: created.ID}
		w.byName[a.username] = a
		if a.username != "desa.salam" && !slices.Contains(mxAccounts, a.username) {
			w.actors = append(w.actors, a)
		}
	}
	for _, reg := range []string{"35.05", "16.73"} {
		cy := store.Cycle{RegencyCode: reg, Year: 2026, VerificationDays: 20, CreatedBy: w.byName["admin"].id, OpenedAt: mxT0}
		if err := w.st.CreateCycle(ctx, &cy); err != nil {
			t.Fatal(err)
		}
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke-" + reg + ".csv", CreatedBy: w.byName["admin"].id}
		if err := w.st.CreateIntake(ctx, &in, strings.NewReader("stored file"), 11); err != nil {
			t.Fatal(err)
		}
		c := &mxCycle{id: cy.ID, regency: reg, intake: in.ID}
		w.cycles = append(w.cycles, c)

		batch := store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, DueAt: mxT0.Add(20 * 24 * time.Hour),
			Issues: []store.IntakeIssue{{Row: 9, Column: "nik_kepala_keluarga", Reason: "must be 16 digits", Severity: "error"}}}
		for i := range mxHouseholds {
			h := mxHouseholds[i]
			if !within(h.desa, reg) {
				continue
			}
			batch.Households = append(batch.Households, store.NewHousehold{
				Household: store.Household{
					Row: len(batch.Households) + 2, FamilyID: h.familyID, KKMasked: ident.Mask(h.kk), NIKMasked: ident.Mask(h.nik),
					Name: h.name, Address: h.address, Members: 4, RegencyCode: reg, KecamatanCode: h.desa[:8], DesaCode: h.desa, Desil: 1,
				},
				NIK: h.nik, NoKK: h.kk,
			})
			h.cycle = c
			w.households = append(w.households, &h)
			w.secrets = append(w.secrets, h.nik, h.kk)
			w.names = append(w.names, h.name, h.address)
		}
		batch.Accepted, batch.Rejected = len(batch.Households), 1
		batch.Rows, batch.LastRow = len(batch.Households)+1, 9
		if n, err := w.st.SaveIntakeBatch(ctx, batch); err != nil || n != len(batch.Households) {
			t.Fatalf("SaveIntakeBatch: stored %d, err %v", n, err)
		}
	}
	for _, h := range w.households {
		var row store.Household
		if err := db.Where("family_id = ?", h.familyID).First(&row).Error; err != nil {
			t.Fatal(err)
		}
		h.id = row.ID
		if h.stage == "" {
			h.stage = "awaiting_verification"
		}
		if h.enteredAt.IsZero() {
			h.enteredAt = mxT0
		}
		if err := db.Model(&store.Household{}).Where("id = ?", h.id).
			Updates(map[string]any{"stage": h.stage, "stage_entered_at": h.enteredAt}).Error; err != nil {
			t.Fatal(err)
		}
		for i, n := range []store.Notification{
			{RegionCode: h.desa, Kind: "reminder", Message: "Kunjungan jatuh tempo 3 hari lagi"},
			{RegionCode: h.kec(), Kind: "escalation_tksk", Message: "Kunjungan terlambat"},
			{RegionCode: h.cycle.regency, Kind: "escalation_dinsos", Message: "Kunjungan terlambat 7 hari"},
		} {
			n.IdemKey = fmt.Sprintf("seed:%d:%d", h.id, i)
			n.CycleID, n.HouseholdID, n.DesaCode = h.cycle.id, h.id, h.desa
			if err := db.Create(&n).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	// Each household has a photo of its visit and, for the usul photo
	// rows, an usul record (as if it had been proposed into the cycle).
	for i, h := range w.households {
		h.photo = w.seedPhoto(t, h, domain.OwnerVisit, h.id, byte(i))
		if err := db.Create(&store.Usul{CycleID: h.cycle.id, HouseholdID: h.id, Channel: store.ChannelWalkIn,
			Reason: "warga datang ke kantor desa", ProposedBy: w.byName["admin"].id, CreatedAt: mxT0}).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Each cycle has a signed decree listing its first household, which is
	// now waiting to be proposed; its last household waits for a decree,
	// and is listed in a draft proposal and in one sent to Kemensos.
	for _, c := range w.cycles {
		var hs []*mxHousehold
		for _, h := range w.households {
			if h.cycle == c {
				hs = append(hs, h)
			}
		}
		first, last := hs[0], hs[len(hs)-1]
		c.proposed = last
		for h, stage := range map[*mxHousehold]string{first: "awaiting_proposal", last: "awaiting_decree"} {
			if err := db.Model(&store.Household{}).Where("id = ?", h.id).Update("stage", stage).Error; err != nil {
				t.Fatal(err)
			}
			h.stage = stage
		}
		number, signedAt, bupati := "188/1/KEP/"+c.regency+"/2026", mxT0.Add(10*24*time.Hour), w.byName["admin"].id
		d := store.Decree{CycleID: c.id, RegencyCode: c.regency, Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number,
			SignedDate: "2026-03-12", Households: 1, CreatedBy: bupati, SignedBy: &bupati, CreatedAt: mxT0, SignedAt: &signedAt}
		if err := db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		c.decree = d.ID
		if err := db.Create(&store.DecreeItem{DecreeID: d.ID, HouseholdID: first.id, Action: "add"}).Error; err != nil {
			t.Fatal(err)
		}
		// The decreed household has one programme and the exit of another.
		for _, e := range []store.Enrolment{
			{CycleID: c.id, HouseholdID: first.id, Programme: "BPJS-TK", Status: store.EnrolmentActive, EnrolledAt: &signedAt},
			{CycleID: c.id, HouseholdID: first.id, Programme: "PKH", Status: store.EnrolmentExited, ExitedAt: &signedAt, ExitReason: "removed"},
		} {
			if err := db.Create(&e).Error; err != nil {
				t.Fatal(err)
			}
		}
		first.programmes = "BPJS-TK:active,PKH:exited"
		for i, status := range []domain.ProposalStatus{domain.ProposalDraft, domain.ProposalSubmitted} {
			p := store.Proposal{CycleID: c.id, DecreeID: d.ID, Month: "2026-03", Status: status, Items: 1, CreatedBy: bupati, CreatedAt: mxT0}
			if status == domain.ProposalSubmitted {
				p.SubmittedAt = &signedAt
			}
			if err := db.Create(&p).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: last.id, Jenis: "TAMBAH"}).Error; err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				c.draftProposal = p.ID
			} else {
				c.sentProposal = p.ID
			}
		}
	}
	// The actors' own villages have verified every household, so their
	// village meeting can be recorded.
	if err := db.Model(&store.Task{}).Where("desa_code IN ?", []string{"35.05.01.2001", "16.73.01.1001"}).
		Update("status", domain.TaskSubmitted).Error; err != nil {
		t.Fatal(err)
	}
	// Each cycle has an objection (sanggah) in re-verification against a
	// decided household other than its first (35.05: Salam's not_eligible
	// one; 16.73: Kayu Ara's), recorded from a citizen whose name and
	// phone no answer may show.
	for _, c := range w.cycles {
		var first *mxHousehold
		for _, h := range w.households {
			if h.cycle != c {
				continue
			}
			if first == nil {
				first = h
				continue
			}
			if h.stage == "awaiting_verification" {
				continue
			}
			sg, _, _, err := w.st.CreateSanggah(ctx, store.NewSanggah{CycleID: c.id, HouseholdID: h.id, Kind: domain.SanggahExclusion,
				Channel: store.ChannelWalkIn, ObjectorKind: domain.ObjectorCitizen, Reason: "Keluarga ini sebenarnya masih miskin",
				Objector: store.SanggahObjector{Name: "Pelapor Rahasia " + c.regency, Phone: "08123456" + strings.ReplaceAll(c.regency, ".", "")}},
				domain.Actor{UserID: w.byName["admin"].id, Role: "dinsos"})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.st.SanggahStarted(ctx, sg.ID); err != nil {
				t.Fatal(err)
			}
			c.sanggah, c.sanggahHH, c.receipt = sg.ID, h, sg.Receipt
			c.sanggahPhoto = w.seedPhoto(t, h, domain.OwnerSanggah, sg.ID, 40)
			w.names = append(w.names, "Pelapor Rahasia "+c.regency)
			w.secrets = append(w.secrets, "08123456"+strings.ReplaceAll(c.regency, ".", ""))
			break
		}
	}
	for _, reg := range []string{"35.05", "16.73"} {
		cy := store.Cycle{RegencyCode: reg, Year: 2025, VerificationDays: 20, CreatedBy: w.byName["admin"].id, OpenedAt: mxT0}
		if err := w.st.CreateCycle(ctx, &cy); err != nil {
			t.Fatal(err)
		}
		w.closable = append(w.closable, &mxCycle{id: cy.ID, regency: reg})
	}
	w.clock.Advance(30 * 24 * time.Hour)
	w.namesHidden = map[string]bool{}
	for _, a := range w.actors {
		a.token = w.login(a.username, mxPassword)
		if a.role == auth.RoleAdmin {
			w.namesHidden[a.token] = true
		}
	}
	return w
}

// seedPhoto stores a photo of household h for owner (its visit, an usul,
// a sanggah) as the office would: stripped, sealed under its object key,
// recorded.
func (w *mxWorld) seedPhoto(t *testing.T, h *mxHousehold, owner string, ownerID int64, seed byte) int64 {
	t.Helper()
	clean, err := photo.Strip(phototest.JPEG(48, 32, seed))
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("photos/%d/%d/seed-%s-%d.jpg.sealed", h.cycle.id, h.id, owner, ownerID)
	sealed, err := w.st.Keys.SealBytes(clean.JPEG, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.objects.Put(t.Context(), key, sealed); err != nil {
		t.Fatal(err)
	}
	p := store.Photo{OwnerKind: owner, OwnerID: ownerID, CycleID: h.cycle.id, HouseholdID: h.id, DesaCode: h.desa,
		Kind: domain.PhotoFront, ObjectKey: key, IdemKey: "seed-" + key, SHA256: "-", Bytes: len(clean.JPEG), Width: 48, Height: 32,
		UploadedBy: w.byName["admin"].id}
	if _, err := w.st.CreatePhoto(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// mxTarget is what a route's request addresses, which decides whether the
// caller may see it.
type mxTarget int

const (
	// targetNone: nothing in particular (lists, the caller's session).
	targetNone mxTarget = iota
	// targetRegency: a regency code in the body (opening a cycle).
	targetRegency
	// targetCycle: a cycle; visible inside its regency.
	targetCycle
	// targetIntake: an intake; visible where its cycle is.
	targetIntake
	// targetHousehold: a household or its task; visible inside its desa.
	targetHousehold
	// targetDecree: a cycle's decree; visible where its cycle is.
	targetDecree
	// targetProposal: a cycle's draft proposal; visible where its cycle is.
	targetProposal
	// targetSentProposal: a proposal waiting for Kemensos' answers.
	targetSentProposal
	// targetClosable: a cycle with no intake running, which can be
	// closed; visible inside its regency.
	targetClosable
	// targetCorrectable: a household whose numbers may be corrected, that
	// is neither in a batch waiting for Kemensos nor finished; visible
	// inside its desa.
	targetCorrectable
	// targetAccount: a village officer's account that no row signs in
	// with; managed inside its regency.
	targetAccount
	// targetObjectable: a household whose decision is taken and that no
	// objection is open against; visible inside its desa.
	targetObjectable
	// targetSanggah: a cycle's objection in re-verification; visible
	// inside its household's desa.
	targetSanggah
)

// mxEntity is one target record.
type mxEntity struct {
	id      int64
	regency string
	hh      *mxHousehold
	cy      *mxCycle
	// photo is the record's seeded photo (a household's visit's, a
	// sanggah's), if it has one.
	photo int64
}

func (e mxEntity) String() string {
	switch {
	case e.hh != nil:
		return fmt.Sprintf("household %d (%s)", e.id, e.hh.desa)
	case e.cy != nil:
		return fmt.Sprintf("#%d (%s)", e.id, e.regency)
	case e.regency != "":
		return "regency " + e.regency
	}
	return "-"
}

// entities lists every record of a kind.
func (w *mxWorld) entities(k mxTarget) []mxEntity {
	var out []mxEntity
	switch k {
	case targetNone:
		out = append(out, mxEntity{})
	case targetRegency:
		for _, c := range w.cycles {
			out = append(out, mxEntity{regency: c.regency})
		}
	case targetCycle:
		for _, c := range w.cycles {
			out = append(out, mxEntity{id: c.id, regency: c.regency, cy: c})
		}
	case targetClosable:
		for _, c := range w.closable {
			out = append(out, mxEntity{id: c.id, regency: c.regency, cy: c})
		}
	case targetIntake:
		for _, c := range w.cycles {
			out = append(out, mxEntity{id: c.intake, regency: c.regency, cy: c})
		}
	case targetHousehold, targetCorrectable:
		for _, h := range w.households {
			if k == targetCorrectable && (h == h.cycle.proposed || h.stage == "not_eligible") {
				// In a batch waiting for Kemensos, or its case has ended:
				// both refuse a correction (409).
				continue
			}
			out = append(out, mxEntity{id: h.id, regency: h.cycle.regency, hh: h, cy: h.cycle, photo: h.photo})
		}
	case targetObjectable:
		for _, h := range w.households {
			if h.stage != "awaiting_verification" && h != h.cycle.sanggahHH {
				out = append(out, mxEntity{id: h.id, regency: h.cycle.regency, hh: h, cy: h.cycle})
			}
		}
	case targetSanggah:
		for _, c := range w.cycles {
			out = append(out, mxEntity{id: c.sanggah, regency: c.regency, hh: c.sanggahHH, cy: c, photo: c.sanggahPhoto})
		}
	case targetAccount:
		for _, name := range mxAccounts {
			a := w.byName[name]
			out = append(out, mxEntity{id: a.id, regency: a.regency()})
		}
	case targetDecree, targetProposal, targetSentProposal:
		for _, c := range w.cycles {
			id := map[mxTarget]int64{targetDecree: c.decree, targetProposal: c.draftProposal, targetSentProposal: c.sentProposal}[k]
			out = append(out, mxEntity{id: id, regency: c.regency, cy: c})
		}
	}
	return out
}

// sees reports whether the actor may see the record, from the rules of
// docs/process.md, "Who uses it": an administrator sees everything, a cycle (and its intakes)
// is seen throughout its regency, a household only inside the actor's
// desa, kecamatan or regency.
func (a *mxActor) sees(k mxTarget, e mxEntity) bool {
	switch {
	case a.role == auth.RoleAdmin, k == targetNone:
		return true
	case k == targetHousehold, k == targetCorrectable, k == targetObjectable, k == targetSanggah:
		return a.covers(e.hh.desa)
	default:
		return a.regency() == e.regency
	}
}

// mxRow is one route of the matrix.
type mxRow struct {
	method, route string
	// roles may call the route; nil means it needs no login.
	roles  []auth.Role
	target mxTarget
	// req builds the request for actor a (nil for the 401 checks of public
	// routes) and record e: path, body, headers; method, route and token
	// are filled in unless req set a token itself.
	req func(w *mxWorld, a *mxActor, e mxEntity) apiRequest
	// own is the exact status for an allowed role on a record it sees.
	own int
	// other is the exact status for an allowed role on a record outside its
	// region; 0 means 404.
	other int
	// temporal is the Temporal client method a successful request calls
	// (once); every other answer must not touch Temporal at all.
	temporal string
	// check looks further at an answer with the expected status.
	check func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse)
	// codec marks the codec endpoint, which sessions must not open.
	codec bool
	// page marks a web page: the session goes in the cookie, a form post
	// carries the session's CSRF token, and no session is a 303 to the
	// login page rather than a 401.
	page bool
}

var (
	allRoles     = auth.Roles()
	officeRoles  = []auth.Role{auth.RoleDinsos, auth.RoleAdmin}
	fieldRoles   = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin}
	visitorRoles = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RolePendamping}
	usulRoles    = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos}
	changeRoles  = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleDinsos}
	decideRoles  = []auth.Role{auth.RoleTKSK, auth.RoleDinsos}
	// photoRoles see a household's photos (in its region).
	photoRoles   = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos}
	superRoles   = []auth.Role{auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin}
	watcherRoles = []auth.Role{auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin}
	villageRole  = []auth.Role{auth.RoleVillage}
	dinsosRole   = []auth.Role{auth.RoleDinsos}
	bupatiRole   = []auth.Role{auth.RoleBupati}
	// reviewerRoles read decrees.
	reviewerRoles = []auth.Role{auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin}
)

// decreeWorkflow is the workflow ID of a decree record.
func decreeWorkflow(e mxEntity) string { return workflows.DecreeWorkflowID(e.id) }

// path is a request for a fixed path.
func path(p string) func(*mxWorld, *mxActor, mxEntity) apiRequest {
	return func(*mxWorld, *mxActor, mxEntity) apiRequest { return apiRequest{path: p} }
}

// idPath is a request for a path with the record's id in place of %d.
func idPath(format string) func(*mxWorld, *mxActor, mxEntity) apiRequest {
	return func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
		return apiRequest{path: fmt.Sprintf(format, e.id)}
	}
}

// idJSON is a POST of body to a path with the record's id.
// wantCode checks a refusal's code.
func wantCode(code domain.Code) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return wantCodeIn(code)
}

// wantCodeIn checks a refusal's code is one of codes.
func wantCodeIn(codes ...domain.Code) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
		var v struct{ Code string }
		r.decode(t, &v)
		if !slices.Contains(codes, domain.Code(v.Code)) {
			t.Errorf("%s on %s: code %q, want one of %v (%s)", a, e, v.Code, codes, r.body)
		}
	}
}

func idJSON(format string, body any) func(*mxWorld, *mxActor, mxEntity) apiRequest {
	return func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
		return apiRequest{path: fmt.Sprintf(format, e.id), json: body}
	}
}

// mxRows is the matrix: every route the server registers. A route added
// without a row here fails TestRoleRegionMatrix.
func mxRows() []mxRow {
	rows := []mxRow{
		{method: "GET", route: "/healthz", req: path("/healthz"), own: 200},
		{method: "GET", route: "/readyz", req: path("/readyz"), own: 200, temporal: "CheckHealth",
			check: func(t *testing.T, _ *mxWorld, _ *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Ready bool }
				r.decode(t, &v)
				if !v.Ready {
					t.Errorf("readyz: %s", r.body)
				}
			}},
		{method: "POST", route: "/api/v1/login", own: 200,
			req: func(*mxWorld, *mxActor, mxEntity) apiRequest {
				return apiRequest{path: "/api/v1/login", json: map[string]string{"username": "desa.jaten", "password": mxPassword}}
			},
			check: func(t *testing.T, _ *mxWorld, _ *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Token string
					User  struct{ Role, Region string }
				}
				r.decode(t, &v)
				if v.Token == "" || v.User.Role != "village" || v.User.Region != "35.05.01.2001" {
					t.Errorf("login: %s", r.body)
				}
			}},
		{method: "GET", route: "/api/v1/openapi.json", req: path("/api/v1/openapi.json"), own: 200},

		{method: "POST", route: "/api/v1/logout", roles: allRoles, own: 204,
			// A token of its own, so the actor's session survives.
			req: func(w *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				r := apiRequest{path: "/api/v1/logout"}
				if a != nil {
					r.token = w.login(a.username, mxPassword)
				}
				return r
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				// The logged-out token no longer works; the actor's other session does.
				dead := w.do(apiRequest{method: "GET", route: "/api/v1/me", path: "/api/v1/me", token: r.requestToken})
				dead.want(t, a.username+": /me after logout", http.StatusUnauthorized)
				live := w.do(apiRequest{method: "GET", route: "/api/v1/me", path: "/api/v1/me", token: a.token})
				live.want(t, a.username+": /me with another session", http.StatusOK)
			}},
		{method: "GET", route: "/api/v1/me", roles: allRoles, req: path("/api/v1/me"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Username, Role, Region string }
				r.decode(t, &v)
				if v.Username != a.username || v.Role != string(a.role) || v.Region != a.region {
					t.Errorf("%s: /me %s", a, r.body)
				}
			}},

		// Every role may change its own password; a wrong current one is
		// refused (422) without changing anything the other rows need.
		{method: "POST", route: "/api/v1/me/password", roles: allRoles, own: 422,
			req: func(*mxWorld, *mxActor, mxEntity) apiRequest {
				return apiRequest{path: "/api/v1/me/password", json: map[string]string{"currentPassword": "salah-sekali-2026", "newPassword": "kopi-tubruk-jaten"}}
			}},

		// Accounts: Dinsos manages its own regency's, the administrator
		// every one.
		{method: "GET", route: "/api/v1/users", roles: officeRoles, req: path("/api/v1/users?perPage=200"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Users []struct{ Username, Role, RegionCode string }
				}
				r.decode(t, &v)
				seen := map[string]bool{}
				for _, u := range v.Users {
					seen[u.Username] = true
					if a.role != auth.RoleAdmin && (u.Role == string(auth.RoleAdmin) || !a.covers(u.RegionCode)) {
						t.Errorf("%s lists %s (%s, %s)", a, u.Username, u.Role, u.RegionCode)
					}
				}
				for _, u := range mxUsers {
					if want := a.role == auth.RoleAdmin || u.role != auth.RoleAdmin && a.covers(u.region); want != seen[u.username] {
						t.Errorf("%s: %s listed %v, want %v", a, u.username, seen[u.username], want)
					}
				}
			}},
		{method: "POST", route: "/api/v1/users", roles: officeRoles, target: targetRegency, own: 201, other: 422,
			req: func(w *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				w.nextYear++
				desa := map[string]string{"35.05": "35.05.01.2001", "16.73": "16.73.01.1001"}[e.regency]
				return apiRequest{path: "/api/v1/users", json: map[string]any{"username": fmt.Sprintf("baru.%d", w.nextYear), "name": "Petugas Baru", "role": "village", "region": desa}}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if r.code != http.StatusCreated {
					return // another regency's: refused, nothing to look at
				}
				var v struct {
					User            struct{ MustChangePassword bool }
					OneTimePassword string
				}
				r.decode(t, &v)
				if !v.User.MustChangePassword || len(v.OneTimePassword) < 10 {
					t.Errorf("%s: new account %s", a, r.body)
				}
			}},
		{method: "POST", route: "/api/v1/users/:id/disable", roles: officeRoles, target: targetAccount, own: 200, req: idPath("/api/v1/users/%d/disable")},
		{method: "POST", route: "/api/v1/users/:id/enable", roles: officeRoles, target: targetAccount, own: 200, req: idPath("/api/v1/users/%d/enable")},
		{method: "POST", route: "/api/v1/users/:id/reset-password", roles: officeRoles, target: targetAccount, own: 200, req: idPath("/api/v1/users/%d/reset-password")},
		{method: "POST", route: "/api/v1/users/:id/role", roles: officeRoles, target: targetAccount, own: 200,
			req: func(w *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				// The account stays a village officer of its own desa.
				return apiRequest{path: fmt.Sprintf("/api/v1/users/%d/role", e.id), json: map[string]string{"role": "village", "region": w.accountRegion(e.id)}}
			}},
		{method: "POST", route: "/api/v1/users/:id/end-sessions", roles: officeRoles, target: targetAccount, own: 204, req: idPath("/api/v1/users/%d/end-sessions")},
		// A dry run of one account in the caller's regency: no faults.
		{method: "POST", route: "/api/v1/users/import", roles: officeRoles, own: 200,
			req: func(_ *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				desa := "35.05.01.2001"
				if a != nil && a.regency() == "16.73" {
					desa = "16.73.01.1001"
				}
				body, ct := upload("akun.csv", "username,nama,no_hp,peran,kode_wilayah\nimpor.baru,Petugas Baru,081234567890,psm,"+desa+"\n")
				return apiRequest{path: "/api/v1/users/import?dryRun=true", raw: body, contentType: ct}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct {
					DryRun bool
					Rows   int
					Issues []any
				}
				r.decode(t, &v)
				if !v.DryRun || v.Rows != 1 || len(v.Issues) != 0 {
					t.Errorf("%s: import dry run %s", a, r.body)
				}
			}},
		// The one-time passwords of an import the caller made: once.
		{method: "GET", route: "/api/v1/users/imports/:id/passwords", roles: officeRoles, own: 200,
			req: func(w *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/users/imports/%d/passwords", w.accountImport(a))}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
					t.Errorf("%s: passwords sheet %q", a, r.header.Get("Content-Type"))
				}
			}},

		{method: "POST", route: "/api/v1/cycles", roles: officeRoles, target: targetRegency, own: 201, other: 422,
			req: func(w *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				w.nextYear++
				return apiRequest{path: "/api/v1/cycles", json: map[string]any{"regencyCode": e.regency, "year": w.nextYear}}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse) {
				if !visible {
					wantField(t, a.username+" opening a cycle in "+e.regency, r, "regencyCode")
					return
				}
				var v struct{ RegencyCode string }
				r.decode(t, &v)
				if v.RegencyCode != e.regency {
					t.Errorf("%s: created %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/cycles", roles: allRoles, req: path("/api/v1/cycles"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Cycles []struct{ ID int64 } }
				r.decode(t, &v)
				var all []store.Cycle
				w.db.Find(&all)
				var want []int64
				for _, c := range all {
					if a.role == auth.RoleAdmin || c.RegencyCode == a.regency() {
						want = append(want, c.ID)
					}
				}
				wantIDs(t, a.username+": GET /cycles", ids(v.Cycles, func(c struct{ ID int64 }) int64 { return c.ID }), want)
			}},
		{method: "GET", route: "/api/v1/cycles/:id", roles: allRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d"), own: 200,
			check: wantBodyID("id")},
		// The scope changes only before a cycle's first upload: the 2025
		// cycles have none (the close row closes them later).
		{method: "POST", route: "/api/v1/cycles/:id/scope", roles: officeRoles, target: targetClosable, own: 200,
			req: idJSON("/api/v1/cycles/%d/scope", map[string]int{"maxDesil": 4}),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ ID, MaxDesil int64 }
				r.decode(t, &v)
				if v.ID != e.id || v.MaxDesil != 4 {
					t.Errorf("%s: scope %s", a, r.body)
				}
				var cy store.Cycle
				if err := w.db.First(&cy, e.id).Error; err != nil || cy.MaxDesil != 4 {
					t.Errorf("%s: stored scope %d (%v)", a, cy.MaxDesil, err)
				}
				scope := func(id int64, desil int) *apiResponse {
					return w.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/scope", path: fmt.Sprintf("/api/v1/cycles/%d/scope", id),
						json: map[string]int{"maxDesil": desil}, token: a.token})
				}
				// A cycle with an intake keeps its scope; 6 is past the
				// programmes' reach.
				for _, c := range w.cycles {
					if c.regency == e.regency {
						scope(c.id, 3).want(t, a.username+": scope after an intake", http.StatusConflict)
					}
				}
				wantField(t, a.username+": scope 6", scope(e.id, 6), "maxDesil")
			}},
		{method: "POST", route: "/api/v1/cycles/:id/intake", roles: officeRoles, target: targetCycle, own: 202, temporal: "ExecuteWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				raw, ct := p3keUpload()
				return apiRequest{path: fmt.Sprintf("/api/v1/cycles/%d/intake", e.id), raw: raw, contentType: ct}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ ID, CycleID int64 }
				r.decode(t, &v)
				if v.CycleID != e.id || r.header.Get("Location") != fmt.Sprintf("/api/v1/intakes/%d", v.ID) {
					t.Errorf("%s: intake %s, Location %q", a, r.body, r.header.Get("Location"))
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.IntakeWorkflowID(v.ID) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/progress", roles: allRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/progress"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Total     int
					ByStage   map[string]int
					Kecamatan []struct {
						Code    string
						ByStage map[string]int
						Desa    []struct {
							Code    string
							ByStage map[string]int
						}
					}
				}
				r.decode(t, &v)
				// Counts per stage for the cycle, each kecamatan and each
				// desa, from the seeded stages.
				want, got := map[string]int{}, map[string]int{}
				total := 0
				for _, h := range w.visibleHouseholds(a) {
					if h.cycle == e.cy {
						total++
						for _, at := range []string{"cycle", h.kec(), h.desa} {
							want[at+" "+h.stage]++
						}
					}
				}
				if v.Total != total {
					t.Errorf("%s: progress of cycle %d counts %d households, want %d", a, e.id, v.Total, total)
				}
				for stage, n := range v.ByStage {
					got["cycle "+stage] += n
				}
				for _, k := range v.Kecamatan {
					for stage, n := range k.ByStage {
						got[k.Code+" "+stage] += n
					}
					for _, d := range k.Desa {
						if a.role != auth.RoleAdmin && !a.covers(d.Code) {
							t.Errorf("%s: progress shows desa %s", a, d.Code)
						}
						for stage, n := range d.ByStage {
							got[d.Code+" "+stage] += n
						}
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: progress of cycle %d per stage:\n got  %v\n want %v", a, e.id, got, want)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/stuck", roles: auth.Roles(), target: targetCycle, req: idPath("/api/v1/cycles/%d/stuck?days=20"), own: 200,
			// 20 days, not the default 14: the case that entered its stage
			// 17 days ago is stuck only if days is ignored.
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Days             int
					Cases            []struct{ HouseholdID int64 }
					TemporalQueryURL string
				}
				r.decode(t, &v)
				if v.Days != 20 {
					t.Errorf("%s: stuck answers for %d days, want 20", a, v.Days)
				}
				cutoff := w.clock.Now().Add(-20 * 24 * time.Hour)
				var want []int64
				for _, h := range w.visibleHouseholds(a) {
					if h.cycle == e.cy && h.stage != "not_eligible" && h.enteredAt.Before(cutoff) {
						want = append(want, h.id)
					}
				}
				wantIDs(t, a.username+": stuck cases", ids(v.Cases, func(c struct{ HouseholdID int64 }) int64 { return c.HouseholdID }), want)
				// The Web UI query is narrowed as the list is: a TKSK's to
				// the kecamatan, a village officer's to the desa.
				u, err := url.Parse(v.TemporalQueryURL)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query().Get("query")
				narrowed := strings.Contains(q, fmt.Sprintf(`KecamatanCode = %q`, a.region)) || strings.Contains(q, fmt.Sprintf(`DesaCode = %q`, a.region)) ||
					len(a.regions) > 1 && strings.Contains(q, fmt.Sprintf(`DesaCode IN (%q, %q)`, a.regions[0], a.regions[1]))
				if want := a.role == auth.RoleTKSK || a.role.Visits(); narrowed != want || !strings.Contains(q, fmt.Sprintf(`RegencyCode = %q`, e.cy.regency)) {
					t.Errorf("%s: stuck query %q", a, q)
				}
			}},
		// The usul page (rows here: before the meetings close the desa).
		{method: "GET", route: "/usul", page: true, roles: usulRoles, req: path("/usul"), own: 200},
		{method: "POST", route: "/usul", page: true, roles: usulRoles, target: targetCycle, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				form := url.Values{"siklus": {fmt.Sprint(e.id)}, "members": {"2"}}
				for k, v := range w.usul(a) {
					form.Set(k, v)
				}
				return apiRequest{path: "/usul", form: form}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var h store.Household
				if err := w.db.Where("source = ?", store.SourceUsul).Last(&h).Error; err != nil || h.CycleID != e.id || !a.covers(h.DesaCode) {
					t.Fatalf("%s: the usul's household %+v, %v", a, h, err)
				}
				w.forgetUsul(h.ID)
			}},
		// A citizen's objection (exclusion error) against a decided
		// household; taken out again, so the next actor may object too.
		{method: "POST", route: "/api/v1/cycles/:id/sanggah", roles: usulRoles, target: targetObjectable, own: 201, temporal: "ExecuteWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/cycles/%d/sanggah", e.cy.id), json: map[string]any{
					"householdId": e.id, "kind": "exclusion", "channel": "letter", "objectorKind": "citizen",
					"objectorName": "Warga Pengadu", "objectorPhone": "081299998888", "reason": "Masih miskin, rumah bocor"}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v store.Sanggah
				r.decode(t, &v)
				if v.HouseholdID != e.id || v.Status != domain.SanggahReverification || !strings.HasPrefix(v.Receipt, "SGH-") ||
					strings.Contains(string(r.body), "Warga Pengadu") || strings.Contains(string(r.body), "081299998888") {
					t.Errorf("%s: sanggah %s", a, r.body)
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.SanggahWorkflowID(v.ID) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
				if err := w.db.Delete(&store.Sanggah{}, v.ID).Error; err != nil {
					t.Fatal(err)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/sanggah", roles: fieldRoles, target: targetCycle, own: 200,
			req: idPath("/api/v1/cycles/%d/sanggah"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ Sanggah []store.Sanggah }
				r.decode(t, &v)
				shown := len(v.Sanggah) == 1 && v.Sanggah[0].ID == e.cy.sanggah
				if want := a.role == auth.RoleAdmin || a.covers(e.cy.sanggahHH.desa); shown != want {
					t.Errorf("%s: cycle %d lists %s", a, e.id, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/sanggah/:id", roles: fieldRoles, target: targetSanggah, own: 200,
			req: idPath("/api/v1/sanggah/%d"), check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				wantBodyID("id")(t, w, a, e, v, r)
				noObjector(t, a, e, r)
			}},
		{method: "POST", route: "/api/v1/sanggah/:id/finding", roles: []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RoleTKSK},
			target: targetSanggah, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/sanggah/%d/finding", map[string]string{"outcome": "eligible", "note": "Rumah bambu, lantai tanah"}),
			check: wantUpdateTo(workflows.UpdateSanggahFinding, func(e mxEntity) string { return workflows.SanggahWorkflowID(e.id) })},
		{method: "POST", route: "/api/v1/sanggah/:id/decision", roles: dinsosRole, target: targetSanggah, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/sanggah/%d/decision", map[string]string{"decision": "upheld", "note": "Diterima"}),
			check: wantUpdateTo(workflows.UpdateSanggahDecide, func(e mxEntity) string { return workflows.SanggahWorkflowID(e.id) })},
		// The sanggah pages: the list and form, one objection, its
		// finding and decision, and the login-free status.
		{method: "GET", route: "/sanggah", page: true, roles: fieldRoles, req: path("/sanggah"), own: 200},
		{method: "POST", route: "/sanggah", page: true, roles: usulRoles, target: targetObjectable, own: 303, temporal: "ExecuteWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: "/sanggah", form: url.Values{"siklus": {fmt.Sprint(e.cy.id)}, "householdId": {fmt.Sprint(e.id)},
					"kind": {"exclusion"}, "objectorKind": {"citizen"}, "objectorName": {"Warga Pengadu"}, "objectorPhone": {"081299998888"},
					"reason": {"Masih miskin, rumah bocor"}, "channel": {"letter"}}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var sg store.Sanggah
				if err := w.db.Where("household_id = ?", e.id).Last(&sg).Error; err != nil {
					t.Fatal(err)
				}
				if got := r.header.Get("Location"); got != fmt.Sprintf("/sanggah?siklus=%d&tersimpan=%s", e.cy.id, sg.Receipt) {
					t.Errorf("%s: redirected to %q", a, got)
				}
				if err := w.db.Delete(&store.Sanggah{}, sg.ID).Error; err != nil {
					t.Fatal(err)
				}
			}},
		{method: "GET", route: "/sanggah/:id", page: true, roles: fieldRoles, target: targetSanggah, own: 200, req: idPath("/sanggah/%d"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) { noObjector(t, a, e, r) }},
		{method: "POST", route: "/sanggah/:id/temuan", page: true, roles: []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RoleTKSK},
			target: targetSanggah, own: 303, temporal: "UpdateWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/sanggah/%d/temuan", e.id), form: url.Values{"outcome": {"eligible"}, "note": {"Rumah bambu"}}}
			},
			check: wantSanggahPage(workflows.UpdateSanggahFinding, "temuan=1")},
		{method: "POST", route: "/sanggah/:id/keputusan", page: true, roles: dinsosRole, target: targetSanggah, own: 303, temporal: "UpdateWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/sanggah/%d/keputusan", e.id), form: url.Values{"decision": {"rejected"}, "note": {"Tetap"}}}
			},
			check: wantSanggahPage(workflows.UpdateSanggahDecide, "diputuskan=1")},
		{method: "GET", route: "/status", page: true, own: 200,
			req: func(w *mxWorld, _ *mxActor, _ mxEntity) apiRequest {
				return apiRequest{path: "/status?kode=" + w.cycles[0].receipt}
			},
			check: func(t *testing.T, w *mxWorld, _ *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if body := string(r.body); !strings.Contains(body, "Verifikasi ulang") || strings.Contains(body, "Salam") {
					t.Errorf("status page: %.2000s", body)
				}
			}},
		// Login-free: the status by receipt code, for anyone.
		{method: "GET", route: "/api/v1/status/:code", own: 200,
			req: func(w *mxWorld, _ *mxActor, _ mxEntity) apiRequest {
				return apiRequest{path: "/api/v1/status/" + w.cycles[0].receipt}
			},
			check: func(t *testing.T, w *mxWorld, _ *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v store.SanggahPublic
				r.decode(t, &v)
				if v.Receipt != w.cycles[0].receipt || v.Status != domain.SanggahReverification || strings.Contains(string(r.body), "35.05.01.2002") {
					t.Errorf("status %s", r.body)
				}
			}},
		// An usul for a desa of the caller's region; the household it
		// makes is taken out again, so the rows after see the seeded world.
		{method: "POST", route: "/api/v1/cycles/:id/usul", roles: usulRoles,
			target: targetCycle, own: 201, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				body := map[string]any{}
				for k, v := range w.usul(a) {
					body[k] = v
				}
				body["members"] = 2
				return apiRequest{path: fmt.Sprintf("/api/v1/cycles/%d/usul", e.id), json: body}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					HouseholdID   int64
					Stage, Source string
					DesaCode      string
				}
				r.decode(t, &v)
				if v.Stage != "awaiting_verification" || v.Source != "usul" || !a.covers(v.DesaCode) {
					t.Errorf("%s: usul %s", a, r.body)
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.HouseholdWorkflowID(e.id, v.HouseholdID) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
				w.forgetUsul(v.HouseholdID)
			}},
		{method: "POST", route: "/api/v1/cycles/:id/meetings", roles: villageRole, target: targetCycle, own: 201, temporal: "ExecuteWorkflow",
			req: idJSON("/api/v1/cycles/%d/meetings", map[string]any{"date": "2026-03-03", "beritaAcaraNo": "BA/07/2026", "attendees": 25}),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					ID              int64
					CycleID         int64
					DesaCode        string
					HouseholdsTotal int
				}
				r.decode(t, &v)
				if v.CycleID != e.id || v.DesaCode != a.region || v.HouseholdsTotal != 1 {
					t.Errorf("%s: meeting %s", a, r.body)
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.MeetingWorkflowID(v.ID) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
				w.unmeet(e.id, a.region)
			}},

		{method: "GET", route: "/api/v1/intakes/:id", roles: officeRoles, target: targetIntake, req: idPath("/api/v1/intakes/%d"), own: 200,
			check: wantBodyID("id")},
		// The intakes' workflows run: resuming one only looks at it.
		{method: "POST", route: "/api/v1/intakes/:id/resume", roles: officeRoles, target: targetIntake, own: 202, temporal: "DescribeWorkflowExecution",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				w.intakeWorkflow(enums.WORKFLOW_EXECUTION_STATUS_RUNNING)
				return idJSON("/api/v1/intakes/%d/resume", map[string]any{})(w, a, e)
			},
			check: wantBodyID("id")},
		{method: "GET", route: "/api/v1/intakes/:id/issues", roles: officeRoles, target: targetIntake, req: idPath("/api/v1/intakes/%d/issues"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Total int }
				r.decode(t, &v)
				if v.Total != 1 {
					t.Errorf("%s: issues %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/intakes/:id/issues", roles: officeRoles, target: targetIntake, req: idPath("/api/v1/intakes/%d/issues?format=csv"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(r.body), "row,column,severity,reason,status,alasan\n9,nik_kepala_keluarga,error,") {
					t.Errorf("%s: CSV %q %s", a, r.header.Get("Content-Type"), r.body)
				}
			}},

		{method: "GET", route: "/api/v1/tasks", roles: fieldRoles, req: path("/api/v1/tasks"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Tasks []taskJSON
					Total int
				}
				r.decode(t, &v)
				var want []int64
				for _, h := range w.visibleHouseholds(a) {
					want = append(want, h.id)
				}
				wantIDs(t, a.username+": GET /tasks", ids(v.Tasks, func(t taskJSON) int64 { return t.ID }), want)
				if v.Total != len(want) {
					t.Errorf("%s: total %d, want %d", a, v.Total, len(want))
				}
				for _, tk := range v.Tasks {
					w.checkPersonal(t, a, "GET /tasks", tk.ID, tk.Name, tk.Address, tk.NIKMasked, "")
				}
			}},
		// Filtering on a desa and cycle outside the region finds nothing.
		{method: "GET", route: "/api/v1/tasks", roles: fieldRoles, target: targetHousehold, own: 200, other: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/tasks?desa=%s&cycle=%d", e.hh.desa, e.hh.cycle.id)}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse) {
				var v struct{ Tasks []taskJSON }
				r.decode(t, &v)
				var want []int64
				for _, h := range w.households {
					if visible && h.desa == e.hh.desa && h.cycle == e.hh.cycle {
						want = append(want, h.id)
					}
				}
				wantIDs(t, fmt.Sprintf("%s: tasks of desa %s", a, e.hh.desa), ids(v.Tasks, func(t taskJSON) int64 { return t.ID }), want)
			}},
		{method: "GET", route: "/api/v1/tasks/:id", roles: fieldRoles, target: targetHousehold, req: idPath("/api/v1/tasks/%d"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v taskJSON
				r.decode(t, &v)
				if v.ID != e.id || v.DesaCode != e.hh.desa {
					t.Errorf("%s: task %s", a, r.body)
				}
				w.checkPersonal(t, a, "GET /tasks/:id", v.ID, v.Name, v.Address, v.NIKMasked, "")
			}},
		{method: "POST", route: "/api/v1/tasks/:id/result", roles: visitorRoles, target: targetHousehold, own: 200, temporal: "UpdateWorkflow",
			req: func(_ *mxWorld, a *mxActor, e mxEntity) apiRequest {
				r := idJSON("/api/v1/tasks/%d/result", map[string]any{"version": 0, "outcome": "eligible", "visitDate": "2026-03-10",
					"indicators": map[string]string{"jenisLantai": "tanah"}, "note": "rumah bambu"})(nil, a, e)
				r.header = map[string]string{"Idempotency-Key": "visit-1"}
				return r
			},
			check: wantUpdate(workflows.UpdateSubmitVerification)},
		{method: "POST", route: "/api/v1/tasks/:id/members", roles: visitorRoles, target: targetHousehold, own: 200,
			req: idJSON("/api/v1/tasks/%d/members", map[string]string{"change": "born", "name": "BAYI", "sex": "P", "date": "2026-02-01"}),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var m store.HouseholdMember
				r.decode(t, &m)
				if m.ID == 0 || m.Name != "BAYI" || m.Relation != "anak" || m.Source != store.SourceVisit || m.Status != store.MemberPresent {
					t.Errorf("%s: member %s", a, r.body)
				}
				var audits int64
				w.db.Model(&store.AuditEntry{}).Where("household_id = ? AND action = ? AND actor_id = ?", e.id, "household.member", a.id).Count(&audits)
				if audits < 1 {
					t.Errorf("%s: no household.member audit entry", a)
				}
			}},
		// Photos: a visit's, an usul's; each view audited; stored sealed.
		{method: "POST", route: "/api/v1/tasks/:id/photos", roles: visitorRoles, target: targetHousehold, own: 201,
			req: func(_ *mxWorld, a *mxActor, e mxEntity) apiRequest {
				raw, ct := uploadForm(map[string]string{"kind": "inside", "lat": "-7.83", "lon": "112.17", "accuracy": "12"}, "foto.jpg", string(phototest.JPEGWithEXIF(64, 48, 7)))
				return apiRequest{path: fmt.Sprintf("/api/v1/tasks/%d/photos", e.id), raw: raw, contentType: ct,
					header: map[string]string{"Idempotency-Key": fmt.Sprintf("foto-%d", e.id)}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPhotoUpload(t, a, e, r, domain.OwnerVisit, e.id)
			}},
		{method: "GET", route: "/api/v1/tasks/:id/photos", roles: photoRoles, target: targetHousehold, req: idPath("/api/v1/tasks/%d/photos"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Photos []struct{ ID, HouseholdID int64 }
				}
				r.decode(t, &v)
				found := false
				for _, p := range v.Photos {
					found = found || p.ID == e.hh.photo
					if p.HouseholdID != e.id {
						t.Errorf("%s: photos of household %d list %+v", a, e.id, p)
					}
				}
				if !found {
					t.Errorf("%s: photos of household %d: %s", a, e.id, r.body)
				}
			}},
		{method: "POST", route: "/api/v1/households/:id/usul/photos", roles: usulRoles, target: targetHousehold, own: 201,
			req: func(_ *mxWorld, a *mxActor, e mxEntity) apiRequest {
				raw, ct := uploadForm(map[string]string{"kind": "document"}, "surat.png", string(phototest.JPEG(40, 60, 3)))
				return apiRequest{path: fmt.Sprintf("/api/v1/households/%d/usul/photos", e.id), raw: raw, contentType: ct}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var u store.Usul
				if err := w.db.Where("household_id = ?", e.id).First(&u).Error; err != nil {
					t.Fatal(err)
				}
				w.checkPhotoUpload(t, a, e, r, domain.OwnerUsul, u.ID)
			}},
		{method: "GET", route: "/api/v1/photos/:id", roles: photoRoles, target: targetHousehold, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/photos/%d", photoOf(e))}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPhotoView(t, a, e, r)
			}},
		// A sanggah's photos: attached before its decision by those who
		// record or re-verify it; seen in its household's region.
		{method: "POST", route: "/api/v1/sanggah/:id/photos", roles: usulRoles, target: targetSanggah, own: 201,
			req: func(_ *mxWorld, a *mxActor, e mxEntity) apiRequest {
				raw, ct := uploadForm(map[string]string{"kind": "document"}, "surat-keberatan.jpg", string(phototest.JPEGWithEXIF(40, 60, 8)))
				return apiRequest{path: fmt.Sprintf("/api/v1/sanggah/%d/photos", e.id), raw: raw, contentType: ct,
					header: map[string]string{"Idempotency-Key": fmt.Sprintf("sanggah-foto-%d", e.id)}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPhotoUpload(t, a, e, r, domain.OwnerSanggah, e.id)
				noObjectorName(t, a, e, r)
			}},
		{method: "GET", route: "/api/v1/sanggah/:id/photos", roles: photoRoles, target: targetSanggah, own: 200,
			req: idPath("/api/v1/sanggah/%d/photos"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Photos []struct {
						ID, OwnerID int64
						OwnerKind   string
					}
				}
				r.decode(t, &v)
				found := false
				for _, p := range v.Photos {
					found = found || p.ID == e.photo
					if p.OwnerKind != domain.OwnerSanggah || p.OwnerID != e.id {
						t.Errorf("%s: photos of sanggah %d list %+v", a, e.id, p)
					}
				}
				if !found {
					t.Errorf("%s: photos of sanggah %d: %s", a, e.id, r.body)
				}
				noObjectorName(t, a, e, r)
			}},
		{method: "GET", route: "/api/v1/photos/:id", roles: photoRoles, target: targetSanggah, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/photos/%d", photoOf(e))}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPhotoView(t, a, e, r)
			}},
		{method: "GET", route: "/api/v1/cycles/:id/visit-flags", roles: superRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/visit-flags"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Flags []struct{ DesaCode string } }
				r.decode(t, &v)
				for _, f := range v.Flags {
					if !a.covers(f.DesaCode) && a.role != auth.RoleAdmin {
						t.Errorf("%s: flags a visit of %s", a, f.DesaCode)
					}
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/evidence", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/evidence"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Rows []struct{ DesaCode string } }
				r.decode(t, &v)
				for _, row := range v.Rows {
					if !a.covers(row.DesaCode) && a.role != auth.RoleAdmin {
						t.Errorf("%s: evidence of %s", a, row.DesaCode)
					}
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/evidence", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/evidence?format=xlsx"), own: 200,
			check: wantXLSX},
		{method: "GET", route: "/api/v1/cycles/:id/evidence", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/evidence?format=geojson"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Type string }
				r.decode(t, &v)
				if v.Type != "FeatureCollection" || r.header.Get("Content-Type") != "application/geo+json" {
					t.Errorf("%s: geojson %q %s", a, r.header.Get("Content-Type"), r.body)
				}
			}},
		{method: "POST", route: "/api/v1/tasks/:id/reopen", roles: superRoles, target: targetHousehold, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/tasks/%d/reopen", map[string]string{"reason": "alamat perlu dicek ulang"}),
			check: wantUpdate(workflows.UpdateReopen)},
		{method: "POST", route: "/api/v1/tasks/:id/assign", roles: superRoles, target: targetHousehold, own: 200,
			req: idJSON("/api/v1/tasks/%d/assign", map[string]int64{"assigneeId": 0}), check: wantBodyID("id")},

		{method: "POST", route: "/api/v1/cycles/:id/close", roles: dinsosRole, target: targetClosable, own: 202, temporal: "ExecuteWorkflow",
			req: idJSON("/api/v1/cycles/%d/close", map[string]string{"reason": "tutup buku 2025"}),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				wantStarted(workflows.CycleCloseWorkflowID)(t, w, a, e, v, r)
				var cy struct {
					ClosedAt    *time.Time
					CloseReason string
					ClosedBy    int64
				}
				r.decode(t, &cy)
				if cy.ClosedAt == nil || cy.CloseReason != "tutup buku 2025" || cy.ClosedBy != a.id {
					t.Errorf("%s: closed cycle %s", a, r.body)
				}
				in := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(3).(workflows.CloseCycleInput)
				if in != (workflows.CloseCycleInput{CycleID: e.id, Reason: "tutup buku 2025"}) {
					t.Errorf("%s: fan-out started with %+v", a, in)
				}
				var audits int64
				w.db.Model(&store.AuditEntry{}).Where("cycle_id = ? AND action = ? AND actor_id = ?", e.id, "cycle.close", a.id).Count(&audits)
				if audits != 1 {
					t.Errorf("%s: %d cycle.close audit entries, want 1", a, audits)
				}
				// Once closed: no second close, intake, decree or proposal;
				// a close without a reason is still refused for the reason.
				post := func(route, path string, body any) *apiResponse {
					req := apiRequest{method: "POST", route: route, path: fmt.Sprintf(path, e.id), json: body, token: a.token}
					if body == nil {
						req.raw, req.contentType = p3keUpload()
					}
					return w.do(req)
				}
				post("/api/v1/cycles/:id/close", "/api/v1/cycles/%d/close", map[string]string{"reason": "lagi"}).want(t, a.username+": second close", http.StatusConflict)
				wantField(t, a.username+": close without a reason",
					post("/api/v1/cycles/:id/close", "/api/v1/cycles/%d/close", map[string]string{"reason": " "}), "reason")
				post("/api/v1/cycles/:id/intake", "/api/v1/cycles/%d/intake", nil).want(t, a.username+": intake into a closed cycle", http.StatusConflict)
				post("/api/v1/cycles/:id/decrees", "/api/v1/cycles/%d/decrees", map[string]any{}).want(t, a.username+": decree of a closed cycle", http.StatusConflict)
				post("/api/v1/cycles/:id/proposals", "/api/v1/cycles/%d/proposals", map[string]any{}).want(t, a.username+": proposal of a closed cycle", http.StatusConflict)
			}},
		{method: "POST", route: "/api/v1/cycles/:id/decrees", roles: dinsosRole, target: targetCycle, own: 201, temporal: "ExecuteWorkflow",
			req: idJSON("/api/v1/cycles/%d/decrees", map[string]any{}),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				wantStarted(workflows.DecreeWorkflowID)(t, w, a, e, v, r)
				var d struct{ Households int }
				r.decode(t, &d)
				if d.Households != 1 {
					t.Errorf("%s: decree %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/decrees", roles: reviewerRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/decrees"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ Decrees []struct{ ID, CycleID int64 } }
				r.decode(t, &v)
				if !slices.ContainsFunc(v.Decrees, func(d struct{ ID, CycleID int64 }) bool { return d.ID == e.cy.decree }) {
					t.Errorf("%s: decrees %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/decrees/:id", roles: reviewerRoles, target: targetDecree, req: idPath("/api/v1/decrees/%d"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					Decree    struct{ ID int64 }
					Kecamatan []struct{ Households int }
				}
				r.decode(t, &v)
				if v.Decree.ID != e.id || len(v.Kecamatan) != 1 {
					t.Errorf("%s: decree %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/decrees/:id/attachment", roles: reviewerRoles, target: targetDecree, req: idPath("/api/v1/decrees/%d/attachment"), own: 200,
			check: wantXLSX},
		{method: "POST", route: "/api/v1/decrees/:id/submit", roles: dinsosRole, target: targetDecree, own: 200, temporal: "UpdateWorkflow",
			req: idJSON("/api/v1/decrees/%d/submit", map[string]any{}), check: wantUpdateTo(workflows.UpdateDecreeSubmit, decreeWorkflow)},
		{method: "POST", route: "/api/v1/decrees/:id/revise", roles: dinsosRole, target: targetDecree, own: 200, temporal: "UpdateWorkflow",
			req: idJSON("/api/v1/decrees/%d/revise", map[string]any{}), check: wantUpdateTo(workflows.UpdateDecreeRevise, decreeWorkflow)},
		{method: "POST", route: "/api/v1/decrees/:id/withdraw", roles: dinsosRole, target: targetDecree, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/decrees/%d/withdraw", map[string]any{"reason": "daftar keliru"}),
			check: wantUpdateTo(workflows.UpdateDecreeWithdraw, decreeWorkflow)},
		{method: "POST", route: "/api/v1/decrees/:id/return", roles: bupatiRole, target: targetDecree, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/decrees/%d/return", map[string]any{"reason": "lampiran belum lengkap"}),
			check: wantUpdateTo(workflows.UpdateDecreeReturn, decreeWorkflow)},
		{method: "POST", route: "/api/v1/decrees/:id/sign", roles: bupatiRole, target: targetDecree, own: 200, temporal: "UpdateWorkflow",
			req:   idJSON("/api/v1/decrees/%d/sign", map[string]any{"number": "188/2/KEP/2026", "date": "2026-03-20"}),
			check: wantUpdateTo(workflows.UpdateDecreeSign, decreeWorkflow)},

		{method: "POST", route: "/api/v1/cycles/:id/proposals", roles: dinsosRole, target: targetCycle, own: 201,
			req: idJSON("/api/v1/cycles/%d/proposals", map[string]any{"month": "2026-04"}),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					ID, CycleID, DecreeID int64
					Items                 int
				}
				r.decode(t, &v)
				if v.CycleID != e.id || v.DecreeID != e.cy.decree || v.Items != 1 || r.header.Get("Location") != fmt.Sprintf("/api/v1/proposals/%d", v.ID) {
					t.Errorf("%s: proposal %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/proposals", roles: officeRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/proposals"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ Proposals []struct{ ID, CycleID int64 } }
				r.decode(t, &v)
				for _, p := range v.Proposals {
					if p.CycleID != e.id {
						t.Errorf("%s: proposals of cycle %d: %s", a, e.id, r.body)
					}
				}
				if len(v.Proposals) < 2 {
					t.Errorf("%s: proposals %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/proposals/:id", roles: officeRoles, target: targetProposal, req: idPath("/api/v1/proposals/%d"), own: 200,
			check: wantBodyID("id")},
		{method: "GET", route: "/api/v1/proposals/:id/file", roles: dinsosRole, target: targetProposal, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/proposals/%d/file", e.id), fullIDs: true}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				wantXLSX(t, w, a, e, v, r)
				if cells := xlsxCells(t, r.body); !slices.Contains(cells, e.cy.proposed.nik) || !slices.Contains(cells, e.cy.proposed.kk) {
					t.Errorf("%s: the upload file lacks the proposed household's NIK and No KK: %v", a, cells)
				}
			}},
		{method: "POST", route: "/api/v1/proposals/:id/submit", roles: dinsosRole, target: targetProposal, own: 202, temporal: "ExecuteWorkflow",
			req: idPath("/api/v1/proposals/%d/submit"), check: wantStarted(workflows.ProposalWorkflowID)},
		{method: "POST", route: "/api/v1/proposals/:id/answers", roles: dinsosRole, target: targetSentProposal, own: 200, temporal: "SignalWorkflow",
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				h := e.cy.proposed
				raw, ct := upload("jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-03-25\n")
				return apiRequest{path: fmt.Sprintf("/api/v1/proposals/%d/answers", e.id), raw: raw, contentType: ct}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ ID, Applied int64 }
				r.decode(t, &v)
				if v.ID != e.id || v.Applied != 1 {
					t.Errorf("%s: answers %s", a, r.body)
				}
				if wf := r.temporalCalls("SignalWorkflow")[0].Arguments.String(1); wf != workflows.ProposalWorkflowID(e.id) {
					t.Errorf("%s: signalled %q", a, wf)
				}
			}},
		{method: "POST", route: "/api/v1/proposals/:id/resume", roles: dinsosRole, target: targetSentProposal, own: 202, temporal: "SignalWithStartWorkflow",
			req: idJSON("/api/v1/proposals/%d/resume", map[string]any{}),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				wantBodyID("id")(t, nil, a, e, true, r)
				c := r.temporalCalls("SignalWithStartWorkflow")[0]
				opts := c.Arguments.Get(4).(client.StartWorkflowOptions)
				if c.Arguments.String(1) != workflows.ProposalWorkflowID(e.id) || opts.ID != workflows.ProposalWorkflowID(e.id) ||
					opts.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY {
					t.Errorf("%s: resumed %q with %+v", a, c.Arguments.String(1), opts)
				}
			}},
		{method: "POST", route: "/api/v1/proposals/:id/unanswered", roles: dinsosRole, target: targetSentProposal, own: 200, temporal: "SignalWorkflow",
			req: func(w *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				// The answers row answered the batch: take the answer back,
				// so the household waits for Kemensos again.
				w.unanswer(e.id)
				return apiRequest{path: fmt.Sprintf("/api/v1/proposals/%d/unanswered", e.id), json: map[string]string{"reason": "tidak ada jawaban Kemensos"}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct{ ID, Marked int64 }
				r.decode(t, &v)
				if v.ID != e.id || v.Marked != 1 {
					t.Errorf("%s: unanswered %s", a, r.body)
				}
				w.checkMarked(t, a, e, r, "tidak ada jawaban Kemensos")
			}},
		{method: "GET", route: "/api/v1/cycles/:id/report", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/report"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				type row struct {
					KecamatanCode, KecamatanName, DesaCode, DesaName string
					TakenIn                                          int
				}
				var v struct{ Kecamatan, Desa []row }
				r.decode(t, &v)
				total, kecTotal, want := 0, 0, 0
				for _, d := range v.Desa {
					total += d.TakenIn
					if a.role != auth.RoleAdmin && !a.covers(d.DesaCode) {
						t.Errorf("%s: report shows desa %s", a, d.DesaCode)
					}
					if d.DesaName == "" || d.KecamatanName == "" {
						t.Errorf("%s: report desa %s without its names: %+v", a, d.DesaCode, d)
					}
				}
				for _, k := range v.Kecamatan {
					kecTotal += k.TakenIn
					if k.DesaCode != "" || k.KecamatanName == "" {
						t.Errorf("%s: report kecamatan total %+v", a, k)
					}
				}
				if kecTotal != total {
					t.Errorf("%s: report kecamatan totals %d, desa %d", a, kecTotal, total)
				}
				for _, h := range w.visibleHouseholds(a) {
					if h.cycle == e.cy {
						want++
					}
				}
				if total != want {
					t.Errorf("%s: report counts %d households, want %d", a, total, want)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/report", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/report?format=xlsx"), own: 200,
			check: wantXLSX},
		// The closable cycles are 2025's: their next year (2026) exists.
		{method: "POST", route: "/api/v1/cycles/:id/next", roles: dinsosRole, target: targetClosable, req: idPath("/api/v1/cycles/%d/next"), own: 409,
			check: wantCodeIn(domain.CodeCycleExists, domain.CodeCycleNotClosed)},
		{method: "GET", route: "/api/v1/cycles/:id/year-on-year", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/year-on-year"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					CycleID, Year int64
					Total         []struct{ Programme string }
				}
				r.decode(t, &v)
				if v.CycleID != e.id || v.Year != 2026 || len(v.Total) == 0 {
					t.Errorf("%s: year-on-year %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/year-on-year", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/year-on-year?format=xlsx"), own: 200,
			check: wantXLSX},
		{method: "GET", route: "/api/v1/cycles/:id/changes", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/changes?month=2026-03"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					CycleID int64
					Month   string
					Desa    []any
				}
				r.decode(t, &v)
				if v.CycleID != e.id || v.Month != "2026-03" || v.Desa == nil {
					t.Errorf("%s: change report %s", a, r.body)
				}
			}},
		{method: "GET", route: "/api/v1/cycles/:id/changes", roles: watcherRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/changes?month=2026-03&format=xlsx"), own: 200,
			check: wantXLSX},
		{method: "GET", route: "/api/v1/cycles/:id/enrolments", roles: officeRoles, target: targetCycle, req: idPath("/api/v1/cycles/%d/enrolments?programme=PKH"), own: 200,
			check: wantXLSX},

		{method: "GET", route: "/api/v1/households/:id", roles: allRoles, target: targetHousehold, req: idPath("/api/v1/households/%d"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					ID                      int64
					DesaCode, Name, Address string
					NIKMasked, KKMasked     string
					History                 []struct{ Stage string }
					Programmes              []struct {
						HouseholdID       int64
						Programme, Status string
					}
				}
				r.decode(t, &v)
				if v.ID != e.id || v.DesaCode != e.hh.desa || len(v.History) != 1 {
					t.Errorf("%s: household %s", a, r.body)
				}
				var progs []string
				for _, p := range v.Programmes {
					progs = append(progs, p.Programme+":"+p.Status)
					if p.HouseholdID != e.id {
						t.Errorf("%s: household %d shows the programme of household %d", a, e.id, p.HouseholdID)
					}
				}
				if got := strings.Join(progs, ","); got != e.hh.programmes || v.Programmes == nil {
					t.Errorf("%s: household %d programmes %q, want %q", a, e.id, got, e.hh.programmes)
				}
				w.checkPersonal(t, a, "GET /households/:id", v.ID, v.Name, v.Address, v.NIKMasked, v.KKMasked)
			}},
		{method: "GET", route: "/api/v1/households/:id/identity", roles: append([]auth.Role{auth.RoleDinsos}, visitorRoles...), target: targetHousehold, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/households/%d/identity", e.id), fullIDs: true}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var v struct {
					HouseholdID int64
					NIK, NoKK   string
				}
				r.decode(t, &v)
				if v.HouseholdID != e.id || v.NIK != e.hh.nik || v.NoKK != e.hh.kk {
					t.Errorf("%s: identity of household %d: got household %d, NIK match %v, No KK match %v", a, e.id, v.HouseholdID, v.NIK == e.hh.nik, v.NoKK == e.hh.kk)
				}
				if cc := r.header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s: identity answered with Cache-Control %q, want no-store", a, cc)
				}
				// Audited: this reveal is an entry naming the actor and the
				// household, without the numbers; no refused request (another
				// role, another region) left one.
				var entries []store.AuditEntry
				w.db.Where("action = ? AND household_id = ?", store.ActionIdentityReveal, e.id).Find(&entries)
				mine := 0
				for _, en := range entries {
					if en.ActorID == a.id {
						mine++
					}
					if strings.Contains(en.Detail, e.hh.nik) || strings.Contains(en.Detail, e.hh.kk) {
						t.Errorf("reveal audit entry %d holds the numbers", en.ID)
					}
					var who *mxActor
					for _, o := range w.actors {
						if o.id == en.ActorID {
							who = o
						}
					}
					if who == nil || (who.role != auth.RoleDinsos && !who.role.Visits()) || !who.covers(e.hh.desa) {
						t.Errorf("household %d has a reveal entry by user %d, who may not see its numbers", e.id, en.ActorID)
					}
				}
				if mine != 1 {
					t.Errorf("%s: %d reveal entries for household %d, want 1", a, mine, e.id)
				}
			}},
		{method: "POST", route: "/api/v1/households/:id/identity", roles: dinsosRole, target: targetCorrectable, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/api/v1/households/%d/identity", e.id),
					json: map[string]string{"nik": nextSerial(e.hh.nik), "noKk": nextSerial(e.hh.kk)}}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				nik, kk := nextSerial(e.hh.nik), nextSerial(e.hh.kk)
				var v struct {
					ID                  int64
					NIKMasked, KKMasked string
				}
				r.decode(t, &v)
				if v.ID != e.id || v.NIKMasked != ident.Mask(nik) || v.KKMasked != ident.Mask(kk) {
					t.Errorf("%s: identity correction answered %s", a, r.body)
				}
				var h store.Household
				w.db.First(&h, "id = ?", e.id)
				gotNIK, _ := w.st.Keys.Open(h.NIKSealed, store.ADNIK)
				gotKK, _ := w.st.Keys.Open(h.KKSealed, store.ADNoKK)
				if gotNIK != nik || gotKK != kk || h.NIKHash != w.st.Keys.Hash(nik) || h.KKHash != w.st.Keys.Hash(kk) {
					t.Errorf("%s: household %d not corrected (sealed and hashed)", a, e.id)
				}
				var audit store.AuditEntry
				w.db.Where("household_id = ? AND action = ?", e.id, "household.identity").Order("id DESC").First(&audit)
				if audit.ActorID != a.id || strings.Contains(audit.Detail, nik[6:]) || strings.Contains(audit.Detail, kk[6:]) {
					t.Errorf("%s: identity correction audited as %+v", a, audit)
				}
				// The world follows: later rows see the corrected numbers,
				// which no answer may show in clear either.
				e.hh.nik, e.hh.kk = nik, kk
				w.secrets = append(w.secrets, nik, kk)
			}},
		// The year's changes: the seeded households are not enrolled, so
		// an allowed role in region is refused 409 change.not_open before
		// any Update; the rows hold the roles and the regions.
		{method: "POST", route: "/api/v1/households/:id/changes", roles: changeRoles, target: targetHousehold, own: 409,
			req:   idJSON("/api/v1/households/%d/changes", map[string]string{"kind": "graduated", "date": "2026-03-20", "note": "usaha warung berkembang"}),
			check: wantCode(domain.CodeChangeNotOpen)},
		{method: "POST", route: "/api/v1/households/:id/changes/decision", roles: decideRoles, target: targetHousehold, own: 409,
			req:   idJSON("/api/v1/households/%d/changes/decision", map[string]any{"confirm": true}),
			check: wantCode(domain.CodeChangeNotOpen)},
		{method: "GET", route: "/api/v1/notifications", roles: allRoles, req: path("/api/v1/notifications"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				var v struct{ Notifications []struct{ ID int64 } }
				r.decode(t, &v)
				var all []store.Notification
				w.db.Find(&all)
				var want []int64
				for _, n := range all {
					if a.role == auth.RoleAdmin || a.covers(n.RegionCode) {
						want = append(want, n.ID)
					}
				}
				wantIDs(t, a.username+": notifications", ids(v.Notifications, func(n struct{ ID int64 }) int64 { return n.ID }), want)
			}},
	}
	// The codec endpoint (gin's Any: every method) has its own token; a
	// session token opens nothing there. A CORS preflight carries no
	// credentials and no data and is answered 204.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS", "DELETE", "CONNECT", "TRACE"} {
		rows = append(rows, mxRow{method: m, route: "/codec/*path", req: path("/codec/decode"), codec: true})
	}
	return append(rows, pageRows()...)
}

// nextSerial is a personal number with its 13th digit (the start of a
// NIK's serial) moved on by one: still valid, and masked the same.
func nextSerial(n string) string {
	b := []byte(n)
	b[12] = '0' + (b[12]-'0'+1)%10
	return string(b)
}

// csrfField finds a page form's CSRF token.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a session, as its pages' forms carry it.
func (w *mxWorld) csrf(session string) string {
	w.t.Helper()
	r := w.do(apiRequest{method: "GET", route: "/dasbor", path: "/dasbor", cookie: session})
	m := csrfField.FindStringSubmatch(string(r.body))
	if m == nil {
		w.t.Errorf("no CSRF token on /dasbor (%d)", r.code)
		return ""
	}
	return html.UnescapeString(m[1])
}

// pageRows are the web pages' rows.
func pageRows() []mxRow {
	form := func(format string, kv ...string) func(*mxWorld, *mxActor, mxEntity) apiRequest {
		return func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
			f := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				f.Set(kv[i], strings.ReplaceAll(kv[i+1], "{id}", fmt.Sprint(e.id)))
			}
			p := format
			if strings.Contains(format, "%d") {
				p = fmt.Sprintf(format, e.id)
			}
			return apiRequest{path: p, form: f}
		}
	}
	redirectTo := func(format string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
		return func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
			want := format
			if strings.Contains(format, "%d") {
				want = fmt.Sprintf(format, e.id)
			}
			if got := r.header.Get("Location"); got != want {
				t.Errorf("%s: redirected to %q, want %q", a, got, want)
			}
		}
	}
	return []mxRow{
		{method: "GET", route: "/static/*file", page: true, req: path("/static/app.css"), own: 200},
		{method: "GET", route: "/sw.js", page: true, req: path("/sw.js"), own: 200},
		{method: "GET", route: "/", page: true, req: path("/"), own: 303, check: redirectTo("/masuk")},
		{method: "GET", route: "/masuk", page: true, req: path("/masuk"), own: 200},
		{method: "POST", route: "/masuk", page: true, own: 303,
			req: form("/masuk", "username", "desa.jaten", "password", mxPassword),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/tugas")(t, w, a, e, v, r)
				if !strings.Contains(r.header.Get("Set-Cookie"), web.SessionCookie+"=") {
					t.Errorf("login page set no session cookie: %v", r.header)
				}
			}},
		{method: "POST", route: "/keluar", page: true, roles: allRoles, own: 303,
			req: func(w *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				r := apiRequest{path: "/keluar"}
				if a != nil {
					r.token = w.login(a.username, mxPassword)
				}
				return r
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				dead := w.do(apiRequest{method: "GET", route: "/api/v1/me", path: "/api/v1/me", token: r.requestToken})
				dead.want(t, a.username+": session after logging out on the page", http.StatusUnauthorized)
			}},
		{method: "GET", route: "/sandi", page: true, roles: allRoles, req: path("/sandi"), own: 200},
		{method: "POST", route: "/sandi", page: true, roles: allRoles, own: 422,
			req: form("/sandi", "currentPassword", "salah-sekali-2026", "newPassword", "kopi-tubruk-jaten", "repeatPassword", "kopi-tubruk-jaten")},
		// A cycle outside the region is ignored: the page shows the
		// caller's own newest cycle instead.
		{method: "GET", route: "/tugas", page: true, roles: fieldRoles, target: targetCycle, own: 200, other: 200,
			req: idPath("/tugas?siklus=%d"),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse) {
				for _, h := range w.households {
					shown := visible && h.cycle == e.cy && a.sees(targetHousehold, mxEntity{hh: h})
					w.checkPage(t, a, "/tugas", r, h, shown)
				}
			}},
		{method: "GET", route: "/tugas/:id", page: true, roles: fieldRoles, target: targetHousehold, req: idPath("/tugas/%d"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPage(t, a, "/tugas/:id", r, e.hh, true)
			}},
		{method: "POST", route: "/tugas/:id", page: true, roles: visitorRoles, target: targetHousehold, own: 303, temporal: "UpdateWorkflow",
			req: form("/tugas/%d", "version", "0", "outcome", "eligible", "visitDate", "2026-03-10", "jenisLantai", "tanah"),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/tugas/%d?tersimpan=1")(t, w, a, e, v, r)
				opts := r.temporalCalls("UpdateWorkflow")[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
				if opts.WorkflowID != workflows.HouseholdWorkflowID(e.hh.cycle.id, e.id) || opts.UpdateName != workflows.UpdateSubmitVerification {
					t.Errorf("%s: Update %q to %q", a, opts.UpdateName, opts.WorkflowID)
				}
			}},
		{method: "POST", route: "/tugas/:id/anggota", page: true, roles: visitorRoles, target: targetHousehold, own: 303,
			req: form("/tugas/%d/anggota", "change", "born", "name", "BAYI", "sex", "L", "date", "2026-02-02"), check: redirectTo("/tugas/%d?anggota=1")},
		{method: "POST", route: "/tugas/:id/foto", page: true, roles: visitorRoles, target: targetHousehold, own: 303,
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				fields := map[string]string{"kind": "front", "kunci": fmt.Sprintf("%x", e.id*7919)}
				if a != nil {
					fields["csrf"] = w.csrf(a.token)
				}
				raw, ct := uploadForm(fields, "depan.jpg", string(phototest.JPEG(30, 20, 5)))
				return apiRequest{path: fmt.Sprintf("/tugas/%d/foto", e.id), raw: raw, contentType: ct}
			},
			check: redirectTo("/tugas/%d?foto=1#foto")},
		{method: "GET", route: "/foto/:id", page: true, roles: photoRoles, target: targetHousehold, own: 200,
			req: func(_ *mxWorld, _ *mxActor, e mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/foto/%d", photoOf(e))}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPhotoView(t, a, e, r)
			}},
		{method: "POST", route: "/rumah-tangga/:id/foto-usul", page: true, roles: usulRoles, target: targetHousehold, own: 303,
			req: photoPost("/rumah-tangga/%d/foto-usul", "document", 6), check: redirectTo("/rumah-tangga/%d?foto=1")},
		{method: "POST", route: "/sanggah/:id/foto", page: true, roles: usulRoles, target: targetSanggah, own: 303,
			req: photoPost("/sanggah/%d/foto", "front", 9), check: redirectTo("/sanggah/%d?foto=1#foto")},
		{method: "GET", route: "/lokasi", page: true, roles: superRoles, target: targetCycle, req: idPath("/lokasi?siklus=%d"), own: 200, other: 200},
		{method: "GET", route: "/bukti", page: true, roles: watcherRoles, target: targetCycle, req: idPath("/bukti?siklus=%d"), own: 200, other: 200},
		{method: "GET", route: "/bukti", page: true, roles: watcherRoles, target: targetCycle, req: idPath("/bukti?siklus=%d&format=xlsx"), own: 200, other: 200},
		{method: "POST", route: "/tugas/:id/buka-ulang", page: true, roles: superRoles, target: targetHousehold, own: 303, temporal: "UpdateWorkflow",
			req: form("/tugas/%d/buka-ulang", "reason", "alamat perlu dicek ulang"), check: redirectTo("/tugas/%d?dibuka=1")},
		{method: "POST", route: "/tugas/:id/tugaskan", page: true, roles: superRoles, target: targetHousehold, own: 303,
			req: form("/tugas/%d/tugaskan", "assigneeId", "0"), check: redirectTo("/tugas/%d?ditugaskan=1")},
		{method: "GET", route: "/musyawarah", page: true, roles: villageRole, req: path("/musyawarah"), own: 200},
		{method: "POST", route: "/musyawarah", page: true, roles: villageRole, target: targetCycle, own: 303, temporal: "ExecuteWorkflow",
			req: form("/musyawarah", "siklus", "{id}", "date", "2026-03-03", "beritaAcaraNo", "BA/08/2026", "attendees", "21"),
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/musyawarah?tersimpan=1&siklus=%d")(t, w, a, e, v, r)
				w.unmeet(e.id, a.region)
			}},
		{method: "POST", route: "/rumah-tangga/:id/perubahan", page: true, roles: changeRoles, target: targetHousehold, own: 409,
			req: form("/rumah-tangga/%d/perubahan", "kind", "withdrew", "date", "2026-03-20", "note", "mengundurkan diri")},
		{method: "POST", route: "/rumah-tangga/:id/perubahan/keputusan", page: true, roles: decideRoles, target: targetHousehold, own: 409,
			req: form("/rumah-tangga/%d/perubahan/keputusan", "confirm", "1")},
		{method: "POST", route: "/dasbor/siklus-berikut", page: true, roles: dinsosRole, target: targetClosable, own: 409,
			req: form("/dasbor/siklus-berikut", "siklus", "{id}")},
		{method: "GET", route: "/laporan-tahunan", page: true, roles: watcherRoles, target: targetCycle, req: idPath("/laporan-tahunan?siklus=%d"), own: 200, other: 200},
		{method: "GET", route: "/laporan-perubahan", page: true, roles: watcherRoles, target: targetCycle, req: idPath("/laporan-perubahan?siklus=%d&bulan=2026-03"), own: 200, other: 200},
		{method: "GET", route: "/rumah-tangga/:id", page: true, roles: allRoles, target: targetHousehold, req: idPath("/rumah-tangga/%d"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				w.checkPage(t, a, "/rumah-tangga/:id", r, e.hh, true)
			}},
		{method: "GET", route: "/dasbor", page: true, roles: allRoles, target: targetCycle, req: idPath("/dasbor?siklus=%d"), own: 200, other: 200,
			// Only Dinsos gets the close form (its own open cycle is shown
			// whichever cycle is asked for).
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				want := a.role == auth.RoleDinsos
				if got := strings.Contains(string(r.body), `action="/dasbor/tutup"`); got != want {
					t.Errorf("%s: dashboard offers the close form: %v, want %v", a, got, want)
				}
			}},
		{method: "GET", route: "/macet", page: true, roles: auth.Roles(), target: targetCycle, req: idPath("/macet?siklus=%d&hari=14"), own: 200, other: 200},
		{method: "GET", route: "/akun/impor", page: true, roles: officeRoles, req: path("/akun/impor"), own: 200},
		// A check (dry run) of one account in the caller's regency.
		{method: "POST", route: "/akun/impor", page: true, roles: officeRoles, own: 200,
			req: func(w *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				fields, desa := map[string]string{"aksi": "periksa"}, "35.05.01.2001"
				if a != nil {
					fields["csrf"] = w.csrf(a.token)
					if a.regency() == "16.73" {
						desa = "16.73.01.1001"
					}
				}
				raw, ct := uploadForm(fields, "akun.csv", "username,nama,no_hp,peran,kode_wilayah\nimpor.halaman,Petugas Baru,,psm,"+desa+"\n")
				return apiRequest{path: "/akun/impor", raw: raw, contentType: ct}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if !strings.Contains(string(r.body), "Berkas bersih: 1 akun siap diimpor") {
					t.Errorf("%s: import check page %s", a, r.body)
				}
			}},
		{method: "GET", route: "/akun/impor/:id/sandi.xlsx", page: true, roles: officeRoles, own: 200,
			req: func(w *mxWorld, a *mxActor, _ mxEntity) apiRequest {
				return apiRequest{path: fmt.Sprintf("/akun/impor/%d/sandi.xlsx", w.accountImport(a))}
			}},
		{method: "GET", route: "/unggah", page: true, roles: officeRoles, req: path("/unggah"), own: 200},
		{method: "GET", route: "/unggah/contoh.csv", page: true, roles: officeRoles, target: targetCycle, req: idPath("/unggah/contoh.csv?siklus=%d"), own: 200, other: 200},
		{method: "GET", route: "/unggah/:id", page: true, roles: officeRoles, target: targetIntake, req: idPath("/unggah/%d"), own: 200},
		{method: "POST", route: "/unggah/:id/lanjutkan", page: true, roles: officeRoles, target: targetIntake, own: 303, temporal: "DescribeWorkflowExecution",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				w.intakeWorkflow(enums.WORKFLOW_EXECUTION_STATUS_RUNNING)
				return idPath("/unggah/%d/lanjutkan")(w, a, e)
			},
			check: redirectTo("/unggah/%d?dilanjutkan=1")},
		// The 2026 cycles have an intake: their scope is kept, and the
		// page says why.
		{method: "POST", route: "/unggah/cakupan", page: true, roles: officeRoles, target: targetCycle, own: 409,
			req: form("/unggah/cakupan", "siklus", "{id}", "desil", "3"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if !strings.Contains(string(r.body), "cakupan desil hanya dapat diubah sebelum unggahan pertama") {
					t.Errorf("%s: the refused scope form does not say why", a)
				}
			}},
		// The upload form goes through the API's intake code.
		{method: "POST", route: "/unggah", page: true, roles: officeRoles, target: targetCycle, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				fields := map[string]string{"siklus": fmt.Sprint(e.id)}
				if a != nil {
					fields["csrf"] = w.csrf(a.token)
				}
				raw, ct := uploadForm(fields, "p3ke.csv", "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil\n")
				return apiRequest{path: "/unggah", raw: raw, contentType: ct}
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				m := regexp.MustCompile(`^/unggah/(\d+)$`).FindStringSubmatch(r.header.Get("Location"))
				if m == nil {
					t.Fatalf("%s: redirected to %q", a, r.header.Get("Location"))
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if id, _ := strconv.ParseInt(m[1], 10, 64); opts.ID != workflows.IntakeWorkflowID(id) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
			}},

		// Decrees: the list shows the cycle's own decrees only (a cycle
		// outside the region is ignored for the caller's own), the page
		// is its API route's, every step goes to the decree's workflow.
		{method: "GET", route: "/sk", page: true, roles: reviewerRoles, target: targetCycle, own: 200, other: 200,
			req: idPath("/sk?siklus=%d"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse) {
				if shown := strings.Contains(string(r.body), fmt.Sprintf(`href="/sk/%d"`, e.cy.decree)); shown != visible {
					t.Errorf("%s: /sk?siklus=%d shows the decree of %s: %v", a, e.id, e.regency, shown)
				}
			}},
		{method: "POST", route: "/dasbor/tutup", page: true, roles: dinsosRole, target: targetClosable, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				if a != nil && a.role == auth.RoleDinsos && a.regency() == e.regency {
					w.reopenCycle(e.id)
				}
				return form("/dasbor/tutup", "siklus", "{id}", "alasan", "akhir tahun anggaran")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/dasbor?siklus=%d&ditutup=1")(t, w, a, e, v, r)
				var cy store.Cycle
				w.db.First(&cy, e.id)
				if cy.ClosedAt == nil || cy.CloseReason != "akhir tahun anggaran" {
					t.Errorf("%s: cycle after the close form: %+v", a, cy)
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.CycleCloseWorkflowID(e.id) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
				page := w.do(apiRequest{method: "GET", route: "/dasbor", path: fmt.Sprintf("/dasbor?siklus=%d&ditutup=1", e.id), cookie: a.token})
				if body := string(page.body); !strings.Contains(body, "Alasan: akhir tahun anggaran") || strings.Contains(body, `action="/dasbor/tutup"`) {
					t.Errorf("%s: the dashboard of the closed cycle does not show the close (or still offers the form)", a)
				}
			}},
		// A closed cycle's stopped fan-out is started again (the same
		// workflow ID: a no-op while it runs).
		{method: "POST", route: "/dasbor/tutup/lanjutkan", page: true, roles: dinsosRole, target: targetClosable, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				if a != nil && a.role == auth.RoleDinsos && a.regency() == e.regency {
					w.markClosed(e.id)
				}
				return form("/dasbor/tutup/lanjutkan", "siklus", "{id}")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/dasbor?siklus=%d&dilanjutkan=1")(t, w, a, e, v, r)
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.CycleCloseWorkflowID(e.id) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
			}},
		{method: "POST", route: "/sk", page: true, roles: dinsosRole, target: targetCycle, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				// The API's row drafted a decree of the household waiting;
				// take it out again so there is something to draft.
				w.undraft(e.id)
				return form("/sk", "siklus", "{id}")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var d store.Decree
				w.db.Where("cycle_id = ?", e.id).Order("id DESC").First(&d)
				if got := r.header.Get("Location"); got != fmt.Sprintf("/sk/%d?disusun=1", d.ID) || d.Households != 1 || d.Status != domain.DecreeDraft {
					t.Errorf("%s: drafted %+v, redirected to %q", a, d, got)
				}
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.DecreeWorkflowID(d.ID) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
			}},
		{method: "GET", route: "/sk/:id", page: true, roles: reviewerRoles, target: targetDecree, req: idPath("/sk/%d"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				body := string(r.body)
				if !strings.Contains(body, fmt.Sprintf(`href="/api/v1/decrees/%d/attachment"`, e.id)) || !strings.Contains(body, "188/1/KEP/"+e.regency+"/2026") {
					t.Errorf("%s: decree page lacks its attachment link or number", a)
				}
			}},
		{method: "POST", route: "/sk/:id/ajukan", page: true, roles: dinsosRole, target: targetDecree, own: 303, temporal: "UpdateWorkflow",
			req: form("/sk/%d/ajukan"), check: pageUpdate(workflows.UpdateDecreeSubmit, "/sk/%d?diajukan=1")},
		{method: "POST", route: "/sk/:id/revisi", page: true, roles: dinsosRole, target: targetDecree, own: 303, temporal: "UpdateWorkflow",
			req: form("/sk/%d/revisi"), check: pageUpdate(workflows.UpdateDecreeRevise, "/sk/%d?direvisi=1")},
		{method: "POST", route: "/sk/:id/batalkan", page: true, roles: dinsosRole, target: targetDecree, own: 303, temporal: "UpdateWorkflow",
			req: form("/sk/%d/batalkan", "reason", "daftar keliru"), check: pageUpdate(workflows.UpdateDecreeWithdraw, "/sk/%d?dibatalkan=1")},
		{method: "POST", route: "/sk/:id/kembalikan", page: true, roles: bupatiRole, target: targetDecree, own: 303, temporal: "UpdateWorkflow",
			req: form("/sk/%d/kembalikan", "reason", "lampiran belum lengkap"), check: pageUpdate(workflows.UpdateDecreeReturn, "/sk/%d?dikembalikan=1")},
		{method: "POST", route: "/sk/:id/tandatangani", page: true, roles: bupatiRole, target: targetDecree, own: 303, temporal: "UpdateWorkflow",
			req:   form("/sk/%d/tandatangani", "number", "188/3/KEP/2026", "date", "2026-03-20"),
			check: pageUpdate(workflows.UpdateDecreeSign, "/sk/%d?ditandatangani=1")},

		// Kemensos proposals.
		{method: "GET", route: "/usulan", page: true, roles: officeRoles, target: targetCycle, own: 200, other: 200,
			req: idPath("/usulan?siklus=%d"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, visible bool, r *apiResponse) {
				if shown := strings.Contains(string(r.body), fmt.Sprintf(`href="/usulan/%d"`, e.cy.draftProposal)); shown != visible {
					t.Errorf("%s: /usulan?siklus=%d shows the batch of %s: %v", a, e.id, e.regency, shown)
				}
			}},
		{method: "POST", route: "/usulan", page: true, roles: dinsosRole, target: targetCycle, own: 303,
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				// The API's row built a batch of the household waiting;
				// take it out again so there is something to propose.
				w.unpropose(e.cy)
				return form("/usulan", "siklus", "{id}", "month", "2026-05")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				var p store.Proposal
				w.db.Where("cycle_id = ?", e.id).Order("id DESC").First(&p)
				if got := r.header.Get("Location"); got != fmt.Sprintf("/usulan/%d?disusun=1", p.ID) || p.Month != "2026-05" || p.Items != 1 {
					t.Errorf("%s: built %+v, redirected to %q", a, p, got)
				}
			}},
		{method: "GET", route: "/usulan/:id", page: true, roles: officeRoles, target: targetProposal, req: idPath("/usulan/%d"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				download := strings.Contains(string(r.body), fmt.Sprintf(`href="/api/v1/proposals/%d/file"`, e.id))
				if download != (a.role == auth.RoleDinsos) {
					t.Errorf("%s: the SIKS-NG file's link shown: %v", a, download)
				}
			}},
		{method: "POST", route: "/usulan/:id/kirim", page: true, roles: dinsosRole, target: targetProposal, own: 303, temporal: "ExecuteWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				// The API's row sent this batch; make it a draft again.
				if err := w.db.Model(&store.Proposal{}).Where("id = ?", e.id).Updates(map[string]any{"status": domain.ProposalDraft, "submitted_at": nil}).Error; err != nil {
					w.t.Fatal(err)
				}
				return form("/usulan/%d/kirim")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/usulan/%d?terkirim=1")(t, w, a, e, v, r)
				opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
				if opts.ID != workflows.ProposalWorkflowID(e.id) {
					t.Errorf("%s: started workflow %q", a, opts.ID)
				}
			}},
		{method: "POST", route: "/usulan/:id/jawaban", page: true, roles: dinsosRole, target: targetSentProposal, own: 303, temporal: "SignalWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				h := e.cy.proposed
				fields := map[string]string{}
				if a != nil {
					fields["csrf"] = w.csrf(a.token)
				}
				raw, ct := uploadForm(fields, "jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-03-25\n")
				return apiRequest{path: fmt.Sprintf("/usulan/%d/jawaban", e.id), raw: raw, contentType: ct}
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				// After the API's row has applied the same answer, none is new.
				if got := r.header.Get("Location"); !regexp.MustCompile(fmt.Sprintf(`^/usulan/%d\?diterapkan=[01]$`, e.id)).MatchString(got) {
					t.Errorf("%s: redirected to %q", a, got)
				}
				if wf := r.temporalCalls("SignalWorkflow")[0].Arguments.String(1); wf != workflows.ProposalWorkflowID(e.id) {
					t.Errorf("%s: signalled %q", a, wf)
				}
			}},
		{method: "POST", route: "/usulan/:id/tidak-dijawab", page: true, roles: dinsosRole, target: targetSentProposal, own: 303, temporal: "SignalWorkflow",
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				// The upload row answered the batch: take the answer back.
				w.unanswer(e.id)
				if a != nil && a.role == auth.RoleDinsos && a.regency() == e.regency {
					// Waiting for Kemensos, the batch's page offers the form.
					page := w.do(apiRequest{method: "GET", route: "/usulan/:id", path: fmt.Sprintf("/usulan/%d", e.id), cookie: a.token})
					if !strings.Contains(string(page.body), fmt.Sprintf(`action="/usulan/%d/tidak-dijawab"`, e.id)) {
						w.t.Errorf("%s: the page of a batch waiting for Kemensos does not offer the form", a)
					}
				}
				return form("/usulan/%d/tidak-dijawab", "alasan", "tidak ada jawaban sampai Desember")(w, a, e)
			},
			check: func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
				redirectTo("/usulan/%d?tidakdijawab=1")(t, w, a, e, v, r)
				page := w.do(apiRequest{method: "GET", route: "/usulan/:id", path: fmt.Sprintf("/usulan/%d?tidakdijawab=1", e.id), cookie: a.token})
				if body := string(page.body); !strings.Contains(body, "1 keluarga dicatat tidak dijawab Kemensos") ||
					!strings.Contains(body, "<dt>Tidak dijawab</dt><dd>1 ") || strings.Contains(body, `/tidak-dijawab"`) {
					t.Errorf("%s: the batch's page after the marking does not confirm it, count it, or still offers the form", a)
				}
				w.checkMarked(t, a, e, r, "tidak ada jawaban sampai Desember")
			}},

		// Accounts: each page calls the office method of its API route
		// (the rows above), so Dinsos manages its regency's and the
		// administrator every one; another regency's account is a 404.
		{method: "GET", route: "/akun", page: true, roles: officeRoles, req: path("/akun"), own: 200,
			check: func(t *testing.T, w *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				for _, u := range mxUsers {
					want := a.role == auth.RoleAdmin || u.role != auth.RoleAdmin && a.covers(u.region)
					if got := strings.Contains(string(r.body), fmt.Sprintf(`href="/akun/%d"`, w.byName[u.username].id)); got != want {
						t.Errorf("%s: /akun lists %s: %v, want %v", a, u.username, got, want)
					}
				}
			}},
		{method: "GET", route: "/akun/baru", page: true, roles: officeRoles, req: path("/akun/baru"), own: 200},
		{method: "POST", route: "/akun/baru", page: true, roles: officeRoles, target: targetRegency, own: 200, other: 422,
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				w.nextYear++
				desa := map[string]string{"35.05": "35.05.01.2001", "16.73": "16.73.01.1001"}[e.regency]
				return form("/akun/baru", "username", fmt.Sprintf("halaman.%d", w.nextYear), "name", "Petugas Baru", "role", "village", "region", desa)(w, a, e)
			},
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, visible bool, r *apiResponse) {
				if shown := strings.Contains(string(r.body), `class="onetime"`); shown != visible {
					t.Errorf("%s: one-time password shown %v", a, shown)
				}
			}},
		{method: "GET", route: "/akun/:id", page: true, roles: officeRoles, target: targetAccount, req: idPath("/akun/%d"), own: 200,
			check: func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
				if !strings.Contains(string(r.body), fmt.Sprintf(`action="/akun/%d/nonaktifkan"`, e.id)) {
					t.Errorf("%s: the account's page offers no steps", a)
				}
			}},
		{method: "POST", route: "/akun/:id/nonaktifkan", page: true, roles: officeRoles, target: targetAccount, own: 303,
			req: form("/akun/%d/nonaktifkan"), check: redirectTo("/akun/%d?dinonaktifkan=1")},
		{method: "POST", route: "/akun/:id/aktifkan", page: true, roles: officeRoles, target: targetAccount, own: 303,
			req: form("/akun/%d/aktifkan"), check: redirectTo("/akun/%d?diaktifkan=1")},
		{method: "POST", route: "/akun/:id/sandi", page: true, roles: officeRoles, target: targetAccount, own: 200,
			req: form("/akun/%d/sandi"),
			check: func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
				if !strings.Contains(string(r.body), `class="onetime"`) || r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s: the reset shows no one-time password, or is cacheable", a)
				}
			}},
		{method: "POST", route: "/akun/:id/peran", page: true, roles: officeRoles, target: targetAccount, own: 303,
			req: func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
				// The account stays a village officer of its own desa.
				return form("/akun/%d/peran", "role", "village", "region", w.accountRegion(e.id))(w, a, e)
			},
			check: redirectTo("/akun/%d?peran=1")},
		{method: "POST", route: "/akun/:id/sesi", page: true, roles: officeRoles, target: targetAccount, own: 303,
			req: form("/akun/%d/sesi"), check: redirectTo("/akun/%d?sesi=1")},
	}
}

// pageUpdate checks a decree page's step redirected to the decree's page
// and sent the named Update to the decree's workflow.
func pageUpdate(name, to string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
		if got, want := r.header.Get("Location"), fmt.Sprintf(to, e.id); got != want {
			t.Errorf("%s: redirected to %q, want %q", a, got, want)
		}
		opts := r.temporalCalls("UpdateWorkflow")[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
		if opts.WorkflowID != workflows.DecreeWorkflowID(e.id) || opts.UpdateName != name {
			t.Errorf("%s: Update %q to %q", a, opts.UpdateName, opts.WorkflowID)
		}
	}
}

// unanswer takes back every answer to a batch sent to Kemensos, so its
// households wait for Kemensos again (the answers row answered it).
func (w *mxWorld) unanswer(proposalID int64) {
	w.t.Helper()
	if err := w.db.Model(&store.ProposalItem{}).Where("proposal_id = ?", proposalID).
		Updates(map[string]any{"answer": "", "answer_reason": "", "answer_note": "", "answer_date": "", "signalled": false}).Error; err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.Model(&store.Proposal{}).Where("id = ?", proposalID).
		Updates(map[string]any{"status": domain.ProposalSubmitted, "answered": 0}).Error; err != nil {
		w.t.Fatal(err)
	}
}

// checkMarked checks the actor's marking of the sent batch e: its
// household answered TIDAK_DIJAWAB with the reason, the batch answered,
// audited by the actor with the count only, the batch's workflow told;
// then the batch waits for Kemensos again, for the rows after (the answer
// pages' upload).
func (w *mxWorld) checkMarked(t *testing.T, a *mxActor, e mxEntity, r *apiResponse, reason string) {
	t.Helper()
	if wf := r.temporalCalls("SignalWorkflow")[0].Arguments.String(1); wf != workflows.ProposalWorkflowID(e.id) {
		t.Errorf("%s: signalled %q", a, wf)
	}
	var it store.ProposalItem
	w.db.Where("proposal_id = ? AND household_id = ?", e.id, e.cy.proposed.id).First(&it)
	var p store.Proposal
	w.db.First(&p, "id = ?", e.id)
	if it.Answer != "TIDAK_DIJAWAB" || it.AnswerReason != "TIDAK_DIJAWAB" || it.AnswerNote != reason || p.Status != domain.ProposalAnswered || p.Answered != 1 {
		t.Errorf("%s: after the marking the household's answer is %+v, the batch %+v", a, it, p)
	}
	var audit store.AuditEntry
	w.db.Where("cycle_id = ? AND action = ?", e.cy.id, "proposal.unanswered").Order("id DESC").First(&audit)
	if want := fmt.Sprintf(`{"households":1,"proposalId":%d}`, e.id); audit.ActorID != a.id || audit.Detail != want {
		t.Errorf("%s: last proposal.unanswered audit entry %+v, want the actor's with detail %s", a, audit, want)
	}
	w.unanswer(e.id)
}

// undraft takes the households out of a cycle's decrees not signed, so
// they wait for a decree again.
// reopenCycle takes back the close of a cycle (the API's row closed it),
// so the dashboard's form has a cycle to close.
// markClosed closes a cycle in the database, if it is open, as a close
// whose fan-out stopped leaves it.
func (w *mxWorld) markClosed(cycleID int64) {
	w.t.Helper()
	if err := w.db.Model(&store.Cycle{}).Where("id = ? AND closed_at IS NULL", cycleID).
		Updates(map[string]any{"closed_at": time.Now(), "close_reason": "akhir tahun anggaran"}).Error; err != nil {
		w.t.Fatal(err)
	}
}

func (w *mxWorld) reopenCycle(cycleID int64) {
	w.t.Helper()
	if err := w.db.Model(&store.Cycle{}).Where("id = ?", cycleID).Updates(map[string]any{"closed_at": nil, "close_reason": ""}).Error; err != nil {
		w.t.Fatal(err)
	}
}

func (w *mxWorld) undraft(cycleID int64) {
	w.t.Helper()
	open := w.db.Model(&store.Decree{}).Select("id").Where("cycle_id = ? AND status <> ?", cycleID, domain.DecreeSigned)
	if err := w.db.Where("decree_id IN (?)", open).Delete(&store.DecreeItem{}).Error; err != nil {
		w.t.Fatal(err)
	}
}

// unmeet releases a village's tasks from the meeting just recorded (its
// fan-out never runs here), so the next row can record one again.
func (w *mxWorld) unmeet(cycleID int64, desa string) {
	w.t.Helper()
	if err := w.db.Model(&store.Task{}).Where("cycle_id = ? AND desa_code = ?", cycleID, desa).Update("closing_meeting_id", nil).Error; err != nil {
		w.t.Fatal(err)
	}
}

// unpropose takes the households out of a cycle's batches other than the
// two seeded ones, so they wait to be proposed again.
func (w *mxWorld) unpropose(c *mxCycle) {
	w.t.Helper()
	built := w.db.Model(&store.Proposal{}).Select("id").Where("cycle_id = ? AND id NOT IN ?", c.id, []int64{c.draftProposal, c.sentProposal})
	if err := w.db.Where("proposal_id IN (?)", built).Delete(&store.ProposalItem{}).Error; err != nil {
		w.t.Fatal(err)
	}
}

// uploadForm is a multipart body with fields and one file in field "file".
func uploadForm(fields map[string]string, name, content string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	f, _ := mw.CreateFormFile("file", name)
	_, _ = f.Write([]byte(content))
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// checkPage checks how a page shows a family: not at all when it is not
// to be shown; otherwise by name for the roles working with it and by
// initials only for an administrator, whose page never has the clear name.
func (w *mxWorld) checkPage(t *testing.T, a *mxActor, what string, r *apiResponse, h *mxHousehold, shown bool) {
	t.Helper()
	body := html.UnescapeString(string(r.body))
	clear := strings.Contains(body, h.name) || strings.Contains(body, h.address)
	switch {
	case !shown && clear:
		t.Errorf("%s: %s shows %s's family (household %d)", a, what, h.desa, h.id)
	case shown && a.role == auth.RoleAdmin && clear:
		t.Errorf("%s: %s shows household %d's name or address to an administrator", a, what, h.id)
	case shown && a.role == auth.RoleAdmin && !strings.Contains(body, h.masked):
		t.Errorf("%s: %s does not show household %d as %q", a, what, h.id, h.masked)
	case shown && a.role != auth.RoleAdmin && !strings.Contains(body, h.name):
		t.Errorf("%s: %s does not show household %d's name", a, what, h.id)
	}
}

// taskJSON is a task as the API answers it.
type taskJSON struct {
	ID                                 int64
	DesaCode, Name, Address, NIKMasked string
}

// visibleHouseholds lists the households inside the actor's region.
func (w *mxWorld) visibleHouseholds(a *mxActor) []*mxHousehold {
	var out []*mxHousehold
	for _, h := range w.households {
		if a.sees(targetHousehold, mxEntity{hh: h}) {
			out = append(out, h)
		}
	}
	return out
}

// household returns the seeded household with the id.
func (w *mxWorld) household(id int64) *mxHousehold {
	for _, h := range w.households {
		if h.id == id {
			return h
		}
	}
	return nil
}

// checkPersonal checks what a response shows of a family: name and address
// in clear for the roles working with it, initials and "(hidden)" for an
// administrator; NIK and No KK masked for everyone.
func (w *mxWorld) checkPersonal(t *testing.T, a *mxActor, what string, id int64, name, address, nik, kk string) {
	t.Helper()
	h := w.household(id)
	if h == nil {
		t.Errorf("%s: %s shows unknown household %d", a, what, id)
		return
	}
	wantName, wantAddr := h.name, h.address
	if a.role == auth.RoleAdmin {
		wantName, wantAddr = h.masked, "(hidden)"
	}
	if name != wantName || address != wantAddr {
		t.Errorf("%s: %s shows household %d as %q, %q; want %q, %q", a, what, id, name, address, wantName, wantAddr)
	}
	if nik != ident.Mask(h.nik) || !strings.Contains(nik, "********") {
		t.Errorf("%s: %s shows NIK %q", a, what, nik)
	}
	if kk != "" && (kk != ident.Mask(h.kk) || !strings.Contains(kk, "********")) {
		t.Errorf("%s: %s shows No KK %q", a, what, kk)
	}
}

// wantBodyID checks the answer's JSON field is the record's id.
func wantBodyID(field string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
		var v map[string]any
		r.decode(t, &v)
		if got, _ := v[field].(float64); int64(got) != e.id {
			t.Errorf("%s: %s is %v, want %d", a, field, v[field], e.id)
		}
	}
}

// wantUpdate checks the request sent the named Update to the household's
// own workflow.
func wantUpdate(name string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return wantUpdateTo(name, func(e mxEntity) string { return workflows.HouseholdWorkflowID(e.hh.cycle.id, e.id) })
}

// wantUpdateTo checks the request sent the named Update to the record's
// workflow.
func wantUpdateTo(name string, workflowID func(mxEntity) string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, w *mxWorld, a *mxActor, e mxEntity, v bool, r *apiResponse) {
		wantBodyID("id")(t, w, a, e, v, r)
		opts := r.temporalCalls("UpdateWorkflow")[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
		if opts.WorkflowID != workflowID(e) || opts.UpdateName != name {
			t.Errorf("%s: Update %q to %q", a, opts.UpdateName, opts.WorkflowID)
		}
	}
}

// noObjector checks an objection's answer shows its reason but not who
// objected (the phone is one of the world's secrets, which no answer
// shows).
func noObjector(t *testing.T, a *mxActor, e mxEntity, r *apiResponse) {
	t.Helper()
	noObjectorName(t, a, e, r)
	if body := string(r.body); !strings.Contains(body, "Keluarga ini sebenarnya masih miskin") {
		t.Errorf("%s: objection %d does not show its reason: %.1500s", a, e.id, body)
	}
}

// noObjectorName checks an answer about an objection (its page, its
// photos) does not name who objected.
func noObjectorName(t *testing.T, a *mxActor, e mxEntity, r *apiResponse) {
	t.Helper()
	if body := string(r.body); strings.Contains(body, "Pelapor Rahasia") {
		t.Errorf("%s: objection %d's answer names its objector: %.1500s", a, e.id, body)
	}
}

// wantSanggahPage checks a sanggah page's post sent the named Update to
// the objection's workflow and went back to its page with flag.
func wantSanggahPage(name, flag string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, _ *mxWorld, a *mxActor, e mxEntity, _ bool, r *apiResponse) {
		opts := r.temporalCalls("UpdateWorkflow")[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
		if opts.WorkflowID != workflows.SanggahWorkflowID(e.id) || opts.UpdateName != name {
			t.Errorf("%s: Update %q to %q", a, opts.UpdateName, opts.WorkflowID)
		}
		if got, want := r.header.Get("Location"), fmt.Sprintf("/sanggah/%d?%s", e.id, flag); got != want {
			t.Errorf("%s: redirected to %q, want %q", a, got, want)
		}
	}
}

// wantStarted checks the request started the record's workflow with the
// ID made from the answer's id.
func wantStarted(workflowID func(int64) string) func(*testing.T, *mxWorld, *mxActor, mxEntity, bool, *apiResponse) {
	return func(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
		var v struct{ ID int64 }
		r.decode(t, &v)
		opts := r.temporalCalls("ExecuteWorkflow")[0].Arguments.Get(1).(client.StartWorkflowOptions)
		if opts.ID != workflowID(v.ID) {
			t.Errorf("%s: started workflow %q for %s", a, opts.ID, r.body)
		}
	}
}

// wantXLSX checks the answer is a spreadsheet download.
func wantXLSX(t *testing.T, _ *mxWorld, a *mxActor, _ mxEntity, _ bool, r *apiResponse) {
	t.Helper()
	if !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("%s: download %q %q", a, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	if len(xlsxCells(t, r.body)) == 0 {
		t.Errorf("%s: empty spreadsheet", a)
	}
}

// wantField checks an error answer names the field at fault.
func wantField(t *testing.T, what string, r *apiResponse, field string) {
	t.Helper()
	var v struct{ Field string }
	r.decode(t, &v)
	if v.Field != field {
		t.Errorf("%s: error names field %q, want %q: %s", what, v.Field, field, r.body)
	}
}

func ids[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(xs))
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

// wantIDs compares two sets of ids.
func wantIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got ids %v, want %v", what, got, want)
	}
}

// upload is a multipart body with one file in field "file".
func upload(name, content string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	f, _ := mw.CreateFormFile("file", name)
	_, _ = f.Write([]byte(content))
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// p3keUpload is a multipart body with a P3KE file of headers only: enough
// for the upload's header check; the rows would be read by the (mocked)
// intake workflow.
func p3keUpload() ([]byte, string) {
	return upload("p3ke.csv", "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil\n")
}

// TestRoleRegionMatrix checks every route for every role, against records
// inside and outside the caller's region: 401 without a session, 403 for a
// role not allowed (whatever the record), 404 for a record outside the
// region (never 403, never 200: the answer is that of a record that does
// not exist), and the route's own answer inside the region. A refused
// request never reaches Temporal, and every answer matches the OpenAPI
// document.
func TestRoleRegionMatrix(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		rows := mxRows()
		checkMatrixCoversRoutes(t, w, rows)
		for _, row := range rows {
			name := row.method + " " + row.route
			if _, q, ok := strings.Cut(row.req(w, nil, w.entities(row.target)[0]).path, "?"); ok {
				name += " ?" + regexp.MustCompile(`\d+`).ReplaceAllString(q, "N")
			}
			t.Run(name, func(t *testing.T) { runRow(t, w, row) })
		}
	})
}

// checkMatrixCoversRoutes fails for a registered route without a row, a
// row for no registered route, and a row whose OpenAPI operation does not
// name the same roles.
func checkMatrixCoversRoutes(t *testing.T, w *mxWorld, rows []mxRow) {
	t.Helper()
	has := map[string]bool{}
	for _, r := range rows {
		has[r.method+" "+r.route] = true
	}
	registered := map[string]bool{}
	for _, ri := range w.srv.Routes() {
		key := ri.Method + " " + ri.Path
		registered[key] = true
		if !has[key] {
			t.Errorf("route %s has no row in the role × region matrix: add one to mxRows (API) or pageRows (web pages)", key)
		}
	}
	for key := range has {
		if !registered[key] {
			t.Errorf("matrix row %s matches no registered route", key)
		}
	}
	// The document says who may call each route; it must say what the
	// router enforces.
	rolesRE := regexp.MustCompile(`\bRoles?: ([a-z]+(?:, [a-z]+)*)`)
	for _, r := range rows {
		op, ok := w.spec.ops[r.method+" "+openapiPath(r.route)]
		if !ok || r.roles == nil {
			continue
		}
		desc := strings.Join(strings.Fields(op.Operation.Description), " ")
		var documented []string
		if strings.Contains(desc, "Every role") {
			documented = roleNames(allRoles)
		} else if m := rolesRE.FindStringSubmatch(desc); m != nil {
			documented = strings.Split(m[1], ", ")
		}
		sort.Strings(documented)
		if want := roleNames(r.roles); !slices.Equal(documented, want) {
			t.Errorf("OpenAPI %s %s: description names roles %v, the route allows %v", r.method, op.Path, documented, want)
		}
	}
}

func roleNames(rs []auth.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	sort.Strings(out)
	return out
}

// runRow runs one row for every actor and record.
func runRow(t *testing.T, w *mxWorld, row mxRow) {
	send := func(a *mxActor, e mxEntity, token string) *apiResponse {
		t.Helper()
		r := row.req(w, a, e)
		r.method, r.route = row.method, row.route
		if r.token == "" {
			r.token = token
		}
		sent := r.token
		if row.page {
			r.cookie, r.token = r.token, ""
			// A multipart post (raw) carries its token in its own body.
			if row.method == http.MethodPost && a != nil && r.raw == nil {
				if r.form == nil {
					r.form = url.Values{}
				}
				r.form.Set("csrf", w.csrf(r.cookie))
			}
		}
		resp := w.do(r)
		resp.requestToken = sent
		return resp
	}
	untouched := func(what string, r *apiResponse) {
		t.Helper()
		if len(r.temporal) > 0 {
			t.Errorf("%s: answered %d but called Temporal: %v", what, r.code, r.temporal[0].Method)
		}
	}

	switch {
	case row.codec:
		for _, token := range append([]string{""}, tokens(w.actors)...) {
			r := send(nil, mxEntity{}, token)
			want := http.StatusUnauthorized
			if row.method == http.MethodOptions {
				want = http.StatusNoContent
			}
			r.want(t, fmt.Sprintf("%s %s with session token %.8q", row.method, row.route, token), want)
			if strings.Contains(string(r.body), "payloads") {
				t.Errorf("codec answered data to a session: %s", r.body)
			}
		}
		return
	case row.roles == nil:
		// Needs no login.
		r := send(nil, mxEntity{}, "")
		if r.want(t, "without a token", row.own) && row.check != nil {
			row.check(t, w, nil, mxEntity{}, true, r)
		}
		wantTemporal(t, "without a token", r, row.temporal)
		return
	}

	entities := w.entities(row.target)
	// No session, or a wrong one: 401 whatever the record.
	for _, e := range entities {
		for _, token := range []string{"", "not-a-session-token"} {
			r := send(nil, e, token)
			what := fmt.Sprintf("token %q, %v", token, e)
			untouched(what, r)
			if row.page {
				// The login page, not the page asked for.
				if r.want(t, what, http.StatusSeeOther) && !strings.HasPrefix(r.header.Get("Location"), "/masuk") {
					t.Errorf("%s: redirected to %q", what, r.header.Get("Location"))
				}
				continue
			}
			r.want(t, what, http.StatusUnauthorized)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", what)
			}
		}
	}
	for _, a := range w.actors {
		allowed := slices.Contains(row.roles, a.role)
		for _, e := range entities {
			visible := a.sees(row.target, e)
			what := fmt.Sprintf("%s (%s) on %v", a, a.role, e)
			r := send(a, e, a.token)
			switch {
			case !allowed:
				// Refused on the role alone: the same answer inside and
				// outside the region, so it tells nothing about the record.
				r.want(t, what+", role not allowed", http.StatusForbidden)
				untouched(what, r)
			case visible:
				if r.want(t, what+", own region", row.own) {
					wantTemporal(t, what, r, row.temporal)
					if row.check != nil {
						row.check(t, w, a, e, true, r)
					}
				}
			default:
				want := row.other
				if want == 0 {
					want = http.StatusNotFound
				}
				if r.want(t, what+", another region", want) {
					if row.other == 0 {
						wantNotFoundBody(t, what, r, row.page, e)
					} else if row.check != nil {
						row.check(t, w, a, e, false, r)
					}
				}
				untouched(what, r)
			}
		}
		// A record that does not exist looks exactly like one outside the
		// region.
		if allowed && row.target >= targetCycle && row.other == 0 {
			what := fmt.Sprintf("%s on a record that does not exist", a)
			r := send(a, mxEntity{id: 987654, hh: w.households[0], cy: w.cycles[0]}, a.token)
			if r.want(t, what, http.StatusNotFound) {
				wantNotFoundBody(t, what, r, row.page, mxEntity{})
			}
			untouched(what, r)
		}
	}
}

// wantTemporal checks a successful request called the Temporal method
// once, and nothing else; method "" means Temporal must not be called.
func wantTemporal(t *testing.T, what string, r *apiResponse, method string) {
	t.Helper()
	var got []string
	for _, c := range r.temporal {
		// WorkflowService is the accessor behind the sticky-queue reset that
		// precedes a household's Update (workflows.Cases.update), not an
		// action of its own; untouched still refuses it.
		if c.Method != "WorkflowService" {
			got = append(got, c.Method)
		}
	}
	var want []string
	if method != "" {
		want = []string{method}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: Temporal calls %v, want %v", what, got, want)
	}
	// What the API starts acts on many households at once: intakes,
	// meetings, decrees and proposals run on the operations queue, never
	// behind the households' own tasks. An usul starts one household's
	// case, which runs where every household's does.
	for _, c := range r.temporalCalls("ExecuteWorkflow") {
		opts := c.Arguments.Get(1).(client.StartWorkflowOptions)
		if strings.HasPrefix(opts.ID, "household-") {
			if opts.TaskQueue != workflows.TaskQueue {
				t.Errorf("%s: started household %s on task queue %q, want %q", what, opts.ID, opts.TaskQueue, workflows.TaskQueue)
			}
			continue
		}
		if opts.TaskQueue != workflows.OpsTaskQueue {
			t.Errorf("%s: started %s on task queue %q, want %q", what, opts.ID, opts.TaskQueue, workflows.OpsTaskQueue)
		}
	}
}

// wantNotFoundBody checks a 404 says nothing but "not found"; a 404 page
// must not show the family either.
func wantNotFoundBody(t *testing.T, what string, r *apiResponse, page bool, e mxEntity) {
	t.Helper()
	if page {
		if e.hh != nil && (strings.Contains(string(r.body), e.hh.name) || strings.Contains(string(r.body), e.hh.address)) {
			t.Errorf("%s: 404 page shows the family", what)
		}
		return
	}
	var v struct{ Error, Field string }
	r.decode(t, &v)
	if v.Error != "not found" || v.Field != "" {
		t.Errorf("%s: 404 body %s", what, r.body)
	}
}

func tokens(as []*mxActor) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.token)
	}
	return out
}

// TestRegionScope spells out the acceptance examples with the expected
// households written down, independent of the matrix's visibility rule.
func TestRegionScope(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		// One household per desa, and Salam's other two.
		hh := map[string]int64{}
		var salams []int64
		for _, h := range w.households {
			if _, ok := hh[h.desa]; ok {
				salams = append(salams, h.id)
				continue
			}
			hh[h.desa] = h.id
		}
		jaten, salam, jati, airKuti, kayuAra := hh["35.05.01.2001"], hh["35.05.01.2002"], hh["35.05.02.2001"], hh["16.73.01.1001"], hh["16.73.02.1001"]
		get := func(a, p string) *apiResponse {
			t.Helper()
			route := regexp.MustCompile(`/\d+`).ReplaceAllString(strings.SplitN(p, "?", 2)[0], "/:id")
			return w.do(apiRequest{method: "GET", route: route, path: p, token: w.byName[a].token})
		}
		taskIDs := func(a, query string) []int64 {
			t.Helper()
			r := get(a, "/api/v1/tasks"+query)
			r.want(t, a+" GET /tasks"+query, 200)
			var v struct{ Tasks []taskJSON }
			r.decode(t, &v)
			return ids(v.Tasks, func(t taskJSON) int64 { return t.ID })
		}

		// A village officer of Jaten sees Jaten's household only, not
		// Salam's in the same kecamatan.
		wantIDs(t, "desa.jaten tasks", taskIDs("desa.jaten", ""), []int64{jaten})
		wantIDs(t, "desa.jaten tasks of Salam", taskIDs("desa.jaten", "?desa=35.05.01.2002"), nil)
		wantIDs(t, "desa.jaten searching Salam's family", taskIDs("desa.jaten", "?q=budi"), nil)
		get("desa.jaten", fmt.Sprintf("/api/v1/tasks/%d", jaten)).want(t, "desa.jaten task of Jaten", 200)
		for _, id := range []int64{salam, jati, airKuti} {
			get("desa.jaten", fmt.Sprintf("/api/v1/tasks/%d", id)).want(t, "desa.jaten task", 404)
			get("desa.jaten", fmt.Sprintf("/api/v1/households/%d", id)).want(t, "desa.jaten household", 404)
		}
		r := w.do(apiRequest{method: "POST", route: "/api/v1/tasks/:id/result", path: fmt.Sprintf("/api/v1/tasks/%d/result", salam),
			token: w.byName["desa.jaten"].token, json: map[string]any{"outcome": "not_poor", "visitDate": "2026-03-10"}})
		r.want(t, "desa.jaten submitting Salam's result", 404)
		wantTemporal(t, "desa.jaten submitting Salam's result", r, "")
		// Nor may the officer name a Salam household as the duplicate.
		r = w.do(apiRequest{method: "POST", route: "/api/v1/tasks/:id/result", path: fmt.Sprintf("/api/v1/tasks/%d/result", jaten),
			token: w.byName["desa.jaten"].token, json: map[string]any{"outcome": "duplicate", "visitDate": "2026-03-10", "duplicateOf": salam}})
		if r.want(t, "desa.jaten naming Salam's household as duplicate", 422) {
			wantField(t, "duplicateOf", r, "duplicateOf")
		}
		wantTemporal(t, "duplicate of another desa", r, "")
		// Nor record Salam's village meeting.
		r = w.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/meetings", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", w.cycles[0].id),
			token: w.byName["desa.jaten"].token, json: map[string]any{"desaCode": "35.05.01.2002", "date": "2026-03-03", "beritaAcaraNo": "BA/1", "attendees": 9}})
		if r.want(t, "desa.jaten recording Salam's meeting", 422) {
			wantField(t, "desaCode", r, "desaCode")
		}
		wantTemporal(t, "meeting of another desa", r, "")

		// The TKSK of Wonodadi sees both of its desa, not Udanawu's.
		wantIDs(t, "tksk.wonodadi tasks", taskIDs("tksk.wonodadi", ""), append([]int64{jaten, salam}, salams...))
		get("tksk.wonodadi", fmt.Sprintf("/api/v1/households/%d", salam)).want(t, "tksk.wonodadi household of Salam", 200)
		get("tksk.wonodadi", fmt.Sprintf("/api/v1/households/%d", jati)).want(t, "tksk.wonodadi household of Jati (Udanawu)", 404)

		// Dinsos and the bupati's office see their regency only.
		wantIDs(t, "dinsos.blitar tasks", taskIDs("dinsos.blitar", ""), append([]int64{jaten, salam, jati}, salams...))
		wantIDs(t, "dinsos.llg tasks", taskIDs("dinsos.llg", ""), []int64{airKuti, kayuAra})
		get("bupati.blitar", fmt.Sprintf("/api/v1/households/%d", jati)).want(t, "bupati.blitar household of Jati", 200)
		get("bupati.blitar", fmt.Sprintf("/api/v1/households/%d", airKuti)).want(t, "bupati.blitar household of Air Kuti", 404)
		get("walikota.llg", fmt.Sprintf("/api/v1/cycles/%d", w.cycles[0].id)).want(t, "walikota.llg cycle of Blitar", 404)

		// The administrator sees every household, with name and address masked.
		wantIDs(t, "admin tasks", taskIDs("admin", ""), append([]int64{jaten, salam, jati, airKuti, kayuAra}, salams...))
		r = get("admin", fmt.Sprintf("/api/v1/households/%d", jaten))
		r.want(t, "admin household", 200)
		var v map[string]any
		r.decode(t, &v)
		if v["name"] != "S*** A*****" || v["address"] != "(hidden)" || v["nikMasked"] != "350501********01" || v["kkMasked"] != "350501********01" {
			t.Errorf("admin sees household as %s", r.body)
		}
		r = get("dinsos.blitar", fmt.Sprintf("/api/v1/households/%d", jaten))
		r.decode(t, &v)
		if v["name"] != "Siti Aminah" || v["address"] != "Dusun Krajan RT 01 RW 02, Jaten" || v["nikMasked"] != "350501********01" {
			t.Errorf("dinsos sees household as %s", r.body)
		}
		for _, k := range []string{"nik", "noKk", "kk", "nikSealed", "kkSealed", "nikHash", "kkHash"} {
			if _, ok := v[k]; ok {
				t.Errorf("household view has field %q", k)
			}
		}
	})
}

// TestEmptyAnswersAreLists: a cycle with nothing in it yet answers empty
// lists, never null, so clients can iterate without checking.
func TestEmptyAnswersAreLists(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		token := w.byName["dinsos.blitar"].token
		r := w.do(apiRequest{method: "POST", route: "/api/v1/cycles", path: "/api/v1/cycles", token: token,
			json: map[string]any{"regencyCode": "35.05", "year": 2027}})
		if !r.want(t, "open a cycle", http.StatusCreated) {
			return
		}
		var cy struct{ ID int64 }
		r.decode(t, &cy)
		for _, c := range []struct{ route, path, field string }{
			{"/api/v1/cycles/:id/progress", fmt.Sprintf("/api/v1/cycles/%d/progress", cy.ID), "kecamatan"},
			{"/api/v1/cycles/:id/stuck", fmt.Sprintf("/api/v1/cycles/%d/stuck", cy.ID), "cases"},
			{"/api/v1/tasks", fmt.Sprintf("/api/v1/tasks?cycle=%d", cy.ID), "tasks"},
		} {
			r := w.do(apiRequest{method: "GET", route: c.route, path: c.path, token: token})
			if !r.want(t, c.path, http.StatusOK) {
				continue
			}
			var v map[string]json.RawMessage
			r.decode(t, &v)
			if string(v[c.field]) != "[]" {
				t.Errorf("%s: %s is %s, want []", c.path, c.field, v[c.field])
			}
		}
	})
}

// usul is an usul's fields for a desa of a's region (Jaten for nobody),
// with numbers no other request used.
func (w *mxWorld) usul(a *mxActor) map[string]string {
	desa := "35.05.01.2001"
	for _, h := range mxHouseholds {
		if a != nil && a.covers(h.desa) {
			desa = h.desa
			break
		}
	}
	w.nextYear++
	kec := strings.ReplaceAll(desa[:8], ".", "")
	return map[string]string{"nik": fmt.Sprintf("%s4107%06d", kec, w.nextYear), "noKk": fmt.Sprintf("%s2002%06d", kec, w.nextYear),
		"name": "Janda Tanpa Bantuan", "address": "Dusun Baru RT 09", "desaCode": desa,
		"reason": "Ditemukan warga, belum masuk data", "channel": "walk_in"}
}

// forgetUsul takes an usul's household out again, so the rows after see
// the seeded world.
func (w *mxWorld) forgetUsul(householdID int64) {
	w.t.Helper()
	for _, m := range []any{&store.Task{}, &store.StageEvent{}, &store.Usul{}} {
		if err := w.db.Where("household_id = ?", householdID).Delete(m).Error; err != nil {
			w.t.Fatal(err)
		}
	}
	if err := w.db.Delete(&store.Household{}, householdID).Error; err != nil {
		w.t.Fatal(err)
	}
}

// accountImport stores an import (of no accounts) made by a (nobody when
// nil), whose password sheet is still to be downloaded, and returns its id.
func (w *mxWorld) accountImport(a *mxActor) int64 {
	w.t.Helper()
	imp := store.AccountImport{FileName: "akun.csv"}
	if a != nil {
		imp.CreatedBy = a.id
	}
	if _, err := w.st.ImportUsers(w.t.Context(), nil, &imp, []byte("[]")); err != nil {
		w.t.Fatal(err)
	}
	return imp.ID
}

// accountRegion is the region of account id, one of mxAccounts.
func (w *mxWorld) accountRegion(id int64) string {
	for _, name := range mxAccounts {
		if a := w.byName[name]; a.id == id {
			return a.region
		}
	}
	return ""
}

// checkPhotoUpload checks an uploaded photo's answer: its record is the
// owner's, its object in the store is sealed (no JPEG signature in the
// raw bytes) and opens to a JPEG without EXIF, and the upload is audited.
func (w *mxWorld) checkPhotoUpload(t *testing.T, a *mxActor, e mxEntity, r *apiResponse, owner string, ownerID int64) {
	t.Helper()
	var v struct {
		ID          int64
		OwnerKind   string
		OwnerID     int64
		HouseholdID int64
	}
	r.decode(t, &v)
	if v.OwnerKind != owner || v.OwnerID != ownerID || v.HouseholdID != e.hh.id {
		t.Fatalf("%s: photo %s", a, r.body)
	}
	var p store.Photo
	if err := w.db.First(&p, v.ID).Error; err != nil {
		t.Fatal(err)
	}
	raw, err := w.objects.Get(t.Context(), p.ObjectKey)
	if err != nil {
		t.Fatalf("%s: photo %d not in the object store: %v", a, p.ID, err)
	}
	if phototest.InClear(raw) {
		t.Errorf("%s: the object store holds photo %d's JPEG in clear", a, p.ID)
	}
	plain, err := w.st.Keys.OpenBytes(raw, []byte(p.ObjectKey))
	if err != nil || !bytes.HasPrefix(plain, []byte{0xFF, 0xD8}) || bytes.Contains(plain, []byte("Exif")) || bytes.Contains(plain, []byte(phototest.Serial)) {
		t.Errorf("%s: photo %d opens to %d bytes (err %v), with metadata or not a JPEG", a, p.ID, len(plain), err)
	}
	var audits int64
	w.db.Model(&store.AuditEntry{}).Where("household_id = ? AND action = ? AND actor_id = ?", e.hh.id, "photo.upload", a.id).Count(&audits)
	if audits < 1 {
		t.Errorf("%s: no photo.upload audit entry", a)
	}
}

// photoPost is a page's photo form posted to the record's path (format),
// a JPEG of kind made from seed, with the actor's form token.
func photoPost(format, kind string, seed byte) func(*mxWorld, *mxActor, mxEntity) apiRequest {
	return func(w *mxWorld, a *mxActor, e mxEntity) apiRequest {
		fields := map[string]string{"kind": kind}
		if a != nil {
			fields["csrf"] = w.csrf(a.token)
		}
		raw, ct := uploadForm(fields, "foto.jpg", string(phototest.JPEG(30, 20, seed)))
		return apiRequest{path: fmt.Sprintf(format, e.id), raw: raw, contentType: ct}
	}
}

// photoOf is the seeded photo of record e; a record that does not exist
// has none: its own id stands for a missing photo.
func photoOf(e mxEntity) int64 {
	if e.photo == 0 {
		return e.id
	}
	return e.photo
}

// checkPhotoView checks a served photo: a JPEG, not cached, and one more
// photo.view audit entry by the caller.
func (w *mxWorld) checkPhotoView(t *testing.T, a *mxActor, e mxEntity, r *apiResponse) {
	t.Helper()
	if r.header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(r.body, []byte{0xFF, 0xD8}) {
		t.Errorf("%s: photo %q", a, r.header.Get("Content-Type"))
	}
	if !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
		t.Errorf("%s: photo cached: %q", a, r.header.Get("Cache-Control"))
	}
	var entries []store.AuditEntry
	w.db.Where("household_id = ? AND action = ? AND actor_id = ?", e.hh.id, "photo.view", a.id).Find(&entries)
	if len(entries) == 0 || !strings.Contains(string(entries[len(entries)-1].Detail), fmt.Sprintf(`"photoId":%d`, photoOf(e))) {
		t.Errorf("%s: viewing photo %d left no audit entry: %+v", a, photoOf(e), entries)
	}
}
