package pii_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/verval/verval/internal/pii"
)

// Fixed test keys: 32 bytes each, distinct, obviously not secret.
var (
	keyA    = b64(bytes.Repeat([]byte{0xA1}, 32))
	keyB    = b64(bytes.Repeat([]byte{0xB2}, 32))
	hashKey = b64(bytes.Repeat([]byte{0xC3}, 32))
)

const testNIK = "3201012345670001"

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func mustKeyring(t *testing.T, keys, hk string) *pii.Keyring {
	t.Helper()
	k, err := pii.ParseKeyring(keys, hk)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	for _, pt := range []string{testNIK, "", "Siti Aminah binti Abdullah", "Jl. Merdeka No. 1, RT 02/RW 05 — Desa Sukamaju", strings.Repeat("x", 1<<16)} {
		sealed, err := k.Seal(pt, "households.nik")
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if pt != "" && bytes.Contains(sealed, []byte(pt)) {
			t.Fatalf("ciphertext contains the plaintext")
		}
		got, err := k.Open(sealed, "households.nik")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if got != pt {
			t.Fatalf("Open = %q, want %q", got, pt)
		}
		if id, err := sealed.KeyID(); err != nil || id != "a" {
			t.Fatalf("KeyID = %q, %v; want a", id, err)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	s1, _ := k.Seal(testNIK, "")
	s2, _ := k.Seal(testNIK, "")
	if bytes.Equal(s1, s2) {
		t.Fatal("two seals of the same value are equal; nonce is not random")
	}
}

func TestRotation(t *testing.T) {
	onlyA := mustKeyring(t, "a:"+keyA, hashKey)
	sealedA, err := onlyA.Seal(testNIK, "nik")
	if err != nil {
		t.Fatal(err)
	}

	// Rotate: B becomes active, A kept for decryption.
	rotated := mustKeyring(t, "b:"+keyB+",a:"+keyA, hashKey)
	if got, err := rotated.Open(sealedA, "nik"); err != nil || got != testNIK {
		t.Fatalf("old ciphertext after rotation: %q, %v", got, err)
	}
	sealedB, _ := rotated.Seal(testNIK, "nik")
	if id, _ := sealedB.KeyID(); id != "b" {
		t.Fatalf("new ciphertext key id = %q, want b", id)
	}
	if got := rotated.ActiveKeyID(); got != "b" {
		t.Fatalf("ActiveKeyID = %q, want b", got)
	}
	if got := rotated.KeyIDs(); fmt.Sprint(got) != "[b a]" {
		t.Fatalf("KeyIDs = %v", got)
	}

	// A retired: the old ciphertext fails with a clear, matchable error.
	retired := mustKeyring(t, "b:"+keyB, hashKey)
	_, err = retired.Open(sealedA, "nik")
	if !errors.Is(err, pii.ErrUnknownKey) {
		t.Fatalf("Open with retired key: err = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("error does not name the missing key id: %v", err)
	}
	if got, err := retired.Open(sealedB, "nik"); err != nil || got != testNIK {
		t.Fatalf("new ciphertext: %q, %v", got, err)
	}

	// Same id, different key (operator error): authentication fails.
	swapped := mustKeyring(t, "a:"+keyB, hashKey)
	if _, err := swapped.Open(sealedA, "nik"); !errors.Is(err, pii.ErrDecrypt) {
		t.Fatalf("Open with replaced key: err = %v, want ErrDecrypt", err)
	}
}

func TestTamperDetection(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA+",z:"+keyB, hashKey)
	sealed, _ := k.Seal(testNIK, "nik")
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := k.Open(bad, "nik"); err == nil {
			t.Fatalf("flipping bit 0 of byte %d went undetected", i)
		}
	}
	for n := range len(sealed) {
		if _, err := k.Open(sealed[:n], "nik"); err == nil {
			t.Fatalf("truncation to %d bytes went undetected", n)
		}
	}
	if _, err := k.Open(append(bytes.Clone(sealed), 0), "nik"); err == nil {
		t.Fatal("appended byte went undetected")
	}
}

func TestAssociatedDataBinding(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	sealed, _ := k.Seal(testNIK, "households.nik")
	for _, ad := range []string{"households.no_kk", "", "households.nik ", "households.ni"} {
		if _, err := k.Open(sealed, ad); !errors.Is(err, pii.ErrDecrypt) {
			t.Errorf("Open with ad %q: err = %v, want ErrDecrypt", ad, err)
		}
	}
	raw, _ := k.SealBytes([]byte{0, 1, 2}, []byte{9})
	if got, err := k.OpenBytes(raw, []byte{9}); err != nil || !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Fatalf("OpenBytes = %v, %v", got, err)
	}
}

func TestErrorsDoNotLeakPlaintext(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	sealed, _ := k.Seal(testNIK, "nik")
	_, err := k.Open(sealed, "kk")
	if err == nil || strings.Contains(err.Error(), testNIK) {
		t.Fatalf("err = %v", err)
	}
}

