// Package p3ke reads and validates a P3KE intake file: the regency's list of
// families (one row per Kartu Keluarga) from the national targeting data
// for eliminating extreme poverty (Pensasaran Percepatan Penghapusan
// Kemiskinan Ekstrem), each with its welfare decile (desil).
//
// The file is CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX
// (first sheet). A Parser streams it one row at a time, so a 50,000-family
// file is checked in constant memory apart from the set of ids already
// seen. Each row comes back as a Result: accepted (enters the cycle),
// skipped (desil 2-10: valid data, not for this cycle) or rejected (at
// least one error, with its column and reason). Check runs a whole file
// and RunCheck is the `verval p3ke check` command; intake and check share
// Summary so they always count alike.
package p3ke

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/verval/verval/internal/reason"
)

// Record is one family (household) row, every field parsed.
//
// It holds personal data (NIK, No KK, name, address); LogValue keeps that
// out of logs.
type Record struct {
	Row         int        // spreadsheet row number; the header is row 1
	FamilyID    string     // id_keluarga_p3ke
	NoKK        string     // no_kk, 16 digits
	NIK         string     // nik_kepala_keluarga, 16 digits
	Name        string     // nama_kepala_keluarga
	Sex         string     // jenis_kelamin: "L", "P", or "" when not given
	BirthDate   *time.Time // tanggal_lahir; nil when not given
	Address     string     // alamat
	VillageCode string     // kode_wilayah, dotted PP.KK.CC.DDDD
	Desil       int        // welfare decile, 1-10
	Members     int        // jumlah_anggota; 0 when not given
	Occupation  string     // pekerjaan
	Education   string     // pendidikan
	Indicators  Indicators // housing and assets
	InDTKS      bool       // terdaftar_dtks: already in the national social registry
	PKH         bool       // penerima_pkh: receives conditional cash transfer
	BPNT        bool       // penerima_bpnt: receives food aid (Sembako)
	PBI         bool       // penerima_pbi: state pays BPJS health insurance
	// People are the family's member rows (a DTSEN file's), the head
	// among them, in file order; nil for a P3KE file and for a skipped
	// family.
	People []Member
}

// Member is one person of a family: a member row of a DTSEN file. It
// holds personal data; LogValue keeps it out of logs.
type Member struct {
	Row        int        // spreadsheet row number
	NIK        string     // nik_anggota, 16 digits
	Name       string     // nama_anggota
	Relation   Relation   // hubungan_keluarga
	Sex        string     // jenis_kelamin: "L" or "P" (from the NIK when the cell is empty)
	BirthDate  time.Time  // tanggal_lahir
	Occupation string     // pekerjaan
	Disability Disability // disabilitas
	InSchool   bool       // bersekolah
	Pregnant   bool       // hamil
}

// LogValue shows only the row and relationship.
func (m Member) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("row", m.Row), slog.String("relation", string(m.Relation)))
}

// LogValue shows only the row, village and desil, so a Record passed to
// slog by mistake leaks no personal data (UU 27/2022).
func (r Record) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("row", r.Row),
		slog.String("villageCode", r.VillageCode),
		slog.Int("desil", r.Desil),
	)
}

// Indicators are the housing and asset categories of a family, as free
// text from the file (P3KE's own category labels vary between exports).
type Indicators struct {
	HomeOwnership string // kepemilikan_rumah
	Floor         string // jenis_lantai
	Wall          string // jenis_dinding
	Roof          string // jenis_atap
	DrinkingWater string // sumber_air_minum
	Lighting      string // sumber_penerangan
	CookingFuel   string // bahan_bakar_memasak
	Toilet        string // fasilitas_bab
}

// Severity says whether an Issue rejects its row.
type Severity string

// The two severities.
const (
	SeverityError   Severity = "error"   // the row is rejected
	SeverityWarning Severity = "warning" // the row still goes in; a person should look
)

// RowColumn is the Column of an Issue about a whole row rather than one
// cell, e.g. a CSV line with a stray quote that cannot be split into cells.
const RowColumn = "(whole row)"

// Issue is one problem found in a row. Code and Args say what it is (see
// codes.go, or internal/ident's codes for a NIK or No KK); Reason is
// rendered from them in English.
type Issue struct {
	Row      int         `json:"row"`            // spreadsheet row number; the header is row 1
	Column   string      `json:"column"`         // canonical column name, e.g. "no_kk", or RowColumn
	Reason   string      `json:"reason"`         // plain words; never a full NIK or No KK
	Severity Severity    `json:"severity"`       // error rejects the row; warning does not
	Code     reason.Code `json:"code"`           // e.g. "p3ke.desil_range", "ident.length"
	Args     []string    `json:"args,omitempty"` // the code's arguments, as in Reason
}

// String formats the issue as the check command prints it.
func (i Issue) String() string {
	if i.Severity == SeverityWarning {
		return fmt.Sprintf("row %d, column %s: warning: %s", i.Row, i.Column, i.Reason)
	}
	return fmt.Sprintf("row %d, column %s: %s", i.Row, i.Column, i.Reason)
}

// Status is what happens to a row.
type Status int

// The fates of a row.
const (
	// Accepted rows are valid families of the regency within the cycle's
	// desil scope (desil 1 unless Options.MaxDesil says more): they enter
	// the cycle.
	Accepted Status = iota + 1
	// Skipped rows have a desil above the scope. They are not validated
	// further: their Record holds only what intake keeps as reference
	// (Row, FamilyID, Desil, VillageCode when valid, Members).
	Skipped
	// Rejected rows have at least one error Issue.
	Rejected
)

// String returns "accepted", "skipped" or "rejected".
func (s Status) String() string {
	switch s {
	case Accepted:
		return "accepted"
	case Skipped:
		return "skipped"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is one non-empty row of the file.
type Result struct {
	// Status is the row's fate: accepted, skipped or rejected.
	Status Status
	// Record is complete when Status is Accepted. For a skipped row only
	// Row and Desil are set; for a rejected row, whatever parsed.
	Record Record
	// Issues are the errors and warnings of the family's rows, in row and
	// then column order. An accepted family may carry warnings; a skipped
	// one has none.
	Issues []Issue
	// LastRow is the family's last row: its last member row, or its own
	// row when it has none. An intake resumes after it.
	LastRow int
}

// Summary counts rows by fate. Intake and the check command both build it
// with Add, so their numbers agree.
type Summary struct {
	Accepted int `json:"accepted"` // rows that enter the cycle
	Skipped  int `json:"skipped"`  // desil 2-10 rows
	Rejected int `json:"rejected"` // rows with at least one error
	Warnings int `json:"warnings"` // warning issues, on accepted and rejected rows alike
	// People counts the member rows of accepted families (jiwa); 0 for a
	// P3KE file, which has none.
	People int `json:"people"`
}

// Add counts one row.
func (s *Summary) Add(r Result) {
	switch r.Status {
	case Accepted:
		s.Accepted++
		s.People += len(r.Record.People)
	case Skipped:
		s.Skipped++
	case Rejected:
		s.Rejected++
	}
	for _, is := range r.Issues {
		if is.Severity == SeverityWarning {
			s.Warnings++
		}
	}
}

// String formats the counts as the first line of the check report.
func (s Summary) String() string {
	out := fmt.Sprintf("accepted %d, skipped %d, rejected %d, warnings %d", s.Accepted, s.Skipped, s.Rejected, s.Warnings)
	if s.People > 0 {
		out += fmt.Sprintf(", people %d", s.People)
	}
	return out
}
