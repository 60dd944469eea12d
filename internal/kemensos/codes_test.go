package kemensos

import (
	"strings"
	"testing"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/reason"
)

// Every code has an English text that renders with its arguments.
func TestEveryCodeHasEnglish(t *testing.T) {
	if len(Codes()) < 24 {
		t.Errorf("only %d codes", len(Codes()))
	}
	for _, p := range reason.Check(English(), Codes()) {
		t.Error(p)
	}
}

// A row error carries its code and arguments, and its reason is the
// code's English; a no_kk of the wrong shape carries ident's code.
func TestRowErrorsCarryCodes(t *testing.T) {
	file := "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n" +
		"3505019999999999,,MUNGKIN,,,2026-05-04\n" +
		"35050199,,DITETAPKAN,,,2026-05-04\n"
	_, rows, err := ParseAnswers(strings.NewReader(file), func(string, string) (int64, bool) { return 0, false })
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code reason.Code
		args int
	}{{CodeNumberNotProposed, 2}, {CodeStatusInvalid, 1}, {ident.CodeLength, 2}}
	if len(rows) != len(want) {
		t.Fatalf("rows: %+v", rows)
	}
	for i, r := range rows {
		if r.Code != want[i].code || len(r.Args) != want[i].args {
			t.Errorf("row error %d: %+v, want code %s", i, r, want[i].code)
		}
		if s, _ := all.Render(r.Code, r.Args); s != r.Reason || s == "" {
			t.Errorf("row error %d: reason %q, rendered %q", i, r.Reason, s)
		}
	}
}
