package xlsxread

import (
	"errors"
	"io"
	"strings"
)

// sharedStrings is the shared string table: every string back to back in
// one string, so that a cell's value is a substring and costs nothing.
type sharedStrings struct {
	all  string
	ends []uint32 // ends[i] is where string i ends in all
}

// get returns string i; ok is false for an index outside the table, which
// excelize reads as an empty cell.
func (t *sharedStrings) get(i int) (string, bool) {
	if t == nil || i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.all[start:t.ends[i]], true
}

// errNotSST is a shared-strings part whose root is not <sst>.
var errNotSST = errors.New("the shared strings part is not a shared string table")

// readSharedStrings reads the table as excelize does with encoding/xml's
// Decode: the first element must be <sst>, its <si> children are the
// strings, and reading stops at its end tag. Unlike excelize it does not
// fail on formatting attributes it cannot parse (a run's sz="big"); those
// do not change the text.
//
// size is the part's uncompressed size, which the decoded strings do not
// exceed: the table is built in one allocation of that size.
func readSharedStrings(r io.Reader, size int64) (*sharedStrings, error) {
	sc := newScanner(r)
	for {
		if err := sc.next(); err != nil {
			return nil, err
		}
		if sc.kind == tokEOF {
			return &sharedStrings{}, nil // an empty part is an empty table
		}
		if sc.kind == tokStart {
			break
		}
	}
	if string(sc.local) != "sst" {
		return nil, errNotSST
	}
	var (
		all  strings.Builder // String does not copy
		ends []uint32
		item []byte
		si   siDecoder
	)
	all.Grow(int(size))
	if _, err := sc.children(func() (bool, error) {
		if string(sc.local) != "si" {
			return true, sc.skip()
		}
		item = item[:0]
		si.reset()
		if _, err := si.decode(sc, &item, false); err != nil {
			return false, err
		}
		sp := si.value(&item)
		all.Write(item[sp.start:sp.end])
		ends = append(ends, uint32(all.Len()))
		return true, nil
	}); err != nil {
		return nil, err
	}
	return &sharedStrings{all: all.String(), ends: ends}, nil
}
