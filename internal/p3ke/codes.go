package p3ke

import (
	"strconv"
	"strings"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/reason"
)

// The codes of the reasons a P3KE row is refused or warned about (an
// Issue) and a file is refused whole (a FormatError). An Issue about a
// NIK or No KK carries internal/ident's code instead. Quoted cell values
// in the arguments are cut and masked as QuoteCell does.
const (
	// Rows.
	CodeRequired         reason.Code = "p3ke.required"           // -
	CodeTextNotUTF8CSV   reason.Code = "p3ke.text_not_utf8_csv"  // -
	CodeTextNUL          reason.Code = "p3ke.text_nul"           // -
	CodeTextChar         reason.Code = "p3ke.text_char"          // the character, as U+202E
	CodeTextNotUTF8      reason.Code = "p3ke.text_not_utf8"      // -
	CodeDesilRange       reason.Code = "p3ke.desil_range"        // the cell, quoted
	CodeDuplicate        reason.Code = "p3ke.duplicate"          // the column (id_keluarga_p3ke, no_kk), the first row
	CodeSex              reason.Code = "p3ke.sex"                // the cell, quoted
	CodeBirthDate        reason.Code = "p3ke.birth_date"         // -
	CodeMembers          reason.Code = "p3ke.members"            // the cell, quoted
	CodeVillageCode      reason.Code = "p3ke.village_code"       // the cell, quoted
	CodeVillageLevel     reason.Code = "p3ke.village_level"      // the code, its level (a RegionLevel)
	CodeOutsideRegencyOf reason.Code = "p3ke.outside_regency_of" // village, its regency, the regency's name, the cycle's regency, its name
	CodeOutsideRegency   reason.Code = "p3ke.outside_regency"    // village, the cycle's regency, its name
	CodeNotVillage       reason.Code = "p3ke.not_village"        // village
	CodeYesNo            reason.Code = "p3ke.yes_no"             // the cell, quoted
	CodeKKIsNIK          reason.Code = "p3ke.kk_is_nik"          // -
	CodeBareQuote        reason.Code = "p3ke.bare_quote"         // -
	CodeQuoteNotClosed   reason.Code = "p3ke.quote_not_closed"   // -
	CodeQuoteRunsOn      reason.Code = "p3ke.quote_runs_on"      // the line the row runs on to
	CodeRowUnsplittable  reason.Code = "p3ke.row_unsplittable"   // encoding/csv's error
	// DTSEN member rows.
	CodeRowKind      reason.Code = "p3ke.row_kind"      // the cell, quoted
	CodeMemberOrphan reason.Code = "p3ke.member_orphan" // -
	CodeMemberFamily reason.Code = "p3ke.member_family" // the family's row
	CodeMemberKK     reason.Code = "p3ke.member_kk"     // the family's row
	CodeRelation     reason.Code = "p3ke.relation"      // the cell, quoted
	CodeDisability   reason.Code = "p3ke.disability"    // the cell, quoted
	CodeNoHead       reason.Code = "p3ke.no_head"       // -
	CodeSecondHead   reason.Code = "p3ke.second_head"   // the first head's row
	CodeHeadNIK      reason.Code = "p3ke.head_nik"      // the family's row
	CodeMemberCount  reason.Code = "p3ke.member_count"  // jumlah_anggota, the member rows counted
	// Files.
	CodeNoHeader          reason.Code = "p3ke.no_header"           // -
	CodeHeaderUnreadable  reason.Code = "p3ke.header_unreadable"   // nested: the row's reason
	CodeDuplicateColumn   reason.Code = "p3ke.duplicate_column"    // the column, its first and second place
	CodeMissingColumns    reason.Code = "p3ke.missing_columns"     // the columns, joined with ", "
	CodeCarriageReturn    reason.Code = "p3ke.carriage_return"     // -
	CodeNotText           reason.Code = "p3ke.not_text"            // -
	CodeZipNotXLSX        reason.Code = "p3ke.zip_not_xlsx"        // -
	CodeNoSheets          reason.Code = "p3ke.no_sheets"           // -
	CodeWorkbookTooLarge  reason.Code = "p3ke.workbook_too_large"  // -
	CodeFirstSheet        reason.Code = "p3ke.first_sheet"         // internal/xlsxread's technical detail
	CodeXLSXUnopenable    reason.Code = "p3ke.xlsx_unopenable"     // internal/xlsxread's technical detail
	CodeSheetUnreadable   reason.Code = "p3ke.sheet_unreadable"    // internal/xlsxread's technical detail
	CodeEmptyFile         reason.Code = "p3ke.empty_file"          // -
	CodeXLSXTooLarge      reason.Code = "p3ke.xlsx_too_large"      // -
	CodeOldExcel          reason.Code = "p3ke.old_excel"           // -
	CodeUTF16             reason.Code = "p3ke.utf16"               // -
	CodeUnreadablePastRow reason.Code = "p3ke.unreadable_past_row" // the last row read; nested: the file's reason
)

