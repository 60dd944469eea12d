package app

import (
	"reflect"
	"testing"
	"time"

	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// The configuration picks the gateways the activities hold, with the
// simulator's delay, seed and rejection share, and the programme rules.
func TestActivitiesGateways(t *testing.T) {
	st := &store.Store{}
	rules := []enrol.Rule{{Programme: "PKH", MaxDesil: 3}}
	a := &App{Store: st, Config: config.Config{Kemensos: "simulated", KemensosDelay: time.Minute, KemensosSeed: 9,
		KemensosRejectShare: 0.3, EnrolGateway: "simulated", EnrolRules: rules}}
	acts := a.Activities()
	if want := (kemensos.Simulator{Delay: time.Minute, Seed: 9, RejectShare: 0.3}); acts.Kemensos != want {
		t.Errorf("Kemensos gateway %#v, want %#v", acts.Kemensos, want)
	}
	if _, ok := acts.Enrol.(*enrol.Simulated); !ok {
		t.Errorf("enrolment gateway %T, want the simulated one", acts.Enrol)
	}
	if !reflect.DeepEqual(acts.Rules, rules) {
		t.Errorf("rules %+v, want %+v", acts.Rules, rules)
	}
	a.Config = config.Config{Kemensos: "file", EnrolGateway: "export"}
	acts = a.Activities()
	if acts.Kemensos != (kemensos.File{}) {
		t.Errorf("Kemensos gateway %#v, want the file gateway", acts.Kemensos)
	}
	if acts.Enrol != (enrol.Export{Lists: st}) {
		t.Errorf("enrolment gateway %#v, want the lists in the store", acts.Enrol)
	}
}
