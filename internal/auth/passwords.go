package auth

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[foldPassword(line)] = true
		}
	}
	return out
})

// foldPassword is the form passwords are compared to the common list in:
// lower case, without spaces.
func foldPassword(p string) string {
	return strings.ToLower(strings.Join(strings.Fields(p), ""))
}

// CommonPassword reports whether password is one people commonly choose
// (the list shipped in common_passwords.txt), which an attacker tries
// first.
func CommonPassword(password string) bool { return commonPasswords()[foldPassword(password)] }
