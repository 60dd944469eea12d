package store

import (
	"fmt"
	"time"

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
					&Cycle{}, &Household{}, &Intake{}, &legacyIntakeFile{}, &IntakeIssue{},
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
		{
			// Uploaded files were kept in clear after their intake ended;
			// they are sealed now and deleted at the end. Delete the old ones.
			ID: "202611230003_drop_finished_intake_files",
			Migrate: func(tx *gorm.DB) error {
				return tx.Exec("DELETE FROM intake_files WHERE intake_id IN (SELECT id FROM intakes WHERE status IN ('done', 'failed'))").Error
			},
		},
		{
			// Uploads are stored in sealed chunks of 1 MiB, so no process
			// holds a whole file. intake_files stays for intakes that were
			// running across the upgrade (store.OpenIntakeFile reads both).
			ID: "202611230004_intake_file_chunks",
			Migrate: func(tx *gorm.DB) error {
				type intakeFileChunk struct {
					IntakeID int64  `gorm:"primaryKey;autoIncrement:false"`
					Seq      int    `gorm:"primaryKey;autoIncrement:false"`
					Data     []byte `gorm:"not null"`
				}
				return tx.Table("intake_file_chunks").AutoMigrate(&intakeFileChunk{})
			},
		},
		{
			// A village officer's task list (and its count) filters on
			// desa, cycle and status together. With one-column indexes
			// SQLite picked the cycle's index and read every task of the
			// regency for each village's list (0.5 ms at 1,500 households,
			// growing with the regency); this index finds the village's
			// open tasks directly (0.01 ms).
			ID: "202611230005_task_list_index",
			Migrate: func(tx *gorm.DB) error {
				return tx.Exec("CREATE INDEX IF NOT EXISTS idx_tasks_desa_cycle_status ON tasks (desa_code, cycle_id, status)").Error
			},
		},
		{
			// The audit trail is append-only in the database itself, not
			// only by convention of the code: UPDATE and DELETE (and, on
			// PostgreSQL, TRUNCATE) of audit_entries fail. The hash chain
			// (VerifyAudit) still catches whoever drops the triggers first.
			ID:      "202612040001_audit_append_only",
			Migrate: func(tx *gorm.DB) error { return execAll(tx, auditAppendOnlySQL(tx)) },
		},
		{
			// A NIK_TIDAK_PADAN rejection goes into a later batch only once
			// the household's numbers are corrected. A database created
			// after this change already has the column (migration 0002
			// builds proposal_items from today's struct).
			ID: "202612040002_proposal_item_corrected",
			Migrate: func(tx *gorm.DB) error {
				if tx.Migrator().HasColumn("proposal_items", "corrected") {
					return nil
				}
				return tx.Exec("ALTER TABLE proposal_items ADD COLUMN corrected boolean NOT NULL DEFAULT false").Error
			},
		},
		{
			// The households each meeting closed, so the meeting's audit
			// entry (one per meeting) shows in each household's history.
			// Meetings recorded before this have no rows: their entry
			// stays in the cycle's audit only.
			ID: "202612040003_meeting_households",
			Migrate: func(tx *gorm.DB) error {
				type meetingHousehold struct {
					MeetingID   int64 `gorm:"primaryKey;autoIncrement:false"`
					HouseholdID int64 `gorm:"primaryKey;autoIncrement:false;index"`
				}
				return tx.Table("meeting_households").AutoMigrate(&meetingHousehold{})
			},
		},
		{
			// A recorded meeting marks its village's submitted tasks, so a
			// correction that reaches the database before the meeting's
			// fan-out reaches the household is refused.
			ID: "202612040004_task_closing_meeting",
			Migrate: func(tx *gorm.DB) error {
				// A new database has it already: the first migration
				// creates tasks from today's Task.
				if tx.Migrator().HasColumn("tasks", "closing_meeting_id") {
					return nil
				}
				return tx.Exec("ALTER TABLE tasks ADD COLUMN closing_meeting_id BIGINT").Error
			},
		},
		{
			// A cycle can be closed (tutup buku): when, why, by whom, and
			// how far the close's fan-out has got.
			ID: "202612040005_cycle_close",
			Migrate: func(tx *gorm.DB) error {
				// The types GORM gives a time.Time on each database.
				ts := "datetime"
				if tx.Dialector.Name() == "postgres" {
					ts = "timestamptz"
				}
				for _, c := range []struct{ name, ddl string }{
					{"closed_at", "ALTER TABLE cycles ADD COLUMN closed_at " + ts},
					{"close_reason", "ALTER TABLE cycles ADD COLUMN close_reason VARCHAR(500) NOT NULL DEFAULT ''"},
					{"closed_by", "ALTER TABLE cycles ADD COLUMN closed_by BIGINT NOT NULL DEFAULT 0"},
					{"close_households", "ALTER TABLE cycles ADD COLUMN close_households BIGINT NOT NULL DEFAULT 0"},
				} {
					// A new database has them already: the first migration
					// creates cycles from today's Cycle.
					if tx.Migrator().HasColumn("cycles", c.name) {
						continue
					}
					if err := tx.Exec(c.ddl).Error; err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			// Dinsos may withdraw a draft or returned decree, with a
			// reason; its households become free for the next draft.
			ID: "202612040006_decree_withdraw_reason",
			Migrate: func(tx *gorm.DB) error {
				// A new database has it already: migration 0002 creates
				// decrees from today's Decree.
				if tx.Migrator().HasColumn("decrees", "withdraw_reason") {
					return nil
				}
				return tx.Exec("ALTER TABLE decrees ADD COLUMN withdraw_reason VARCHAR(1000) NOT NULL DEFAULT ''").Error
			},
		},
		{
			// An intake's row issues and failure keep the parser's coded
			// reason (a code and its arguments as a JSON array), so the
			// pages translate by code, not by matching the English.
			// Rows stored before have none and show their English.
			ID: "202612040007_intake_reason_codes",
			Migrate: func(tx *gorm.DB) error {
				for _, c := range []struct{ table, name, ddl string }{
					{"intake_issues", "code", "ALTER TABLE intake_issues ADD COLUMN code VARCHAR(64)"},
					{"intake_issues", "args", "ALTER TABLE intake_issues ADD COLUMN args TEXT"},
					{"intakes", "error_code", "ALTER TABLE intakes ADD COLUMN error_code VARCHAR(64)"},
					{"intakes", "error_args", "ALTER TABLE intakes ADD COLUMN error_args TEXT"},
				} {
					// A new database has them already: the first
					// migration creates both tables from today's structs.
					if tx.Migrator().HasColumn(c.table, c.name) {
						continue
					}
					if err := tx.Exec(c.ddl).Error; err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			// A batch keeps the numbers it proposed: a NIK or No KK
			// correction after it was sent must change neither its file
			// nor how Kemensos' answers to it are matched. Batches built
			// before this take the households' numbers as they are now,
			// the best there is (a correction made since cannot be
			// undone from the database).
			ID: "202612040008_proposal_item_numbers",
			Migrate: func(tx *gorm.DB) error {
				blob := "blob"
				if IsPostgres(tx) {
					blob = "bytea"
				}
				for _, c := range []struct{ name, ddl string }{
					{"kk_hash", "ALTER TABLE proposal_items ADD COLUMN kk_hash VARCHAR(64) NOT NULL DEFAULT ''"},
					{"kk_sealed", "ALTER TABLE proposal_items ADD COLUMN kk_sealed " + blob},
					{"nik_hash", "ALTER TABLE proposal_items ADD COLUMN nik_hash VARCHAR(64) NOT NULL DEFAULT ''"},
					{"nik_sealed", "ALTER TABLE proposal_items ADD COLUMN nik_sealed " + blob},
				} {
					// A new database has them already: migration 0002
					// creates proposal_items from today's ProposalItem.
					if tx.Migrator().HasColumn("proposal_items", c.name) {
						continue
					}
					if err := tx.Exec(c.ddl).Error; err != nil {
						return err
					}
				}
				return fillProposalItemNumbers(tx)
			},
		},
		{
			// A user handed a one-time password must change it before any
			// other step.
			ID: "202612070001_user_must_change_password",
			Migrate: func(tx *gorm.DB) error {
				if tx.Migrator().HasColumn("users", "must_change_password") {
					return nil
				}
				return tx.Exec("ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE").Error
			},
		},
		{
			// An account may hold several regions of one level (a PKH
			// companion's villages); region_code stays the first of them.
			// And a phone number, to hand over a one-time password.
			ID: "202612070101_user_regions_phone",
			Migrate: func(tx *gorm.DB) error {
				for _, c := range []struct{ name, ddl string }{
					{"regions", "ALTER TABLE users ADD COLUMN regions TEXT NOT NULL DEFAULT ''"},
					{"phone", "ALTER TABLE users ADD COLUMN phone VARCHAR(20) NOT NULL DEFAULT ''"},
				} {
					if tx.Migrator().HasColumn("users", c.name) {
						continue
					}
					if err := tx.Exec(c.ddl).Error; err != nil {
						return err
					}
				}
				return tx.Exec("UPDATE users SET regions = region_code WHERE regions = ''").Error
			},
		},
		{
			// An import of many accounts, and its one-time passwords kept
			// sealed until their one download.
			ID: "202612070102_account_imports",
			Migrate: func(tx *gorm.DB) error {
				type AccountImport struct {
					ID              int64     `gorm:"primaryKey"`
					CreatedBy       int64     `gorm:"not null"`
					CreatedAt       time.Time `gorm:"not null"`
					FileName        string    `gorm:"size:255;not null"`
					Users           int       `gorm:"not null"`
					PasswordsSealed []byte
					DownloadedAt    *time.Time
				}
				return tx.AutoMigrate(&AccountImport{})
			},
		},
		{
			// Households proposed from outside the file (usul): their
			// source, and the usul's own record.
			ID: "202612070103_usul",
			Migrate: func(tx *gorm.DB) error {
				if !tx.Migrator().HasColumn("households", "source") {
					if err := tx.Exec("ALTER TABLE households ADD COLUMN source VARCHAR(8) NOT NULL DEFAULT 'p3ke'").Error; err != nil {
						return err
					}
				}
				type Usul struct {
					ID          int64     `gorm:"primaryKey"`
					CycleID     int64     `gorm:"not null;index"`
					HouseholdID int64     `gorm:"not null;uniqueIndex"`
					Channel     string    `gorm:"size:16;not null"`
					Reason      string    `gorm:"size:1000;not null"`
					ProposedBy  int64     `gorm:"not null"`
					CreatedAt   time.Time `gorm:"not null"`
				}
				return tx.AutoMigrate(&Usul{})
			},
		},
		{
			// The row-error report is read whole, page after page in row
			// order (IntakeIssuesAfter); with the intake's index alone
			// each page sorted all of the intake's issues again.
			ID: "202612082301_intake_issue_order",
			Migrate: func(tx *gorm.DB) error {
				return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_intake_issues_order ON intake_issues (intake_id, "row", id)`).Error
			},
		},
		{
			// A cycle chooses which desil enter verification (DTSEN, issue
			// 20); the families above it are kept as reference.
			ID: "202612071020_cycle_scope",
			Migrate: func(tx *gorm.DB) error {
				if !tx.Migrator().HasColumn("cycles", "max_desil") {
					if err := tx.Exec("ALTER TABLE cycles ADD COLUMN max_desil BIGINT NOT NULL DEFAULT 1").Error; err != nil {
						return err
					}
				}
				type referenceFamily struct {
					ID       int64  `gorm:"primaryKey"`
					CycleID  int64  `gorm:"not null;index:idx_reference_cycle_desil"`
					IntakeID int64  `gorm:"not null;index:idx_reference_families_intake_id"`
					Row      int    `gorm:"not null"`
					FamilyID string `gorm:"size:64;not null"`
					Desil    int    `gorm:"not null;index:idx_reference_cycle_desil"`
					DesaCode string `gorm:"size:13;not null"`
					Members  int    `gorm:"not null"`
				}
				return tx.Table("reference_families").AutoMigrate(&referenceFamily{})
			},
		},
		{
			// The people of each household (DTSEN member rows), NIK sealed.
			ID: "202612071021_household_members",
			Migrate: func(tx *gorm.DB) error {
				type householdMember struct {
					ID          int64  `gorm:"primaryKey"`
					HouseholdID int64  `gorm:"not null;index:idx_household_members_household_id"`
					CycleID     int64  `gorm:"not null;index:idx_household_members_cycle_id"`
					NIKHash     string `gorm:"size:64;not null;index:idx_household_members_nik_hash"`
					NIKSealed   []byte
					NIKMasked   string    `gorm:"size:16;not null"`
					Name        string    `gorm:"size:200;not null"`
					Relation    string    `gorm:"size:16;not null"`
					Sex         string    `gorm:"size:1;not null"`
					BirthDate   time.Time `gorm:"not null"`
					Occupation  string    `gorm:"size:200;not null;default:''"`
					Disability  string    `gorm:"size:8;not null;default:''"`
					InSchool    bool      `gorm:"not null"`
					Pregnant    bool      `gorm:"not null"`
					Status      string    `gorm:"size:16;not null"`
					StatusDate  string    `gorm:"size:10;not null;default:''"`
					Source      string    `gorm:"size:8;not null"`
				}
				return tx.Table("household_members").AutoMigrate(&householdMember{})
			},
		},
		{
			// Kemensos' rejection may name the member it is about
			// (nik_anggota): the answer keeps that member.
			ID: "202612082302_proposal_answer_member",
			Migrate: func(tx *gorm.DB) error {
				// A new database has it already: migration 0002 creates
				// proposal_items from today's ProposalItem.
				if tx.Migrator().HasColumn("proposal_items", "answer_member_id") {
					return nil
				}
				return tx.Exec("ALTER TABLE proposal_items ADD COLUMN answer_member_id BIGINT").Error
			},
		},
		{
			// The audit chain's head: one row, locked by each append for
			// its last statement and its commit only (AppendAudit), where
			// the advisory lock it replaces was held from before the read
			// of the last hash. It starts at the chain's last entry. Stop
			// every api and worker of the version before first: they
			// append under the advisory lock and do not move the head.
			ID: "202612072401_audit_head",
			Migrate: func(tx *gorm.DB) error {
				type auditHead struct {
					ID   int64  `gorm:"primaryKey"`
					Hash string `gorm:"size:64;not null"`
				}
				if err := tx.Table("audit_heads").AutoMigrate(&auditHead{}); err != nil {
					return err
				}
				var last []AuditEntry
				if err := tx.Select("hash").Order("id DESC").Limit(1).Find(&last).Error; err != nil {
					return err
				}
				head := auditHead{ID: 1}
				if len(last) == 1 {
					head.Hash = last[0].Hash
				}
				return tx.Table("audit_heads").Create(&head).Error
			},
		},
		{
			// An officer's list (ListTasks): one desa, one status, by due
			// date; the page is read from this index in order instead of
			// every task of the desa joined to its household and sorted.
			ID: "202612072402_task_list_order",
			Migrate: func(tx *gorm.DB) error {
				return tx.Exec("CREATE INDEX IF NOT EXISTS idx_tasks_desa_status_due ON tasks (desa_code, status, due_at, household_id)").Error
			},
		},
		{
			// Objections to a household's decision (sanggah, issue 19),
			// and the cycle's service level for them.
			ID: "202612090101_sanggah",
			Migrate: func(tx *gorm.DB) error {
				if !tx.Migrator().HasColumn("cycles", "sanggah_days") {
					if err := tx.Exec("ALTER TABLE cycles ADD COLUMN sanggah_days BIGINT NOT NULL DEFAULT 14").Error; err != nil {
						return err
					}
				}
				type sanggah struct {
					ID              int64     `gorm:"primaryKey"`
					CycleID         int64     `gorm:"not null;index"`
					HouseholdID     int64     `gorm:"not null;index"`
					Receipt         string    `gorm:"size:32;not null;uniqueIndex"`
					Seq             int       `gorm:"not null"`
					Kind            string    `gorm:"size:16;not null"`
					Channel         string    `gorm:"size:16;not null"`
					ObjectorKind    string    `gorm:"size:16;not null"`
					Reason          string    `gorm:"size:1000;not null"`
					Reverifier      string    `gorm:"size:8;not null"`
					RegencyCode     string    `gorm:"size:5;not null"`
					KecamatanCode   string    `gorm:"size:8;not null"`
					DesaCode        string    `gorm:"size:13;not null;index"`
					ObjectorSealed  []byte    `gorm:"not null"`
					Status          string    `gorm:"size:20;not null"`
					StatusAt        time.Time `gorm:"not null"`
					DueAt           time.Time `gorm:"not null"`
					HouseholdStage  string    `gorm:"size:32;not null"`
					CreatedBy       int64     `gorm:"not null"`
					CreatedAt       time.Time `gorm:"not null"`
					FindingOutcome  string    `gorm:"size:16;not null;default:''"`
					FindingNote     string    `gorm:"size:1000;not null;default:''"`
					FindingBy       int64     `gorm:"not null;default:0"`
					FindingAt       *time.Time
					DecisionNote    string `gorm:"size:1000;not null;default:''"`
					DecidedBy       int64  `gorm:"not null;default:0"`
					DecidedAt       *time.Time
					InformedAt      *time.Time
					WorkflowStarted bool `gorm:"not null;default:false"`
				}
				return tx.Table("sanggah").AutoMigrate(&sanggah{})
			},
		},
		{
			// The year's changes to enrolled households (changes.go).
			ID: "202612091001_household_changes",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&HouseholdChange{})
			},
		},
		{
			// A cycle opened from last year's carries its households with
			// last year's result (Household.PrevHouseholdID...).
			ID: "202612091002_household_previous",
			Migrate: func(tx *gorm.DB) error {
				for _, col := range []string{"PrevHouseholdID", "PrevStage", "PrevReason"} {
					if !tx.Migrator().HasColumn(&Household{}, col) {
						if err := tx.Migrator().AddColumn(&Household{}, col); err != nil {
							return err
						}
					}
				}
				if !tx.Migrator().HasIndex(&Household{}, "PrevHouseholdID") {
					return tx.Migrator().CreateIndex(&Household{}, "PrevHouseholdID")
				}
				return nil
			},
		},
		{
			// Field evidence (issue 22): the photos' records (their sealed
			// bytes are in the object store) and the visits' points.
			ID: "202612072322_photos",
			Migrate: func(tx *gorm.DB) error {
				type Photo struct {
					ID          int64  `gorm:"primaryKey"`
					OwnerKind   string `gorm:"size:16;not null;index:idx_photos_owner"`
					OwnerID     int64  `gorm:"not null;index:idx_photos_owner"`
					CycleID     int64  `gorm:"not null;index:idx_photos_cycle_id"`
					HouseholdID int64  `gorm:"not null;index:idx_photos_household_id"`
					DesaCode    string `gorm:"size:13;not null;index:idx_photos_desa_code"`
					Kind        string `gorm:"size:16;not null"`
					ObjectKey   string `gorm:"size:200;not null;uniqueIndex:idx_photos_object_key"`
					IdemKey     string `gorm:"size:200;not null;uniqueIndex:idx_photos_idem_key"`
					SHA256      string `gorm:"size:64;not null"`
					Bytes       int    `gorm:"not null"`
					Width       int    `gorm:"not null"`
					Height      int    `gorm:"not null"`
					TakenAt     *time.Time
					Lat         *float64
					Lon         *float64
					Accuracy    *float64
					UploadedBy  int64     `gorm:"not null"`
					CreatedAt   time.Time `gorm:"not null"`
				}
				type VisitPoint struct {
					HouseholdID int64  `gorm:"primaryKey;autoIncrement:false"`
					Version     int    `gorm:"primaryKey;autoIncrement:false"`
					CycleID     int64  `gorm:"not null;index:idx_visit_points_cycle_desa"`
					DesaCode    string `gorm:"size:13;not null;index:idx_visit_points_cycle_desa"`
					OfficerID   int64  `gorm:"not null"`
					Lat         *float64
					Lon         *float64
					Accuracy    *float64
					RecordedAt  time.Time `gorm:"not null"`
				}
				return tx.AutoMigrate(&Photo{}, &VisitPoint{})
			},
		},
		{
			// The member edits a members_changed change carries (issue 21),
			// applied when the change is confirmed.
			ID: "202612082001_change_members",
			Migrate: func(tx *gorm.DB) error {
				type ChangeMember struct {
					ID          int64  `gorm:"primaryKey"`
					HouseholdID int64  `gorm:"not null;index:idx_change_members_household_id"`
					StageKey    string `gorm:"size:64;not null;index:idx_change_members_stage_key"`
					ChangeID    *int64 `gorm:"index:idx_change_members_change_id"`
					Kind        string `gorm:"size:16;not null"`
					MemberID    int64  `gorm:"not null;default:0"`
					Date        string `gorm:"size:10;not null;default:''"`
					Name        string `gorm:"size:200;not null;default:''"`
					Sex         string `gorm:"size:1;not null;default:''"`
					Relation    string `gorm:"size:16;not null;default:''"`
					NIKHash     string `gorm:"size:64;not null;default:''"`
					NIKSealed   []byte
					NIKMasked   string `gorm:"size:16;not null;default:''"`
					Occupation  string `gorm:"size:200;not null;default:''"`
				}
				return tx.AutoMigrate(&ChangeMember{})
			},
		},
		{
			// A reference family (above the cycle's scope) is kept once
			// per cycle: the same file uploaded again counted every one of
			// them twice. The copies already kept go, the first stays. A
			// family without an id (its row is not checked) cannot be told
			// from another and is not constrained.
			ID: "202612083001_reference_family_once",
			Migrate: func(tx *gorm.DB) error {
				return execAll(tx, []string{
					`DELETE FROM reference_families WHERE family_id <> '' AND id NOT IN
	(SELECT MIN(id) FROM reference_families WHERE family_id <> '' GROUP BY cycle_id, family_id)`,
					`CREATE UNIQUE INDEX IF NOT EXISTS idx_reference_families_cycle_family ON reference_families (cycle_id, family_id) WHERE family_id <> ''`,
				})
			},
		},
		{
			// The cycle's progress per desa and stage (the dashboard, read on
			// every load) from an index holding all it counts: at 50,000
			// households it read the whole table, 125 ms on SQLite and 44 ms
			// on PostgreSQL, against 8 and 9 ms from this index.
			ID: "202612084001_household_progress",
			Migrate: func(tx *gorm.DB) error {
				return tx.Exec("CREATE INDEX IF NOT EXISTS idx_households_progress ON households (cycle_id, kecamatan_code, desa_code, stage)").Error
			},
		},
	}
}

// fillProposalItemNumbers gives the proposal items that have no numbers
// of their own their household's, sealed as they are.
func fillProposalItemNumbers(tx *gorm.DB) error {
	return tx.Exec(`UPDATE proposal_items SET
	kk_hash = (SELECT households.kk_hash FROM households WHERE households.id = proposal_items.household_id),
	kk_sealed = (SELECT households.kk_sealed FROM households WHERE households.id = proposal_items.household_id),
	nik_hash = (SELECT households.nik_hash FROM households WHERE households.id = proposal_items.household_id),
	nik_sealed = (SELECT households.nik_sealed FROM households WHERE households.id = proposal_items.household_id)
WHERE (kk_sealed IS NULL OR nik_sealed IS NULL) AND EXISTS (SELECT 1 FROM households WHERE households.id = proposal_items.household_id)`).Error
}

// AuditAppendOnlyMessage is the message of the database's refusal to change or
// remove an audit entry.
const AuditAppendOnlyMessage = "audit_entries is append-only"

// AuditGuardTriggers are the triggers that keep audit_entries append-only.
var AuditGuardTriggers = []string{"audit_entries_no_update", "audit_entries_no_delete", "audit_entries_no_truncate"}

func auditAppendOnlySQL(tx *gorm.DB) []string {
	if IsPostgres(tx) {
		return []string{
			`CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	RAISE EXCEPTION '` + AuditAppendOnlyMessage + ` (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$`,
			"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
			"CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
			"CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
		}
	}
	return []string{
		"CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, '" + AuditAppendOnlyMessage + " (UPDATE refused)'); END",
		"CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, '" + AuditAppendOnlyMessage + " (DELETE refused)'); END",
	}
}

func execAll(tx *gorm.DB, stmts []string) error {
	for _, q := range stmts {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrateLockKey is the PostgreSQL advisory lock that serialises
// migrations: the api, worker and migrate processes of a deployment start
// together, and two CREATE TABLEs of the same table collide.
const migrateLockKey = 7_270_002

// Migrate brings the schema up to date. It is safe to run from several
// processes at once: on PostgreSQL they take turns under an advisory lock,
// and gormigrate skips the migrations already recorded.
func Migrate(db *gorm.DB) error {
	if !IsPostgres(db) {
		return migrate(db)
	}
	// A session-level lock belongs to one connection, so lock, migrate and
	// unlock on the same one.
	return db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrateLockKey).Error; err != nil {
			return fmt.Errorf("migrate database: lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrateLockKey)
		return migrate(conn)
	})
}

func migrate(db *gorm.DB) error {
	m := gormigrate.New(db, &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 64, UseTransaction: true}, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}
