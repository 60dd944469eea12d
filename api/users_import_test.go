package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/wilayah"
)

// blitarPeople is Kab. Blitar's people as an import file, from the region
// list: an officer for each of its 248 desa, a TKSK for each of its 22
// kecamatan, 43 PSM (one desa each), and 10 PKH companions with 3 to 8 desa
// each, taken across kecamatan. regions maps each username to its regions.
func blitarPeople(t *testing.T) (csv string, regions map[string][]string) {
	t.Helper()
	desa := wilayah.Default().Villages("35.05")
	var kec []string
	for _, d := range desa {
		if k := wilayah.Kecamatan(d); !slices.Contains(kec, k) {
			kec = append(kec, k)
		}
	}
	if len(desa) != 248 || len(kec) != 22 {
		t.Fatalf("Kab. Blitar has %d desa in %d kecamatan, want 248 in 22", len(desa), len(kec))
	}
	digits := func(code string) string { return strings.ReplaceAll(code, ".", "") }
	regions = map[string][]string{}
	var b strings.Builder
	b.WriteString("username,nama,no_hp,peran,kode_wilayah\n")
	add := func(username, name, role string, codes ...string) {
		regions[username] = codes
		fmt.Fprintf(&b, "%s,%s,0812%08d,%s,%s\n", username, name, len(regions), role, strings.Join(codes, ";"))
	}
	for _, d := range desa {
		add("desa."+digits(d), "Operator "+d, "operator desa", d)
	}
	for _, k := range kec {
		add("tksk."+digits(k), "TKSK "+k, "tksk", k)
	}
	for i := range 43 {
		add(fmt.Sprintf("psm.%02d", i+1), fmt.Sprintf("PSM %d", i+1), "psm", desa[i*5])
	}
	for i := range 10 {
		var codes []string
		for j := range 3 + i%6 {
			codes = append(codes, desa[(i*23+j*31)%len(desa)])
		}
		add(fmt.Sprintf("pendamping.%02d", i+1), fmt.Sprintf("Pendamping PKH %d", i+1), "pendamping pkh", codes...)
	}
	return b.String(), regions
}

