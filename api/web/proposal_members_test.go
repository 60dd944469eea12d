package web

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// bambangNIK is the NIK of SITI AMINAH's husband, a civil servant, as
// seedMembers stores him.
const bambangNIK = "3505011203780002"

// seedMembers gives SITI AMINAH's household its people, as a DTSEN
// intake would have stored them, and returns her husband's member id.
func (e *env) seedMembers() int64 {
	e.t.Helper()
	var bambang int64
	for _, m := range []struct {
		nik, name, rel, sex, job string
		year                     int
	}{
		{sitiNIK, "SITI AMINAH", "kepala_keluarga", "P", "Petani", 1980},
		{bambangNIK, "BAMBANG SUSANTO", "pasangan", "L", "PNS", 1978},
	} {
		sealed, err := e.st.Keys.Seal(m.nik, store.ADMemberNIK)
		if err != nil {
			e.t.Fatal(err)
		}
		hm := store.HouseholdMember{HouseholdID: e.hh["SITI AMINAH"], CycleID: e.cycle.ID, NIKHash: e.st.Keys.Hash(m.nik), NIKSealed: sealed,
			NIKMasked: ident.Mask(m.nik), Name: m.name, Relation: m.rel, Sex: m.sex, BirthDate: time.Date(m.year, 5, 17, 0, 0, 0, 0, time.UTC),
			Occupation: m.job, Status: store.MemberPresent, Source: store.SourceIntake}
		if err := e.st.DB.Create(&hm).Error; err != nil {
			e.t.Fatal(err)
		}
		bambang = hm.ID
	}
	return bambang
}

// TestProposalFileMembers: the SIKS-NG file's member sheet lists the
// people of a DTSEN household with their full NIKs, tied by No KK; a P3KE
// household (BUDI SANTOSO, no members) has no member rows.
func TestProposalFileMembers(t *testing.T) {
	e := newEnv(t)
	p := e.seedProposal(domain.ProposalDraft)
	if err := e.st.DB.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: e.hh["BUDI SANTOSO"], Jenis: "TAMBAH"}).Error; err != nil {
		t.Fatal(err)
	}
	e.seedMembers()
	off := office.New(office.Deps{Store: e.st, Temporal: e.temporal, Log: storetest.Logger(t), Now: e.clock.Now})
	dinsos := office.Caller{Principal: auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: "35.05", Regions: []string{"35.05"}}, RequestID: "r-file"}
	file, n, err := off.ProposalFile(t.Context(), dinsos, p)
	if err != nil || n != 2 {
		t.Fatalf("file: %d rows, %v", n, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(kemensos.MemberSheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{kemensos.MemberColumns(),
		{sitiKK, sitiNIK, "SITI AMINAH", "kepala_keluarga", "P", "1980-05-17", "Petani"},
		{sitiKK, bambangNIK, "BAMBANG SUSANTO", "pasangan", "L", "1978-05-17", "PNS"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("member sheet\n got %q\nwant %q", got, want)
	}
}

// TestAnswerNamesMember: a rejection naming a member (nik_anggota) keeps
// that member and the batch's page shows the member beside the rejection,
// NIK masked, and the name masked for a role that does not work with
// names; a nik_anggota not of the household is refused at its row.
func TestAnswerNamesMember(t *testing.T) {
	e := newEnv(t)
	p := e.seedProposal(domain.ProposalSubmitted)
	bambang := e.seedMembers()
	dinsos := e.login("dinsos")
	path := fmt.Sprintf("/usulan/%d/jawaban", p.ID)
	const header = "no_kk,nik,status,alasan,tanggal_penetapan,nik_anggota\n"

	w := dinsos.upload(path, "jawaban.csv", []byte(header+sitiKK+","+sitiNIK+",DITOLAK,PNS_TNI_POLRI,2026-05-04,3505011203780099\n"))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(),
		`<tr><td data-label="Baris">2</td><td data-label="Kolom">nik_anggota</td><td data-label="Alasan">Keluarga ini tidak punya anggota dengan nik_anggota 350501********99.</td></tr>`) {
		t.Fatalf("unknown member: %d\n%s", w.Code, w.Body)
	}

	w = dinsos.upload(path, "jawaban.csv", []byte(header+sitiKK+","+sitiNIK+",DITOLAK,PNS_TNI_POLRI,2026-05-04,"+bambangNIK+"\n"))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("answer naming a member: %d\n%s", w.Code, w.Body)
	}
	var it store.ProposalItem
	if err := e.st.DB.Where("proposal_id = ?", p.ID).First(&it).Error; err != nil {
		t.Fatal(err)
	}
	if it.AnswerMemberID == nil || *it.AnswerMemberID != bambang {
		t.Fatalf("stored answer's member %v, want %d", it.AnswerMemberID, bambang)
	}

	masked := ident.Mask(bambangNIK)
	page := dinsos.get(fmt.Sprintf("/usulan/%d", p.ID)).Body.String()
	for _, want := range []string{"Ditolak karena anggota keluarga", "BAMBANG SUSANTO", masked} {
		if !strings.Contains(page, want) {
			t.Errorf("Dinsos' page lacks %q", want)
		}
	}
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "admin", Password: password, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	page = e.login("admin").get(fmt.Sprintf("/usulan/%d", p.ID)).Body.String()
	if !strings.Contains(page, pii.MaskName("BAMBANG SUSANTO")) || !strings.Contains(page, masked) {
		t.Errorf("the administrator's page lacks the masked member")
	}
	for _, clear := range []string{"BAMBANG SUSANTO", "SITI AMINAH", bambangNIK, sitiNIK} {
		if strings.Contains(page, clear) {
			t.Errorf("the administrator's page shows %q in clear", clear)
		}
	}
}
