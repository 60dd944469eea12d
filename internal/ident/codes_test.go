package ident

import (
	"testing"

	"github.com/verval/verval/internal/reason"
)

// Every code has an English text that renders with its arguments.
func TestEveryCodeHasEnglish(t *testing.T) {
	if len(Codes()) < 17 {
		t.Errorf("only %d codes", len(Codes()))
	}
	for _, p := range reason.Check(English(), Codes()) {
		t.Error(p)
	}
}

// The message is rendered from the code: a month is named in English.
func TestErrorRendersFromCode(t *testing.T) {
	_, err := ParseNIK("3505013002800001")
	e, ok := err.(*Error)
	if !ok || e.Code != CodeBirthDate || len(e.Args) != 2 || e.Args[0] != "2" || e.Args[1] != "30" {
		t.Fatalf("ParseNIK: %#v", err)
	}
	if want := "NIK birth date (digits 7-12) is not a real date: February has no day 30"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
