package p3ke

import (
	"errors"
	"strings"
	"testing"

	"github.com/verval/verval/internal/reason"
)

// Every code has an English text that renders with its arguments.
func TestEveryCodeHasEnglish(t *testing.T) {
	if len(Codes()) < 37 {
		t.Errorf("only %d codes", len(Codes()))
	}
	for _, p := range reason.Check(English(), Codes()) {
		t.Error(p)
	}
}

// A reason is rendered from its code: an Issue's and a FormatError's
// English is their code's, and a nested reason is rendered inside.
func TestReasonsRenderFromCodes(t *testing.T) {
	rep, err := Check(strings.NewReader(header+goodRow("A", 1)+"B,3505010101200002,3505012501800002,BUDI,L,,Dusun,35.05.01,1\n"), Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issues) != 1 {
		t.Fatalf("issues: %+v", rep.Issues)
	}
	is := rep.Issues[0]
	if is.Code != CodeVillageLevel || len(is.Args) != 2 || is.Args[1] != LevelKecamatan ||
		is.Reason != "must be a village (desa/kelurahan) code with 10 digits; 35.05.01 is a sub-district (kecamatan) code" {
		t.Errorf("issue %+v", is)
	}
	_, err = Check(strings.NewReader("a,\"b\n"), Options{Regency: "35.05"})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Code != CodeHeaderUnreadable || fe.Args[0] != string(CodeQuoteNotClosed) ||
		fe.Error() != "the header row cannot be read: a quoted cell is not closed properly" {
		t.Fatalf("%#v", err)
	}
	past := UnreadablePastRow(5001, newFormatError(CodeSheetUnreadable, "zip: checksum error"))
	if want := "the file cannot be read past row 5001: the sheet cannot be read: zip: checksum error"; past.Error() != want {
		t.Errorf("%q, want %q", past, want)
	}
}
