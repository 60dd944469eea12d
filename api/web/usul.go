package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/store"
)

// The usul page: a family proposed from outside the file (docs/process.md,
// "Usul"), through the office's ProposeHousehold step as for POST
// /api/v1/cycles/{id}/usul. The desa's officer and PSM propose for their
// desa; TKSK and Dinsos record a citizen's, choosing its channel.

type usulForm struct {
	NIK, NoKK, Name, Address, DesaCode, Members, Reason, Channel string
	Errors                                                       map[string]string
}

type usulData struct {
	Cycles []store.Cycle
	Cycle  *store.Cycle
	Form   usulForm
	// Desas are the caller's villages to choose from, when it holds them
	// by desa; a TKSK or Dinsos types the desa's code.
	Desas []string
	// Citizen: the caller records a citizen's usul and names its channel.
	Citizen bool
}

// usulChannelNames names the channels an usul comes through.
var usulChannelNames = map[string]string{
	store.ChannelDesa:      "Operator desa",
	store.ChannelPSM:       "PSM",
	store.ChannelWalkIn:    "Datang langsung ke kantor",
	store.ChannelLetter:    "Surat",
	store.ChannelCekBansos: "Aplikasi Cek Bansos",
}

// UsulChannelName is an usul channel's name in Indonesian.
func UsulChannelName(code string) string { return lookup(usulChannelNames, code) }

// Channels lists a citizen's channels for the form.
func (usulData) Channels() []struct{ Code, Name string } {
	var out []struct{ Code, Name string }
	for _, ch := range store.CitizenChannels {
		out = append(out, struct{ Code, Name string }{ch, UsulChannelName(ch)})
	}
	return out
}

func (h *pages) usulPage(c *gin.Context) {
	v := &view{Title: "Usulkan keluarga", Active: "usul"}
	if id := c.Query("tersimpan"); id != "" {
		v.Flash = "Usulan tercatat sebagai rumah tangga " + id + " dan menunggu kunjungan desa."
	}
	h.showUsul(c, http.StatusOK, v, &usulForm{Members: "1"})
}

func (h *pages) showUsul(c *gin.Context, status int, v *view, f *usulForm) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := usulData{Cycles: cycles, Cycle: cy, Form: *f, Citizen: !p.Role.Visits()}
	if p.Role.Visits() {
		d.Desas = p.AllRegions()
	}
	v.Data = d
	h.render(c, status, "usul", v)
}

// proposeHousehold posts the form to the office's step.
func (h *pages) proposeHousehold(c *gin.Context) {
	f := &usulForm{NIK: c.PostForm("nik"), NoKK: c.PostForm("noKk"), Name: c.PostForm("name"), Address: c.PostForm("address"),
		DesaCode: strings.TrimSpace(c.PostForm("desaCode")), Members: strings.TrimSpace(c.PostForm("members")),
		Reason: c.PostForm("reason"), Channel: c.PostForm("channel"), Errors: map[string]string{}}
	v := &view{Title: "Usulkan keluarga", Active: "usul"}
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	members, err := strconv.Atoi(f.Members)
	if err != nil {
		f.Errors["members"] = "Isi jumlah anggota keluarga (angka)."
		h.showUsul(c, http.StatusUnprocessableEntity, v, f)
		return
	}
	hh, err := h.d.Office.ProposeHousehold(c.Request.Context(), caller(c), store.NewUsul{CycleID: cy.ID, NIK: f.NIK, NoKK: f.NoKK,
		Name: f.Name, Address: f.Address, DesaCode: f.DesaCode, Members: members, Reason: f.Reason, Channel: f.Channel})
	if e, msg, status, ok := refusal(err); ok {
		if shownUsulFields[e.Field] {
			f.Errors[e.Field] = msg
		} else {
			v.Error = msg
		}
		h.showUsul(c, status, v, f)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usul?siklus=%d&tersimpan=%d", cy.ID, hh.ID))
}

// shownUsulFields are the form's fields a refusal is shown next to.
var shownUsulFields = map[string]bool{"nik": true, "noKk": true, "name": true, "address": true, "desaCode": true,
	"members": true, "reason": true, "channel": true}