func TestHash(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	h := k.Hash(testNIK)
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("Hash = %q, want 64 lowercase hex digits", h)
	}
	if strings.Contains(h, testNIK) {
		t.Fatal("hash contains the value")
	}
	// Stable across calls and across keyrings sharing the hash key (hash
	// is independent of the encryption keys, so rotation keeps lookups).
	if k.Hash(testNIK) != h {
		t.Fatal("hash is not stable")
	}
	if mustKeyring(t, "b:"+keyB, hashKey).Hash(testNIK) != h {
		t.Fatal("hash changed with encryption key rotation")
	}
	// Normalised by trimming.
	if k.Hash("  "+testNIK+"\t\n") != h {
		t.Fatal("surrounding whitespace changes the hash")
	}
	if k.Hash("3201012345670002") == h {
		t.Fatal("different values hash alike")
	}
	// Keyed: another hash key gives another hash.
	other := mustKeyring(t, "a:"+keyA, b64(bytes.Repeat([]byte{0xD4}, 32)))
	if other.Hash(testNIK) == h {
		t.Fatal("hash does not depend on the hash key")
	}
	if k.Hash("") != "" || k.Hash("   ") != "" {
		t.Fatal("empty value must hash to empty string")
	}
}

func TestParseKeyringErrors(t *testing.T) {
	short := b64(bytes.Repeat([]byte{1}, 16))
	tests := []struct {
		name    string
		keys    string
		hashKey string
		want    string // substring of the error
	}{
		{"empty list", "", hashKey, "key list is empty"},
		{"blank list", "  \n", hashKey, "key list is empty"},
		{"empty entry", "a:" + keyA + ",", hashKey, "key entry 2 is empty"},
		{"empty middle entry", "a:" + keyA + ",,b:" + keyB, hashKey, "key entry 2 is empty"},
		{"no colon", keyA, hashKey, "key entry 1 has no ':'"},
		{"empty id", ":" + keyA, hashKey, "key entry 1: key id is empty"},
		{"bad id chars", "a b:" + keyA, hashKey, "key entry 1: key id may only contain"},
		{"id too long", strings.Repeat("k", 65) + ":" + keyA, hashKey, "at most 64"},
		{"empty key", "a:", hashKey, `key entry 1 (id "a"): key is empty`},
		{"bad base64", "a:" + keyA + ",b:not*base64!", hashKey, `key entry 2 (id "b"): key is not valid base64`},
		{"wrong length", "a:" + short, hashKey, "key is 16 bytes, want 32"},
		{"duplicate id", "a:" + keyA + ",a:" + keyB, hashKey, `key entry 2: duplicate key id "a"`},
		{"reused key", "a:" + keyA + ",b:" + keyA, hashKey, "same key as entry 1"},
		{"empty hash key", "a:" + keyA, "", "hash key is empty"},
		{"bad hash key", "a:" + keyA, "%%%", "hash key is not valid base64"},
		{"short hash key", "a:" + keyA, short, "hash key is 16 bytes, want at least 32"},
		{"hash key equals encryption key", "a:" + keyA + ",b:" + keyB, keyB, "hash key equals encryption key entry 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pii.ParseKeyring(tt.keys, tt.hashKey)
			if err == nil {
				t.Fatalf("ParseKeyring succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
			// Never echo key material.
			for _, secret := range []string{keyA, keyB, hashKey, short, strings.TrimRight(keyA, "=")} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error echoes key material: %q", err)
				}
			}
		})
	}
}

func TestParseKeyringAccepts(t *testing.T) {
	raw := bytes.Repeat([]byte{0xFB}, 32) // encodes differently in std and URL alphabets
	for name, keys := range map[string]string{
		"std padded":      "k1:" + base64.StdEncoding.EncodeToString(raw),
		"std raw":         "k1:" + base64.RawStdEncoding.EncodeToString(raw),
		"url padded":      "k1:" + base64.URLEncoding.EncodeToString(raw),
		"url raw":         "k1:" + base64.RawURLEncoding.EncodeToString(raw),
		"spaces, newline": "  k1 : " + base64.StdEncoding.EncodeToString(raw) + " , k0:" + keyA + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			k := mustKeyring(t, keys, hashKey)
			if k.ActiveKeyID() != "k1" {
				t.Fatalf("active = %q", k.ActiveKeyID())
			}
		})
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA+",b:"+keyB, hashKey)
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("loaded", "keyring", k)
	outputs := []string{logBuf.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d", "%q"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, *k))
	}
	for _, out := range outputs {
		if !strings.Contains(out, "a") {
			t.Errorf("output lacks key ids: %q", out)
		}
		for _, raw := range [][]byte{bytes.Repeat([]byte{0xA1}, 32), bytes.Repeat([]byte{0xC3}, 32)} {
			for _, enc := range []string{b64(raw), fmt.Sprintf("%x", raw), fmt.Sprint(raw), string(raw)} {
				if strings.Contains(out, enc) {
					t.Fatalf("key material printed: %q", out)
				}
			}
		}
	}
}

