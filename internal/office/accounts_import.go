package office

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/xlsxwrite"
)

// Importing a regency's people from a CSV or XLSX file (docs/accounts.md):
// one account per row, checked as a single creation is (and against the
// file's other rows and the accounts that exist), a dry run first; nothing
// is created while any row is wrong. Each new account gets a one-time
// password, answered once and downloadable once as XLSX.

// The import file's columns, by their canonical header (p3ke.CanonicalHeader).
const (
	colUsername = "username"
	colName     = "nama"
	colPhone    = "no_hp"
	colRole     = "peran"
	colRegions  = "kode_wilayah"
)

// ImportColumns lists the columns, required first; no_hp may be left out.
func ImportColumns() []string { return []string{colUsername, colName, colRole, colRegions, colPhone} }

// importAliases are other headers people write for a column.
var importAliases = map[string]string{
	"nama_pengguna": colUsername, "user": colUsername,
	"nama_lengkap": colName, "name": colName,
	"hp": colPhone, "nomor_hp": colPhone, "no_telp": colPhone, "telepon": colPhone, "phone": colPhone,
	"role":    colRole,
	"wilayah": colRegions, "kode_desa": colRegions, "region": colRegions, "regions": colRegions,
}

// importRoles maps what a file may say in peran to a role: the machine
// codes and their Indonesian names. Administrators are never imported.
var importRoles = map[string]auth.Role{
	"village": auth.RoleVillage, "desa": auth.RoleVillage, "operator_desa": auth.RoleVillage, "operator_kelurahan": auth.RoleVillage,
	"psm": auth.RolePSM, "pekerja_sosial_masyarakat": auth.RolePSM,
	"pendamping": auth.RolePendamping, "pendamping_pkh": auth.RolePendamping,
	"tksk":   auth.RoleTKSK,
	"dinsos": auth.RoleDinsos, "dinas_sosial": auth.RoleDinsos,
	"bupati": auth.RoleBupati, "kantor_bupati": auth.RoleBupati, "walikota": auth.RoleBupati,
}

// MaxImportAccounts bounds one file: a regency has a few hundred officers.
const MaxImportAccounts = 5000

// ImportIssue is a fault of one row and column of an import file, as a
// domain code with its arguments.
type ImportIssue struct {
	Row    int         `json:"row"`
	Column string      `json:"column"`
	Code   domain.Code `json:"code"`
	Args   []string    `json:"args,omitempty"`
	// Message is the fault in English; the pages say it in Indonesian.
	Message string `json:"message"`
}

// ImportedAccount is one new account of an import and its one-time
// password, shown once.
type ImportedAccount struct {
	Row             int       `json:"row"`
	ID              int64     `json:"id,omitempty"`
	Username        string    `json:"username"`
	Name            string    `json:"name"`
	Phone           string    `json:"phone,omitempty"`
	Role            auth.Role `json:"role"`
	Regions         []string  `json:"regions"`
	OneTimePassword string    `json:"oneTimePassword,omitempty"`
}

// ImportResult is what an import (or its dry run) found and did.
type ImportResult struct {
	DryRun bool `json:"dryRun"`
	// Rows counts the accounts in the file (blank rows left out).
	Rows   int           `json:"rows"`
	Issues []ImportIssue `json:"issues"`
	// Accounts are the accounts the file gives (with their one-time
	// passwords once created).
	Accounts []ImportedAccount `json:"accounts"`
	// ImportID is the import's record, whose passwords can be downloaded
	// once as XLSX; 0 for a dry run or a refused file.
	ImportID int64 `json:"importId,omitempty"`
}

