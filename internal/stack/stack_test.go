package stack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/verval/verval/internal/pii"
)

// TestSecrets: the compose file's four secrets are generated once into
// Dir/secrets.env (mode 600), kept on the next start, and a value from the
// environment wins; the keys are valid for verval.
func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	none := func(string) string { return "" }
	first, err := withSecrets(dir, none)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"POSTGRES_PASSWORD", "VERVAL_PII_KEYS", "VERVAL_PII_HASH_KEY", "VERVAL_CODEC_AUTH_TOKEN"} {
		if first(k) == "" {
			t.Errorf("%s not generated", k)
		}
	}
	if k, err := pii.ParseKeyring(first("VERVAL_PII_KEYS"), first("VERVAL_PII_HASH_KEY")); err != nil || k.Insecure() {
		t.Errorf("generated PII keys: %v (insecure: %v)", err, err == nil && k.Insecure())
	}
	fi, err := os.Stat(filepath.Join(dir, "secrets.env"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.env: %v, mode %v; want 600", err, fi.Mode().Perm())
	}
	again, err := withSecrets(dir, none)
	if err != nil {
		t.Fatal(err)
	}
	if again("VERVAL_PII_KEYS") != first("VERVAL_PII_KEYS") || again("POSTGRES_PASSWORD") != first("POSTGRES_PASSWORD") {
		t.Error("a second start generated new secrets instead of keeping them")
	}
	given, err := withSecrets(dir, func(k string) string {
		if k == "POSTGRES_PASSWORD" {
			return "from-the-environment"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if given("POSTGRES_PASSWORD") != "from-the-environment" || given("VERVAL_PII_HASH_KEY") != first("VERVAL_PII_HASH_KEY") {
		t.Error("a secret set in the environment does not win, or the others were lost")
	}
}

// TestLowFreePort: the Temporal server keeps membership ports in a
// smallint column, so they must stay below 32768.
func TestLowFreePort(t *testing.T) {
	for range 50 {
		p, err := lowFreePort()
		if err != nil {
			t.Fatal(err)
		}
		if p < 20000 || p > 32767 {
			t.Fatalf("port %d outside 20000..32767", p)
		}
	}
}
