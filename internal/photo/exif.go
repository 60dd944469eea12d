package photo

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
)

// exifFields is what Strip reads of a JPEG's EXIF before dropping it: how
// the camera held the picture, when it was taken and where.
type exifFields struct {
	// orientation is the Orientation tag, 1 (as stored) to 8; 0 when
	// absent.
	orientation int
	// taken is DateTimeOriginal ("2006:01:02 15:04:05"), offset
	// OffsetTimeOriginal ("+07:00"), each "" when absent.
	taken, offset string
	// lat and lon are the GPS position in degrees, both nil or both set.
	lat, lon *float64
}

// EXIF tags read.
const (
	tagOrientation        = 0x0112
	tagExifIFD            = 0x8769
	tagGPSIFD             = 0x8825
	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
	tagGPSLatitudeRef     = 0x0001
	tagGPSLatitude        = 0x0002
	tagGPSLongitudeRef    = 0x0003
	tagGPSLongitude       = 0x0004
)

// readEXIF reads a JPEG's first EXIF segment (APP1 "Exif\0\0"); every
// offset is checked, and whatever does not read is left out.
func readEXIF(b []byte) exifFields {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return exifFields{}
	}
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		if m == 0xDA || m == 0xD9 { // start of scan, end of image: no more metadata
			break
		}
		if m == 0xFF { // fill byte
			i++
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			break
		}
		if seg := b[i+4 : i+2+n]; m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return readTIFF(seg[6:])
		}
		i += 2 + n
	}
	return exifFields{}
}

// tiff is an EXIF segment's TIFF structure.
type tiff struct {
	b     []byte
	order binary.ByteOrder
}

// ifdEntry is one tag of an IFD: its type, count and value bytes.
type ifdEntry struct {
	typ   uint16
	count uint32
	value []byte
}

// readTIFF reads the tags verval keeps from a TIFF structure.
func readTIFF(b []byte) exifFields {
	var t tiff
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")):
		t = tiff{b, binary.LittleEndian}
	case bytes.HasPrefix(b, []byte("MM\x00*")):
		t = tiff{b, binary.BigEndian}
	default:
		return exifFields{}
	}
	var f exifFields
	ifd0 := t.ifd(t.order.Uint32(b[4:]))
	if e, ok := ifd0[tagOrientation]; ok {
		if v, ok := t.integer(e); ok && v >= 1 && v <= 8 {
			f.orientation = int(v)
		}
	}
	if e, ok := ifd0[tagExifIFD]; ok {
		if off, ok := t.integer(e); ok {
			exif := t.ifd(off)
			f.taken = t.ascii(exif[tagDateTimeOriginal])
			f.offset = t.ascii(exif[tagOffsetTimeOriginal])
		}
	}
	if e, ok := ifd0[tagGPSIFD]; ok {
		if off, ok := t.integer(e); ok {
			gps := t.ifd(off)
			lat, okLat := t.degrees(gps[tagGPSLatitude], t.ascii(gps[tagGPSLatitudeRef]), "N", "S", 90)
			lon, okLon := t.degrees(gps[tagGPSLongitude], t.ascii(gps[tagGPSLongitudeRef]), "E", "W", 180)
			// 0, 0 is what some cameras write without a fix.
			if okLat && okLon && (lat != 0 || lon != 0) {
				f.lat, f.lon = &lat, &lon
			}
		}
	}
	return f
}

// ifd reads the IFD at off: its entries by tag, each value's bytes within
// the structure (nil when they are not).
func (t tiff) ifd(off uint32) map[uint16]ifdEntry {
	if uint64(off)+2 > uint64(len(t.b)) {
		return nil
	}
	n := int(t.order.Uint16(t.b[off:]))
	out := map[uint16]ifdEntry{}
	for i := 0; i < n; i++ {
		at := uint64(off) + 2 + 12*uint64(i)
		if at+12 > uint64(len(t.b)) {
			break
		}
		e := t.b[at : at+12]
		typ, count := t.order.Uint16(e[2:]), t.order.Uint32(e[4:])
		size := uint64(count) * typeSize(typ)
		entry := ifdEntry{typ: typ, count: count}
		if size <= 4 {
			entry.value = e[8 : 8+size]
		} else if v := uint64(t.order.Uint32(e[8:])); v+size <= uint64(len(t.b)) {
			entry.value = t.b[v : v+size]
		}
		out[t.order.Uint16(e)] = entry
	}
	return out
}

// typeSize is the bytes of one value of a TIFF type (0 for an unknown
// type: its value is not read).
func typeSize(typ uint16) uint64 {
	switch typ {
	case 1, 2, 7: // BYTE, ASCII, UNDEFINED
		return 1
	case 3: // SHORT
		return 2
	case 4, 9: // LONG, SLONG
		return 4
	case 5, 10: // RATIONAL, SRATIONAL
		return 8
	}
	return 0
}

// integer is a SHORT or LONG entry's single value.
func (t tiff) integer(e ifdEntry) (uint32, bool) {
	switch {
	case e.count != 1:
	case e.typ == 3 && len(e.value) == 2:
		return uint32(t.order.Uint16(e.value)), true
	case e.typ == 4 && len(e.value) == 4:
		return t.order.Uint32(e.value), true
	}
	return 0, false
}

// ascii is an ASCII entry's text, without its NUL and spaces.
func (t tiff) ascii(e ifdEntry) string {
	if e.typ != 2 {
		return ""
	}
	s, _, _ := strings.Cut(string(e.value), "\x00")
	return strings.TrimSpace(s)
}

// degrees is a GPS coordinate (three RATIONALs: degrees, minutes,
// seconds) signed by its reference (pos or neg), at most limit.
func (t tiff) degrees(e ifdEntry, ref, pos, neg string, limit float64) (float64, bool) {
	if e.typ != 5 || e.count != 3 || len(e.value) != 24 || (ref != pos && ref != neg) {
		return 0, false
	}
	var v float64
	for i, unit := range []float64{1, 60, 3600} {
		num, den := t.order.Uint32(e.value[8*i:]), t.order.Uint32(e.value[8*i+4:])
		if den == 0 {
			return 0, false
		}
		v += float64(num) / float64(den) / unit
	}
	if v > limit || math.IsNaN(v) {
		return 0, false
	}
	if ref == neg {
		v = -v
	}
	return v, true
}
