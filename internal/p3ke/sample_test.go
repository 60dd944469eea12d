package p3ke

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// `verval p3ke sample` writes a file intake accepts whole, its families
// in the villages asked for, as CSV on stdout or XLSX to a file.
func TestRunSample(t *testing.T) {
	villages := []string{"35.05.01.2001", "35.05.01.2002"}
	var out, errOut bytes.Buffer
	if code := RunSample([]string{"--villages", strings.Join(villages, ","), "--households", "30"}, &out, &errOut); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	check := func(data []byte) {
		t.Helper()
		p, err := Open(bytes.NewReader(data), Options{Regency: "35.05"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		n := 0
		for res, err := range p.All() {
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != Accepted || len(res.Issues) > 0 {
				t.Errorf("row %d: %v %v", res.Record.Row, res.Status, res.Issues)
			}
			if !slices.Contains(villages, res.Record.VillageCode) {
				t.Errorf("row %d in village %s, want one of %v", res.Record.Row, res.Record.VillageCode, villages)
			}
			n++
		}
		if n != 30 {
			t.Errorf("%d rows, want 30", n)
		}
	}
	check(out.Bytes())

	path := filepath.Join(t.TempDir(), "contoh.xlsx")
	errOut.Reset()
	if code := RunSample([]string{"--villages", "3505012001", "--households", "30", "--out", path}, &out, &errOut); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	villages = villages[:1]
	check(data)

	for _, args := range [][]string{
		{},
		{"--villages", "35.05.01"},
		{"--villages", "35.05.01.2001", "--regency", "35.05"},
		{"--villages", "35.05.01.2001,35.06.01.2001"},
		{"--regency", "35.05", "--households", "0"},
	} {
		if code := RunSample(args, &out, &errOut); code != ExitUnreadable {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUnreadable)
		}
	}
}

// Every output of `verval p3ke check`, a report, JSON or a refusal, ends
// with a newline, so the shell's prompt starts on its own line.
func TestRunCheckEndsWithNewline(t *testing.T) {
	good := writeTemp(t, "good.csv", "")
	var buf bytes.Buffer
	if _, err := GenerateCSV(&buf, GenOptions{Regency: "35.05", Households: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{good, "--regency", "35.05"},
		{good, "--regency", "35.05", "--json"},
		{"testdata/comma.csv", "--regency", "35.05"},
		{writeTemp(t, "bad.csv", "no_kk,nik\n1,2"), "--regency", "35.05"},
		{good},
		{},
		{good, "--regency", "99.99"},
	} {
		_, out, errOut := runCheck(t, args...)
		for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
			if s != "" && !strings.HasSuffix(s, "\n") {
				t.Errorf("%v: %s does not end with a newline: %q", args, name, s)
			}
		}
	}
}
