package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/xlsxwrite"
)

// sheet is one worksheet of a download.
type sheet = xlsxwrite.Sheet

// sendXLSX sends sheets as an XLSX download. The workbook is built before
// the first byte is sent, so a failure is still an error answer.
func (s *Server) sendXLSX(c *gin.Context, filename string, sheets []sheet) {
	var buf bytes.Buffer
	if err := xlsxwrite.Write(&buf, sheets); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
	c.Data(http.StatusOK, xlsxwrite.ContentType, buf.Bytes())
}
