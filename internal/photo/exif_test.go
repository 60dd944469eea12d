package photo

import (
	"testing"

	"github.com/verval/verval/internal/photo/phototest"
)

// FuzzReadEXIF: any bytes after a JPEG's start (an upload's EXIF is the
// uploader's to forge) read without a panic, and what reads is in range.
func FuzzReadEXIF(f *testing.F) {
	plain := phototest.JPEG(8, 8, 1)
	f.Add(plain[:64])
	for _, e := range []phototest.EXIF{
		{GPS: true},
		{Orientation: 6, DateTimeOriginal: "2026:03:10 09:15:42", OffsetTimeOriginal: "+07:00", GPS: true, BigEndian: true},
	} {
		b := phototest.WithEXIF(plain, e)
		f.Add(b[:len(b)-len(plain)+64])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		x := readEXIF(b)
		if x.orientation < 0 || x.orientation > 8 {
			t.Errorf("orientation %d", x.orientation)
		}
		if (x.lat == nil) != (x.lon == nil) || (x.lat != nil && (*x.lat < -90 || *x.lat > 90 || *x.lon < -180 || *x.lon > 180)) {
			t.Errorf("position %v %v", x.lat, x.lon)
		}
	})
}