// RegionLevel is the level a kode_wilayah that is not a village's is
// named by (the second argument of CodeVillageLevel).
const (
	LevelProvince  = "province"
	LevelRegency   = "regency"
	LevelKecamatan = "kecamatan"
	LevelRegion    = "region"
)

// englishLevels are the RegionLevels in English.
var englishLevels = map[string]string{
	LevelProvince: "province", LevelRegency: "regency", LevelKecamatan: "sub-district (kecamatan)", LevelRegion: "region",
}

// english is the English text of every code.
var english = reason.Catalogue{
	CodeRequired:       {Format: "required value is empty"},
	CodeTextNotUTF8CSV: {Format: `text is not valid UTF-8; save the file as "CSV UTF-8" and upload again`},
	CodeTextNUL:        {Format: "text contains a NUL character"},
	CodeTextChar:       {Format: "text contains the control or invisible formatting character %s; remove it"},
	CodeTextNotUTF8:    {Format: "text is not valid UTF-8"},
	CodeDesilRange:     {Format: "must be a whole number from 1 to 10, got %s"},
	CodeDuplicate:      {Format: "the same %s is already in row %s"},
	CodeSex:            {Format: "must be L (laki-laki) or P (perempuan), got %s"},
	CodeBirthDate:      {Format: "must be a date written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (e.g. 1980-01-25)"},
	CodeMembers:        {Format: "must be a whole number of at least 1, got %s"},
	CodeVillageCode:    {Format: "must be a village code like 35.05.01.2001 or 3505012001, got %s"},
	CodeVillageLevel: {Format: "must be a village (desa/kelurahan) code with 10 digits; %s is a %s code", Args: func(a []string) []string {
		if w, ok := englishLevels[a[1]]; ok {
			a[1] = w
		}
		return a
	}},
	CodeOutsideRegencyOf: {Format: "%s is in %s (%s), outside this cycle's regency %s (%s)"},
	CodeOutsideRegency:   {Format: "%s is outside this cycle's regency %s (%s)"},
	CodeNotVillage:       {Format: "%s is not a village in the Kemendagri 2025 region list"},
	CodeYesNo:            {Format: "must be Ya or Tidak, got %s"},
	CodeKKIsNIK:          {Format: "no_kk is the same number as nik_kepala_keluarga; check the two columns were not swapped or copied"},
	CodeBareQuote:        {Format: `a double quote (") appears inside a cell that does not start with one; put the cell in quotes and double the inner quote ("")`},
	CodeQuoteNotClosed:   {Format: "a quoted cell is not closed properly"},
	CodeQuoteRunsOn:      {Format: "a quoted cell is not closed properly; the row runs on to line %s of the file"},
	CodeRowUnsplittable:  {Format: "the row cannot be split into cells: %s"},
	CodeRowKind:          {Format: "must be keluarga (a family row) or anggota (a member row), got %s"},
	CodeMemberOrphan:     {Format: "a member row must follow its family's row (jenis_baris keluarga); no family row is above it"},
	CodeMemberFamily:     {Format: "the member row's family id differs from its family's row %s above it; a family's member rows follow its own row"},
	CodeMemberKK:         {Format: "the member's no_kk differs from the No KK of its family's row %s; a family's members are on one Kartu Keluarga"},
	CodeRelation:         {Format: "must be a relationship to the head like kepala keluarga, istri/suami, anak, menantu, cucu, orang tua, mertua, famili lain or lainnya (or its number 1 to 9), got %s"},
	CodeDisability:       {Format: "must be tidak, ringan, sedang or berat, got %s"},
	CodeNoHead:           {Format: "the family has no member row whose hubungan_keluarga is kepala keluarga"},
	CodeSecondHead:       {Format: "a second head of family: row %s is already the family's kepala keluarga"},
	CodeHeadNIK:          {Format: "the head's nik_anggota differs from nik_kepala_keluarga in the family's row %s"},
	CodeMemberCount:      {Format: "jumlah_anggota says %s but the family has %s member rows"},

	CodeNoHeader:          {Format: "the file has no header row"},
	CodeHeaderUnreadable:  {Format: "the header row cannot be read: %s", Nested: true},
	CodeDuplicateColumn:   {Format: "column %s appears twice in the header row (columns %s and %s)"},
	CodeMissingColumns:    {Format: "the header row lacks required columns: %s"},
	CodeCarriageReturn:    {Format: "lines end with a carriage return only (old Mac format); save the file as CSV UTF-8"},
	CodeNotText:           {Format: "the file is not text, and not XLSX either; upload a CSV or XLSX file"},
	CodeZipNotXLSX:        {Format: "the file is a zip archive but not an XLSX workbook"},
	CodeNoSheets:          {Format: "the workbook has no sheets"},
	CodeWorkbookTooLarge:  {Format: "the workbook is too large: it unpacks to more than 256 MiB"},
	CodeFirstSheet:        {Format: "the first sheet cannot be read: %s"},
	CodeXLSXUnopenable:    {Format: "the file looks like XLSX but cannot be opened: %s"},
	CodeSheetUnreadable:   {Format: "the sheet cannot be read: %s"},
	CodeEmptyFile:         {Format: "the file is empty"},
	CodeXLSXTooLarge:      {Format: "the file looks like XLSX but is larger than 256 MiB"},
	CodeOldExcel:          {Format: "this is an old Excel 97-2003 (.xls) file; save it as .xlsx or as CSV UTF-8"},
	CodeUTF16:             {Format: `the file is UTF-16 text (Excel "Unicode Text"); save it as CSV UTF-8`},
	CodeUnreadablePastRow: {Format: "the file cannot be read past row %s: %s", Nested: true},
}

// withIdent renders an Issue, which may carry internal/ident's codes.
var withIdent = reason.Merge(english, ident.English())

// Codes returns every code of this package, sorted (not internal/ident's,
// which Issues also carry: see ident.Codes).
func Codes() []reason.Code { return english.Codes() }

// English returns the English catalogue of this package's codes (a copy).
func English() reason.Catalogue { return reason.Merge(english) }

// newFormatError is a file refused whole, for code.
func newFormatError(code reason.Code, args ...string) *FormatError {
	return &FormatError{Code: code, Args: args, Reason: english.MustRender(code, args)}
}

// UnreadablePastRow is a file whose reading stopped after row (the last
// row read) for fe's reason, e.g. a damaged XLSX sheet.
func UnreadablePastRow(row int, fe *FormatError) *FormatError {
	return newFormatError(CodeUnreadablePastRow, reason.Nest([]string{strconv.Itoa(row)}, fe.Code, fe.Args)...)
}

// missingColumns is a header row without the required columns.
func missingColumns(missing []string) *FormatError {
	fe := newFormatError(CodeMissingColumns, strings.Join(missing, ", "))
	fe.Missing = missing
	return fe
}
