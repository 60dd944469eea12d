package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/pii"
)

// ResealReport is what a re-seal did.
type ResealReport struct {
	// Active is the key id every value is now sealed with.
	Active string
	// Resealed counts the values sealed again, by the key id they were
	// under before.
	Resealed map[string]int
	// Current counts the values that were already under the active key.
	Current int
}

// sealedRow is one household's sealed columns.
type sealedRow struct {
	ID        int64
	KKSealed  []byte
	NIKSealed []byte
}

// Reseal seals again, with the keyring's active key, every sealed value
// under another key: the households' NIK and No KK, the numbers each
// proposal batch keeps of its households, the members' NIKs (and those
// of the newborns a change of members carries), the objectors of the objections (sanggah), and the files of intakes still
// running. It works in batches of batch households, each in
// its own transaction, in id order, so it can be interrupted and run
// again; values already under the active key are left alone. progress, if
// set, is called after each batch with the households looked at so far and
// their total. A value that does not open (its key is not in the keyring)
// stops the run with an error naming the key id.
func (s *Store) Reseal(ctx context.Context, batch int, progress func(done, total int64)) (ResealReport, error) {
	active := s.Keys.ActiveKeyID()
	rep := ResealReport{Active: active, Resealed: map[string]int{}}
	var total int64
	if err := s.DB.WithContext(ctx).Model(&Household{}).Count(&total).Error; err != nil {
		return rep, err
	}
	var after, done int64
	for {
		var rows []sealedRow
		if err := s.DB.WithContext(ctx).Model(&Household{}).Select("id", "kk_sealed", "nik_sealed").
			Where("id > ?", after).Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return rep, err
		}
		if len(rows) == 0 {
			break
		}
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, r := range rows {
				kk, kkNew, err := s.reseal(r.KKSealed, []byte(ADNoKK), active, &rep)
				if err != nil {
					return fmt.Errorf("household %d No KK: %w", r.ID, err)
				}
				nik, nikNew, err := s.reseal(r.NIKSealed, []byte(ADNIK), active, &rep)
				if err != nil {
					return fmt.Errorf("household %d NIK: %w", r.ID, err)
				}
				if !kkNew && !nikNew {
					continue
				}
				if err := tx.Model(&Household{}).Where("id = ?", r.ID).
					Updates(map[string]any{"kk_sealed": kk, "nik_sealed": nik}).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		after = rows[len(rows)-1].ID
		done += int64(len(rows))
		if progress != nil {
			progress(done, total)
		}
	}
	if err := s.resealProposalItems(ctx, batch, active, &rep); err != nil {
		return rep, err
	}
	if err := s.resealMembers(ctx, batch, active, &rep); err != nil {
		return rep, err
	}
	if err := s.resealColumn(ctx, batch, "change_members", "nik_sealed", ADMemberNIK, "change member %d NIK", active, &rep); err != nil {
		return rep, err
	}
	if err := s.resealSanggah(ctx, batch, active, &rep); err != nil {
		return rep, err
	}
	return rep, s.resealIntakeFiles(ctx, active, &rep)
}

