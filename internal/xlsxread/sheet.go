package xlsxread

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads rows the way excelize v2.11.1 does in Rows.Next and
// Rows.Columns with Options{RawCellValue: true}, step by step, including
// what it does with odd sheets: a row whose r is not above the current one
// is merged into it, cells without r follow the previous cell, a cell
// whose column is already passed is appended at the end, a <c> with a
// non-numeric s attribute loses its value, and the first <v>, <f> or <is>
// anywhere inside a <c> counts. Only the error handling differs: excelize
// ends the sheet quietly at malformed XML, we report it.

const (
	maxRows    = 1048576 // excelize.TotalRows, Excel's limit
	maxColumns = 16384   // excelize.MaxColumns, Excel's limit
)

// Problems in a sheet that excelize reports too.
var (
	errMaxRows    = errors.New("a row number above 1,048,576")
	errRowNumber  = errors.New("a row whose r attribute is not a number")
	errCellRef    = errors.New("a cell whose r attribute is not a cell reference")
	errMaxColumns = errors.New("a row with more than 16,384 cells")
)

// span is a byte range of an arena.
type span struct{ start, end int }

// cellValue is one cell of the row being read: a string of the shared
// strings table, or a span of the row's arena.
type cellValue struct {
	s       string
	span    span
	inArena bool
}

// rowReader turns the worksheet's tokens into rows.
type rowReader struct {
	sc  *scanner
	sst *sharedStrings

	curRow, seekRow int  // excelize's counters: the row element read last, the row being returned
	pending         bool // the scanner's token is a row start advance found and columns has not handled

	cellCol int
	vals    []byte // the row's values, back to back
	row     []cellValue
	cells   []string

	// the <c> being read
	cellR, cellT, cellPrefix []byte
	is                       siDecoder
}

// advance is excelize's Rows.Next: it finds the next row element unless
// the current one is still ahead of seekRow.
func (r *rowReader) advance() (bool, error) {
	r.seekRow++
	if r.curRow >= r.seekRow {
		return true, nil
	}
	sc := r.sc
	for {
		if err := sc.next(); err != nil {
			return false, err
		}
		switch sc.kind {
		case tokEOF:
			return false, nil
		case tokStart:
			if string(sc.local) == "row" {
				r.curRow++
				n, _ := attrInt(sc.attrs, "r")
				if n > maxRows {
					return false, errMaxRows
				}
				if n != 0 {
					r.curRow = n
				}
				r.pending = true
				return true, nil
			}
		case tokEnd:
			if string(sc.local) == "sheetData" {
				return false, nil
			}
		}
	}
}

// columns is excelize's Rows.Columns for row seekRow (which the caller
// made sure is not a missing row): the cells up to the next row element
// that belongs to a later row, or to the end of sheetData.
func (r *rowReader) columns() error {
	r.vals = r.vals[:0]
	r.row = r.row[:0]
	r.cellCol = 0
	sc := r.sc
	for {
		fromAdvance := r.pending
		if r.pending {
			r.pending = false
		} else if err := sc.next(); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return nil
		case tokStart:
			switch string(sc.local) {
			case "row":
				n, err := attrInt(sc.attrs, "r")
				if n > maxRows {
					return errMaxRows
				}
				if err != nil {
					return errRowNumber
				}
				switch {
				case n != 0:
					r.curRow = n
				case !fromAdvance:
					r.curRow++
				}
				if r.curRow > r.seekRow {
					return nil // the next row's cells come with the next call
				}
			case "c":
				if err := r.cell(); err != nil {
					return err
				}
			}
		case tokEnd:
			if string(sc.local) == "sheetData" {
				return nil
			}
		}
	}
}

