package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestAuditVerifyCommand runs `verval audit verify` on an intact and on a
// tampered embedded database.
func TestAuditVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"VERVAL_DATA_DIR": dir, "LOG_LEVEL": "error"}[k] }
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "verval.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &store.Store{DB: db}
	for i := 0; i < 3; i++ {
		if err := s.AppendAuditEntry(context.Background(), store.AuditEntry{IdemKey: fmt.Sprint(i), At: time.Now(), ActorID: 1, ActorRole: "dinsos", Action: "cycle.create"}); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"audit", "verify"}, getenv, nil, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := verify(); code != 0 || !strings.Contains(out, "intact: 3 entries") {
		t.Fatalf("intact chain: exit %d, %q", code, out)
	}
	// The database refuses the edit; its owner can drop the guard first,
	// and the chain still shows it.
	if err := db.Exec("UPDATE audit_entries SET action = 'cycle.delete' WHERE id = 2").Error; err == nil || !strings.Contains(err.Error(), store.AuditAppendOnlyMessage) {
		t.Fatalf("editing an audit entry: %v, want the database's refusal", err)
	}
	storetest.DropAuditGuards(t, db)
	if err := db.Exec("UPDATE audit_entries SET action = 'cycle.delete' WHERE id = 2").Error; err != nil {
		t.Fatal(err)
	}
	if code, out := verify(); code != 1 || !strings.Contains(out, "BROKEN at entry 2") {
		t.Fatalf("tampered chain: exit %d, %q, want 1 naming entry 2", code, out)
	}
}
