package config

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/pii"
)

// TestWorkerTuning: the worker's cache, poller and fan-out settings are
// read as numbers and refused, naming the variable, when out of range; a
// cache makes workers sticky.
func TestWorkerTuning(t *testing.T) {
	for _, tc := range []struct {
		env         map[string]string
		wantErr     string
		cache, poll int
		fanOut      *int
	}{
		{env: map[string]string{}, cache: DefaultWorkflowCache, poll: DefaultWorkflowPollers, fanOut: ptr(DefaultFanOutUpdates)},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "32", "VERVAL_WORKFLOW_CACHE": "2000"}, cache: 2000, poll: 32},
		{env: map[string]string{"VERVAL_FANOUT_UPDATES": "0"}, cache: DefaultWorkflowCache, poll: DefaultWorkflowPollers, fanOut: ptr(0)},
		{env: map[string]string{"VERVAL_FANOUT_UPDATES": "12"}, cache: DefaultWorkflowCache, poll: DefaultWorkflowPollers, fanOut: ptr(12)},
		{env: map[string]string{"VERVAL_FANOUT_UPDATES": "-1"}, wantErr: "VERVAL_FANOUT_UPDATES"},
		{env: map[string]string{"VERVAL_FANOUT_UPDATES": "all"}, wantErr: "VERVAL_FANOUT_UPDATES"},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "1"}, wantErr: "VERVAL_WORKFLOW_POLLERS"},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "many"}, wantErr: "VERVAL_WORKFLOW_POLLERS"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "10"}, wantErr: "VERVAL_WORKFLOW_CACHE"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "-1"}, wantErr: "VERVAL_WORKFLOW_CACHE"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "0"}, cache: 0, poll: DefaultWorkflowPollers},
	} {
		c, err := Load(func(k string) string { return tc.env[k] }, true)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.env, err)
			continue
		}
		if c.WorkflowCache != tc.cache || c.WorkflowPollers != tc.poll {
			t.Errorf("%v: cache %d pollers %d, want %d and %d", tc.env, c.WorkflowCache, c.WorkflowPollers, tc.cache, tc.poll)
		}
		if tc.fanOut != nil && c.FanOutUpdates != *tc.fanOut {
			t.Errorf("%v: fan-out Updates %d, want %d", tc.env, c.FanOutUpdates, *tc.fanOut)
		}
		if c.StickyWorkers() != (tc.cache > 0) {
			t.Errorf("%v: StickyWorkers() = %v with a cache of %d", tc.env, c.StickyWorkers(), tc.cache)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestDevKeysRefused: outside `verval dev` the public development keys,
// set explicitly, are refused with an error naming VERVAL_PII_KEYS, unless
// a throw-away test stack allows them; `verval dev` uses them by default.
func TestDevKeysRefused(t *testing.T) {
	devKeys, devHash := pii.DevKeyringEnv()
	ownKey := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	ownHash := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	for _, tc := range []struct {
		name    string
		env     map[string]string
		dev     bool
		wantErr string
	}{
		{name: "dev stack, no keys", dev: true},
		{name: "production, own keys", env: map[string]string{"VERVAL_PII_KEYS": ownKey, "VERVAL_PII_HASH_KEY": ownHash}},
		{name: "production, no keys", env: map[string]string{}, wantErr: "VERVAL_PII_KEYS and VERVAL_PII_HASH_KEY are required"},
		{name: "production, dev keys", env: map[string]string{"VERVAL_PII_KEYS": devKeys, "VERVAL_PII_HASH_KEY": devHash}, wantErr: "VERVAL_PII_KEYS or VERVAL_PII_HASH_KEY holds a public development key"},
		{name: "production, dev key decrypting only", env: map[string]string{"VERVAL_PII_KEYS": ownKey + "," + devKeys, "VERVAL_PII_HASH_KEY": ownHash}, wantErr: "public development key"},
		{name: "production, dev hash key", env: map[string]string{"VERVAL_PII_KEYS": ownKey, "VERVAL_PII_HASH_KEY": devHash}, wantErr: "public development key"},
		{name: "test stack allowing dev keys", env: map[string]string{"VERVAL_PII_KEYS": devKeys, "VERVAL_PII_HASH_KEY": devHash, "VERVAL_ALLOW_DEV_KEYS": "true"}},
		{name: "bad allow flag", env: map[string]string{"VERVAL_PII_KEYS": devKeys, "VERVAL_PII_HASH_KEY": devHash, "VERVAL_ALLOW_DEV_KEYS": "yes please"}, wantErr: "VERVAL_ALLOW_DEV_KEYS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": "postgres://db/verval"}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Load(func(k string) string { return env[k] }, tc.dev)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestKemensosAndEnrolment: the Kemensos reminder, the simulator's seed,
// the enrolment gateway and the programme rules file are read with their
// defaults and refused, naming the variable, when malformed.
func TestKemensosAndEnrolment(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`[{"programme":"PKH","maxDesil":3,"needsRegistry":true}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	badRules := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badRules, []byte(`[{"programme":"PKH","maxDesil":12}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(env map[string]string) (Config, error) {
		return Load(func(k string) string { return env[k] }, true)
	}
	c, err := load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.KemensosReminderAfter != 60*24*time.Hour || c.KemensosSeed != 1 || c.EnrolGateway != "export" || !reflect.DeepEqual(c.EnrolRules, enrol.DefaultRules()) {
		t.Errorf("defaults: reminder %v seed %d gateway %s rules %+v", c.KemensosReminderAfter, c.KemensosSeed, c.EnrolGateway, c.EnrolRules)
	}
	c, err = load(map[string]string{"VERVAL_KEMENSOS_REMINDER_AFTER": "45d", "VERVAL_KEMENSOS_SEED": "-7",
		"VERVAL_ENROL_GATEWAY": "simulated", "VERVAL_ENROL_RULES": rules})
	if err != nil {
		t.Fatal(err)
	}
	if c.KemensosReminderAfter != 45*24*time.Hour || c.KemensosSeed != -7 || c.EnrolGateway != "simulated" ||
		!reflect.DeepEqual(c.EnrolRules, []enrol.Rule{{Programme: "PKH", MaxDesil: 3, NeedsRegistry: true}}) {
		t.Errorf("set: reminder %v seed %d gateway %s rules %+v", c.KemensosReminderAfter, c.KemensosSeed, c.EnrolGateway, c.EnrolRules)
	}
	if c, err := load(map[string]string{"VERVAL_KEMENSOS_REMINDER_AFTER": "90s"}); err != nil || c.KemensosReminderAfter != 90*time.Second {
		t.Errorf("a Go duration: %v, %v", c.KemensosReminderAfter, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VERVAL_KEMENSOS_REMINDER_AFTER": "0d"}, "VERVAL_KEMENSOS_REMINDER_AFTER"},
		{map[string]string{"VERVAL_KEMENSOS_REMINDER_AFTER": "two months"}, "VERVAL_KEMENSOS_REMINDER_AFTER"},
		{map[string]string{"VERVAL_KEMENSOS_REMINDER_AFTER": "-5h"}, "VERVAL_KEMENSOS_REMINDER_AFTER"},
		{map[string]string{"VERVAL_KEMENSOS_SEED": "1.5"}, "VERVAL_KEMENSOS_SEED"},
		{map[string]string{"VERVAL_ENROL_GATEWAY": "api"}, "VERVAL_ENROL_GATEWAY"},
		{map[string]string{"VERVAL_ENROL_RULES": badRules}, "VERVAL_ENROL_RULES: " + badRules + ": rule 1 (PKH): maxDesil 12"},
		{map[string]string{"VERVAL_ENROL_RULES": filepath.Join(t.TempDir(), "none.json")}, "VERVAL_ENROL_RULES"},
	} {
		if _, err := load(tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.env, err, tc.want)
		}
	}
}

// The session cookie is Secure when the address browsers use is https.
func TestSecureCookies(t *testing.T) {
	for u, want := range map[string]bool{
		"https://verval.blitarkab.go.id": true, "HTTPS://verval.example": true,
		"http://localhost:8080": false, "": false, "://bad": false,
	} {
		if got := (Config{PublicURL: u}).SecureCookies(); got != want {
			t.Errorf("PUBLIC_URL %q: SecureCookies %v, want %v", u, got, want)
		}
	}
}

// TestTrustedProxies: VERVAL_TRUSTED_PROXIES is a comma-separated list of
// addresses and CIDR ranges, none by default; anything else is refused,
// naming the variable.
func TestTrustedProxies(t *testing.T) {
	load := func(v string) (Config, error) {
		return Load(func(k string) string { return map[string]string{"VERVAL_TRUSTED_PROXIES": v}[k] }, true)
	}
	c, err := load("")
	if err != nil || c.TrustedProxies != nil {
		t.Fatalf("unset: %v %v", c.TrustedProxies, err)
	}
	c, err = load(" 10.0.0.5, 172.18.0.0/16 ,2001:db8::/32,")
	if err != nil || strings.Join(c.TrustedProxies, " ") != "10.0.0.5 172.18.0.0/16 2001:db8::/32" {
		t.Fatalf("list: %q %v", c.TrustedProxies, err)
	}
	if _, err := load("10.0.0.5,proxy.local"); err == nil || !strings.Contains(err.Error(), "VERVAL_TRUSTED_PROXIES") || !strings.Contains(err.Error(), "proxy.local") {
		t.Fatalf("a name: %v", err)
	}
}
