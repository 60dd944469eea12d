package p3ke

import (
	"bytes"
	"io"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/internal/xlsxread"
)

// bench50k is a 50,000-family Kab. Blitar file with 2% faults, made once
// per test binary: the largest desil-1 list a regency sends.
var bench50k = sync.OnceValues(func() ([]byte, Summary) {
	var buf bytes.Buffer
	want, err := GenerateCSV(&buf, GenOptions{Regency: "35.05", Households: 50_000, Seed: 2025, FaultRate: 0.02})
	if err != nil {
		panic(err)
	}
	return buf.Bytes(), want
})

// BenchmarkValidate50k parses and validates the 50,000-row file end to end
// (format sniffing, CSV, NIK/KK/region checks, duplicate sets). The target
// is under 2 s per file on one core.
func BenchmarkValidate50k(b *testing.B) {
	data, want := bench50k()
	tab := wilayah.Default() // loaded once per process, not per file
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rows int
	for b.Loop() {
		p, err := Open(bytes.NewReader(data), Options{Regency: "35.05", Wilayah: tab})
		if err != nil {
			b.Fatal(err)
		}
		var sum Summary
		for {
			res, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			sum.Add(res)
			rows++
		}
		if sum != want {
			b.Fatalf("summary %v, want %v", sum, want)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkGenerate50k measures the generator `verval bench` uses.
func BenchmarkGenerate50k(b *testing.B) {
	wilayah.Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateCSV(io.Discard, GenOptions{Regency: "35.05", Households: 50_000, Seed: 1, FaultRate: 0.02}); err != nil {
			b.Fatal(err)
		}
	}
}

// bench50kXLSX is bench50k as an XLSX workbook (GenerateXLSX).
var bench50kXLSX = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	_, err := GenerateXLSX(&buf, GenOptions{Regency: "35.05", Households: 50_000, Seed: 2025, FaultRate: 0.02})
	return buf.Bytes(), err
})

// BenchmarkValidate50kXLSX is BenchmarkValidate50k for the same file as
// XLSX: open, read and validate every row. The target is the CSV one,
// under 2 s on one core; unzipping and XML take about as long as the
// checks (see BenchmarkXLSXRead50k).
func BenchmarkValidate50kXLSX(b *testing.B) {
	data, err := bench50kXLSX()
	if err != nil {
		b.Fatal(err)
	}
	_, want := bench50k()
	tab := wilayah.Default()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rows int
	for b.Loop() {
		rep, err := Check(bytes.NewReader(data), Options{Regency: "35.05", Wilayah: tab})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary != want {
			b.Fatalf("summary %v, want %v", rep.Summary, want)
		}
		rows += rep.Accepted + rep.Skipped + rep.Rejected
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkXLSXRead50k reads the rows of bench50kXLSX with xlsxread, as
// the parser does, without validating them: the XLSX half of
// BenchmarkValidate50kXLSX.
func BenchmarkXLSXRead50k(b *testing.B) {
	benchRows50k(b, func(data []byte) (n int, err error) {
		r, err := xlsxread.Open(bytes.NewReader(data), int64(len(data)), xlsxread.Options{MaxUnzipped: unzipLimit})
		if err != nil {
			return 0, err
		}
		defer r.Close()
		for {
			cells, _, err := r.Next()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			if len(cells) > 0 {
				n++
			}
		}
	})
}

// BenchmarkExcelizeRows50k reads the same rows with excelize's Rows
// iterator and raw values, the way the parser read them before xlsxread:
// the comparison for BenchmarkXLSXRead50k.
func BenchmarkExcelizeRows50k(b *testing.B) {
	benchRows50k(b, func(data []byte) (n int, err error) {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			return 0, err
		}
		defer f.Close()
		it, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			return 0, err
		}
		defer it.Close()
		for it.Next() {
			cells, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return n, err
			}
			if len(cells) > 0 {
				n++
			}
		}
		return n, nil
	})
}

// benchRows50k times read, which counts the non-empty rows of
// bench50kXLSX, and reports rows per second; a read that fails or sees
// fewer than 50,000 rows fails the benchmark.
func benchRows50k(b *testing.B, read func(data []byte) (int, error)) {
	data, err := bench50kXLSX()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rows int
	for b.Loop() {
		n, err := read(data)
		if err != nil {
			b.Fatal(err)
		}
		if n < 50_000 {
			b.Fatalf("%d rows", n)
		}
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// benchDTSEN50k is a 50,000-family Kab. Blitar DTSEN file (about 200,000
// member rows, families of every desil) with member faults planted in 2%
// of the desil 1-5 families.
var benchDTSEN50k = sync.OnceValues(func() ([]byte, DTSENPlan) {
	var buf bytes.Buffer
	plan, err := GenerateDTSEN(&buf, DTSENOptions{GenOptions: GenOptions{Regency: "35.05", Households: 50_000, Seed: 2025, FaultRate: 0.02}, MaxDesil: 5})
	if err != nil {
		panic(err)
	}
	return buf.Bytes(), plan
})

// BenchmarkValidateDTSEN50k checks the DTSEN file with scope desil 1-5
// (every family of desil 1 to 5 and its members checked, the rest
// counted). The target is under 5 s per file (docs/performance.md).
func BenchmarkValidateDTSEN50k(b *testing.B) {
	data, plan := benchDTSEN50k()
	tab := wilayah.Default()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Check(bytes.NewReader(data), Options{Regency: "35.05", Wilayah: tab, MaxDesil: 5})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary != plan.Summary {
			b.Fatalf("summary %v, want %v", rep.Summary, plan.Summary)
		}
	}
	b.ReportMetric(float64(plan.Summary.Accepted+plan.Summary.Skipped+plan.Summary.Rejected+plan.MemberRows)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
}
