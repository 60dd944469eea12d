package domain

import (
	"reflect"
	"strings"
	"testing"
)

// TestParsePhotoRules: VERVAL_PHOTOS_REQUIRED's format. Empty is the
// default (the front for not_poor and not_found), "none" needs no photo,
// a rule lists kinds joined by + per outcome, spaces and empty parts are
// ignored and a kind named twice counts once; an unknown outcome or kind,
// or a part without "=", is refused naming it.
func TestParsePhotoRules(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PhotoRules
	}{
		{"", PhotoRules{OutcomeNotPoor: {PhotoFront}, OutcomeNotFound: {PhotoFront}}},
		{"  ", PhotoRules{OutcomeNotPoor: {PhotoFront}, OutcomeNotFound: {PhotoFront}}},
		{"none", PhotoRules{}},
		{" none ", PhotoRules{}},
		{"not_poor=front+inside;not_found=front", PhotoRules{OutcomeNotPoor: {PhotoFront, PhotoInside}, OutcomeNotFound: {PhotoFront}}},
		{" eligible = front + family_card ; ", PhotoRules{OutcomeEligible: {PhotoFront, PhotoFamilyCard}}},
		{"moved=document;moved=front+document", PhotoRules{OutcomeMoved: {PhotoDocument, PhotoFront}}},
		{"deceased=inside+inside", PhotoRules{OutcomeDeceased: {PhotoInside}}},
		{";;", PhotoRules{}},
	} {
		got, err := ParsePhotoRules(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePhotoRules(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, names string }{
		{"not_poor", `"not_poor"`},
		{"poor=front", `"poor=front"`},
		{"not_poor=roof", `"roof"`},
		{"not_poor=front+", `""`},
		{"not_poor=", `""`},
		{"=front", `"=front"`},
		{"NOT_POOR=front", `"NOT_POOR=front"`},
		{"not_found=front;not_poor=Front", `"Front"`},
		{"not_poor:front", `"not_poor:front"`},
	} {
		got, err := ParsePhotoRules(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("ParsePhotoRules(%q) = %v, %v; want an error naming %s", tc.in, got, err, tc.names)
		}
	}
	// The default is DefaultPhotoRules, a copy the caller may change.
	a, _ := ParsePhotoRules("")
	a[OutcomeNotPoor] = append(a[OutcomeNotPoor], PhotoInside)
	if b, _ := ParsePhotoRules(""); len(b[OutcomeNotPoor]) != 1 {
		t.Errorf("changing one default changed the next: %v", b)
	}
	r, _ := ParsePhotoRules("not_poor=front+inside")
	if m := r.Missing(OutcomeNotPoor, []string{PhotoInside, PhotoDocument}); !reflect.DeepEqual(m, []string{PhotoFront}) {
		t.Errorf("missing %v, want [front]", m)
	}
	if m := r.Missing(OutcomeEligible, nil); m != nil {
		t.Errorf("eligible needs no photo, missing %v", m)
	}
}
