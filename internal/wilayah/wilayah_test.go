package wilayah

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDefaultTable(t *testing.T) {
	tab := Default()
	if got, want := tab.Len(), 91_599; got != want {
		t.Fatalf("Len() = %d, want %d (the Kepmendagri 2025 list)", got, want)
	}
	if Default() != tab {
		t.Error("Default() returned a different table on the second call")
	}
	tests := []struct {
		code, name string
	}{
		{"35", "Jawa Timur"},
		{"35.05", "Kabupaten Blitar"},
		{"3505", "Kabupaten Blitar"},
		{"35.05.01", "Wonodadi"},
		{"35.05.01.2001", "Jaten"},
		{"3505012001", "Jaten"},
		{"16.73", "Kota Lubuk Linggau"},
		{"16.73.01.1001", "Air Kuti"},
		{"62.71", "Kota Palangkaraya"},
		{"52.08", "Kabupaten Lombok Utara"},
		{"21.04", "Kabupaten Lingga"},
		// Quoted in the CSV because the name holds a comma.
		{"12.07.28.1007", "Lubuk Pakam I,II"},
		{"96", "Papua Barat Daya"},
	}
	for _, tt := range tests {
		got, ok := tab.Name(tt.code)
		if !ok || got != tt.name {
			t.Errorf("Name(%q) = %q, %v; want %q, true", tt.code, got, ok, tt.name)
		}
	}
	for _, code := range []string{"", "35.05.01.2999", "99", "35.99", "35-05", "abc"} {
		if name, ok := tab.Name(code); ok {
			t.Errorf("Name(%q) = %q, true; want not found", code, name)
		}
	}
}

