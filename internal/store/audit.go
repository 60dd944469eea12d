package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AuditHead is the audit chain's head: one row (ID 1) holding the hash
// of the chain's last entry. An append locks it, links the new entry to
// it and moves it on, so appends take turns on this row; VerifyAudit
// checks that the head names an entry of the chain, so entries removed
// from the chain's end are caught too.
type AuditHead struct {
	ID   int64  `gorm:"primaryKey"`
	Hash string `gorm:"size:64;not null"`
}

// UniqueAuditKey is the IdemKey of an entry for one HTTP request's action
// (a reveal, a download, a decode, a correction): the action, the request
// id, and a random part. The request id may come from the client
// (X-Request-ID); keyed by it alone, a second action sent with a reused id
// would be skipped as a duplicate and go unrecorded. Retried workflow
// steps key their entries deterministically instead.
func UniqueAuditKey(action, requestID string) string {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	return action + ":" + requestID + ":" + hex.EncodeToString(nonce[:])
}

// auditAppendPostgres appends in one statement: it locks the head's row,
// computes the entry's hash from the head's (sha256 over the same bytes
// as auditHash), inserts the entry and moves the head to it. The row lock
// is held to the commit, so the append must be the transaction's last
// statement: the lock is then held for this statement's remainder and the
// commit, one round trip instead of the three (lock, read the last hash,
// insert) of the advisory lock it replaces. READ COMMITTED re-reads the
// head's row after waiting for its lock (FOR UPDATE), so the hash read is
// the one the previous holder committed. A key already present inserts
// nothing and leaves the head where it is.
const auditAppendPostgres = `WITH head AS (
	SELECT hash FROM audit_heads WHERE id = 1 FOR UPDATE
), entry AS (
	INSERT INTO audit_entries (idem_key, at, actor_id, actor_role, request_id, cycle_id, household_id, action, detail, prev_hash, hash)
	SELECT ?::text, ?::timestamptz, ?::bigint, ?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::text, head.hash,
		encode(sha256(convert_to(length(head.hash)::text || ':' || head.hash || '|', 'UTF8') || ?::bytea), 'hex')
	FROM head
	ON CONFLICT DO NOTHING
	RETURNING hash
)
UPDATE audit_heads SET hash = entry.hash FROM entry WHERE audit_heads.id = 1`

// AppendAudit appends e to the audit chain inside tx: its hash covers the
// previous entry's hash and every field, so editing or deleting an entry
// breaks every link after it. An entry whose IdemKey is already present is
// not appended again.
//
// Appends take turns on the chain's head (AuditHead), locked until tx
// commits: call AppendAudit as the transaction's last statement, so that
// those waiting behind it wait only for its commit.
func AppendAudit(tx *gorm.DB, e AuditEntry) error {
	// Microseconds: what both PostgreSQL and SQLite give back unchanged.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if IsPostgres(tx) {
		res := tx.Exec(auditAppendPostgres, e.IdemKey, e.At, e.ActorID, e.ActorRole, e.RequestID, e.CycleID, e.HouseholdID,
			e.Action, e.Detail, auditBody(e))
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		// Nothing appended: a duplicate, or no head to link to (then the
		// entry would be lost without a word).
		var n int64
		if err := tx.Model(&AuditEntry{}).Where("idem_key = ?", e.IdemKey).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errors.New("audit chain head: missing (audit_heads has no row 1)")
		}
		return nil
	}
	// SQLite: one writer at a time, so the head cannot move between its
	// read and its update.
	var head AuditHead
	if err := tx.Take(&head, "id = 1").Error; err != nil {
		return fmt.Errorf("audit chain head: %w", err)
	}
	e.PrevHash = head.Hash
	e.Hash = auditHash(e)
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return tx.Model(&AuditHead{}).Where("id = 1").Update("hash", e.Hash).Error
}

// auditHash is the entry's link in the chain.
func auditHash(e AuditEntry) string {
	h := sha256.New()
	auditField(h, e.PrevHash)
	h.Write(auditBody(e))
	return hex.EncodeToString(h.Sum(nil))
}

// auditBody is what the entry's hash covers after the previous hash.
func auditBody(e AuditEntry) []byte {
	hh := ""
	if e.HouseholdID != nil {
		hh = strconv.FormatInt(*e.HouseholdID, 10)
	}
	var b bytes.Buffer
	for _, f := range []string{
		e.IdemKey, e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
		e.ActorRole, e.RequestID, strconv.FormatInt(e.CycleID, 10), hh, e.Action, e.Detail,
	} {
		auditField(&b, f)
	}
	return b.Bytes()
}

// auditField writes one field length-prefixed, so no two entries hash the
// same input.
func auditField(w io.Writer, f string) {
	fmt.Fprintf(w, "%d:%s|", len(f), f)
}

// AuditBreak is the first entry whose link does not hold.
type AuditBreak struct {
	ID     int64
	Reason string
}

// VerifyAudit walks the whole chain in order and reports the first broken
// link, or nil when the chain is intact. It also returns how many entries
// it checked. The chain's head, read first, must name one of the entries
// walked (entries appended meanwhile come after it): otherwise entries were
// removed from the chain's end.
func (s *Store) VerifyAudit(ctx context.Context) (*AuditBreak, int, error) {
	var heads []AuditHead
	if err := s.DB.WithContext(ctx).Where("id = 1").Find(&heads).Error; err != nil {
		return nil, 0, err
	}
	if len(heads) == 0 {
		return &AuditBreak{Reason: "the chain's head (audit_heads) is missing"}, 0, nil
	}
	head := heads[0].Hash
	headFound := head == ""
	prev := ""
	checked := 0
	var lastID int64
	for {
		var batch []AuditEntry
		if err := s.DB.WithContext(ctx).Where("id > ?", lastID).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return nil, checked, err
		}
		if len(batch) == 0 {
			if !headFound {
				return &AuditBreak{ID: lastID, Reason: "the chain's head names an entry after this one, the last: entries were removed from the chain's end"}, checked, nil
			}
			return nil, checked, nil
		}
		for _, e := range batch {
			if e.PrevHash != prev {
				return &AuditBreak{ID: e.ID, Reason: "does not link to the entry before it (an entry was removed or reordered)"}, checked, nil
			}
			if auditHash(e) != e.Hash {
				return &AuditBreak{ID: e.ID, Reason: "its content was changed after it was written"}, checked, nil
			}
			headFound = headFound || e.Hash == head
			prev = e.Hash
			lastID = e.ID
			checked++
		}
	}
}

// AppendAuditEntry appends one entry in its own transaction.
func (s *Store) AppendAuditEntry(ctx context.Context, e AuditEntry) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return AppendAudit(tx, e) })
}

// auditDiff describes a change from before to after as JSON.
func auditDiff(before, after any) string {
	return jsonString(map[string]any{"before": before, "after": after})
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// JSON renders v for an audit entry's detail.
func JSON(v any) string { return jsonString(v) }
