package activities

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/store"
)

// Notifier delivers reminders and escalations. The database notifier shows
// them in the app; SMS or WhatsApp gateways can implement it later.
type Notifier interface {
	Notify(ctx context.Context, n store.Notification) error
}

// DBNotifier stores notifications for the app to show, once per key.
type DBNotifier struct {
	Store *store.Store
	Log   *slog.Logger
}

// Notify stores n unless a notification with its key exists.
func (d DBNotifier) Notify(ctx context.Context, n store.Notification) error {
	res := d.Store.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&n)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected > 0 {
		d.Log.InfoContext(ctx, "notification", "kind", n.Kind, "regionCode", n.RegionCode, "desaCode", n.DesaCode, "cycleId", n.CycleID)
	}
	return nil
}

// Notification kinds.
const (
	NotifyReminder       = "reminder"
	NotifyEscalateTKSK   = "escalation_tksk"
	NotifyEscalateDinsos = "escalation_dinsos"
	NotifyKemensosLate   = "kemensos_overdue"
)

// NotifyInput asks for a reminder or an escalation about a household.
type NotifyInput struct {
	CycleID     int64
	HouseholdID int64
	Kind        string
	// RegionCode is who is told: the desa, its kecamatan or its regency.
	RegionCode string
	DesaCode   string
	DueAt      time.Time
	At         time.Time
}

// Notify sends one notification per village, kind and day, however many of
// the village's households are late: a TKSK wants one message per village,
// not two hundred.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	day := in.At.UTC().Format("2006-01-02")
	msg := map[string]string{
		NotifyReminder:              fmt.Sprintf("Verifikasi desa %s jatuh tempo %s.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifyEscalateTKSK:          fmt.Sprintf("Verifikasi desa %s terlambat sejak %s.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifyEscalateDinsos:        fmt.Sprintf("Verifikasi desa %s masih terlambat sejak %s; perlu tindakan Dinsos.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifyKemensosLate:          "Usulan ke Kemensos belum dijawab.",
		NotifySanggahNew:            fmt.Sprintf("Sanggah baru di desa %s: verifikasi ulang keluarganya sebelum %s.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifySanggahReminder:       fmt.Sprintf("Sanggah di desa %s menunggu verifikasi ulang atau keputusan; jatuh tempo %s.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifySanggahEscalateTKSK:   fmt.Sprintf("Sanggah di desa %s terlambat sejak %s.", in.DesaCode, in.DueAt.Format("2006-01-02")),
		NotifySanggahEscalateDinsos: fmt.Sprintf("Sanggah di desa %s masih terlambat sejak %s; perlu tindakan Dinsos.", in.DesaCode, in.DueAt.Format("2006-01-02")),
	}[in.Kind]
	return classify(a.Notifier.Notify(ctx, store.Notification{
		IdemKey: fmt.Sprintf("%s:%d:%s:%s:%s", in.Kind, in.CycleID, in.RegionCode, in.DesaCode, day),
		CycleID: in.CycleID, RegionCode: in.RegionCode, Kind: in.Kind, HouseholdID: in.HouseholdID,
		DesaCode: in.DesaCode, Message: msg, CreatedAt: in.At.UTC(),
	}))
}
