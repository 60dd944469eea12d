// Package photo checks an uploaded photo by its content and writes it
// again without its metadata: the file must decode as a JPEG or PNG image
// (its name and declared type count for nothing), its pixels are bounded
// before it is decoded (a small file can declare a huge image), and it is
// re-encoded as a baseline JPEG, which carries no EXIF, XMP, comment or
// thumbnail: the camera's make and serial, the GPS position and the
// original time are gone from the bytes. What verval keeps of them
// (the time taken and the location) are fields the caller records.
package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // PNG uploads are accepted too
)

// Quality is the JPEG quality of the stored photo: a 1600-pixel photo is
// about 200 to 400 KB.
const Quality = 82

// MaxPixels bounds a photo's width × height before it is decoded: 40
// megapixels, more than a phone's camera takes.
const MaxPixels = 40_000_000

// MaxSide is the longest side the stored photo keeps; larger photos are
// scaled down (the browser already sends about 1600 pixels).
const MaxSide = 2048

var (
	// ErrNotImage: the bytes are not a JPEG or PNG image.
	ErrNotImage = errors.New("photo: not a JPEG or PNG image")
	// ErrTooManyPixels: the image is larger than MaxPixels.
	ErrTooManyPixels = errors.New("photo: too many pixels")
)

// Clean is a photo written again without its metadata.
type Clean struct {
	JPEG          []byte
	Width, Height int
}

// Strip decodes b as an image (by its content) and encodes it again as a
// JPEG without metadata, scaled down to MaxSide.
func Strip(b []byte) (*Clean, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "jpeg" && format != "png") {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, ErrNotImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooManyPixels
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, ErrNotImage
	}
	img = scaleDown(img, MaxSide)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, opaque(img), &jpeg.Options{Quality: Quality}); err != nil {
		return nil, err
	}
	r := img.Bounds()
	return &Clean{JPEG: out.Bytes(), Width: r.Dx(), Height: r.Dy()}, nil
}

// opaque draws an image with transparency (a PNG) on white, as JPEG has
// no alpha.
func opaque(img image.Image) image.Image {
	switch img.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		return img
	}
	r := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Over)
	return out
}

// scaleDown shrinks img so its longest side is at most max, averaging
// each target pixel's source box (good enough for evidence photos, and no
// dependency).
func scaleDown(img image.Image, max int) image.Image {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= max && h <= max {
		return img
	}
	nw, nh := max, h*max/w
	if h > w {
		nw, nh = w*max/h, max
	}
	nw, nh = maxInt(nw, 1), maxInt(nh, 1)
	out := image.NewRGBA(image.Rect(0, 0, nw, nh))
	for y := 0; y < nh; y++ {
		y0, y1 := r.Min.Y+y*h/nh, r.Min.Y+(y+1)*h/nh
		for x := 0; x < nw; x++ {
			x0, x1 := r.Min.X+x*w/nw, r.Min.X+(x+1)*w/nw
			var sr, sg, sb, n uint64
			for sy := y0; sy < maxInt(y1, y0+1); sy++ {
				for sx := x0; sx < maxInt(x1, x0+1); sx++ {
					cr, cg, cb, _ := img.At(sx, sy).RGBA()
					sr, sg, sb, n = sr+uint64(cr), sg+uint64(cg), sb+uint64(cb), n+1
				}
			}
			out.Set(x, y, color.RGBA64{R: uint16(sr / n), G: uint16(sg / n), B: uint16(sb / n), A: 0xffff})
		}
	}
	return out
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
