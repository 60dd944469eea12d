package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/wilayah"
)

// navItem is one entry of the top navigation.
type navItem struct {
	Key, Label, Href string
}

// navFor is the navigation of a role: only the pages it may open.
func navFor(r auth.Role) []navItem {
	tasks := navItem{"tugas", "Tugas", "/tugas"}
	meeting := navItem{"musyawarah", "Musyawarah", "/musyawarah"}
	dash := navItem{"dasbor", "Dasbor", "/dasbor"}
	stuck := navItem{"macet", "Kasus macet", "/macet"}
	upload := navItem{"unggah", "Unggah P3KE", "/unggah"}
	decrees := navItem{"sk", "Surat Keputusan", "/sk"}
	proposals := navItem{"usulan", "Usulan Kemensos", "/usulan"}
	accounts := navItem{"akun", "Akun", "/akun"}
	usul := navItem{"usul", "Usul keluarga", "/usul"}
	sanggah := navItem{"sanggah", "Sanggah", "/sanggah"}
	flags := navItem{"lokasi", "Lokasi kunjungan", "/lokasi"}
	evidence := navItem{"bukti", "Bukti kunjungan", "/bukti"}
	switch r {
	case auth.RoleVillage:
		return []navItem{tasks, meeting, usul, sanggah, dash, stuck}
	case auth.RolePSM:
		return []navItem{tasks, usul, sanggah, dash, stuck}
	case auth.RolePendamping:
		return []navItem{tasks, sanggah, dash, stuck}
	case auth.RoleTKSK:
		return []navItem{dash, stuck, tasks, usul, sanggah, flags, evidence}
	case auth.RoleDinsos:
		return []navItem{dash, stuck, tasks, upload, usul, sanggah, decrees, proposals, accounts, flags, evidence}
	case auth.RoleAdmin:
		return []navItem{dash, stuck, tasks, upload, sanggah, decrees, proposals, accounts, flags, evidence}
	case auth.RoleBupati:
		return []navItem{decrees, dash, stuck, evidence}
	}
	return nil
}

func (h *pages) funcs() template.FuncMap {
	return template.FuncMap{
		"static":     func(name string) string { return "/static/" + name + "?v=" + h.version },
		"nav":        navFor,
		"role":       func(r any) string { return roleName(auth.Role(fmt.Sprint(r))) },
		"region":     regionName,
		"regions":    regionsName,
		"stage":      named(stageNames),
		"outcome":    named(outcomeNames),
		"taskStatus": named(taskStatusNames),
		"address":    address,
		"action":     func(s string) string { return lookup(auditActionNames, s) },
		"photoKind":  func(s string) string { return lookup(photoKindNames, s) },
		"angka":      func(n any) string { return number(toInt64(n)) },
		"isodate":    isoDateID,
		// tanggal and waktu show a time in the zone of the reader's region.
		"tanggal": func(region string, t time.Time) string { return dateID(t.In(wilayah.ZoneOf(region))) },
		"waktu":   func(region string, t time.Time) string { return dateTimeID(t.In(wilayah.ZoneOf(region))) },
		"pct":     func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"tempo":   func(due time.Time) string { return dueIn(due, h.d.Office.Now()) },
		"add":     func(a, b int) int { return a + b },
		"deref":   func(p *int64) int64 { return *p },
		"int64":   func(n int) int64 { return int64(n) },
		// fieldErr picks a field's message for the "fielderr" template and
		// "invalid" for its input's attributes.
		"fieldErr": func(errs map[string]string, name string) fieldMessage {
			return fieldMessage{ID: name + "-error", Msg: errs[name]}
		},
		"reason":         stageReason,
		"sanggahStatus":  named(sanggahStatusNames),
		"sanggahKind":    named(sanggahKindNames),
		"objector":       named(objectorNames),
		"reverifier":     named(reverifierNames),
		"channel":        UsulChannelName,
		"list":           func(s ...string) []string { return s },
		"derefTime":      func(t *time.Time) time.Time { return *t },
		"decreeStatus":   named(decreeStatusNames),
		"decreeKind":     named(decreeKindNames),
		"proposalStatus": named(proposalStatusNames),
		"rejection":      func(s string) string { return lookup(rejectionNames, s) },
		"bulan":          monthID,
		"rowReason":      answerRowReason,
		"p3keReason":     p3keReason,
		"issueSeverity":  IssueSeverity,
		"memberChange":   func(k string) string { return memberChangeNames[k] },
		"intakeError":    intakeError,
		"programme":      func(s string) string { return lookup(programmeNames, s) },
		"changeKind":     ChangeKindName,
		"exitReason":     exitReasonName,
		"changeStatus":   func(s string) string { return lookup(changeStatusNames, s) },
		"relation":       func(s string) string { return lookup(relationNames, s) },
		"memberStatus":   func(s string) string { return lookup(memberStatusNames, s) },
		"enrolmentStatus": func(s string) string {
			return lookup(enrolmentStatusNames, s)
		},
		"str": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
	}
}

func toInt64(n any) int64 {
	switch v := n.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case int32:
		return int64(v)
	}
	return 0
}

// fieldMessage is a message shown next to a form field, with the id its
// input names in aria-describedby.
type fieldMessage struct{ ID, Msg string }
