package store

import (
	"strings"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/wilayah"
)

// scope restricts a query to the rows whose region column lies inside the
// principal's region. Region codes are fixed-width and dotted, so a prefix
// match is exact. Every read the API does goes through it.
func scope(db *gorm.DB, p auth.Principal, column string) *gorm.DB {
	if p.Role == auth.RoleAdmin {
		return db
	}
	regions := p.AllRegions()
	if len(regions) == 0 {
		return db.Where("1 = 0")
	}
	if wilayah.LevelOf(regions[0]) == wilayah.LevelVillage {
		// Nothing lies below a desa: the prefix match is equality, which
		// the column's index answers (a LIKE is a scan on SQLite, and on
		// PostgreSQL without a pattern-ops index). An account's regions are
		// all of one level.
		if len(regions) == 1 {
			return db.Where(column+" = ?", regions[0])
		}
		return db.Where(column+" IN ?", regions)
	}
	cond, args := "", make([]any, 0, len(regions))
	for i, r := range regions {
		if i > 0 {
			cond += " OR "
		}
		cond += column + " LIKE ?"
		args = append(args, likePrefix(r))
	}
	return db.Where("("+cond+")", args...)
}

// likePrefix escapes a region code for a LIKE prefix match. Region codes are
// digits and dots only, so there is nothing to escape, but be strict anyway.
func likePrefix(code string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(code) + "%"
}
