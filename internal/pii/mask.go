package pii

import "strings"

// MaskName keeps each word's first letter, for the roles that do not work
// with the family by name: "Siti Aminah" → "S*** A*****".
func MaskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		if r := []rune(w); len(r) > 0 {
			words[i] = string(r[0]) + strings.Repeat("*", len(r)-1)
		}
	}
	return strings.Join(words, " ")
}
