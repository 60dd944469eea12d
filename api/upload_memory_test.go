package api_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store/storetest"
)

// hostileXLSX is a workbook with a P3KE header and a shared-strings part
// of about sstBytes that no cell uses: what reading it holds in memory is
// those strings, decoded. Their text compresses about 8 to 1, as in the
// probe's 15 MB file that unpacked to 130 MB.
func hostileXLSX(t testing.TB, sstBytes int) []byte {
	t.Helper()
	const ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	header := []string{"id_keluarga_p3ke", "no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "jenis_kelamin", "tanggal_lahir", "alamat", "kode_wilayah", "desil"}
	var row strings.Builder
	for i, h := range header {
		fmt.Fprintf(&row, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, h)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="` + ns + `" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + ns + `"><sheetData><row r="1">` + row.String() + `</row></sheetData></worksheet>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	w, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">`, ns)
	rng := rand.New(rand.NewPCG(1, 2))
	item := make([]byte, 0, 64)
	for n := 0; n < sstBytes; n += len(item) {
		item = append(item[:0], "<si><t>"...)
		for range 40 {
			item = append(item, "AB"[rng.IntN(2)])
		}
		item = append(item, "</t></si>"...)
		w.Write(item)
	}
	w.Write([]byte("</sst>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParallelHostileUploadsMemory measures the process's peak memory
// while 10 hostile workbooks (shared strings just under the per-file cap)
// are uploaded at once, for docs/performance.md. It takes a minute and
// most of a GB; run it with VERVAL_MEASURE_UPLOADS=1 in a process of its
// own (go test -run TestParallelHostileUploadsMemory ./api/).
func TestParallelHostileUploadsMemory(t *testing.T) {
	if os.Getenv("VERVAL_MEASURE_UPLOADS") == "" {
		t.Skip("a measurement: set VERVAL_MEASURE_UPLOADS=1")
	}
	memory := int64(office.DefaultWorkbookMemory)
	if os.Getenv("VERVAL_MEASURE_UPLOADS") == "unbounded" {
		memory = 1 << 40
	}
	a := newTestAPI(t, storetest.SQLite(t), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), func(d *office.Deps) { d.WorkbookMemory = memory })
	if _, err := a.st.EnsureDevUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	token := a.login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	a.do(apiRequest{method: "POST", route: "/api/v1/cycles", path: "/api/v1/cycles", token: token,
		json: map[string]any{"regencyCode": "35.05", "year": 2026}}).decode(t, &cycle)
	file := hostileXLSX(t, 127<<20)
	t.Logf("hostile workbook: %.1f MB, shared strings 127 MiB", float64(len(file))/1e6)
	raw, ct := upload("p3ke.xlsx", string(file))
	file = nil
	before := vmHWM(t)
	var wg sync.WaitGroup
	codes := make([]int, 10)
	retry := make([]string, 10)
	start := time.Now()
	for i := range codes {
		wg.Go(func() {
			r := a.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/intake", path: fmt.Sprintf("/api/v1/cycles/%d/intake", cycle.ID),
				token: token, raw: raw, contentType: ct})
			codes[i], retry[i] = r.code, r.header.Get("Retry-After")
		})
	}
	wg.Wait()
	t.Logf("workbook memory %d MiB: answers %v (Retry-After %q) in %s; peak RSS %d MB before the uploads, %d MB after",
		memory>>20, codes, retry, time.Since(start).Round(time.Millisecond), before>>20, vmHWM(t)>>20)
	for i, c := range codes {
		if c != http.StatusAccepted && c != http.StatusServiceUnavailable {
			t.Errorf("upload %d: %d", i, c)
		}
	}
}

// vmHWM is the process's peak resident memory, in bytes.
func vmHWM(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
