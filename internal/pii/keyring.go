// Package pii protects personal data (NIK, No KK, names, addresses) at rest.
//
// Under UU 27/2022 these values must never be stored, logged or sent to
// Temporal in clear text. The package offers three operations on a Keyring:
//
//   - Seal / Open: AES-256-GCM authenticated encryption with a random
//     96-bit nonce. Every ciphertext names the key that sealed it, so keys
//     can be rotated without re-encrypting everything at once.
//   - Hash: a keyed HMAC-SHA256 of a normalised value, for exact lookup
//     (unique index on the hash of No KK per cycle, find by NIK) without
//     storing or indexing the clear value.
//
// Keys come from two environment values (names are set by internal/config;
// VERVAL_PII_KEYS and VERVAL_PII_HASH_KEY are suggested):
//
//	keys    = keyid:base64key[,keyid:base64key...]   first entry is active
//	hashKey = base64key                              at least 32 bytes
//
// Each encryption key is 32 random bytes in standard or URL-safe base64,
// with or without padding (openssl rand -base64 32). A key id is 1 to 64
// characters from [A-Za-z0-9._-]. See docs/security.md for rotation.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

const (
	// KeySize is the length in bytes of an AES-256 encryption key.
	KeySize = 32
	// MinHashKeySize is the minimum length in bytes of the HMAC key; HMAC-SHA256
	// gains nothing from longer keys than its block size, and loses strength
	// below its output size.
	MinHashKeySize = 32
	// MaxKeyIDLen bounds a key id, which is written into every ciphertext.
	MaxKeyIDLen = 64
)

// Keyring holds the AES-256-GCM keys by key id and the HMAC key for Hash.
//
// A Keyring is immutable and safe for concurrent use. It never prints its
// key material: every fmt verb and slog show only the key ids.
type Keyring struct {
	active   string
	ids      []string // in configuration order, active first
	aeads    map[string]cipher.AEAD
	hashKey  []byte
	insecure bool
}

// ParseKeyring builds a Keyring from the env-style key list
// "keyid:base64key[,keyid:base64key...]" (first entry active, the others
// decrypt-only) and a base64 HMAC key of at least 32 bytes.
//
// Errors name the faulty entry by position (and by id once the id is
// valid) and say what is wrong; they never contain key material.
func ParseKeyring(keys, hashKey string) (*Keyring, error) {
	keys = strings.TrimSpace(keys)
	if keys == "" {
		return nil, errors.New("pii: encryption key list is empty; want keyid:base64key[,keyid:base64key...]")
	}
	k := &Keyring{aeads: make(map[string]cipher.AEAD)}
	var raw [][]byte
	for i, entry := range strings.Split(keys, ",") {
		pos := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("pii: key entry %d is empty (stray comma?)", pos)
		}
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("pii: key entry %d has no ':' between key id and key; want keyid:base64key", pos)
		}
		id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
		// The id is only echoed once it is known to be a well-formed id,
		// in case a key was pasted into the id position by mistake.
		if err := validKeyID(id); err != nil {
			return nil, fmt.Errorf("pii: key entry %d: %w", pos, err)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("pii: key entry %d: duplicate key id %q", pos, id)
		}
		if b64 == "" {
			return nil, fmt.Errorf("pii: key entry %d (id %q): key is empty", pos, id)
		}
		key, err := decodeBase64(b64)
		if err != nil {
			return nil, fmt.Errorf("pii: key entry %d (id %q): key is not valid base64", pos, id)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("pii: key entry %d (id %q): key is %d bytes, want %d (AES-256)", pos, id, len(key), KeySize)
		}
		for j, other := range raw {
			if subtle.ConstantTimeCompare(key, other) == 1 {
				return nil, fmt.Errorf("pii: key entry %d (id %q): same key as entry %d; a new key id needs a new key", pos, id, j+1)
			}
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("pii: key entry %d (id %q): %w", pos, id, err)
		}
		raw = append(raw, key)
		k.ids = append(k.ids, id)
		k.aeads[id] = aead
	}
	k.active = k.ids[0]

	hashKey = strings.TrimSpace(hashKey)
	if hashKey == "" {
		return nil, errors.New("pii: hash key is empty; want base64 of at least 32 random bytes")
	}
	hk, err := decodeBase64(hashKey)
	if err != nil {
		return nil, errors.New("pii: hash key is not valid base64")
	}
	if len(hk) < MinHashKeySize {
		return nil, fmt.Errorf("pii: hash key is %d bytes, want at least %d", len(hk), MinHashKeySize)
	}
	for j, key := range raw {
		// Reusing an encryption key as the HMAC key couples two uses of one
		// secret; refuse it rather than reason about the consequences.
		if subtle.ConstantTimeCompare(hk, key) == 1 {
			return nil, fmt.Errorf("pii: hash key equals encryption key entry %d; use a separate random key", j+1)
		}
	}
	k.hashKey = hk
	k.insecure = usesDevKeys(raw, hk)
	return k, nil
}

