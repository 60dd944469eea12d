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
	"math"
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

// Photo is a w × h JPEG at a phone camera's quality (92) that compresses
// the way a photo of a house does: a sky and a ground in gradients, a
// wall of bricks with a dark door and windows (hard edges), and sensor
// noise over everything (a pseudo-random ±8, from seed).
func Photo(w, h int, seed byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := uint32(seed)*2654435761 + 1
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var r, g, b int
			fx, fy := x*256/w, y*256/h
			switch {
			case y < h/3: // sky, lighter towards the horizon
				r, g, b = 90+fy/2, 140+fy/3, 220-fy/8
			case y > h*5/6: // ground
				r, g, b = 110+fx/6, 90+fx/8, 60+(x*y/97)%12
			default: // the wall: bricks, with a door and two windows
				r, g, b = 170+fx/10, 110+fy/12, 90
				if (y/(h/60))%2 == 0 && (x+(y/(h/30))%2*(w/80))%(w/40) < 2 || (y%(h/60)) < 2 {
					r, g, b = r-50, g-40, b-30 // mortar
				}
				inDoor := x > w*45/100 && x < w*55/100 && y > h/2
				inWindow := y > h*45/100 && y < h*62/100 && (x > w/10 && x < w/4 || x > w*3/4 && x < w*9/10)
				if inDoor || inWindow {
					r, g, b = 40+fy/10, 35, 30+fx/20
				}
			}
			rnd = rnd*1664525 + 1013904223
			n := int(rnd>>24)%17 - 8
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clamp(r+n), clamp(g+n), clamp(b+n), 255
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 92}); err != nil {
		panic(err)
	}
	return out.Bytes()
}

func clamp(v int) uint8 {
	return uint8(max(0, min(255, v)))
}

// EXIF is what a test photo's EXIF says besides the camera's make, model
// and serial number, which it always carries.
type EXIF struct {
	// Orientation is the Orientation tag (1 to 8), none when 0.
	Orientation uint16
	// DateTimeOriginal ("2006:01:02 15:04:05") and OffsetTimeOriginal
	// ("+07:00"), none when empty.
	DateTimeOriginal, OffsetTimeOriginal string
	// GPS adds the position GPSLat, GPSLon.
	GPS bool
	// BigEndian writes the TIFF structure in Motorola byte order ("MM",
	// as many cameras do) instead of Intel's ("II").
	BigEndian bool
}

// The GPS position a test photo carries: 7°50'S, 112°10'E, near Blitar.
const (
	GPSLat = -(7 + 50.0/60)
	GPSLon = 112 + 10.0/60
)

// JPEGWithEXIF is JPEG with an APP1 EXIF segment after its SOI marker:
// Make, Model, BodySerialNumber and the GPS position.
func JPEGWithEXIF(w, h int, seed byte) []byte {
	return WithEXIF(JPEG(w, h, seed), EXIF{GPS: true})
}

// WithEXIF is the JPEG plain with an APP1 EXIF segment saying e after its
// SOI marker.
func WithEXIF(plain []byte, e EXIF) []byte {
	tiff := exifTIFF(e)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg...)
	return append(out, plain[2:]...)
}

// exifTag is one entry of a TIFF IFD: its value inline when 4 bytes or
// fewer, else after the IFD.
type exifTag struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

// ifdSize is an IFD's size with its values' data (each padded to even).
func ifdSize(tags []exifTag) uint32 {
	n := uint32(2 + 12*len(tags) + 4)
	for _, t := range tags {
		if len(t.data) > 4 {
			n += uint32(len(t.data) + len(t.data)%2)
		}
	}
	return n
}

// appendIFD writes tags as the IFD at the end of buf, in byte order le.
func appendIFD(buf []byte, tags []exifTag, le binary.AppendByteOrder) []byte {
	dataOff := uint32(len(buf)) + uint32(2+12*len(tags)+4)
	var data []byte
	buf = le.AppendUint16(buf, uint16(len(tags)))
	for _, t := range tags {
		buf = le.AppendUint16(buf, t.tag)
		buf = le.AppendUint16(buf, t.typ)
		buf = le.AppendUint32(buf, t.count)
		if len(t.data) <= 4 {
			buf = append(buf, t.data...)
			buf = append(buf, make([]byte, 4-len(t.data))...)
			continue
		}
		buf = le.AppendUint32(buf, dataOff+uint32(len(data)))
		data = append(data, t.data...)
		if len(data)%2 == 1 {
			data = append(data, 0)
		}
	}
	buf = le.AppendUint32(buf, 0)
	return append(buf, data...)
}

// exifTIFF builds a TIFF structure: IFD0 (Make, Model, Orientation,
// pointers), the Exif IFD (BodySerialNumber, the original time) and the
// GPS IFD.
func exifTIFF(e EXIF) []byte {
	var le binary.AppendByteOrder = binary.LittleEndian
	header := []byte{'I', 'I', 42, 0}
	if e.BigEndian {
		le, header = binary.BigEndian, []byte{'M', 'M', 0, 42}
	}
	ascii := func(tag uint16, s string) exifTag {
		return exifTag{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
	}
	rational := func(tag uint16, deg float64) exifTag {
		// Degrees, minutes and seconds (in hundredths).
		total := uint32(math.Round(deg * 360000))
		d, m, sec := total/360000, total%360000/6000, total%6000
		var b []byte
		for _, v := range [][2]uint32{{d, 1}, {m, 1}, {sec, 100}} {
			b = le.AppendUint32(le.AppendUint32(b, v[0]), v[1])
		}
		return exifTag{tag, 5, 3, b}
	}
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	exif := []exifTag{ascii(0xA431, Serial)}
	if e.DateTimeOriginal != "" {
		exif = append(exif, ascii(0x9003, e.DateTimeOriginal))
	}
	if e.OffsetTimeOriginal != "" {
		exif = append(exif, ascii(0x9011, e.OffsetTimeOriginal))
	}
	var gps []exifTag
	if e.GPS {
		ns, ew := "N", "E"
		if GPSLat < 0 {
			ns = "S"
		}
		if GPSLon < 0 {
			ew = "W"
		}
		gps = []exifTag{ascii(1, ns), rational(2, math.Abs(GPSLat)), ascii(3, ew), rational(4, math.Abs(GPSLon))}
	}
	ifd0 := []exifTag{ascii(0x010F, Make), ascii(0x0110, Model)}
	if e.Orientation != 0 {
		ifd0 = append(ifd0, exifTag{0x0112, 3, 1, le.AppendUint16(nil, e.Orientation)})
	}
	exifAt, gpsAt := len(ifd0), -1
	ifd0 = append(ifd0, exifTag{0x8769, 4, 1, nil})
	if gps != nil {
		gpsAt = len(ifd0)
		ifd0 = append(ifd0, exifTag{0x8825, 4, 1, nil})
	}
	// The pointers' values follow from IFD0's size, which they do not change.
	exifOff := 8 + ifdSize(ifd0)
	ifd0[exifAt].data = u32(exifOff)
	if gpsAt >= 0 {
		ifd0[gpsAt].data = u32(exifOff + ifdSize(exif))
	}
	buf := le.AppendUint32(header, 8)
	buf = appendIFD(buf, ifd0, le)
	buf = appendIFD(buf, exif, le)
	if gps != nil {
		buf = appendIFD(buf, gps, le)
	}
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
