package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations is the schema's history, applied in order and recorded in the
// migrations table by gormigrate. Never edit an applied migration: add one.
//
// The first migration creates the tables from the models as they were when
// it was written; later migrations must spell out their own changes
// (AddColumn, CreateIndex, SQL) so they do not depend on today's structs.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611230001_initial",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(
					&Cycle{}, &Household{}, &Intake{}, &IntakeFile{}, &IntakeIssue{},
					&Task{}, &Meeting{}, &StageEvent{}, &User{}, &Session{},
					&AuditEntry{}, &Notification{},
				)
			},
		},
		{
			ID: "202611230002_decrees_proposals_enrolments",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&Decree{}, &DecreeItem{}, &Proposal{}, &ProposalItem{}, &Enrolment{})
			},
		},
	}
}

// Migrate brings the schema up to date. It is safe to run from several
// processes at start: gormigrate records each applied migration.
func Migrate(db *gorm.DB) error {
	m := gormigrate.New(db, &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 64, UseTransaction: true}, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}
