package photo_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/verval/verval/internal/photo"
	"github.com/verval/verval/internal/photo/phototest"
)

// hasAPP1 reports whether a JPEG has an APP1 (EXIF or XMP) segment among
// its markers before the image data.
func hasAPP1(b []byte) bool {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return false
		}
		m := b[i+1]
		if m == 0xDA { // start of scan: no more metadata segments
			return false
		}
		if m == 0xE1 {
			return true
		}
		i += 2 + int(b[i+2])<<8 + int(b[i+3])
	}
	return false
}

func TestStripRemovesEXIF(t *testing.T) {
	in := phototest.JPEGWithEXIF(320, 240, 3)
	if !hasAPP1(in) || !bytes.Contains(in, []byte(phototest.Serial)) {
		t.Fatal("the test photo has no EXIF to strip")
	}
	c, err := photo.Strip(in)
	if err != nil {
		t.Fatal(err)
	}
	if hasAPP1(c.JPEG) {
		t.Error("the stored photo still has an APP1 segment")
	}
	for _, s := range []string{"Exif", phototest.Make, phototest.Model, phototest.Serial} {
		if bytes.Contains(c.JPEG, []byte(s)) {
			t.Errorf("the stored photo still holds %q", s)
		}
	}
	if c.Width != 320 || c.Height != 240 {
		t.Errorf("size %dx%d", c.Width, c.Height)
	}
	if _, f, err := image.DecodeConfig(bytes.NewReader(c.JPEG)); err != nil || f != "jpeg" {
		t.Errorf("not a JPEG: %v %s", err, f)
	}
}

func TestStripByContent(t *testing.T) {
	for name, b := range map[string][]byte{
		"text":       []byte("this is not a photo at all, only text pretending to be photo.jpg"),
		"pdf":        []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
		"truncated":  phototest.JPEG(64, 64, 1)[:200],
		"empty":      nil,
		"jpeg-magic": append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("x"), 100)...),
	} {
		if _, err := photo.Strip(b); !errors.Is(err, photo.ErrNotImage) {
			t.Errorf("%s: %v, want ErrNotImage", name, err)
		}
	}
	// A PNG is a photo too: stored as a JPEG.
	var p bytes.Buffer
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 10, 10)))
	if c, err := photo.Strip(p.Bytes()); err != nil || !bytes.HasPrefix(c.JPEG, []byte{0xFF, 0xD8}) {
		t.Errorf("PNG: %v", err)
	}
}

func TestStripBoundsPixels(t *testing.T) {
	// A PNG of a hundred bytes whose (valid) header declares 20000 x
	// 20000 pixels is refused as too large, before it is decoded.
	b := phototest.PNGHeader(20000, 20000)
	if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 20000 || cfg.Height != 20000 {
		t.Fatalf("the test PNG's header: %+v, %v", cfg, err)
	}
	if _, err := photo.Strip(b); !errors.Is(err, photo.ErrTooManyPixels) {
		t.Errorf("huge PNG: %v, want ErrTooManyPixels", err)
	}
	// At the limit it is an image (whose missing rows make it not one).
	if _, err := photo.Strip(phototest.PNGHeader(8000, photo.MaxPixels/8000)); !errors.Is(err, photo.ErrNotImage) {
		t.Errorf("PNG of MaxPixels declared, data missing: %v, want ErrNotImage", err)
	}
}

func TestStripScalesDown(t *testing.T) {
	c, err := photo.Strip(phototest.JPEG(3000, 1500, 9))
	if err != nil {
		t.Fatal(err)
	}
	if c.Width != photo.MaxSide || c.Height != photo.MaxSide/2 {
		t.Errorf("size %dx%d", c.Width, c.Height)
	}
}

