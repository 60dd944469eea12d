package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/xlsxwrite"
)

// The account import's page (docs/accounts.md): a file of accounts is
// checked first ("Periksa", a dry run) and then imported ("Impor"), all
// or none; the new accounts' one-time passwords are shown once, with a
// link to download them once as XLSX. The office's ImportAccounts step
// does the work, as for POST /api/v1/users/import.

// importRowsShown bounds the rows of faults and accounts a page lists.
const importRowsShown = 500

type accountImportData struct {
	Columns []string
	// Result is what the last post found; nil on the empty form.
	Result *office.ImportResult
	// Issues are the result's faults, in Indonesian, at most
	// importRowsShown; More counts the rest.
	Issues []importIssueView
	More   int
	// FileError is the file's own fault (unreadable, a column missing).
	FileError string
}

type importIssueView struct {
	Row    int
	Column string
	Text   string
}

func (h *pages) accountImportPage(c *gin.Context) {
	h.render(c, http.StatusOK, "account_import", &view{Title: "Impor akun", Active: "akun", Data: accountImportData{Columns: office.ImportColumns()}})
}

// importAccounts checks (action "periksa") or imports (action "impor") the
// posted file.
func (h *pages) importAccounts(c *gin.Context) {
	d := accountImportData{Columns: office.ImportColumns()}
	v := &view{Title: "Impor akun", Active: "akun"}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		d.FileError = "Pilih berkas akun (CSV atau XLSX)."
		v.Data = d
		h.render(c, http.StatusUnprocessableEntity, "account_import", v)
		return
	}
	f, err := fh.Open()
	if err != nil {
		h.fail(c, err)
		return
	}
	defer f.Close()
	dryRun := c.PostForm("aksi") != "impor"
	res, err := h.d.Office.ImportAccounts(c.Request.Context(), caller(c), fh.Filename, f, dryRun)
	status := http.StatusOK
	switch e, msg, st, ok := refusal(err); {
	case ok && res == nil && e.Kind() == domain.KindInvalid:
		d.FileError, status = msg, st
	case ok && res == nil:
		v.Error, status = msg, st
	case err != nil && !ok:
		h.fail(c, err)
		return
	case ok:
		v.Error, status = msg, st
	}
	if res != nil {
		d.Result = res
		for i, is := range res.Issues {
			if i == importRowsShown {
				d.More = len(res.Issues) - i
				break
			}
			d.Issues = append(d.Issues, importIssueView{Row: is.Row, Column: is.Column, Text: errorText(domain.Err(is.Code, anys(is.Args)...))})
		}
		switch {
		case len(res.Issues) == 0 && dryRun:
			v.Flash = fmt.Sprintf("Berkas bersih: %s akun siap diimpor. Belum ada akun yang dibuat; tekan Impor untuk membuatnya.", number(int64(res.Rows)))
		case len(res.Issues) == 0:
			v.Flash = fmt.Sprintf("%s akun dibuat. Sandi sekali pakai di bawah ini hanya ditampilkan sekali.", number(int64(len(res.Accounts))))
		case dryRun:
			v.Error = fmt.Sprintf("%s masalah dalam berkas; belum ada akun yang dibuat. Perbaiki baris di bawah ini lalu periksa lagi.", number(int64(len(res.Issues))))
		}
	}
	c.Header("Cache-Control", "no-store")
	v.Data = d
	h.render(c, status, "account_import", v)
}

// accountSheet is the import's one-time passwords as XLSX, once.
func (h *pages) accountSheet(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		h.fail(c, domain.Err(domain.CodeNotFound))
		return
	}
	var buf bytes.Buffer
	err = h.d.Office.AccountSheet(c.Request.Context(), caller(c), id, &buf)
	if _, msg, status, ok := refusal(err); ok {
		h.errorPage(c, status, msg)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="sandi-akun-impor-%d.xlsx"`, id))
	c.Data(http.StatusOK, xlsxwrite.ContentType, buf.Bytes())
}

// anys is args as a list of any, for domain.Err.
func anys(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}