// resealProposalItems re-seals the numbers each batch keeps of the
// households it proposed, batch items at a time, each in its own
// transaction, in (proposal, household) order.
func (s *Store) resealProposalItems(ctx context.Context, batch int, active string, rep *ResealReport) error {
	var afterP, afterH int64
	for {
		var rows []ProposalItem
		if err := s.DB.WithContext(ctx).Model(&ProposalItem{}).Select("proposal_id", "household_id", "kk_sealed", "nik_sealed").
			Where("proposal_id > ? OR (proposal_id = ? AND household_id > ?)", afterP, afterP, afterH).
			Order("proposal_id, household_id").Limit(batch).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, r := range rows {
				u := map[string]any{}
				for _, c := range []struct {
					col string
					v   []byte
					ad  string
				}{{"kk_sealed", r.KKSealed, ADNoKK}, {"nik_sealed", r.NIKSealed, ADNIK}} {
					if c.v == nil {
						continue
					}
					v, changed, err := s.reseal(c.v, []byte(c.ad), active, rep)
					if err != nil {
						return fmt.Errorf("batch %d, household %d, %s: %w", r.ProposalID, r.HouseholdID, c.col, err)
					}
					if changed {
						u[c.col] = v
					}
				}
				if len(u) == 0 {
					continue
				}
				if err := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND household_id = ?", r.ProposalID, r.HouseholdID).Updates(u).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		last := rows[len(rows)-1]
		afterP, afterH = last.ProposalID, last.HouseholdID
	}
}

// resealIntakeFiles re-seals the files of intakes that have not ended (an
// ended intake's file is deleted), chunk by chunk, and the single-row files
// of intakes that were running across the upgrade to chunks.
func (s *Store) resealIntakeFiles(ctx context.Context, active string, rep *ResealReport) error {
	var chunks []struct {
		IntakeID int64
		Seq      int
		Size     int64
	}
	if err := s.DB.WithContext(ctx).Table("intake_file_chunks").
		Select("intake_file_chunks.intake_id, intake_file_chunks.seq, intakes.size").
		Joins("JOIN intakes ON intakes.id = intake_file_chunks.intake_id").
		Order("intake_file_chunks.intake_id, intake_file_chunks.seq").Scan(&chunks).Error; err != nil {
		return err
	}
	for _, c := range chunks {
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			where := tx.Model(&IntakeFileChunk{}).Where("intake_id = ? AND seq = ?", c.IntakeID, c.Seq)
			return s.resealRow(where, intakeChunkAD(c.IntakeID, c.Seq, c.Size), active, rep)
		})
		if err != nil {
			return fmt.Errorf("intake %d file, chunk %d: %w", c.IntakeID, c.Seq, err)
		}
	}
	var ids []int64
	if err := s.DB.WithContext(ctx).Model(&legacyIntakeFile{}).Order("intake_id").Pluck("intake_id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.resealRow(tx.Model(&legacyIntakeFile{}).Where("intake_id = ?", id), legacyIntakeFileAD(id), active, rep)
		})
		if err != nil {
			return fmt.Errorf("intake %d file: %w", id, err)
		}
	}
	return nil
}

// resealRow re-seals the data column of the one row where selects, if it
// is still there: an intake that ended meanwhile has dropped its file.
func (s *Store) resealRow(where *gorm.DB, ad []byte, active string, rep *ResealReport) error {
	var v []byte
	err := where.Session(&gorm.Session{}).Select("data").Row().Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	data, changed, err := s.reseal(v, ad, active, rep)
	if err != nil || !changed {
		return err
	}
	return where.Session(&gorm.Session{}).Update("data", data).Error
}

// reseal returns v sealed with the active key under associated data ad,
// and whether it changed, counting it in rep.
func (s *Store) reseal(v, ad []byte, active string, rep *ResealReport) ([]byte, bool, error) {
	id, err := pii.Sealed(v).KeyID()
	if err != nil {
		return nil, false, err
	}
	if id == active {
		rep.Current++
		return v, false, nil
	}
	plain, err := s.Keys.OpenBytes(v, ad)
	if err != nil {
		return nil, false, err
	}
	out, err := s.Keys.SealBytes(plain, ad)
	if err != nil {
		return nil, false, err
	}
	rep.Resealed[id]++
	return out, true, nil
}

// resealMembers re-seals the household members' NIKs.
func (s *Store) resealMembers(ctx context.Context, batch int, active string, rep *ResealReport) error {
	return s.resealColumn(ctx, batch, "household_members", "nik_sealed", ADMemberNIK, "household member %d NIK", active, rep)
}

// resealSanggah re-seals the objectors of the objections (sanggah).
func (s *Store) resealSanggah(ctx context.Context, batch int, active string, rep *ResealReport) error {
	return s.resealColumn(ctx, batch, "sanggah", "objector_sealed", ADSanggahObjector, "sanggah %d objector", active, rep)
}

// resealColumn re-seals one sealed column of table (sealed under ad),
// batch rows at a time, each in its own transaction, in id order; what
// names a row in an error, given its id.
func (s *Store) resealColumn(ctx context.Context, batch int, table, col, ad, what, active string, rep *ResealReport) error {
	var after int64
	for {
		var rows []struct {
			ID int64
			V  []byte
		}
		if err := s.DB.WithContext(ctx).Table(table).Select("id, "+col+" AS v").
			Where("id > ? AND "+col+" IS NOT NULL", after).Order("id").Limit(batch).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, r := range rows {
				v, changed, err := s.reseal(r.V, []byte(ad), active, rep)
				if err != nil {
					return fmt.Errorf(what+": %w", r.ID, err)
				}
				if changed {
					if err := tx.Table(table).Where("id = ?", r.ID).Update(col, v).Error; err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = rows[len(rows)-1].ID
	}
}
