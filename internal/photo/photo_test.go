package photo_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"testing"

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
