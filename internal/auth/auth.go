// Package auth defines verval's roles and the region scope each grants. It
// is the single place that answers "may this person see that village?",
// used by the API, the web pages and the store's queries alike.
package auth

import "strings"

// Role is what a user does in the cycle (docs/process.md, "Who uses it").
type Role string

// The roles.
const (
	// RoleVillage is a village officer (operator desa / kelurahan): one desa.
	RoleVillage Role = "village"
	// RoleTKSK is a sub-district social worker: one kecamatan.
	RoleTKSK Role = "tksk"
	// RoleDinsos is a regency social office operator: one regency.
	RoleDinsos Role = "dinsos"
	// RoleBupati is the regent's office: one regency.
	RoleBupati Role = "bupati"
	// RoleAdmin is an administrator: everything.
	RoleAdmin Role = "admin"
)

// Roles lists every role.
func Roles() []Role { return []Role{RoleVillage, RoleTKSK, RoleDinsos, RoleBupati, RoleAdmin} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if r == k {
			return true
		}
	}
	return false
}

// RegionLen is the length of the dotted region code a role is scoped to:
// 13 for a village (35.05.01.2001), 8 for a kecamatan, 5 for a regency, 0
// for administrators.
func (r Role) RegionLen() int {
	switch r {
	case RoleVillage:
		return 13
	case RoleTKSK:
		return 8
	case RoleDinsos, RoleBupati:
		return 5
	}
	return 0
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID   int64
	Username string
	Name     string
	Role     Role
	// Region is the dotted region code the role is scoped to; empty for an
	// administrator.
	Region string
	// MustChangePassword: signed in with a one-time password, which must be
	// changed before any other step.
	MustChangePassword bool
}

// Covers reports whether the principal's region contains code (a village,
// kecamatan or regency code). Codes are dotted and nest by prefix, so
// 35.05.01 covers 35.05.01.2001; the dot check stops 35.05.1 covering
// 35.05.10.
func (p Principal) Covers(code string) bool {
	if p.Role == RoleAdmin {
		return true
	}
	if p.Region == "" || !strings.HasPrefix(code, p.Region) {
		return false
	}
	return len(code) == len(p.Region) || code[len(p.Region)] == '.'
}

// Is reports whether the principal has one of roles.
func (p Principal) Is(roles ...Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}