// Kab. Blitar's first day: Dinsos imports its 323 officers. A file with an
// unknown village code, a duplicate username and an unknown role is
// refused whole, naming each row and column; the dry run of the fixed file
// creates nothing; the import creates every account with a one-time
// password, shown once and downloadable once as XLSX; then an officer of
// each kind signs in, changes the password and sees exactly its region's
// tasks.
func TestImportBlitarOfficers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, mxT0)
		ctx := t.Context()
		if _, err := a.st.CreateUser(ctx, store.NewUser{Username: "dinsos.blitar", Password: mxPassword, Name: "Dinsos Blitar", Role: auth.RoleDinsos, Region: "35.05"}); err != nil {
			t.Fatal(err)
		}
		dinsos := a.login("dinsos.blitar", mxPassword)
		good, regions := blitarPeople(t)
		send := func(csv, dryRun string) *apiResponse {
			body, ct := upload("petugas.csv", csv)
			path := "/api/v1/users/import?dryRun=" + dryRun
			return a.do(apiRequest{method: "POST", route: "/api/v1/users/import", path: path, token: dinsos, raw: body, contentType: ct})
		}
		users := func() int64 {
			var n int64
			db.Model(&store.User{}).Count(&n)
			return n
		}

		// Rows 2 to 324 are good; 325 to 327 are not.
		bad := good +
			"desa.hantu,Operator Hantu,,village,35.05.99.2999\n" +
			"psm.01,PSM Kembar,,psm,35.05.01.2001\n" +
			"lurah.jaten,Lurah Jaten,,lurah,35.05.01.2001\n"
		r := send(bad, "false")
		var refused struct {
			Code   string
			Result struct {
				Issues []struct {
					Row          int
					Column, Code string
				}
			}
		}
		if r.want(t, "a file with faulty rows", http.StatusUnprocessableEntity) {
			r.decode(t, &refused)
		}
		type at struct {
			row       int
			col, code string
		}
		var got []at
		for _, is := range refused.Result.Issues {
			got = append(got, at{is.Row, is.Column, is.Code})
		}
		want := []at{{325, "kode_wilayah", "user.region_unknown"}, {326, "username", "import.duplicate"}, {327, "peran", "import.role"}}
		if refused.Code != "import.invalid" || !slices.Equal(got, want) {
			t.Errorf("refusal %s, issues %v, want %v", refused.Code, got, want)
		}
		if n := users(); n != 1 {
			t.Fatalf("%d users after a refused file, want 1 (Dinsos)", n)
		}

		r = send(good, "true")
		var dry struct {
			DryRun bool
			Rows   int
			Issues []any
		}
		if r.want(t, "dry run", http.StatusOK) {
			r.decode(t, &dry)
		}
		if !dry.DryRun || dry.Rows != 323 || len(dry.Issues) != 0 || users() != 1 {
			t.Fatalf("dry run %+v; %d users", dry, users())
		}

		r = send(good, "false")
		var done struct {
			ImportID int64
			Accounts []struct {
				ID                        int64
				Username, OneTimePassword string
				Regions                   []string
			}
		}
		if r.want(t, "import", http.StatusCreated) {
			r.decode(t, &done)
		}
		if len(done.Accounts) != 323 || users() != 324 || done.ImportID == 0 {
			t.Fatalf("imported %d accounts (import %d); %d users", len(done.Accounts), done.ImportID, users())
		}
		passwords := map[string]string{}
		for _, acc := range done.Accounts {
			if acc.OneTimePassword == "" || !slices.Equal(acc.Regions, sorted(regions[acc.Username])) {
				t.Errorf("account %s: password %q, regions %v", acc.Username, acc.OneTimePassword, acc.Regions)
			}
			passwords[acc.Username] = acc.OneTimePassword
		}
		var stored int64
		db.Model(&store.User{}).Where("password_hash LIKE ?", "%"+passwords["psm.01"]+"%").Count(&stored)
		if stored != 0 {
			t.Error("a one-time password is stored in clear")
		}

		sheet := fmt.Sprintf("/api/v1/users/imports/%d/passwords", done.ImportID)
		r = a.do(apiRequest{method: "GET", route: "/api/v1/users/imports/:id/passwords", path: sheet, token: dinsos})
		if r.want(t, "the passwords' XLSX", http.StatusOK) {
			f, err := excelize.OpenReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Akun baru")
			if len(rows) != 324 {
				t.Fatalf("XLSX has %d rows, want a header and 323", len(rows))
			}
			for _, row := range rows[1:] {
				if passwords[row[1]] != row[6] {
					t.Errorf("XLSX row %v: password differs from the answer's", row)
				}
			}
		}
		a.do(apiRequest{method: "GET", route: "/api/v1/users/imports/:id/passwords", path: sheet, token: dinsos}).
			want(t, "a second download", http.StatusConflict)

		// Tasks in every desa of the regency, one household each.
		seedTaskPerDesa(t, a, db, wilayah.Default().Villages("35.05"))
		for _, username := range []string{"desa.3505012001", "tksk.350502", "psm.02", "pendamping.05"} {
			token := a.login(username, passwords[username])
			a.do(apiRequest{method: "POST", route: "/api/v1/me/password", path: "/api/v1/me/password", token: token,
				json: map[string]string{"currentPassword": passwords[username], "newPassword": "kopi-tubruk-" + username}}).
				want(t, username+" changes the one-time password", http.StatusNoContent)
			token = a.login(username, "kopi-tubruk-"+username)
			r := a.do(apiRequest{method: "GET", route: "/api/v1/tasks", path: "/api/v1/tasks?perPage=200", token: token})
			var v struct {
				Tasks []struct{ DesaCode string }
				Total int
			}
			if !r.want(t, username+" lists tasks", http.StatusOK) {
				continue
			}
			r.decode(t, &v)
			var seen []string
			for _, task := range v.Tasks {
				seen = append(seen, task.DesaCode)
			}
			var mine []string
			for _, d := range wilayah.Default().Villages("35.05") {
				for _, reg := range regions[username] {
					if within(d, reg) {
						mine = append(mine, d)
					}
				}
			}
			if slices.Sort(seen); !slices.Equal(seen, sorted(mine)) || v.Total != len(mine) {
				t.Errorf("%s (regions %v) sees tasks of %v, want %v", username, regions[username], seen, sorted(mine))
			}
		}
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// seedTaskPerDesa stores a 2026 cycle of Kab. Blitar with one household
// (and its task) in each desa.
func seedTaskPerDesa(t *testing.T, a *testAPI, db *gorm.DB, desa []string) {
	t.Helper()
	ctx := t.Context()
	cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 20, CreatedBy: 1, OpenedAt: mxT0}
	if err := a.st.CreateCycle(ctx, &cy); err != nil {
		t.Fatal(err)
	}
	in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv", CreatedBy: 1}
	if err := a.st.CreateIntake(ctx, &in, strings.NewReader("stored file"), 11); err != nil {
		t.Fatal(err)
	}
	batch := store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, DueAt: mxT0.Add(20 * 24 * time.Hour)}
	for i, d := range desa {
		kec := strings.ReplaceAll(d[:8], ".", "")
		nik, kk := fmt.Sprintf("%s410780%04d", kec, i+1), fmt.Sprintf("%s200226%04d", kec, i+1)
		batch.Households = append(batch.Households, store.NewHousehold{
			Household: store.Household{Row: i + 2, FamilyID: fmt.Sprintf("P3KE-%04d", i+1), KKMasked: ident.Mask(kk), NIKMasked: ident.Mask(nik),
				Name: fmt.Sprintf("Keluarga %d", i+1), Address: "Dusun Krajan", Members: 4, RegencyCode: "35.05", KecamatanCode: d[:8], DesaCode: d, Desil: 1},
			NIK: nik, NoKK: kk,
		})
	}
	batch.Accepted, batch.Rows, batch.LastRow = len(desa), len(desa), len(desa)+1
	if n, err := a.st.SaveIntakeBatch(ctx, batch); err != nil || n != len(desa) {
		t.Fatalf("SaveIntakeBatch: stored %d, err %v", n, err)
	}
}
