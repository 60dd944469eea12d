package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// auditLockKey is the PostgreSQL advisory lock that serialises appends to
// the audit chain, so two transactions cannot both link to the same entry.
const auditLockKey = 7_270_001

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

// AppendAudit appends e to the audit chain inside tx: its hash covers the
// previous entry's hash and every field, so editing or deleting an entry
// breaks every link after it. An entry whose IdemKey is already present is not
// appended again.
//
// On PostgreSQL the appends of concurrent transactions queue on one lock
// held until commit, so every statement between the lock and the commit
// is paid by every transaction waiting behind it: the idempotency check
// comes before the lock (a duplicate that commits meanwhile is still
// skipped, by the unique key and ON CONFLICT DO NOTHING), and under the
// lock there are only the read of the last hash and the insert.
func AppendAudit(tx *gorm.DB, e AuditEntry) error {
	var n int64
	if err := tx.Model(&AuditEntry{}).Where("idem_key = ?", e.IdemKey).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if IsPostgres(tx) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
			return err
		}
	}
	var last AuditEntry
	err := tx.Model(&AuditEntry{}).Select("hash").Order("id DESC").Limit(1).Find(&last).Error
	if err != nil {
		return err
	}
	// Microseconds: what both PostgreSQL and SQLite give back unchanged.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash = last.Hash
	e.Hash = auditHash(e)
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error
}

// auditHash is the entry's link in the chain.
func auditHash(e AuditEntry) string {
	hh := ""
	if e.HouseholdID != nil {
		hh = strconv.FormatInt(*e.HouseholdID, 10)
	}
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, e.IdemKey, e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
		e.ActorRole, e.RequestID, strconv.FormatInt(e.CycleID, 10), hh, e.Action, e.Detail,
	} {
		// Length-prefix every field so no two entries hash the same input.
		fmt.Fprintf(h, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditBreak is the first entry whose link does not hold.
type AuditBreak struct {
	ID     int64
	Reason string
}

// VerifyAudit walks the whole chain in order and reports the first broken
// link, or nil when the chain is intact. It also returns how many entries
// it checked.
func (s *Store) VerifyAudit(ctx context.Context) (*AuditBreak, int, error) {
	prev := ""
	checked := 0
	var lastID int64
	for {
		var batch []AuditEntry
		if err := s.DB.WithContext(ctx).Where("id > ?", lastID).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return nil, checked, err
		}
		if len(batch) == 0 {
			return nil, checked, nil
		}
		for _, e := range batch {
			if e.PrevHash != prev {
				return &AuditBreak{ID: e.ID, Reason: "does not link to the entry before it (an entry was removed or reordered)"}, checked, nil
			}
			if auditHash(e) != e.Hash {
				return &AuditBreak{ID: e.ID, Reason: "its content was changed after it was written"}, checked, nil
			}
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