// cell reads the <c> whose start tag was just read (excelize's
// rowXMLHandler and xlsxC.cellXMLHandler) and adds its value to the row.
func (r *rowReader) cell() error {
	sc := r.sc
	r.cellCol++
	depth, nsTop := sc.depth(), len(sc.ns)
	r.cellPrefix = append(r.cellPrefix[:0], sc.prefix...)
	r.cellR, r.cellT = r.cellR[:0], r.cellT[:0]
	r.is.reset()
	var v span
	hasF, hasIS := false, false
	attrsOK := true
	for _, a := range sc.attrs {
		switch string(a.local) {
		case "r":
			r.cellR = append(r.cellR[:0], a.value...)
		case "s":
			// excelize stops at a style index that is not a number and
			// leaves the cell's children to the row loop, which ignores
			// them: the cell keeps no value.
			attrsOK = isInt64(a.value)
		case "t":
			r.cellT = append(r.cellT[:0], a.value...)
		}
		if !attrsOK {
			break
		}
	}
	if attrsOK {
	children:
		for {
			if err := sc.next(); err != nil {
				return err
			}
			switch sc.kind {
			case tokStart:
				switch string(sc.local) {
				case "v":
					start := len(r.vals)
					var err error
					if r.vals, err = appendText(sc, r.vals); err != nil {
						return err
					}
					v = span{start, len(r.vals)}
				case "f":
					hasF = true
					if !typedAttrsOK(sc.attrs, formulaAttrs) {
						break children // as for a bad s: the rest is the row loop's
					}
					if err := sc.skip(); err != nil {
						return err
					}
				case "is":
					hasIS = true
					ok, err := r.is.decode(sc, &r.vals, true)
					if err != nil {
						return err
					}
					if !ok {
						break children
					}
				}
			case tokEnd:
				if sc.depth() < depth {
					break children
				}
				// excelize stops at the first end tag equal to the cell's,
				// even a nested one.
				if string(sc.local) == "c" &&
					sc.resolve(sc.prefix, sc.local, sc.endNs) == sc.resolve(r.cellPrefix, sc.local, nsTop) {
					break children
				}
			}
		}
	}
	if len(r.cellR) > 0 {
		col, ok := cellColumn(r.cellR)
		if !ok {
			return errCellRef
		}
		r.cellCol = col
	}

	// The raw value, by type, as xlsxC.getValueFrom gives it.
	var cv cellValue
	switch string(r.cellT) {
	case "s":
		if v.end > v.start {
			if s, ok := r.sst.get(sstIndex(r.vals[v.start:v.end])); ok {
				cv = cellValue{s: s}
			}
			if v.end == len(r.vals) {
				r.vals = r.vals[:v.start] // the index is not part of the row's text
			}
		}
	case "inlineStr":
		if hasIS {
			cv = cellValue{span: r.is.value(&r.vals), inArena: true}
		} else {
			cv = cellValue{span: v, inArena: true}
		}
	default:
		cv = cellValue{span: v, inArena: true}
	}
	if len(cv.s) == 0 && cv.span.end == cv.span.start && !hasF {
		return nil
	}
	// Blank cells fill the gap up to the cell's column; a column already
	// passed appends at the end, as excelize does.
	n := max(len(r.row), r.cellCol-1) + 1
	if n > maxColumns {
		return errMaxColumns
	}
	for len(r.row) < r.cellCol-1 {
		r.row = append(r.row, cellValue{})
	}
	r.row = append(r.row, cv)
	return nil
}

// finish turns the row's values into strings: one allocation for the
// row's own text, shared strings as they are.
func (r *rowReader) finish() []string {
	arena := string(r.vals)
	r.cells = r.cells[:0]
	for _, cv := range r.row {
		if cv.inArena {
			r.cells = append(r.cells, arena[cv.span.start:cv.span.end])
		} else {
			r.cells = append(r.cells, cv.s)
		}
	}
	return r.cells
}

// appendText appends the character data directly inside the element
// whose start tag was just read, reading to its end: what encoding/xml's
// DecodeElement puts in a string (nested elements are skipped).
func appendText(sc *scanner, dst []byte) ([]byte, error) {
	d := sc.depth()
	for {
		if err := sc.next(); err != nil {
			return dst, err
		}
		switch sc.kind {
		case tokText:
			if sc.depth() == d {
				dst = append(dst, sc.text...)
			}
		case tokEnd:
			if sc.depth() < d {
				return dst, nil
			}
		}
	}
}

// attrInt is excelize's attrValToInt: the last attribute of that local
// name wins, and the first that is not a number stops with strconv's
// result and error.
func attrInt(attrs []attr, name string) (int, error) {
	val := 0
	for _, a := range attrs {
		if string(a.local) == name {
			v, err := atoi(a.value)
			if err != nil {
				return v, err
			}
			val = v
		}
	}
	return val, nil
}

// atoi is strconv.Atoi on bytes, without a copy in the common case.
func atoi(b []byte) (int, error) {
	if v, ok := smallUint(b); ok {
		return v, nil
	}
	return strconv.Atoi(string(b))
}

// smallUint parses 1 to 18 ASCII digits, which cannot overflow.
func smallUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// isInt64 reports whether strconv.ParseInt(b, 10, 64) succeeds.
func isInt64(b []byte) bool {
	if _, ok := smallUint(b); ok {
		return true
	}
	_, err := strconv.ParseInt(string(b), 10, 64)
	return err == nil
}