func TestDevKeyring(t *testing.T) {
	k := pii.DevKeyring()
	if !k.Insecure() || k.ActiveKeyID() != pii.DevKeyID {
		t.Fatalf("DevKeyring: insecure=%v active=%q", k.Insecure(), k.ActiveKeyID())
	}
	if !strings.Contains(k.String(), "INSECURE") {
		t.Fatalf("String does not flag dev keys: %s", k)
	}
	// Deterministic: a value sealed by one DevKeyring opens in another.
	s, _ := k.Seal(testNIK, "nik")
	if got, err := pii.DevKeyring().Open(s, "nik"); err != nil || got != testNIK {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if k.Hash(testNIK) != pii.DevKeyring().Hash(testNIK) {
		t.Fatal("dev hash not deterministic")
	}
	// Dev keys pasted into a real configuration are still flagged.
	devKeys, devHash := pii.DevKeyringEnv()
	if !mustKeyring(t, "prod:"+keyA+","+devKeys, hashKey).Insecure() {
		t.Fatal("dev encryption key not flagged")
	}
	if !mustKeyring(t, "prod:"+keyA, devHash).Insecure() {
		t.Fatal("dev hash key not flagged")
	}
	if mustKeyring(t, "prod:"+keyA, hashKey).Insecure() {
		t.Fatal("real keys flagged insecure")
	}
}

func TestSealedSQL(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	s, _ := k.Seal(testNIK, "nik")
	v, err := s.Value()
	if err != nil {
		t.Fatal(err)
	}
	var back pii.Sealed
	if err := back.Scan(v); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(back, "nik"); err != nil || got != testNIK {
		t.Fatalf("Open after Value/Scan = %q, %v", got, err)
	}
	// Scan copies: the driver may reuse its buffer.
	buf := bytes.Clone(s)
	_ = back.Scan(buf)
	buf[len(buf)-1] ^= 0xFF
	if _, err := k.Open(back, "nik"); err != nil {
		t.Fatal("Scan aliased the driver buffer")
	}
	if v, _ := pii.Sealed(nil).Value(); v != nil {
		t.Fatalf("empty Sealed Value = %v, want nil (NULL)", v)
	}
	if err := back.Scan(nil); err != nil || back != nil {
		t.Fatalf("Scan(nil): %v, %v", back, err)
	}
	if err := back.Scan(42); err == nil {
		t.Fatal("Scan(int) succeeded")
	}
	if pii.Sealed(nil).GormDataType() != "bytes" {
		t.Fatal("GormDataType")
	}
}

func TestConcurrentUse(t *testing.T) {
	k := mustKeyring(t, "a:"+keyA, hashKey)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				v := fmt.Sprintf("%016d", i*1000+j)
				s, err := k.Seal(v, "nik")
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := k.Open(s, "nik"); err != nil || got != v {
					t.Errorf("Open = %q, %v", got, err)
					return
				}
				_ = k.Hash(v)
			}
		})
	}
	wg.Wait()
}

func FuzzOpen(f *testing.F) {
	k, err := pii.ParseKeyring("a:"+keyA+",b:"+keyB, hashKey)
	if err != nil {
		f.Fatal(err)
	}
	valid, _ := k.Seal(testNIK, "nik")
	f.Add([]byte(valid), "nik")
	f.Add([]byte(valid[:len(valid)-1]), "nik")
	f.Add([]byte{}, "")
	f.Add([]byte{1}, "")
	f.Add([]byte{1, 0}, "")
	f.Add([]byte{1, 255, 'a'}, "")
	f.Add([]byte{2, 1, 'a'}, "")
	f.Add(append([]byte{1, 1, 'c'}, make([]byte, 28)...), "")
	f.Add(append([]byte{1, 1, 'a'}, make([]byte, 28)...), "")
	random := make([]byte, 64)
	_, _ = rand.Read(random)
	f.Add(random, "nik")

	f.Fuzz(func(t *testing.T, data []byte, ad string) {
		pt, err := k.Open(data, ad)
		if err == nil {
			// Only genuine ciphertexts (the seeds, sealed afresh in each
			// fuzz process) may open; a forgery would mean GCM is broken.
			if ad != "nik" || pt != testNIK {
				t.Fatalf("forged ciphertext opened: %x", data)
			}
			return
		}
		if !errors.Is(err, pii.ErrMalformed) && !errors.Is(err, pii.ErrUnknownKey) && !errors.Is(err, pii.ErrDecrypt) {
			t.Fatalf("unclassified error: %v", err)
		}
		_, _ = pii.Sealed(data).KeyID()
	})
}
