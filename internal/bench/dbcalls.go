package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// DBCalls counts a Temporal server's calls to its database by operation,
// from the counters the server exports: persistence_requests (history,
// mutable state, tasks, namespaces) and visibility_persistence_requests
// (the search-attribute rows), the latter prefixed "visibility.". On the
// dev server every one of them runs on its single SQLite connection, so
// their number per household is what its throughput divides.
type DBCalls map[string]float64

// dbCallCounters are the server's counters read, each with the prefix
// its operations get.
var dbCallCounters = map[string]string{
	"persistence_requests":            "",
	"visibility_persistence_requests": "visibility.",
}

// ScrapeDBCalls reads a server's database calls from its Prometheus
// endpoint.
func ScrapeDBCalls(ctx context.Context, url string) (DBCalls, error) {
	fams, err := scrapeMetrics(ctx, url)
	if err != nil {
		return nil, err
	}
	return dbCalls(fams)
}

// scrapeMetrics reads a Prometheus text endpoint.
func scrapeMetrics(ctx context.Context, url string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("temporal metrics %s: %s", url, resp.Status)
	}
	return parseMetrics(resp.Body)
}

func parseMetrics(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("temporal metrics: %w", err)
	}
	return families, nil
}

func parseDBCalls(r io.Reader) (DBCalls, error) {
	families, err := parseMetrics(r)
	if err != nil {
		return nil, err
	}
	return dbCalls(families)
}

func dbCalls(families map[string]*dto.MetricFamily) (DBCalls, error) {
	calls := DBCalls{}
	for name, prefix := range dbCallCounters {
		f := families[name]
		if f == nil {
			continue
		}
		for _, m := range f.GetMetric() {
			op := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "operation" {
					op = l.GetValue()
				}
			}
			if op != "" && m.GetCounter() != nil {
				calls[prefix+op] += m.GetCounter().GetValue()
			}
		}
	}
	if len(calls) == 0 {
		return nil, errors.New("temporal metrics: no persistence_requests counters")
	}
	return calls, nil
}

// Since is the calls made after before was read.
func (d DBCalls) Since(before DBCalls) DBCalls {
	out := DBCalls{}
	for op, n := range d {
		if n -= before[op]; n > 0 {
			out[op] = n
		}
	}
	return out
}

// DBCallReport is a server's database calls over the household phases.
type DBCallReport struct {
	Total        float64 `json:"total"`
	PerHousehold float64 `json:"perHousehold"`
	// Top lists the operations making most of the calls, most first.
	Top []OpCalls `json:"top"`
}

// OpCalls is one operation's share.
type OpCalls struct {
	Operation    string  `json:"operation"`
	Calls        float64 `json:"calls"`
	PerHousehold float64 `json:"perHousehold"`
}

// Report sums the calls and lists the top operations, per household of n.
func (d DBCalls) Report(households, top int) DBCallReport {
	var rep DBCallReport
	ops := make([]OpCalls, 0, len(d))
	for op, n := range d {
		rep.Total += n
		ops = append(ops, OpCalls{Operation: op, Calls: n})
	}
	slices.SortFunc(ops, func(a, b OpCalls) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Operation, b.Operation))
	})
	if households > 0 {
		rep.PerHousehold = rep.Total / float64(households)
		for i := range ops {
			ops[i].PerHousehold = ops[i].Calls / float64(households)
		}
	}
	rep.Top = ops[:min(top, len(ops))]
	return rep
}

// persistenceLatency is a Temporal server's persistence_latency histograms
// (every database call's time, as its persistence client measures it),
// one per operation.
func persistenceLatency(families map[string]*dto.MetricFamily) histograms {
	out := histograms{}
	for _, name := range []string{"persistence_latency", "persistence_latency_seconds"} {
		f := families[name]
		if f == nil {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetHistogram() == nil {
				continue
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "operation" {
					h := out[l.GetValue()]
					addHisto(&h, m.GetHistogram())
					out[l.GetValue()] = h
				}
			}
		}
	}
	return out
}

// serverParts is each operation's database time between two snapshots,
// the top operations by total time first.
func serverParts(before, after histograms, top int) []Breakdown {
	var specs []breakdownSpec
	for op := range after {
		specs = append(specs, breakdownSpec{name: op})
	}
	parts := breakdowns(before, after, specs)
	slices.SortFunc(parts, func(a, b Breakdown) int {
		return cmp.Or(cmp.Compare(b.MeanMS*float64(b.Count), a.MeanMS*float64(a.Count)), cmp.Compare(a.Name, b.Name))
	})
	return parts[:min(top, len(parts))]
}
