package p3ke

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCheck runs the command and returns its exit code and output.
func runCheck(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = RunCheck(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeTemp writes data to a file in a test directory and returns its path.
func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sixteenDigits finds anything that looks like a full NIK or No KK.
var sixteenDigits = regexp.MustCompile(`\d{16}`)

func TestRunCheckPlain(t *testing.T) {
	code, out, errOut := runCheck(t, "testdata/comma.csv", "--regency", "35.05")
	if code != ExitRejected {
		t.Errorf("exit code = %d, want %d; stderr %s", code, ExitRejected, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "accepted 8, skipped 2, rejected 18, warnings 3" {
		t.Errorf("first line = %q", lines[0])
	}
	if len(lines) != 1+len(fixtureIssues) {
		t.Errorf("%d lines, want %d:\n%s", len(lines), 1+len(fixtureIssues), out)
	}
	for _, want := range []string{
		"row 4, column nik_kepala_keluarga: NIK must be 16 digits, got 15\n",
		"row 8, column jenis_kelamin: warning: sex is given as L",
		"row 13, column id_keluarga_p3ke: the same id_keluarga_p3ke is already in row 2\n",
		"row 15, column nik_kepala_keluarga: number was converted to scientific notation by Excel",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if m := sixteenDigits.FindString(out); m != "" {
		t.Errorf("output shows a full number %s", m)
	}
}

func TestRunCheckJSON(t *testing.T) {
	// Flags before and after the file must both work.
	for _, args := range [][]string{
		{"--json", "testdata/semicolon_bom.csv", "--regency", "35.05"},
		{"testdata/semicolon_bom.csv", "--regency=3505", "--json"},
		{"-regency", "35.05", "-json", "--", "testdata/semicolon_bom.csv"},
	} {
		code, out, errOut := runCheck(t, args...)
		if code != ExitRejected {
			t.Errorf("%v: exit code = %d; stderr %s", args, code, errOut)
		}
		var got struct {
			Accepted, Skipped, Rejected, Warnings *int
			Errors                                []map[string]any
		}
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if got.Accepted == nil || *got.Accepted != 8 || *got.Skipped != 2 || *got.Rejected != 18 || *got.Warnings != 3 {
			t.Errorf("%v: counts wrong: %s", args, out)
		}
		if len(got.Errors) != len(fixtureIssues) {
			t.Errorf("%v: %d errors, want %d", args, len(got.Errors), len(fixtureIssues))
		}
		for i, e := range got.Errors {
			// The four fields, and the reason's code (with its
			// arguments when it takes any).
			_, hasArgs := e["args"]
			code, _ := e["code"].(string)
			if len(e) != 5+btoi(hasArgs) || e["row"] != float64(fixtureIssues[i].row) || e["column"] != fixtureIssues[i].column ||
				e["severity"] != string(fixtureIssues[i].sev) || e["reason"] == "" || code == "" {
				t.Errorf("errors[%d] = %v", i, e)
			}
		}
		if m := sixteenDigits.FindString(out); m != "" {
			t.Errorf("output shows a full number %s", m)
		}
	}
}

func TestRunCheckExitCodes(t *testing.T) {
	clean := writeTemp(t, "clean.csv", header+goodRow("A", 1)+"B,3505010101200002,3505012501800002,BUDI,L,,Dusun,35.05.01.2001,4\n")
	warned := writeTemp(t, "warned.csv", header+"A,3505010101200001,3505016501800001,SITI,L,,Dusun,35.05.01.2001,1\n")
	missing := writeTemp(t, "missing.csv", "id_keluarga_p3ke,nik_kepala_keluarga\nA,1\n")
	tests := []struct {
		name       string
		args       []string
		code       int
		out, errOu string
	}{
		{"clean", []string{clean, "--regency", "35.05"}, ExitOK, "accepted 1, skipped 1, rejected 0, warnings 0\n", ""},
		{"warnings only", []string{"--regency", "35.05", warned}, ExitOK,
			"accepted 1, skipped 0, rejected 0, warnings 1\nrow 2, column jenis_kelamin: warning: ", ""},
		{"clean JSON", []string{clean, "--regency", "35.05", "--json"}, ExitOK,
			`{"accepted":1,"skipped":1,"rejected":0,"warnings":0,"errors":[]}` + "\n", ""},
		{"rejections", []string{"testdata/comma.csv", "--regency", "35.05"}, ExitRejected, "accepted 8", ""},
		{"other regency rejects all", []string{clean, "--regency", "16.73"}, ExitRejected,
			"accepted 0, skipped 1, rejected 1", ""},
		{"missing columns", []string{missing, "--regency", "35.05"}, ExitUnreadable, "",
			"the header row lacks required columns: no_kk, nama_kepala_keluarga, alamat, kode_wilayah, desil"},
		{"missing columns JSON", []string{missing, "--regency", "35.05", "--json"}, ExitUnreadable, "", "lacks required columns"},
		{"no such file", []string{"testdata/nope.csv", "--regency", "35.05"}, ExitUnreadable, "", "no such file"},
		{"no file", []string{"--regency", "35.05"}, ExitUnreadable, "", "want exactly one FILE, got 0"},
		{"two files", []string{clean, clean, "--regency", "35.05"}, ExitUnreadable, "", "got 2"},
		{"no regency", []string{clean}, ExitUnreadable, "", "--regency is required"},
		{"bad regency", []string{clean, "--regency", "35.99"}, ExitUnreadable, "", "35.99 is not in the Kemendagri 2025 region list"},
		{"village as regency", []string{clean, "--regency", "35.05.01"}, ExitUnreadable, "", "must be a regency or city code"},
		{"unknown flag", []string{clean, "--regency", "35.05", "--fast"}, ExitUnreadable, "", "flag provided but not defined: -fast"},
		{"help", []string{"-h"}, ExitOK, "", "usage: verval p3ke check FILE --regency PP.KK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCheck(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if !strings.HasPrefix(out, tt.out) {
				t.Errorf("stdout = %q, want prefix %q", out, tt.out)
			}
			if tt.out == "" && out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.errOu) {
				t.Errorf("stderr = %q, want %q", errOut, tt.errOu)
			}
		})
	}
}

func TestRunCheckXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p3ke.xlsx")
	if err := os.WriteFile(path, fixtureXLSX(t), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCheck(t, path, "--regency", "35.05")
	if code != ExitRejected || !strings.HasPrefix(out, fixtureSummary.String()+"\n") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