func TestIsVillage(t *testing.T) {
	tab := Default()
	tests := []struct {
		code string
		want bool
	}{
		{"35.05.01.2001", true},
		{"3505012001", true},
		{"35.05.03.1004", true},  // kelurahan Togogan
		{"91.03.01.3007", true},  // desa adat
		{"35.05.01.2999", false}, // well-formed, no such village
		{"35.05.01", false},      // a kecamatan
		{"35.05", false},
		{"35.05.01.200", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tab.IsVillage(tt.code); got != tt.want {
			t.Errorf("IsVillage(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestVillages(t *testing.T) {
	tab := Default()
	wonodadi := tab.Villages("35.05.01")
	if len(wonodadi) != 11 || wonodadi[0] != "35.05.01.2001" || wonodadi[10] != "35.05.01.2011" {
		t.Errorf("Villages(35.05.01) = %v, want the 11 villages 35.05.01.2001-2011", wonodadi)
	}
	blitar := tab.Villages("3505")
	if len(blitar) != 248 {
		t.Errorf("len(Villages(3505)) = %d, want 248", len(blitar))
	}
	if !slices.IsSorted(blitar) {
		t.Error("Villages(3505) is not sorted")
	}
	for _, v := range blitar {
		if !strings.HasPrefix(v, "35.05.") || !tab.IsVillage(v) {
			t.Fatalf("Villages(3505) holds %q", v)
		}
	}
	// The result is a copy: changing it must not change the table.
	blitar[0] = "x"
	if tab.Villages("35.05")[0] == "x" {
		t.Error("Villages returned the table's own slice")
	}
	if got := len(tab.Villages("35")); got < 8000 {
		t.Errorf("len(Villages(35)) = %d, want Jawa Timur's 8,000+", got)
	}
	for _, p := range []string{"35.05.01.2001", "35.0", "", "35.99"} {
		if got := tab.Villages(p); got != nil {
			t.Errorf("Villages(%q) = %d codes, want nil", p, len(got))
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"35", "35"},
		{"3505", "35.05"},
		{"350501", "35.05.01"},
		{"3505012001", "35.05.01.2001"},
		{"35.05", "35.05"},
		{"35.05.01", "35.05.01"},
		{"35.05.01.2001", "35.05.01.2001"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", "3", "350", "35050", "35050120011", "35.05.01.20011", "35.5.01.2001",
		"35,05,01,2001", "35-05-01-2001", " 3505012001", "35O5012001", "35.05.01.", "35.0501.2001",
	} {
		got, err := Normalize(bad)
		if err == nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("Normalize(%q) = %q, %v; want ErrMalformed", bad, got, err)
		}
	}
}

func TestPrefixes(t *testing.T) {
	tests := []struct {
		code, prov, reg, kec string
	}{
		{"35.05.01.2001", "35", "35.05", "35.05.01"},
		{"3505012001", "35", "35.05", "35.05.01"},
		{"35.05.01", "35", "35.05", "35.05.01"},
		{"35.05", "35", "35.05", ""},
		{"35", "35", "", ""},
		{"junk", "", "", ""},
	}
	for _, tt := range tests {
		if got := Province(tt.code); got != tt.prov {
			t.Errorf("Province(%q) = %q, want %q", tt.code, got, tt.prov)
		}
		if got := Regency(tt.code); got != tt.reg {
			t.Errorf("Regency(%q) = %q, want %q", tt.code, got, tt.reg)
		}
		if got := Kecamatan(tt.code); got != tt.kec {
			t.Errorf("Kecamatan(%q) = %q, want %q", tt.code, got, tt.kec)
		}
	}
}

func TestIsCityAndKelurahan(t *testing.T) {
	cities := map[string]bool{
		"35.05": false, "16.73": true, "62.71": true, "35.79": true, "35.71.01.1001": true,
		"52.08": false, "35.69": false, "35": false, "": false,
	}
	for code, want := range cities {
		if got := IsCity(code); got != want {
			t.Errorf("IsCity(%q) = %v, want %v", code, got, want)
		}
	}
	kel := map[string]bool{
		"35.05.03.1004": true, "3505031004": true, "35.05.01.2001": false,
		"91.03.01.3007": false, "35.05.03": false, "x": false,
	}
	for code, want := range kel {
		if got := IsKelurahan(code); got != want {
			t.Errorf("IsKelurahan(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestProvinces(t *testing.T) {
	tab := Default()
	ps := Provinces()
	if len(ps) != 38 {
		t.Fatalf("len(Provinces()) = %d, want 38", len(ps))
	}
	// The list from the domain reference must agree with the official table.
	for _, p := range ps {
		if _, ok := tab.Name(p); !ok || !ValidProvince(p) {
			t.Errorf("province %s: in table %v, ValidProvince %v", p, ok, ValidProvince(p))
		}
	}
	for _, p := range []string{"10", "20", "22", "37", "50", "54", "66", "77", "83", "90", "97", "00", "1", "350"} {
		if ValidProvince(p) {
			t.Errorf("ValidProvince(%q) = true", p)
		}
	}
}

func TestParseRejectsBadData(t *testing.T) {
	for name, data := range map[string]string{
		"no header":  "11,Aceh\n",
		"no comma":   "kode,nama\n11 Aceh\n",
		"bad code":   "kode,nama\n1.1,Aceh\n",
		"empty name": "kode,nama\n11,\n",
		"duplicate":  "kode,nama\n11,Aceh\n11,Aceh\n",
	} {
		if _, err := parse(data); err == nil {
			t.Errorf("%s: parse succeeded", name)
		}
	}
	tab, err := parse("kode,nama\r\n11,Aceh\r\n11.01,\"A, \"\"B\"\"\"\r\n11.01.01.2001,X\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := tab.Name("11.01"); n != `A, "B"` {
		t.Errorf("quoted name = %q", n)
	}
	if !tab.IsVillage("11.01.01.2001") {
		t.Error("village not found")
	}
}

// BenchmarkLoad measures startup cost: decompressing and parsing the
// embedded table, which every process pays once.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(compressed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkName(b *testing.B) {
	tab := Default()
	for b.Loop() {
		if _, ok := tab.Name("35.05.01.2001"); !ok {
			b.Fatal("not found")
		}
	}
}