// ActiveKeyID returns the id of the key that Seal uses.
func (k *Keyring) ActiveKeyID() string { return k.active }

// KeyIDs returns the ids of all keys, active first, in configuration order.
func (k *Keyring) KeyIDs() []string { return append([]string(nil), k.ids...) }

// Insecure reports whether any key is one of the published DevKeyring keys;
// production configuration should refuse to start when it is true.
func (k *Keyring) Insecure() bool { return k.insecure }

// String describes the keyring by key ids only. Value receivers (here and
// on Format) cover printing a dereferenced Keyring too.
func (k Keyring) String() string {
	s := fmt.Sprintf("pii.Keyring{active: %s, keys: [%s]}", k.active, strings.Join(k.ids, " "))
	if k.insecure {
		s += " (INSECURE dev keys)"
	}
	return s
}

// Format implements fmt.Formatter so that no verb (%v, %+v, %#v, %x, %d...)
// can print key material.
func (k Keyring) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, k.String()) }

// LogValue implements slog.LogValuer with the key ids only.
func (k *Keyring) LogValue() slog.Value {
	if k == nil {
		return slog.StringValue("nil")
	}
	return slog.GroupValue(
		slog.String("activeKeyId", k.active),
		slog.Any("keyIds", k.KeyIDs()),
		slog.Bool("insecure", k.insecure),
	)
}

func validKeyID(id string) error {
	if id == "" {
		return errors.New("key id is empty")
	}
	if len(id) > MaxKeyIDLen {
		return fmt.Errorf("key id is %d characters, want at most %d", len(id), MaxKeyIDLen)
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return errors.New("key id may only contain letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// decodeBase64 accepts standard and URL-safe alphabets, padded or not, since
// keys are produced by different tools (openssl, Go, secret managers).
func decodeBase64(s string) ([]byte, error) {
	var lastErr error
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.New("cannot create AES cipher")
	}
	// NewGCMWithRandomNonce draws a fresh 12-byte nonce from crypto/rand on
	// every Seal and prepends it; no nonce handling of our own to get wrong.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, errors.New("cannot create AES-GCM")
	}
	return aead, nil
}

// DevKeyID is the key id of the only DevKeyring key.
const DevKeyID = "dev-insecure-1"

// Dev keys are derived from fixed public labels: anyone can recompute them,
// which is the point (reproducible local stack) and the danger.
const (
	devKeyLabel  = "verval INSECURE development key, never use in production: "
	devHashLabel = "verval INSECURE development hash key, never use in production"
)

func devKey(id string) []byte {
	sum := sha256.Sum256([]byte(devKeyLabel + id))
	return sum[:]
}

func devHashKey() []byte {
	sum := sha256.Sum256([]byte(devHashLabel))
	return sum[:]
}

// DevKeyring returns a deterministic keyring whose keys are public: for the
// local dev stack and tests only. Its Insecure method reports true.
func DevKeyring() *Keyring {
	k, err := ParseKeyring(DevKeyringEnv())
	if err != nil {
		panic("pii: dev keyring: " + err.Error()) // unreachable: fixed input
	}
	return k
}

// DevKeyringEnv returns the DevKeyring keys in env format (keys, hashKey),
// e.g. for a docker-compose file of the local stack.
func DevKeyringEnv() (keys, hashKey string) {
	return DevKeyID + ":" + base64.StdEncoding.EncodeToString(devKey(DevKeyID)),
		base64.StdEncoding.EncodeToString(devHashKey())
}

func usesDevKeys(keys [][]byte, hashKey []byte) bool {
	if subtle.ConstantTimeCompare(hashKey, devHashKey()) == 1 {
		return true
	}
	dk := devKey(DevKeyID)
	for _, key := range keys {
		if subtle.ConstantTimeCompare(key, dk) == 1 {
			return true
		}
	}
	return false
}