// ImportAccounts reads a file of accounts and, unless dryRun, creates them
// all, or none when any row is wrong (then the error is
// domain.CodeImportInvalid and the result lists the issues). A file that
// is not a readable CSV or XLSX, or lacks a column, is an error without a
// result.
func (s *Service) ImportAccounts(ctx context.Context, c Caller, fileName string, file io.Reader, dryRun bool) (*ImportResult, error) {
	if err := c.may(StepAccounts); err != nil {
		return nil, err
	}
	res, users, err := readAccounts(file)
	if err != nil {
		return nil, err
	}
	res.DryRun = dryRun
	if err := s.checkAccounts(ctx, c, res, users); err != nil {
		return nil, err
	}
	if len(res.Issues) > 0 {
		if dryRun {
			return res, nil
		}
		return res, domain.Err(domain.CodeImportInvalid, countRows(res.Issues))
	}
	if dryRun {
		return res, nil
	}
	for i := range users {
		users[i].Password, users[i].OneTime = OneTimePassword(), true
		res.Accounts[i].OneTimePassword = users[i].Password
	}
	sheet, err := json.Marshal(res.Accounts)
	if err != nil {
		return nil, err
	}
	imp := &store.AccountImport{CreatedBy: c.UserID, FileName: fileName}
	created, err := s.store.ImportUsers(ctx, users, imp, sheet)
	if err != nil {
		return nil, err
	}
	for i, u := range created {
		res.Accounts[i].ID = u.ID
		s.audit(ctx, c, 0, nil, "user.create", map[string]any{"userId": u.ID, "role": u.Role, "regions": u.RegionList(), "importId": imp.ID})
	}
	s.audit(ctx, c, 0, nil, "user.import", map[string]any{"importId": imp.ID, "users": len(created)})
	res.ImportID = imp.ID
	return res, nil
}

// countRows counts the rows issues fall on.
func countRows(issues []ImportIssue) int {
	rows := map[int]bool{}
	for _, is := range issues {
		rows[is.Row] = true
	}
	return len(rows)
}

// readAccounts reads the file's rows into accounts, with the issues a row
// shows on its own (a role the file names wrongly).
func readAccounts(file io.Reader) (*ImportResult, []store.NewUser, error) {
	rows, err := p3ke.OpenRows(file)
	if err != nil {
		return nil, nil, domain.Err(domain.CodeImportUnreadable)
	}
	defer rows.Close()
	res := &ImportResult{Issues: []ImportIssue{}, Accounts: []ImportedAccount{}}
	var users []store.NewUser
	idx := map[string]int{}
	for {
		cells, row, err := rows.Next()
		if err == io.EOF {
			break
		}
		var se *p3ke.SplitError
		switch {
		case errors.As(err, &se):
			res.Issues = append(res.Issues, issue(se.Row, "", domain.CodeImportUnreadable))
			continue
		case err != nil:
			return nil, nil, domain.Err(domain.CodeImportUnreadable)
		}
		if len(idx) == 0 {
			if idx = importHeader(cells); len(idx) == 0 {
				continue // blank rows above the header
			}
			var missing []string
			for _, col := range ImportColumns()[:4] {
				if _, ok := idx[col]; !ok {
					missing = append(missing, col)
				}
			}
			if len(missing) > 0 {
				return nil, nil, domain.Err(domain.CodeImportColumns, strings.Join(missing, ", "))
			}
			continue
		}
		cell := func(col string) string {
			if i, ok := idx[col]; ok && i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		if cell(colUsername)+cell(colName)+cell(colRole)+cell(colRegions)+cell(colPhone) == "" {
			continue
		}
		if len(users) == MaxImportAccounts {
			return nil, nil, domain.Err(domain.CodeImportTooMany, MaxImportAccounts)
		}
		role, ok := importRoles[p3ke.CanonicalHeader(cell(colRole))]
		if !ok {
			res.Issues = append(res.Issues, issue(row, colRole, domain.CodeImportRoleName, cell(colRole)))
		}
		regions := []string{}
		for _, r := range strings.FieldsFunc(cell(colRegions), func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
			regions = append(regions, strings.TrimSpace(r))
		}
		users = append(users, store.NewUser{Username: cell(colUsername), Name: cell(colName), Phone: cell(colPhone), Role: role, Regions: regions})
		res.Accounts = append(res.Accounts, ImportedAccount{Row: row, Role: role, Username: cell(colUsername), Name: cell(colName), Regions: regions})
	}
	if len(idx) == 0 {
		return nil, nil, domain.Err(domain.CodeImportColumns, strings.Join(ImportColumns()[:4], ", "))
	}
	if len(users) == 0 {
		return nil, nil, domain.Err(domain.CodeImportEmpty)
	}
	res.Rows = len(users)
	return res, users, nil
}

// importHeader maps a header row's columns to their index; nil when the
// row names none of them.
func importHeader(cells []string) map[string]int {
	idx := map[string]int{}
	for i, h := range cells {
		name := p3ke.CanonicalHeader(h)
		if alias, ok := importAliases[name]; ok {
			name = alias
		}
		for _, col := range ImportColumns() {
			if name == col {
				if _, dup := idx[col]; !dup {
					idx[col] = i
				}
			}
		}
	}
	if len(idx) == 0 {
		return nil
	}
	return idx
}

// importField is the file's column of each field a check may name.
var importField = map[string]string{
	"username": colUsername, "name": colName, "phone": colPhone, "role": colRole, "region": colRegions,
}

// checkAccounts checks every account as a creation by the caller would be,
// against the file's other rows and the accounts that exist, adding the
// issues to res and normalising users in place. The error is the
// database's.
func (s *Service) checkAccounts(ctx context.Context, c Caller, res *ImportResult, users []store.NewUser) error {
	firstRow := map[string]int{}
	var names []string
	for i := range users {
		a := &res.Accounts[i]
		if a.Role == "" { // the role's issue is already noted
			continue
		}
		u, err := store.CheckAccount(users[i])
		if err == nil {
			err = c.mayGive(u.Role, u.Regions)
		}
		users[i] = u
		a.Username, a.Name, a.Phone, a.Regions = u.Username, u.Name, u.Phone, u.Regions
		if e, ok := domain.As(err); ok {
			res.Issues = append(res.Issues, issueOf(a.Row, importField[e.Field], e))
			continue
		} else if err != nil {
			return err
		}
		if first, dup := firstRow[u.Username]; dup {
			res.Issues = append(res.Issues, issue(a.Row, colUsername, domain.CodeImportDuplicate, first))
			continue
		}
		firstRow[u.Username] = a.Row
		names = append(names, u.Username)
	}
	taken, err := s.store.TakenUsernames(ctx, names)
	if err != nil {
		return err
	}
	for _, a := range res.Accounts {
		if taken[a.Username] && firstRow[a.Username] == a.Row {
			res.Issues = append(res.Issues, issue(a.Row, colUsername, domain.CodeUsernameTaken))
		}
	}
	slices.SortStableFunc(res.Issues, func(a, b ImportIssue) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), strings.Compare(a.Column, b.Column))
	})
	return nil
}

