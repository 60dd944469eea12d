// Package photo checks an uploaded photo by its content and writes it
// again without its metadata: the file must decode as a JPEG or PNG image
// (its name and declared type count for nothing), its pixels are bounded
// before it is decoded (a small file can declare a huge image), and it is
// re-encoded as a baseline JPEG, which carries no EXIF, XMP, comment or
// thumbnail: the camera's make and serial, the GPS position and the
// original time are gone from the bytes. Before they go, three of a
// JPEG's EXIF tags are read: its Orientation is applied to the pixels (a
// phone stores a portrait photo sideways and says so), and the original
// time and the GPS position are returned, for the caller to keep as the
// photo's fields when the uploader gave none.
package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // PNG uploads are accepted too
	"time"
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

// Clean is a photo written again without its metadata (turned as its
// EXIF Orientation said), with what its EXIF said of when and where it
// was taken.
type Clean struct {
	JPEG          []byte
	Width, Height int
	// Lat and Lon are the EXIF GPS position in degrees; both nil when it
	// has none.
	Lat, Lon *float64
	// taken and offset are EXIF DateTimeOriginal and OffsetTimeOriginal.
	taken, offset string
}

// TakenAt is when the EXIF says the photo was taken, nil when it does
// not say (or says nothing that reads). A camera's time is its clock's:
// read at the offset the EXIF records, else in zone (the region's).
func (c *Clean) TakenAt(zone *time.Location) *time.Time {
	if c.taken == "" {
		return nil
	}
	if c.offset != "" {
		if t, err := time.Parse("2006:01:02 15:04:05-07:00", c.taken+c.offset); err == nil {
			return &t
		}
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", c.taken, zone)
	if err != nil {
		return nil
	}
	return &t
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
	var ex exifFields
	if format == "jpeg" {
		ex = readEXIF(b)
	}
	img = orient(scaleDown(img, MaxSide), ex.orientation)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, opaque(img), &jpeg.Options{Quality: Quality}); err != nil {
		return nil, err
	}
	r := img.Bounds()
	return &Clean{JPEG: out.Bytes(), Width: r.Dx(), Height: r.Dy(), Lat: ex.lat, Lon: ex.lon, taken: ex.taken, offset: ex.offset}, nil
}

// orient turns img as EXIF orientation o (2 to 8) says the camera meant
// it to be seen; 1, 0 or anything else is as stored.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	r := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(src, src.Bounds(), img, r.Min, draw.Src)
	w, h := r.Dx(), r.Dy()
	if o >= 5 { // a quarter turn: the sides swap
		w, h = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	// Each target pixel (x, y) takes the source pixel (sx, sy) the
	// orientation's table puts there (sw, sh: the source's size).
	sw, sh := r.Dx(), r.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := x, y
			switch o {
			case 2: // mirrored
				sx = sw - 1 - x
			case 3: // upside down
				sx, sy = sw-1-x, sh-1-y
			case 4: // mirrored upside down
				sy = sh - 1 - y
			case 5: // transposed
				sx, sy = y, x
			case 6: // stored a quarter turn anticlockwise
				sx, sy = y, sh-1-x
			case 7: // transversed
				sx, sy = sw-1-y, sh-1-x
			case 8: // stored a quarter turn clockwise
				sx, sy = sw-1-y, x
			}
			copy(out.Pix[out.PixOffset(x, y):][:4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
	return out
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