// sstIndex reads a shared-string index as excelize does:
// strconv.Atoi(strings.TrimSpace(v)), its result kept even on error (0
// for text, the clamped value for an overflow).
func sstIndex(b []byte) int {
	if v, ok := smallUint(b); ok {
		return v
	}
	v, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return v
}

// cellColumn is the column of excelize's CellNameToCoordinates: letters
// (with '$' anywhere among them) then a row number from 1 to 1,048,576.
func cellColumn(ref []byte) (int, bool) {
	// The fast path: plain upper-case letters and digits, as every
	// spreadsheet program writes them.
	col, i := 0, 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3 {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i > 0 && i < len(ref) && ref[i] != '0' && col <= maxColumns {
		if row, ok := smallUint(ref[i:]); ok && row <= maxRows {
			return col, true
		}
	}
	return cellColumnSlow(string(ref))
}

// cellColumnSlow is excelize's SplitCellName, CellNameToCoordinates and
// ColumnNameToNumber, for references the fast path does not take.
func cellColumnSlow(cell string) (int, bool) {
	alpha := func(r rune) bool { return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || r == '$' }
	if strings.IndexFunc(cell, alpha) != 0 {
		return 0, false
	}
	i := strings.LastIndexFunc(cell, alpha)
	if i < 0 || i >= len(cell)-1 {
		return 0, false
	}
	name := strings.ReplaceAll(cell[:i+1], "$", "")
	row, err := strconv.Atoi(cell[i+1:])
	if err != nil || row <= 0 || row > maxRows || name == "" {
		return 0, false
	}
	col, multi := 0, 1
	for j := len(name) - 1; j >= 0; j-- {
		c := name[j]
		switch {
		case c >= 'A' && c <= 'Z':
			col += int(c-'A'+1) * multi
		case c >= 'a' && c <= 'z':
			col += int(c-'a'+1) * multi
		default:
			return 0, false
		}
		if col > maxColumns {
			return 0, false
		}
		multi *= 26
	}
	return col, true
}

// siDecoder reads a string item, <si> in the shared strings or <is> in a
// cell, the way encoding/xml fills excelize's xlsxSI: the last <t> child,
// then each <r> run's last <t>, phonetic runs (<rPh>) left out.
type siDecoder struct {
	t    span
	hasT bool
	runs []span
}

// decode reads the element whose start tag was just read, appending its
// texts to *buf. With strict set it stops, ok false, where encoding/xml
// would fail to put an attribute into excelize's typed fields (a run's
// sz="big", say), leaving the rest of the element unread and the runs
// read so far in place, as a failed DecodeElement leaves excelize's cell.
//
// Like excelize's pointer field, the state is not reset between two <is>
// of one cell: call reset first for each new item.
func (d *siDecoder) decode(sc *scanner, buf *[]byte, strict bool) (bool, error) {
	return sc.children(func() (bool, error) {
		switch string(sc.local) {
		case "t":
			sp, err := textSpan(sc, buf)
			if err != nil {
				return false, err
			}
			d.t, d.hasT = sp, true
			return true, nil
		case "r":
			return d.run(sc, buf, strict)
		case "rPh":
			if strict && !typedAttrsOK(sc.attrs, phoneticRunAttrs) {
				return false, nil
			}
		case "phoneticPr":
			if strict && !typedAttrsOK(sc.attrs, phoneticPrAttrs) {
				return false, nil
			}
		}
		return true, sc.skip()
	})
}

// textSpan appends the text of the <t> whose start tag was just read to
// *buf and returns where it lies.
func textSpan(sc *scanner, buf *[]byte) (span, error) {
	start := len(*buf)
	var err error
	*buf, err = appendText(sc, *buf)
	return span{start, len(*buf)}, err
}

// reset starts a new string item.
func (d *siDecoder) reset() {
	d.hasT = false
	d.runs = d.runs[:0]
}

// run reads an <r>; a run that fails to decode is dropped, as
// encoding/xml drops a slice element it could not fill.
func (d *siDecoder) run(sc *scanner, buf *[]byte, strict bool) (bool, error) {
	var t span
	hasT := false
	ok, err := sc.children(func() (bool, error) {
		switch string(sc.local) {
		case "t":
			sp, err := textSpan(sc, buf)
			if err != nil {
				return false, err
			}
			t, hasT = sp, true
			return true, nil
		case "rPr":
			return runProperties(sc, strict)
		}
		return true, sc.skip()
	})
	if ok && hasT {
		d.runs = append(d.runs, t)
	}
	return ok, err
}

// runProperties reads an <rPr>, checking the typed attributes of its
// children in strict mode.
func runProperties(sc *scanner, strict bool) (bool, error) {
	return sc.children(func() (bool, error) {
		if strict && !typedAttrsOK(sc.attrs, runPropertyAttrs(sc.local)) {
			return false, nil
		}
		return true, sc.skip()
	})
}

// value appends the item's text to *buf, as xlsxSI.String makes it: <t>
// then the runs, with _xHHHH_ escapes decoded. It returns the span.
func (d *siDecoder) value(buf *[]byte) span {
	var sp span
	if d.hasT && len(d.runs) == 0 {
		sp = d.t
	} else {
		start := len(*buf)
		if d.hasT {
			*buf = append(*buf, (*buf)[d.t.start:d.t.end]...)
		}
		for _, r := range d.runs {
			*buf = append(*buf, (*buf)[r.start:r.end]...)
		}
		sp = span{start, len(*buf)}
	}
	if b := (*buf)[sp.start:sp.end]; bytes.Contains(b, []byte("_x")) {
		sp.end = sp.start + unescapeXstring(b)
	}
	return sp
}

// unescapeXstring decodes OOXML's _xHHHH_ escapes in place, as excelize's
// bstrUnmarshal does (a surrogate code decodes to nothing), and returns
// the new length. Each escape is 7 bytes and decodes to at most 3, so the
// writes never overtake the reads.
func unescapeXstring(b []byte) int {
	w := 0
	for i := 0; i < len(b); {
		if b[i] == '_' && i+7 <= len(b) && b[i+1] == 'x' && b[i+6] == '_' {
			if r, ok := hex4(b[i+2 : i+6]); ok {
				if utf8.ValidRune(r) {
					w += utf8.EncodeRune(b[w:], r)
				}
				i += 7
				continue
			}
		}
		b[w] = b[i]
		w++
		i++
	}
	return w
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// attrType is the Go type of one of excelize's attribute fields, for the
// attributes encoding/xml can fail to parse.
type attrType uint8

const (
	typeBool attrType = iota + 1
	typeInt
	typeUint32
	typeFloat
)

type typedAttr struct {
	local string
	typ   attrType
}

// The typed attributes of xlsxF, xlsxPhoneticRun, xlsxPhoneticPr and the
// children of xlsxRPr (excelize v2.11.1).
var (
	formulaAttrs = []typedAttr{{"aca", typeBool}, {"dt2D", typeBool}, {"dtr", typeBool}, {"del1", typeBool},
		{"del2", typeBool}, {"ca", typeBool}, {"si", typeInt}, {"bx", typeBool}}
	phoneticRunAttrs = []typedAttr{{"sb", typeUint32}, {"eb", typeUint32}}
	phoneticPrAttrs  = []typedAttr{{"fontId", typeInt}}
	valInt           = []typedAttr{{"val", typeInt}}
	valBool          = []typedAttr{{"val", typeBool}}
	valFloat         = []typedAttr{{"val", typeFloat}}
	colorAttrs       = []typedAttr{{"auto", typeBool}, {"indexed", typeInt}, {"theme", typeInt}, {"tint", typeFloat}}
)

func runPropertyAttrs(local []byte) []typedAttr {
	switch string(local) {
	case "charset", "family":
		return valInt
	case "b", "i", "strike", "outline", "shadow", "condense", "extend":
		return valBool
	case "sz":
		return valFloat
	case "color":
		return colorAttrs
	}
	return nil
}

// typedAttrsOK reports whether encoding/xml would parse every attribute
// of attrs that matches one of typed (by local name, any prefix).
func typedAttrsOK(attrs []attr, typed []typedAttr) bool {
	for _, a := range attrs {
		for _, t := range typed {
			if string(a.local) == t.local && !parses(a.value, t.typ) {
				return false
			}
		}
	}
	return true
}

// parses is encoding/xml's copyValue for one attribute: empty is the zero
// value, anything else is parsed after strings.TrimSpace.
func parses(v []byte, typ attrType) bool {
	if len(v) == 0 {
		return true
	}
	s := strings.TrimSpace(string(v))
	var err error
	switch typ {
	case typeBool:
		_, err = strconv.ParseBool(s)
	case typeInt:
		_, err = strconv.ParseInt(s, 10, 64)
	case typeUint32:
		_, err = strconv.ParseUint(s, 10, 32)
	case typeFloat:
		_, err = strconv.ParseFloat(s, 64)
	}
	return err == nil
}