// issue is a row's fault.
func issue(row int, column string, code domain.Code, args ...any) ImportIssue {
	return issueOf(row, column, domain.Err(code, args...))
}

func issueOf(row int, column string, e *domain.Error) ImportIssue {
	return ImportIssue{Row: row, Column: column, Code: e.Code, Args: e.Args, Message: e.Message()}
}

// AccountSheet is import id's one-time passwords as an XLSX workbook, for
// the user who imported, once (domain.CodeImportSheetGone after).
func (s *Service) AccountSheet(ctx context.Context, c Caller, id int64, w io.Writer) error {
	if err := c.may(StepAccounts); err != nil {
		return err
	}
	_, raw, err := s.store.TakeAccountSheet(ctx, id, c.UserID)
	if err != nil {
		return err
	}
	var accounts []ImportedAccount
	if err := json.Unmarshal(raw, &accounts); err != nil {
		return err
	}
	s.audit(ctx, c, 0, nil, "user.import_sheet", map[string]any{"importId": id})
	return WriteAccountSheet(w, accounts)
}

// WriteAccountSheet writes new accounts and their one-time passwords as
// an XLSX workbook, to hand each person theirs.
func WriteAccountSheet(w io.Writer, accounts []ImportedAccount) error {
	sh := xlsxwrite.Sheet{Name: "Akun baru", Header: []string{"baris", "username", "nama", "no_hp", "peran", "kode_wilayah", "sandi_sekali_pakai"}}
	for _, a := range accounts {
		sh.Rows = append(sh.Rows, []any{a.Row, a.Username, a.Name, a.Phone, string(a.Role), strings.Join(a.Regions, ";"), a.OneTimePassword})
	}
	return xlsxwrite.Write(w, []xlsxwrite.Sheet{sh})
}
