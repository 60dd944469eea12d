package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Photo kinds: what a visit's photo shows (the Kemensos ground check's
// three), and a document attached to an usul or a sanggah.
const (
	PhotoFront      = "front"
	PhotoInside     = "inside"
	PhotoFamilyCard = "family_card"
	PhotoDocument   = "document"
)

// PhotoKinds lists the kinds, in the form's order.
func PhotoKinds() []string {
	return []string{PhotoFront, PhotoInside, PhotoFamilyCard, PhotoDocument}
}

// Photo owners: what a photo is evidence for. A visit's photos belong to
// the household's visit (owner id: the household), an usul's to the usul
// (owner id: the usul), a sanggah's to the sanggah.
const (
	OwnerVisit   = "visit"
	OwnerUsul    = "usul"
	OwnerSanggah = "sanggah"
)

// PhotoRules says which photo kinds a visit outcome needs before its
// result is accepted.
type PhotoRules map[Outcome][]string

// DefaultPhotoRules: a household found no longer poor, or not found at
// all, needs at least the photo of the house's front.
func DefaultPhotoRules() PhotoRules {
	return PhotoRules{OutcomeNotPoor: {PhotoFront}, OutcomeNotFound: {PhotoFront}}
}

// ParsePhotoRules reads "outcome=kind+kind;outcome=kind" (e.g.
// "not_poor=front+inside;not_found=front"); "" is DefaultPhotoRules and
// "none" requires no photo.
func ParsePhotoRules(s string) (PhotoRules, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return DefaultPhotoRules(), nil
	case "none":
		return PhotoRules{}, nil
	}
	out := PhotoRules{}
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		o, kinds, ok := strings.Cut(part, "=")
		outcome := Outcome(strings.TrimSpace(o))
		if !ok || !outcome.Valid() {
			return nil, fmt.Errorf("%q: want outcome=kind[+kind], the outcome one of %v", part, Outcomes())
		}
		for _, k := range strings.Split(kinds, "+") {
			k = strings.TrimSpace(k)
			if !slices.Contains(PhotoKinds(), k) {
				return nil, fmt.Errorf("%q: photo kind %q is not one of %v", part, k, PhotoKinds())
			}
			if !slices.Contains(out[outcome], k) {
				out[outcome] = append(out[outcome], k)
			}
		}
	}
	return out, nil
}

// Missing lists the kinds outcome needs that have is without.
func (r PhotoRules) Missing(outcome Outcome, have []string) []string {
	var out []string
	for _, k := range r[outcome] {
		if !slices.Contains(have, k) {
			out = append(out, k)
		}
	}
	return out
}
