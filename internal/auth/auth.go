// Package auth defines verval's roles and the region scope each grants. It
// is the single place that answers "may this person see that village?",
// used by the API, the web pages and the store's queries alike.
package auth

import "strings"

// Role is what a user does in the cycle (docs/process.md, "Who uses it").
type Role string

// The roles.
const (
	// RoleVillage is a village officer (operator desa / kelurahan): a desa
	// (or several).
	RoleVillage Role = "village"
	// RolePSM is a community social worker (pekerja sosial masyarakat):
	// verifies the households of its desa, but does not record the village
	// meeting.
	RolePSM Role = "psm"
	// RolePendamping is a PKH companion (pendamping PKH): verifies the
	// households of the villages assigned to it, several desa, possibly in
	// several kecamatan of the regency.
	RolePendamping Role = "pendamping"
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
func Roles() []Role {
	return []Role{RoleVillage, RolePSM, RolePendamping, RoleTKSK, RoleDinsos, RoleBupati, RoleAdmin}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if r == k {
			return true
		}
	}
	return false
}

// Visits reports whether the role visits households to verify them: the
// village officer, the PSM and the PKH companion. Their task lists hold the
// tasks of their villages.
func (r Role) Visits() bool { return r == RoleVillage || r == RolePSM || r == RolePendamping }

// SeveralRegions reports whether an account of the role may hold several
// regions (all of the role's level, in one regency): every role scoped
// below the regency. Dinsos and the bupati's office hold their one
// regency.
func (r Role) SeveralRegions() bool { return r.RegionLen() > 5 }

// RegionLen is the length of the dotted region code a role is scoped to:
// 13 for a village (35.05.01.2001), 8 for a kecamatan, 5 for a regency, 0
// for administrators.
func (r Role) RegionLen() int {
	switch r {
	case RoleVillage, RolePSM, RolePendamping:
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
	// Region is the dotted region code the role is scoped to, the first of
	// Regions; empty for an administrator. Every region of one account lies
	// in one regency, so Region[:5] is the account's regency.
	Region string
	// Regions are every region the account holds (one for most, several
	// desa for a PKH companion), sorted; empty for an administrator.
	Regions []string
	// MustChangePassword: signed in with a one-time password, which must be
	// changed before any other step.
	MustChangePassword bool
}

// Covers reports whether one of the principal's regions contains code (a
// village, kecamatan or regency code).
func (p Principal) Covers(code string) bool {
	if p.Role == RoleAdmin {
		return true
	}
	for _, r := range p.AllRegions() {
		if Within(code, r) {
			return true
		}
	}
	return false
}

// AllRegions lists every region the principal holds: Regions, or Region
// alone for a principal built without the list; empty for an
// administrator.
func (p Principal) AllRegions() []string {
	if len(p.Regions) == 0 && p.Region != "" {
		return []string{p.Region}
	}
	return p.Regions
}

// Within reports whether code lies inside region (a village, kecamatan or
// regency code). Codes are dotted and nest by prefix, so 35.05.01 covers
// 35.05.01.2001; the dot check stops 35.05.1 covering 35.05.10.
func Within(code, region string) bool {
	if region == "" || !strings.HasPrefix(code, region) {
		return false
	}
	return len(code) == len(region) || code[len(region)] == '.'
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
