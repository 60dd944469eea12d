package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Ciphertext layout, version 1:
//
//	byte 0        version (1)
//	byte 1        n = length of the key id (1..MaxKeyIDLen)
//	bytes 2..2+n  key id (ASCII)
//	12 bytes      random nonce
//	rest          AES-256-GCM ciphertext and 16-byte tag
//
// The header (version, length, key id) is authenticated together with the
// caller's associated data, so neither can be altered without Open failing.
const formatV1 byte = 1

const (
	nonceSize = 12
	tagSize   = 16
)

var (
	// ErrMalformed means the input is not a ciphertext produced by Seal.
	ErrMalformed = errors.New("pii: malformed ciphertext")
	// ErrUnknownKey means the ciphertext names a key id the keyring lacks,
	// e.g. a retired key removed before its rows were re-sealed.
	ErrUnknownKey = errors.New("pii: ciphertext key id not in keyring")
	// ErrDecrypt means authentication failed: the ciphertext was altered,
	// the associated data differs from the one used to seal it, or the key
	// under that id has changed.
	ErrDecrypt = errors.New("pii: decryption failed (tampered data, wrong associated data or wrong key)")
)

// Sealed is a ciphertext produced by Seal; it is a []byte, so it stores as
// bytea (PostgreSQL) or blob (SQLite) and GORM maps it without help.
type Sealed []byte

// Seal encrypts plaintext with the active key. ad is authenticated but not
// stored: pass the column it belongs to (e.g. "households.nik") so that a
// ciphertext copied into another column fails to Open; "" binds nothing.
func (k *Keyring) Seal(plaintext, ad string) (Sealed, error) {
	return k.SealBytes([]byte(plaintext), []byte(ad))
}

// Open decrypts a value produced by Seal with the same ad, using whichever
// key of the keyring sealed it.
func (k *Keyring) Open(sealed Sealed, ad string) (string, error) {
	b, err := k.OpenBytes(sealed, []byte(ad))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// SealBytes is Seal for binary plaintext and associated data.
func (k *Keyring) SealBytes(plaintext, ad []byte) (Sealed, error) {
	id := k.active
	aead := k.aeads[id]
	header := make([]byte, 0, 2+len(id)+aead.Overhead()+len(plaintext))
	header = append(header, formatV1, byte(len(id)))
	header = append(header, id...)
	hl := len(header)
	out := aead.Seal(header, nil, plaintext, additionalData(header[:hl], ad))
	return out, nil
}

// OpenBytes is Open for binary plaintext and associated data.
func (k *Keyring) OpenBytes(sealed Sealed, ad []byte) ([]byte, error) {
	id, body, err := parse(sealed)
	if err != nil {
		return nil, err
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: sealed with key id %q, keyring has [%s]", ErrUnknownKey, id, strings.Join(k.ids, " "))
	}
	header := sealed[:len(sealed)-len(body)]
	pt, err := aead.Open(nil, nil, body, additionalData(header, ad))
	if err != nil {
		return nil, fmt.Errorf("%w (key id %q)", ErrDecrypt, id)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// KeyID returns the id of the key that sealed s, without decrypting;
// `verval pii reseal` uses it to find values still under an older key.
func (s Sealed) KeyID() (string, error) {
	id, _, err := parse(s)
	return id, err
}

// Value implements driver.Valuer: an empty Sealed is stored as NULL.
func (s Sealed) Value() (driver.Value, error) {
	if len(s) == 0 {
		return nil, nil
	}
	return []byte(s), nil
}

// Scan implements sql.Scanner, copying the driver's buffer.
func (s *Sealed) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s = nil
	case []byte:
		*s = bytes.Clone(v)
	case string:
		*s = Sealed(v)
	default:
		return fmt.Errorf("pii: cannot scan %T into Sealed", src)
	}
	return nil
}

// GormDataType tells GORM to migrate a Sealed field as a binary column.
func (Sealed) GormDataType() string { return "bytes" }

// parse splits a v1 ciphertext into its key id and its nonce+ciphertext+tag.
func parse(s []byte) (id string, body []byte, err error) {
	if len(s) < 2 {
		return "", nil, fmt.Errorf("%w: %d bytes is too short", ErrMalformed, len(s))
	}
	if s[0] != formatV1 {
		return "", nil, fmt.Errorf("%w: unknown format version %d", ErrMalformed, s[0])
	}
	n := int(s[1])
	if n == 0 || n > MaxKeyIDLen {
		return "", nil, fmt.Errorf("%w: bad key id length %d", ErrMalformed, n)
	}
	if len(s) < 2+n+nonceSize+tagSize {
		return "", nil, fmt.Errorf("%w: %d bytes is too short", ErrMalformed, len(s))
	}
	rawID := s[2 : 2+n]
	if validKeyID(string(rawID)) != nil {
		return "", nil, fmt.Errorf("%w: bad key id", ErrMalformed)
	}
	return string(rawID), s[2+n:], nil
}

// additionalData authenticates the header and the caller's ad together. The
// header is length-prefixed, so the concatenation is unambiguous.
func additionalData(header, ad []byte) []byte {
	out := make([]byte, 0, len(header)+len(ad))
	return append(append(out, header...), ad...)
}

// Hash returns the keyed HMAC-SHA256 of value as 64 lowercase hex digits,
// for exact-match lookup and unique indexes without storing the value.
//
// value is normalised with strings.TrimSpace only; callers must bring it to
// its canonical form first (e.g. digits only for NIK and No KK, via
// internal/ident), or equal values will hash differently. An empty value
// (after trimming) returns "" so that "no value" never matches a lookup.
//
// Hashes are stable for as long as the hash key is: changing the hash key
// means recomputing every stored hash.
func (k *Keyring) Hash(value string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return ""
	}
	mac := hmac.New(sha256.New, k.hashKey)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil))
}
