package store

import (
	"errors"
	"strings"
	"testing"
)

// TestPostgresDSN: a connect_timeout is added only when DATABASE_URL sets
// none, and the name used in messages leaves the password out.
func TestPostgresDSN(t *testing.T) {
	for _, tc := range []struct {
		url, wantTimeout, wantName string
	}{
		{"postgres://u:secret@db:5432/verval?sslmode=disable", "connect_timeout=" + postgresConnectTimeout, "u@db:5432/verval"},
		{"postgres://u:secret@db/verval?connect_timeout=3", "connect_timeout=3", "u@db/verval"},
	} {
		dsn, name, password, err := postgresDSN(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		if !strings.Contains(dsn, tc.wantTimeout) || strings.Count(dsn, "connect_timeout") != 1 {
			t.Errorf("%s: dsn %s, want one %s", tc.url, dsn, tc.wantTimeout)
		}
		if name != tc.wantName || password != "secret" {
			t.Errorf("%s: name %q password %q, want %q and secret", tc.url, name, password, tc.wantName)
		}
	}
	dsn, name, password, err := postgresDSN("host=db user=u password=secret dbname=verval sslmode=disable")
	if err != nil || !strings.HasSuffix(dsn, " connect_timeout="+postgresConnectTimeout) || name != "u@db/verval" || password != "secret" {
		t.Errorf("keyword DSN: %q %q %q %v", dsn, name, password, err)
	}
	if dsn, _, _, _ := postgresDSN("host=db connect_timeout=3"); strings.Count(dsn, "connect_timeout") != 1 {
		t.Errorf("keyword DSN with a timeout got another: %s", dsn)
	}
	if got := redact(errors.New("cannot use u:secret@db"), "secret").Error(); strings.Contains(got, "secret") {
		t.Errorf("redact left the password: %s", got)
	}
}
