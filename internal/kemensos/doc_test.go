package kemensos

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// docTables reads the tables of docs/kemensos.md, keyed by their header
// row's first cells joined ("column|content|example"), as rows of cells
// with backticks removed.
func docTables(t *testing.T) map[string][][]string {
	t.Helper()
	data, err := os.ReadFile("../../docs/kemensos.md")
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][][]string{}
	var key string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "|") {
			key = ""
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		switch {
		case key == "":
			key = strings.Join(cells, "|")
			tables[key] = [][]string{}
		case strings.HasPrefix(cells[0], "---"):
		default:
			tables[key] = append(tables[key], cells)
		}
	}
	return tables
}

// column returns the i-th cell of every row of the table keyed key.
func column(t *testing.T, tables map[string][][]string, key string, i int) []string {
	t.Helper()
	rows, ok := tables[key]
	if !ok {
		t.Fatalf("docs/kemensos.md has no table headed %q", key)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r[i])
	}
	return out
}

// TestDocMatchesCode holds docs/kemensos.md to the code: the upload's
// columns are the header row WriteProposalXLSX writes, the answer's those
// ParseAnswers reads (and the simulator writes), the required ones are
// required, and the reason codes and which of them are fixable are the
// package's.
func TestDocMatchesCode(t *testing.T) {
	tables := docTables(t)

	var buf bytes.Buffer
	if err := WriteProposalXLSX(&buf, proposalRows(1)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	documented := column(t, tables, "column|content|example", 0)
	if !slices.Equal(documented, rows[0]) {
		t.Errorf("documented upload columns %v, the file's header row %v", documented, rows[0])
	}

	members, err := f.GetRows(MemberSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, tables, "member column|content|example", 0); !slices.Equal(got, members[0]) || !slices.Equal(got, MemberColumns()) {
		t.Errorf("documented member columns %v, the file's member header %v", got, members[0])
	}

	removal := tables["reason|verval outcome|meaning"]
	if got := column(t, tables, "reason|verval outcome|meaning", 0); !slices.Equal(got, RemovalReasons()) {
		t.Errorf("documented removal reasons %v, code %v", got, RemovalReasons())
	}
	for _, r := range removal {
		if reason, ok := ReasonForOutcome(r[1]); !ok || reason != r[0] {
			t.Errorf("documented: outcome %s proposes removal %s; code: %q, %v", r[1], r[0], reason, ok)
		}
	}

	answer := tables["column|required|content"]
	header, err := csv.NewReader(bytes.NewReader(Simulator{}.Answer(nil, time.Time{}))).Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, tables, "column|required|content", 0); !slices.Equal(got, AnswerColumns()) || !slices.Equal(got, header) {
		t.Errorf("documented answer columns %v, code %v, simulator's header %v", got, AnswerColumns(), header)
	}
	for _, r := range answer {
		// A header without this column: refused exactly when the doc says
		// the column is required.
		var others []string
		for _, c := range AnswerColumns() {
			if c != r[0] {
				others = append(others, c)
			}
		}
		_, _, err := ParseAnswers(strings.NewReader(strings.Join(others, ",")+"\n"), func(string, string) (int64, bool) { return 0, false })
		var fe *FormatError
		refused := errors.As(err, &fe) && slices.Contains(fe.Missing, r[0])
		if want := strings.HasPrefix(r[1], "yes"); refused != want {
			t.Errorf("column %s documented required=%q; a header without it: %v", r[0], r[1], err)
		}
	}

	if got := column(t, tables, "code|meaning|fixable", 0); !slices.Equal(got, RejectReasons()) {
		t.Errorf("documented rejection codes %v, code %v", got, RejectReasons())
	}
	for _, r := range tables["code|meaning|fixable"] {
		if IsFixable(r[0]) != (r[2] == "yes") {
			t.Errorf("%s documented fixable=%s, IsFixable says %v", r[0], r[2], IsFixable(r[0]))
		}
	}
}