// quadrants is a w × h JPEG whose quarters are red (top left), green
// (top right), blue (bottom left) and white (bottom right).
func quadrants(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [2][2]color.RGBA{{{255, 0, 0, 255}, {0, 255, 0, 255}}, {{0, 0, 255, 255}, {255, 255, 255, 255}}}[2*y/h][2*x/w]
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// colourAt names the colour at (x, y) of a JPEG: red, green, blue, white
// or "?".
func colourAt(t *testing.T, b []byte, x, y int) string {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r, g, bl, _ := img.At(x, y).RGBA()
	hi := func(v uint32) bool { return v > 0xC000 }
	lo := func(v uint32) bool { return v < 0x4000 }
	switch {
	case hi(r) && hi(g) && hi(bl):
		return "white"
	case hi(r) && lo(g) && lo(bl):
		return "red"
	case lo(r) && hi(g) && lo(bl):
		return "green"
	case lo(r) && lo(g) && hi(bl):
		return "blue"
	}
	return "?"
}

// TestStripAppliesOrientation: a camera that stores its picture sideways
// says so in EXIF Orientation; the stored photo (which has no EXIF) is
// turned the way the camera meant, for each of the eight values.
func TestStripAppliesOrientation(t *testing.T) {
	src := quadrants(64, 32) // red green / blue white
	for _, tc := range []struct {
		orientation         uint16
		w, h                int
		topLeft, topRight   string
		bottomLeft, btRight string
	}{
		{0, 64, 32, "red", "green", "blue", "white"},
		{1, 64, 32, "red", "green", "blue", "white"},
		{2, 64, 32, "green", "red", "white", "blue"}, // mirrored
		{3, 64, 32, "white", "blue", "green", "red"}, // upside down
		{4, 64, 32, "blue", "white", "red", "green"}, // mirrored upside down
		{5, 32, 64, "red", "blue", "green", "white"}, // transposed
		{6, 32, 64, "blue", "red", "white", "green"}, // turned a quarter clockwise
		{7, 32, 64, "white", "green", "blue", "red"}, // transversed
		{8, 32, 64, "green", "white", "red", "blue"}, // turned a quarter anticlockwise
		{9, 64, 32, "red", "green", "blue", "white"}, // not a value: as stored
	} {
		c, err := photo.Strip(phototest.WithEXIF(src, phototest.EXIF{Orientation: tc.orientation}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Width != tc.w || c.Height != tc.h {
			t.Errorf("orientation %d: %dx%d, want %dx%d", tc.orientation, c.Width, c.Height, tc.w, tc.h)
			continue
		}
		got := [4]string{colourAt(t, c.JPEG, 4, 4), colourAt(t, c.JPEG, tc.w-5, 4), colourAt(t, c.JPEG, 4, tc.h-5), colourAt(t, c.JPEG, tc.w-5, tc.h-5)}
		if want := [4]string{tc.topLeft, tc.topRight, tc.bottomLeft, tc.btRight}; got != want {
			t.Errorf("orientation %d: corners %v, want %v", tc.orientation, got, want)
		}
	}
}

// TestStripKeepsEXIFFields: the original time and the GPS position of a
// photo's EXIF come back as fields (the caller keeps them when the
// uploader gave none), while the bytes carry no EXIF. A time without its
// offset is read in the zone the caller gives.
func TestStripKeepsEXIFFields(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	in := phototest.WithEXIF(phototest.JPEG(400, 300, 5), phototest.EXIF{Orientation: 6, DateTimeOriginal: "2026:03:10 09:15:42", GPS: true})
	c, err := photo.Strip(in)
	if err != nil {
		t.Fatal(err)
	}
	if hasAPP1(c.JPEG) || bytes.Contains(c.JPEG, []byte("2026:03:10")) {
		t.Error("the stored photo still carries EXIF")
	}
	if c.Width != 300 || c.Height != 400 {
		t.Errorf("size %dx%d, want 300x400 (turned)", c.Width, c.Height)
	}
	if at := c.TakenAt(wib); at == nil || !at.Equal(time.Date(2026, 3, 10, 2, 15, 42, 0, time.UTC)) {
		t.Errorf("taken at %v, want 2026-03-10 09:15:42 WIB", at)
	}
	if c.Lat == nil || c.Lon == nil || math.Abs(*c.Lat-phototest.GPSLat) > 1e-6 || math.Abs(*c.Lon-phototest.GPSLon) > 1e-6 {
		t.Errorf("position %v, %v; want %v, %v", c.Lat, c.Lon, phototest.GPSLat, phototest.GPSLon)
	}
	// Its own offset wins over the caller's zone; a camera writing
	// Motorola byte order says the same.
	c, _ = photo.Strip(phototest.WithEXIF(phototest.JPEG(40, 30, 5), phototest.EXIF{Orientation: 8, DateTimeOriginal: "2026:03:10 09:15:42", OffsetTimeOriginal: "+08:00", GPS: true, BigEndian: true}))
	if at := c.TakenAt(wib); at == nil || !at.Equal(time.Date(2026, 3, 10, 1, 15, 42, 0, time.UTC)) || c.Width != 30 ||
		c.Lat == nil || math.Abs(*c.Lat-phototest.GPSLat) > 1e-6 {
		t.Errorf("WITA photo (big-endian): taken at %v, width %d, latitude %v", at, c.Width, c.Lat)
	}
	// An EXIF without GPS gives no position.
	c, _ = photo.Strip(phototest.WithEXIF(phototest.JPEG(40, 30, 5), phototest.EXIF{DateTimeOriginal: "2026:03:10 09:15:42"}))
	if c.Lat != nil || c.Lon != nil || c.TakenAt(wib) == nil {
		t.Errorf("no GPS: position %v %v", c.Lat, c.Lon)
	}
	// Nothing, or nothing readable: no fields.
	for name, b := range map[string][]byte{
		"no EXIF":      phototest.JPEG(40, 30, 5),
		"blank time":   phototest.WithEXIF(phototest.JPEG(40, 30, 5), phototest.EXIF{DateTimeOriginal: "    :  :     :  :  "}),
		"no such date": phototest.WithEXIF(phototest.JPEG(40, 30, 5), phototest.EXIF{DateTimeOriginal: "2026:02:30 09:15:42"}),
	} {
		c, err := photo.Strip(b)
		if err != nil || c.TakenAt(wib) != nil || c.Lat != nil || c.Lon != nil {
			t.Errorf("%s: %v, taken at %v, position %v %v", name, err, c.TakenAt(wib), c.Lat, c.Lon)
		}
	}
}
