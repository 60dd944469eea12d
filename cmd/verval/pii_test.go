package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
)

// TestPIIResealCommand: with a new key put first in VERVAL_PII_KEYS,
// `verval pii reseal` moves the sealed values to it and says how many;
// a second run finds nothing to do.
func TestPIIResealCommand(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "verval.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &store.Store{DB: db, Keys: pii.DevKeyring()}
	cy := store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30}
	if err := s.CreateCycle(context.Background(), &cy); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIntake(context.Background(), &store.Intake{CycleID: cy.ID}, strings.NewReader("file"), 4); err != nil {
		t.Fatal(err)
	}
	devKeys, hashKey := pii.DevKeyringEnv()
	env := map[string]string{
		"VERVAL_DATA_DIR": dir, "LOG_LEVEL": "error", "VERVAL_PII_HASH_KEY": hashKey,
		"VERVAL_PII_KEYS": "k2:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "," + devKeys,
	}
	reseal := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"pii"}, args...), func(k string) string { return env[k] }, nil, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := reseal("reseal"); code != 0 || !strings.Contains(out, "re-sealed with key k2: 1 from key "+pii.DevKeyID+"; already under it: 0") {
		t.Fatalf("first run: exit %d, %q", code, out)
	}
	if code, out := reseal("reseal"); code != 0 || !strings.Contains(out, "re-sealed with key k2: none; already under it: 1") {
		t.Fatalf("second run: exit %d, %q", code, out)
	}
	if code, _ := reseal(); code != 2 {
		t.Fatalf("verval pii: exit %d, want 2 (usage)", code)
	}
	if code, _ := reseal("reseal", "--batch", "0"); code != 2 {
		t.Fatalf("--batch 0: exit %d, want 2", code)
	}
}
