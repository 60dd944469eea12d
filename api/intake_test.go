package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestIntakeRefusesAFileThatStopsHalfWay: an XLSX workbook whose sheet is
// damaged part way through (its header and first rows read fine) is
// refused at upload with a 422 naming the file, and nothing is stored or
// started; the same workbook undamaged is taken.
func TestIntakeRefusesAFileThatStopsHalfWay(t *testing.T) {
	a := newTestAPI(t, storetest.SQLite(t), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if _, err := a.st.EnsureDevUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := a.login("dinsos", "dinsos-blitar-2026")
	cy := a.do(apiRequest{method: "POST", route: "/api/v1/cycles", path: "/api/v1/cycles", token: token,
		json: map[string]any{"regencyCode": "35.05", "year": 2026}})
	var cycle struct{ ID int64 }
	cy.decode(t, &cycle)

	var workbook bytes.Buffer
	if _, err := p3ke.GenerateXLSX(&workbook, p3ke.GenOptions{Regency: "35.05", Households: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	good := workbook.Bytes()
	bad := bytes.Clone(good)
	zr, err := zip.NewReader(bytes.NewReader(bad), int64(len(bad)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			mid := off + int64(f.CompressedSize64)/2
			for i := mid; i < mid+64; i++ {
				bad[i] ^= 0xA5
			}
		}
	}
	if bytes.Equal(bad, good) {
		t.Fatal("the sheet was not found in the workbook")
	}

	post := func(data []byte) *apiResponse {
		raw, ct := upload("p3ke.xlsx", string(data))
		return a.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/intake", path: fmt.Sprintf("/api/v1/cycles/%d/intake", cycle.ID),
			token: token, raw: raw, contentType: ct})
	}
	r := post(bad)
	var refusal struct{ Error, Field string }
	r.decode(t, &refusal)
	if r.code != http.StatusUnprocessableEntity || refusal.Field != "file" {
		t.Fatalf("damaged workbook: %s, want 422 naming the file", r.shown())
	}
	var intakes, chunks int64
	a.db.Model(&store.Intake{}).Count(&intakes)
	a.db.Model(&store.IntakeFileChunk{}).Count(&chunks)
	if intakes != 0 || chunks != 0 || len(r.temporalCalls("ExecuteWorkflow")) != 0 {
		t.Fatalf("after the refusal: %d intakes, %d chunks, %d workflow starts; want none", intakes, chunks, len(r.temporalCalls("ExecuteWorkflow")))
	}

	if r := post(good); r.code != http.StatusAccepted {
		t.Fatalf("the same workbook undamaged: %s, want 202", r.shown())
	}
}
