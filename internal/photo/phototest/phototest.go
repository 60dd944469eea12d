// Package phototest makes test photos: JPEGs carrying the EXIF a phone
// camera writes (make, model, serial number, GPS position), to check that
// what verval stores has none of it.
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
)

// Camera fields written into JPEGWithEXIF's EXIF; none may survive.
const (
	Make   = "VervalCam"
	Model  = "Model-X-2026"
	Serial = "SN-0042-EVIDENCE"
)

// JPEG is a w × h photo-like JPEG (a gradient with a pattern) of seed's
// colours, without metadata.
func JPEG(w, h int, seed byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: byte(x) + seed, G: byte(y) ^ seed, B: byte(x*y/7) + seed/2, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEGWithEXIF is JPEG with an APP1 EXIF segment after its SOI marker:
// Make, Model, BodySerialNumber and a GPS position (7°50'S, 112°10'E,
// near Blitar).
func JPEGWithEXIF(w, h int, seed byte) []byte {
	plain := JPEG(w, h, seed)
	tiff := exifTIFF()
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg...)
	return append(out, plain[2:]...)
}

// exifTIFF builds a little-endian TIFF structure: IFD0 with Make, Model,
// an Exif IFD pointer (BodySerialNumber) and a GPS IFD pointer.
func exifTIFF() []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		data     []byte // inline when 4 bytes or fewer
	}
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	rational := func(vals ...uint32) []byte {
		var b []byte
		for i := 0; i < len(vals); i += 2 {
			b = le.AppendUint32(b, vals[i])
			b = le.AppendUint32(b, vals[i+1])
		}
		return b
	}
	// Layout: header (8) | IFD0 | IFD0 data | Exif IFD | its data | GPS IFD | its data.
	var buf []byte
	buf = append(buf, 'I', 'I', 42, 0)
	buf = le.AppendUint32(buf, 8)
	writeIFD := func(entries []entry, next func(off uint32) []entry) {
		_ = next
		start := uint32(len(buf))
		size := uint32(2 + 12*len(entries) + 4)
		dataOff := start + size
		var data []byte
		var ifd []byte
		ifd = le.AppendUint16(ifd, uint16(len(entries)))
		for _, e := range entries {
			ifd = le.AppendUint16(ifd, e.tag)
			ifd = le.AppendUint16(ifd, e.typ)
			ifd = le.AppendUint32(ifd, e.count)
			if len(e.data) <= 4 {
				v := append(append([]byte{}, e.data...), make([]byte, 4-len(e.data))...)
				ifd = append(ifd, v...)
			} else {
				ifd = le.AppendUint32(ifd, dataOff+uint32(len(data)))
				data = append(data, e.data...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		ifd = le.AppendUint32(ifd, 0)
		buf = append(buf, ifd...)
		buf = append(buf, data...)
	}
	// IFD0's size is known up front, so the pointers to the Exif and GPS
	// IFDs are computed from it.
	makeB, modelB := ascii(Make), ascii(Model)
	pad := func(n int) int { return n + n%2 }
	ifd0Size := 2 + 12*4 + 4 + pad(len(makeB)) + pad(len(modelB))
	exifOff := uint32(8 + ifd0Size)
	serialB := ascii(Serial)
	exifSize := 2 + 12*1 + 4 + pad(len(serialB))
	gpsOff := exifOff + uint32(exifSize)
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	writeIFD([]entry{
		{0x010F, 2, uint32(len(makeB)), makeB},
		{0x0110, 2, uint32(len(modelB)), modelB},
		{0x8769, 4, 1, u32(exifOff)},
		{0x8825, 4, 1, u32(gpsOff)},
	}, nil)
	writeIFD([]entry{{0xA431, 2, uint32(len(serialB)), serialB}}, nil)
	writeIFD([]entry{
		{0x0001, 2, 2, []byte("S\x00")},
		{0x0002, 5, 3, rational(7, 1, 50, 1, 0, 1)},
		{0x0003, 2, 2, []byte("E\x00")},
		{0x0004, 5, 3, rational(112, 1, 10, 1, 0, 1)},
	}, nil)
	return buf
}

// PNGHeader is a well-formed PNG (signature, IHDR, IDAT, IEND, each
// chunk's CRC correct) whose header declares w × h grey pixels, with the
// image data of a single row: a file of a hundred bytes that would
// decode into w × h bytes of memory.
func PNGHeader(w, h uint32) []byte {
	be := binary.BigEndian
	out := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		out = be.AppendUint32(out, uint32(len(data)))
		start := len(out)
		out = append(append(out, typ...), data...)
		out = be.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
	}
	ihdr := be.AppendUint32(be.AppendUint32(nil, w), h)
	chunk("IHDR", append(ihdr, 8, 0, 0, 0, 0)) // 8-bit grey, no interlace
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1+w%4096)) // the first row's filter byte and a few pixels
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out
}

// InClear reports whether an object store's bytes hold a JPEG, or this
// package's test metadata, in clear: a JPEG's start of image at the
// start, or anywhere with the marker that follows it (quantisation
// tables, JFIF, Exif), a JFIF or Exif header, or the test camera's serial.
// Sealed bytes look random: the 3-byte start of image alone turns up
// anywhere in them by chance about once in 150 photos of 100 KB, these
// longer patterns about once in 15,000.
func InClear(raw []byte) bool {
	if bytes.HasPrefix(raw, []byte{0xFF, 0xD8, 0xFF}) {
		return true
	}
	for _, sig := range [][]byte{{0xFF, 0xD8, 0xFF, 0xDB}, {0xFF, 0xD8, 0xFF, 0xE0}, {0xFF, 0xD8, 0xFF, 0xE1}, []byte("JFIF\x00"), []byte("Exif\x00\x00"), []byte(Serial)} {
		if bytes.Contains(raw, sig) {
			return true
		}
	}
	return false
}
