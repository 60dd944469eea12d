// Package wilayah holds the official Indonesian region codes (kode wilayah
// Kemendagri): provinces, regencies and cities, sub-districts (kecamatan)
// and villages (desa / kelurahan), with their names.
//
// Codes are written dotted, PP.KK.CC.DDDD (province, regency, kecamatan,
// village), so a code's level can be read from its length: 2, 5, 8 or 13
// characters. Normalize turns the plain-digit form found in spreadsheets
// (3505012001) into the dotted one.
//
// # Data and attribution
//
// wilayah.csv.gz is the 2025 list set by Kepmendagri No 300.2.2-2138 Tahun
// 2025 (91,599 codes), taken from the public cahyadsn/wilayah dataset
// (https://github.com/cahyadsn/wilayah), MIT License, Copyright (c) Cahya
// DSN, converted from its SQL dump to a CSV of columns kode,nama (dotted
// codes), and gzip-compressed without name or timestamp so that
// regenerating it from the same CSV gives the same file:
//
//	gzip -9 -n -c wilayah.csv > internal/wilayah/wilayah.csv.gz
//
// To update the list, convert the dataset's new release the same way and
// run that command on it.
package wilayah

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Lengths of dotted codes at each level.
const (
	provinceLen  = 2  // 35
	regencyLen   = 5  // 35.05
	kecamatanLen = 8  // 35.05.01
	villageLen   = 13 // 35.05.01.2001
)

// Level is the depth of a region code.
type Level int

// The four levels of the Kemendagri hierarchy.
const (
	LevelNone      Level = iota // not a well-formed code
	LevelProvince               // PP
	LevelRegency                // PP.KK, a kabupaten or kota
	LevelKecamatan              // PP.KK.CC
	LevelVillage                // PP.KK.CC.DDDD, a desa or kelurahan
)

// ErrMalformed is returned (wrapped) by Normalize for a code that is not a
// region code in either accepted form.
var ErrMalformed = errors.New("malformed region code")

//go:embed wilayah.csv.gz
var compressed []byte

// Table is a read-only region-code table. It is safe for concurrent use.
type Table struct {
	names    map[string]string // dotted code -> official name
	villages []string          // all village codes, sorted
}

// Default returns the embedded 2025 table, parsed on first use.
//
// Parsing takes a few tens of milliseconds and is shared by every caller,
// so packages call Default when they need it instead of at init time.
func Default() *Table { return defaultTable() }

// defaultTable parses the embedded file once; the Table is never modified
// afterwards, so sharing it is safe.
var defaultTable = sync.OnceValue(func() *Table {
	t, err := load(compressed)
	if err != nil {
		// The embedded file is fixed at build time and covered by tests,
		// so this cannot happen in a built binary.
		panic("wilayah: embedded table is corrupt: " + err.Error())
	}
	return t
})

// load decompresses and parses the embedded CSV.
func load(gz []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	// The uncompressed size is known to be about 2.3 MB; reading it in
	// one buffer lets every code and name be a substring of one string,
	// which keeps loading to a handful of allocations.
	var buf bytes.Buffer
	buf.Grow(2_400_000)
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, err
	}
	return parse(buf.String())
}

// parse reads the kode,nama CSV. The file is machine-made: CRLF or LF line
// ends, a header line, and a name is double-quoted only when it holds a
// comma (two rows), so a full CSV reader is not needed.
func parse(data string) (*Table, error) {
	header, rest, _ := strings.Cut(data, "\n")
	if strings.TrimRight(header, "\r") != "kode,nama" {
		return nil, fmt.Errorf("unexpected header %q", header)
	}
	t := &Table{
		names:    make(map[string]string, 92_000),
		villages: make([]string, 0, 84_000),
	}
	for lineNo := 2; rest != ""; lineNo++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		code, name, ok := strings.Cut(line, ",")
		if !ok {
			return nil, fmt.Errorf("line %d: no comma", lineNo)
		}
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		}
		if lv := LevelOf(code); lv == LevelNone || name == "" {
			return nil, fmt.Errorf("line %d: bad row", lineNo)
		} else if lv == LevelVillage {
			t.villages = append(t.villages, code)
		}
		// Checking the map's growth finds duplicates without hashing twice.
		n := len(t.names)
		t.names[code] = name
		if len(t.names) == n {
			return nil, fmt.Errorf("line %d: code %s twice", lineNo, code)
		}
	}
	// The source file is sorted already; sorting only when it is not keeps
	// startup fast without trusting the order blindly.
	if !slices.IsSorted(t.villages) {
		slices.Sort(t.villages)
	}
	return t, nil
}

// Len reports how many codes the table holds.
func (t *Table) Len() int { return len(t.names) }

// Name returns the official name of a code, dotted or plain digits.
func (t *Table) Name(code string) (string, bool) {
	if name, ok := t.names[code]; ok {
		return name, true
	}
	norm, err := Normalize(code)
	if err != nil {
		return "", false
	}
	name, ok := t.names[norm]
	return name, ok
}

