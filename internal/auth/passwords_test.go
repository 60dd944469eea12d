package auth

import "testing"

func TestCommonPassword(t *testing.T) {
	for _, p := range []string{"1234567890", "Bismillah123", "PASSWORD123", "qwerty uiop", "dinsos2026"} {
		if !CommonPassword(p) {
			t.Errorf("%q is not taken for a common password", p)
		}
	}
	for _, p := range []string{"rahasia-desa-2026", "kopi tubruk di jaten", "desa-satu-2026"} {
		if CommonPassword(p) {
			t.Errorf("%q is taken for a common password", p)
		}
	}
	if len(commonPasswords()) < 50 {
		t.Errorf("the list has %d passwords; the embedded file did not load", len(commonPasswords()))
	}
	for p := range commonPasswords() {
		if len([]rune(p)) < 10 {
			t.Errorf("%q is shorter than the minimum length, so listing it changes nothing", p)
		}
	}
}
