package office

import (
	"context"
	"testing"
	"time"

	"github.com/verval/verval/internal/domain"
)

// TestAdmitWorkbook (issue 23, item 5): uploaded workbooks share one
// memory budget, each weighing its shared strings; one that does not fit
// waits a few seconds, then is refused 503 upload.busy with Retry-After;
// room given back admits the next; a workbook larger than the budget runs
// alone rather than never.
func TestAdmitWorkbook(t *testing.T) {
	s := New(Deps{WorkbookMemory: 10 << 20})
	admit := s.admitWorkbook(context.Background())
	release, err := admit(8 << 20)
	if err != nil {
		t.Fatal(err)
	}
	small, err := admit(100) // weighs 1 MiB, fits beside
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = admit(8 << 20)
	e, ok := domain.As(err)
	if !ok || e.Code != domain.CodeUploadBusy || e.Kind() != domain.KindUnavailable || e.RetryAfter != 30*time.Second {
		t.Fatalf("over the budget: %v", err)
	}
	if waited := time.Since(start); waited < workbookWait || waited > workbookWait+2*time.Second {
		t.Errorf("refused after %s, want after %s", waited, workbookWait)
	}
	release()
	small()
	huge, err := admit(1 << 30)
	if err != nil {
		t.Fatalf("a workbook over the whole budget, alone: %v", err)
	}
	huge()
}