// IsVillage reports whether code, dotted or plain, names a real desa or
// kelurahan in the table.
func (t *Table) IsVillage(code string) bool {
	norm, err := Normalize(code)
	if err != nil || len(norm) != villageLen {
		return false
	}
	_, ok := t.names[norm]
	return ok
}

// Villages returns the sorted village codes under prefix, a province,
// regency or kecamatan code (dotted or plain); nil if prefix is malformed
// or has no villages. The slice is a fresh copy the caller may keep.
func (t *Table) Villages(prefix string) []string {
	norm, err := Normalize(prefix)
	if err != nil || len(norm) == villageLen {
		return nil
	}
	// Dotted codes have fixed-width parts, so "35.05." sorts before every
	// village of 35.05 and "35.05/" (the byte after '.') after them.
	lo, _ := slices.BinarySearch(t.villages, norm+".")
	hi, _ := slices.BinarySearch(t.villages, norm+"/")
	if lo == hi {
		return nil
	}
	return slices.Clone(t.villages[lo:hi])
}

// LevelOf returns the level of a dotted code, or LevelNone if it is not a
// well-formed dotted code.
func LevelOf(code string) Level {
	var lv Level
	switch len(code) {
	case provinceLen:
		lv = LevelProvince
	case regencyLen:
		lv = LevelRegency
	case kecamatanLen:
		lv = LevelKecamatan
	case villageLen:
		lv = LevelVillage
	default:
		return LevelNone
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if i == 2 || i == 5 || i == 8 {
			if c != '.' {
				return LevelNone
			}
		} else if c < '0' || c > '9' {
			return LevelNone
		}
	}
	return lv
}

// Normalize returns code in dotted form. It accepts the dotted form at any
// level (35, 35.05, 35.05.01, 35.05.01.2001) and the plain-digit form
// (35, 3505, 350501, 3505012001), and rejects anything else. It checks the
// shape only; whether the code exists is the Table's business.
func Normalize(code string) (string, error) {
	if LevelOf(code) != LevelNone {
		return code, nil
	}
	switch len(code) {
	case 2, 4, 6, 10:
	default:
		return "", fmt.Errorf("%w: want a code like 35.05.01.2001 or 3505012001", ErrMalformed)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", fmt.Errorf("%w: want a code like 35.05.01.2001 or 3505012001", ErrMalformed)
		}
	}
	var b strings.Builder
	b.Grow(villageLen)
	for i := 0; i < len(code); i++ {
		if i == 2 || i == 4 || i == 6 {
			b.WriteByte('.')
		}
		b.WriteByte(code[i])
	}
	return b.String(), nil
}

// prefix normalizes code and cuts it to n characters, or returns "" when
// the code is malformed or shallower than n.
func prefix(code string, n int) string {
	norm, err := Normalize(code)
	if err != nil || len(norm) < n {
		return ""
	}
	return norm[:n]
}

// Province returns the province part (PP) of a code, or "" if malformed.
func Province(code string) string { return prefix(code, provinceLen) }

// Regency returns the regency part (PP.KK) of a code at regency level or
// deeper, or "".
func Regency(code string) string { return prefix(code, regencyLen) }

// Kecamatan returns the sub-district part (PP.KK.CC) of a code at
// kecamatan level or deeper, or "".
func Kecamatan(code string) string { return prefix(code, kecamatanLen) }

// IsCity reports whether the regency part of code is a kota (71-99) rather
// than a kabupaten (01-69): cities have a wali kota, not a bupati, and
// kelurahan rather than desa.
func IsCity(code string) bool {
	r := Regency(code)
	return r != "" && r[3:] >= "71"
}

// IsKelurahan reports whether a village code is a kelurahan (urban ward,
// village part starting with 1) rather than a desa (2) or desa adat (3).
func IsKelurahan(village string) bool {
	norm, err := Normalize(village)
	return err == nil && len(norm) == villageLen && norm[9] == '1'
}

// provinces are the 38 province codes, from the domain reference.
var provinces = [...]string{
	"11", "12", "13", "14", "15", "16", "17", "18", "19",
	"21",
	"31", "32", "33", "34", "35", "36",
	"51", "52", "53",
	"61", "62", "63", "64", "65",
	"71", "72", "73", "74", "75", "76",
	"81", "82",
	"91", "92", "93", "94", "95", "96",
}

// Provinces returns the 38 valid province codes in order.
func Provinces() []string { return slices.Clone(provinces[:]) }

// ValidProvince reports whether pp is one of the 38 province codes. It needs
// no table, so NIK and No KK checks can use it cheaply.
func ValidProvince(pp string) bool {
	if len(pp) != 2 {
		return false
	}
	_, found := slices.BinarySearch(provinces[:], pp)
	return found
}
