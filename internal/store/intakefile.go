package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gorm.io/gorm"
)

// IntakeChunkSize is how much of an uploaded file one sealed row holds. An
// upload is stored and read back one chunk at a time, so neither the API
// nor the worker holds the whole file (up to 64 MB) in memory.
const IntakeChunkSize = 1 << 20

// IntakeFileChunk is one sealed piece of an intake's uploaded file, kept in
// the database so any worker can read it and a restarted intake can resume.
type IntakeFileChunk struct {
	IntakeID int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq      int    `gorm:"primaryKey;autoIncrement:false"`
	Data     []byte `gorm:"not null"`
}

// legacyIntakeFile is how files were stored before chunks: one sealed row
// per intake. Intakes that were running across the upgrade still read and
// end through it; nothing writes it any more.
type legacyIntakeFile struct {
	IntakeID int64  `gorm:"primaryKey"`
	Data     []byte `gorm:"not null"`
}

// TableName keeps the table of the first migration.
func (legacyIntakeFile) TableName() string { return "intake_files" }

// intakeChunkAD binds a sealed chunk to its intake, its place and the
// file's size: a chunk copied to another intake or another place, or a file
// cut short (its last chunks deleted, or its size changed), does not open.
func intakeChunkAD(id int64, seq int, size int64) []byte {
	return fmt.Appendf(nil, "intake_file_chunks.data:%d:%d:%d", id, seq, size)
}

// legacyIntakeFileAD is the associated data of a legacyIntakeFile.
func legacyIntakeFileAD(id int64) []byte {
	return fmt.Appendf(nil, "intake_files.data:%d", id)
}

// CreateIntake stores an intake record and its uploaded P3KE file, size
// bytes read from r. The file lists every family's NIK and No KK: it is
// sealed like those columns, chunk by chunk, and deleted when the intake
// ends (SetIntakeStatus). Nothing is stored unless all of it is.
func (s *Store) CreateIntake(ctx context.Context, in *Intake, r io.Reader, size int64) error {
	in.Status = IntakeQueued
	in.Size = size
	buf := make([]byte, min(size, IntakeChunkSize))
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOpenCycle(tx, in.CycleID); err != nil {
			return err
		}
		if err := tx.Create(in).Error; err != nil {
			return err
		}
		var done int64
		for seq := 0; done < size; seq++ {
			n, err := io.ReadFull(r, buf[:min(size-done, IntakeChunkSize)])
			if err != nil {
				return fmt.Errorf("reading the upload at byte %d of %d: %w", done+int64(n), size, err)
			}
			sealed, err := s.Keys.SealBytes(buf[:n], intakeChunkAD(in.ID, seq, size))
			if err != nil {
				return err
			}
			if err := tx.Create(&IntakeFileChunk{IntakeID: in.ID, Seq: seq, Data: sealed}).Error; err != nil {
				return err
			}
			done += int64(n)
		}
		return nil
	})
}

// IntakeFile reads an intake's uploaded file back from its sealed chunks,
// opening one at a time and keeping the last two: reading it front to back
// (CSV) or the way a zip reader does (XLSX) holds about 2 MB, whatever the
// file's size. It is an io.Reader, an io.ReaderAt and sized, so p3ke reads
// XLSX from it without copying. Not safe for concurrent use.
type IntakeFile struct {
	*io.SectionReader
	ctx       context.Context
	s         *Store
	id        int64
	size      int64
	chunkSize int64
	cache     [2]chunk
	last      int // cache slot used last
	err       error
}

type chunk struct {
	seq  int
	data []byte
}

// OpenIntakeFile opens an intake's uploaded file; ErrNotFound once the
// intake has ended and the file is gone. Reads use ctx.
func (s *Store) OpenIntakeFile(ctx context.Context, id int64) (*IntakeFile, error) {
	in, err := s.GetIntake(ctx, id)
	if err != nil {
		return nil, err
	}
	f := &IntakeFile{ctx: ctx, s: s, id: id, size: in.Size, cache: [2]chunk{{seq: -1}, {seq: -1}}}
	first, err := f.fetch(0)
	if errors.Is(err, ErrNotFound) {
		var old legacyIntakeFile
		if err := s.DB.WithContext(ctx).First(&old, "intake_id = ?", id).Error; err != nil {
			return nil, wrapNotFound(err)
		}
		data, err := s.Keys.OpenBytes(old.Data, legacyIntakeFileAD(id))
		if err != nil {
			return nil, fmt.Errorf("intake %d file: %w", id, err)
		}
		// The whole file is chunk 0, which then never leaves the cache.
		first, f.size = data, int64(len(data))
	} else if err != nil {
		return nil, err
	}
	f.chunkSize = max(int64(len(first)), 1)
	f.cache[0] = chunk{seq: 0, data: first}
	f.SectionReader = io.NewSectionReader(f, 0, f.size)
	return f, nil
}

// ReadAt reads len(p) bytes of the file at off.
func (f *IntakeFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("intake file: negative offset")
	}
	var n int
	for n < len(p) {
		if off >= f.size {
			return n, io.EOF
		}
		data, err := f.chunk(int(off / f.chunkSize))
		if err != nil {
			return n, err
		}
		c := copy(p[n:], data[off%f.chunkSize:])
		n += c
		off += int64(c)
	}
	return n, nil
}

// Err is the first database or decryption error a read met, if any: the
// parser reports it as an unreadable file, but it is the store's failure,
// worth retrying.
func (f *IntakeFile) Err() error { return f.err }

func (f *IntakeFile) chunk(seq int) ([]byte, error) {
	for i, c := range f.cache {
		if c.seq == seq {
			f.last = i
			return c.data, nil
		}
	}
	data, err := f.fetch(seq)
	if err != nil {
		if f.err == nil {
			f.err = err
		}
		return nil, err
	}
	f.last = 1 - f.last // replace the slot not used last
	f.cache[f.last] = chunk{seq: seq, data: data}
	return data, nil
}

func (f *IntakeFile) fetch(seq int) ([]byte, error) {
	var c IntakeFileChunk
	if err := f.s.DB.WithContext(f.ctx).Select("data").First(&c, "intake_id = ? AND seq = ?", f.id, seq).Error; err != nil {
		return nil, fmt.Errorf("intake %d file, chunk %d: %w", f.id, seq, wrapNotFound(err))
	}
	data, err := f.s.Keys.OpenBytes(c.Data, intakeChunkAD(f.id, seq, f.size))
	if err != nil {
		return nil, fmt.Errorf("intake %d file, chunk %d: %w", f.id, seq, err)
	}
	return data, nil
}

// deleteIntakeFile drops an intake's file, chunked or not.
func deleteIntakeFile(tx *gorm.DB, id int64) error {
	if err := tx.Where("intake_id = ?", id).Delete(&IntakeFileChunk{}).Error; err != nil {
		return err
	}
	return tx.Where("intake_id = ?", id).Delete(&legacyIntakeFile{}).Error
}
