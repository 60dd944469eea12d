package api

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/wilayah"
)

// enrolmentList downloads one programme's enrolment list for the cycle
// (?programme=PKH, BPNT, PBI-JK, BPJS-TK or BLT-DD, or the programmes of
// VERVAL_ENROL_RULES) as XLSX: the
// households enrolled and the exits of households removed or revoked,
// for the programme's own registration system. Numbers are masked; the
// household id links each row back to verval.
func (s *Server) enrolmentList(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	programme := c.Query("programme")
	lines, err := s.deps.Office.EnrolmentList(c.Request.Context(), caller(c), cy, programme)
	if err != nil {
		s.fail(c, err)
		return
	}
	w := wilayah.Default()
	// status is the machine-readable code (active, exited), keterangan_status
	// its Indonesian; alasan_keluar is in Indonesian as the pages say it.
	// A per-person programme's lines name the person too (id_anggota 0 or
	// empty: a household whose members are not known, listed whole).
	sh := sheet{Name: programme, Header: []string{"kode_wilayah", "desa", "id_rumah_tangga", "nama", "alamat", "nik_tersamar", "status", "keterangan_status", "tanggal_masuk", "tanggal_keluar", "alasan_keluar",
		"id_anggota", "nama_anggota", "nik_anggota_tersamar", "hubungan_keluarga"}}
	for _, l := range lines {
		desa, _ := w.Name(l.DesaCode)
		in, out := "", ""
		if l.EnrolledAt != nil {
			in = l.EnrolledAt.Format("2006-01-02")
		}
		if l.ExitedAt != nil {
			out = l.ExitedAt.Format("2006-01-02")
		}
		member := ""
		if l.MemberID != 0 {
			member = strconv.FormatInt(l.MemberID, 10)
		}
		sh.Rows = append(sh.Rows, []any{l.DesaCode, desa, strconv.FormatInt(l.HouseholdID, 10), l.Name, l.Address, l.NIKMasked, l.Status, web.EnrolmentStatusName(l.Status), in, out, web.StageReason(l.ExitReason),
			member, l.MemberName, l.MemberNIKMasked, l.Relation})
	}
	s.sendXLSX(c, fmt.Sprintf("peserta-%s-%d.xlsx", programme, cy.Year), []sheet{sh})
}
