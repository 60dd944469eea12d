package bench

import (
	"fmt"
	"github.com/verval/verval/internal/apiclient"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// WriteIntake prints an intake report as one table.
func WriteIntake(w io.Writer, r *IntakeReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "verval bench intake: %s households, Kab. Blitar (%s), seed %d, %.0f%% faulty rows, %.1f MB CSV, workflow cache %s, %d workflow-task pollers\n",
		apiclient.Count(r.Households), r.Regency, r.Seed, 100*r.FaultRate, r.FileMB, cacheNote(r.WorkflowCache), r.WorkflowPollers)
	fmt.Fprintf(tw, "file: %s\n\n", r.Expected)
	fmt.Fprintf(tw, "step\tcount\tseconds\tper second\tnote\n")
	fmt.Fprintf(tw, "parse + validate (p3ke.Check, 1 core)\t%s\t%.2f\t%s\tmedian of %d; peak heap +%.1f MB; %.0f B allocated/row\n",
		apiclient.Count(r.Parse.Rows), r.Parse.Seconds, apiclient.Count(int(r.Parse.RowsPerSec)), r.Parse.Passes, r.Parse.PeakHeapMB, r.Parse.AllocBytesPerRow)
	rateRow(tw, "raw start calls alone", r.RawStartCalls, "to a queue no worker polls: none of them runs")
	rateRow(tw, "raw workflow starts, before", r.RawStartBefore, fmt.Sprintf("minimal workflow, %d in parallel, until its worker ran each first task", Parallelism))
	in := r.Intake
	fmt.Fprintf(tw, "intake: upload (POST until 202)\t\t%.2f\t\tmultipart, as Dinsos\n", in.UploadSeconds)
	rateRow(tw, "intake: store households (ParseIntake)", in.Store, "batches of 500 with tasks and stage history")
	rateRow(tw, "intake: start workflows (StartIntakeCases)", in.Start, fmt.Sprintf("%d in parallel, eager", Parallelism))
	rateRow(tw, "intake: total, upload to done", rate(in.Stored, secs(in.TotalSeconds)), "households stored")
	rateRow(tw, "raw workflow starts, after", r.RawStartAfter, "")
	tw.Flush()
	fmt.Fprintf(w, "\nintake counts: rows %s, accepted %s, skipped %s, rejected %s, warnings %s; stored %s, already present %s, workflows started %s\n",
		apiclient.Count(in.Rows), apiclient.Count(in.Accepted), apiclient.Count(in.Skipped), apiclient.Count(in.Rejected), apiclient.Count(in.Warnings), apiclient.Count(in.Stored), apiclient.Count(in.AlreadyPresent), apiclient.Count(in.Started))
	fmt.Fprintf(w, "intake start rate / raw start rate (mean of before and after): %.0f%%; / start calls alone: %.0f%%\n", 100*r.StartRatio, 100*r.StartCallsRatio)
	writeMemory(w, r.Memory, "the intake")
	return writeTargets(w, r.Targets)
}

// boundNote is n, or "no bound" for 0.
func boundNote(n int) string {
	if n == 0 {
		return "no bound"
	}
	return fmt.Sprint(n)
}

// WriteCycle prints a cycle report: phases, latencies, history, memory.
func WriteCycle(w io.Writer, r *CycleReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "verval bench cycle: %s households, Kab. Blitar (%s), seed %d, %.0f%% faulty rows, %d officers at once (%s; %s between results), workflow cache %s, %d workflow-task pollers, fan-out Updates at once %s\n\n",
		apiclient.Count(r.Households), r.Regency, r.Seed, 100*r.FaultRate, r.Officers, villageOfficersNote(r.OfficerHouseholds), pauseNote(secs(r.OfficerPauseSeconds)), cacheNote(r.WorkflowCache), r.WorkflowPollers, boundNote(r.FanOutUpdates))
	fmt.Fprintf(tw, "phase\thouseholds\tseconds\thouseholds/s\tpeak RSS MB\tpeak heap MB\tCPU ms/household verval+temporal\tnote\n")
	for _, p := range r.Phases {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%s\n", p.Name, apiclient.Count(p.Households), p.Seconds, p.PerSec,
			p.Memory.PeakRSSMB, p.Memory.PeakHeapMB, cpuPer(p.Memory, p.Households), p.Note)
	}
	fmt.Fprintf(tw, "through %s\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t\thousehold phases so far\n", r.Through, apiclient.Count(r.Intake.Stored),
		r.ThroughSeconds, r.HouseholdRate, r.Memory.PeakRSSMB, r.Memory.PeakHeapMB)
	tw.Flush()
	fmt.Fprintf(w, "\ntrivial workflow lifecycle (start + signal + activity + complete): %.1f/s over %d; paced household rate / trivial rate: %.0f%% (set by the officers' pace, not the capacity)\n",
		r.TrivialLifecycle.PerSec, r.TrivialLifecycle.Count, 100*r.LifecycleRatio)
	if c := r.Capacity; c != nil {
		fmt.Fprintf(w, "capacity at saturation: %s results by %d officers back to back in %.1f s: %.1f household steps/s = %.0f%% of the trivial lifecycle rate; result p50 %.0f ms, p99 %.0f ms, %d retried (%s)\n",
			apiclient.Count(c.Households), c.Officers, c.Seconds, c.StepsPerSec, 100*c.Ratio, c.Submit.P50, c.Submit.P99, c.Retries, c.Note)
	}
	fmt.Fprintf(w, "officer setup (create users, log in; not a household phase): %.1f s\n\n", r.SetupSeconds)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "API latency, ms\tcount\terrors\tp50\tp95\tp99\tmax\n")
	for _, l := range []struct {
		name string
		s    LatencySummary
	}{{"GET /tasks?status=open&page=N", r.TaskList}, {"POST /tasks/{id}/result", r.Submit}, {"POST /cycles/{id}/meetings", r.Meeting}} {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n", l.name, apiclient.Count(l.s.Count), l.s.Errors, l.s.P50, l.s.P95, l.s.P99, l.s.Max)
	}
	tw.Flush()
	fmt.Fprintf(w, "(latencies count every attempt; %d submissions were retried after a 503 or 429)\n", r.Retries)
	if len(r.SubmitSlowByTenth) > 0 {
		fmt.Fprintf(w, "results slower than %v, per tenth of the time they spanned: %v\n", submitTarget, r.SubmitSlowByTenth)
	}
	if len(r.SubmitParts) > 0 {
		writeParts(w, "where the verify phase's time went (this process's histograms; percentiles are bucket upper bounds)", r.SubmitParts)
	}
	if len(r.ServerParts) > 0 {
		writeParts(w, "the Temporal server's database calls over the verify phase (its persistence_latency by operation, most total time first)", r.ServerParts)
	}
	if c := r.Capacity; c != nil && len(c.Parts) > 0 {
		writeParts(w, "where the time went at saturation (the capacity run's verify)", c.Parts)
	}
	fmt.Fprintf(w, "\noutcomes: %s\n", outcomes(r.Outcomes))
	h := r.History
	fmt.Fprintf(w, "history events per household (%d sampled, through %s): mean %.1f, max %d\n", h.Sampled, h.Through, h.MeanEvents, h.MaxEvents)
	types := make([]string, 0, len(h.ByType))
	for k := range h.ByType {
		types = append(types, k)
	}
	slices.SortFunc(types, func(a, b string) int {
		if h.ByType[a] != h.ByType[b] {
			if h.ByType[a] > h.ByType[b] {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	for _, k := range types {
		fmt.Fprintf(w, "  %5.1f  %s\n", h.ByType[k], k)
	}
	if c := r.TemporalDBCalls; c != nil {
		where := "the dev server's counters, one SQLite connection"
		if !r.Memory.TemporalLocal {
			where = "the cluster's counters"
		}
		fmt.Fprintf(w, "Temporal database calls over the household phases (%s): %s, %.1f per household\n",
			where, apiclient.Count(int(c.Total)), c.PerHousehold)
		for _, op := range c.Top {
			fmt.Fprintf(w, "  %5.1f  %s\n", op.PerHousehold, op.Operation)
		}
	}
	writeMemory(w, r.Memory, "the phases (the highest phase)")
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	return writeTargets(w, r.Targets)
}

func writeParts(w io.Writer, title string, parts []Breakdown) {
	fmt.Fprintf(w, "\n%s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "part, ms\tcount\tmean\tp50 <=\tp99 <=\n")
	for _, p := range parts {
		over := ""
		if p.P99Over {
			over = "> "
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%g\t%s%g\n", p.Name, apiclient.Count(int(p.Count)), p.MeanMS, p.P50MS, over, p.P99MS)
	}
	tw.Flush()
}

// cpuPer is CPU milliseconds per household, this process + the dev server.
func cpuPer(m Memory, n int) string {
	if n == 0 {
		return "-"
	}
	if !m.TemporalLocal {
		return fmt.Sprintf("%.1f + (cluster)", 1000*m.CPUSeconds/float64(n))
	}
	return fmt.Sprintf("%.1f + %.1f", 1000*m.CPUSeconds/float64(n), 1000*m.TemporalCPUSeconds/float64(n))
}

func rateRow(w io.Writer, name string, r Rate, note string) {
	fmt.Fprintf(w, "%s\t%s\t%.2f\t%.1f\t%s\n", name, apiclient.Count(r.Count), r.Seconds, r.PerSec, note)
}

func writeMemory(w io.Writer, m Memory, during string) {
	fmt.Fprintf(w, "memory during %s: peak RSS %.0f MB (VmHWM of this process: API, worker, application database client and the bench client with its file), "+
		"peak Go heap in use %.0f MB (%.0f MB before), peak goroutine stacks %.0f MB (%s goroutines); ",
		during, m.PeakRSSMB, m.PeakHeapMB, m.BaseHeapMB, m.PeakStacksMB, apiclient.Count(m.PeakGoroutines))
	if !m.TemporalLocal {
		fmt.Fprintf(w, "CPU %.1f s this process (Temporal is a cluster: not measured here)\n", m.CPUSeconds)
		return
	}
	fmt.Fprintf(w, "Temporal dev server peak RSS %.0f MB (separate process); CPU %.1f s this process, %.1f s the dev server\n",
		m.TemporalPeakRSSMB, m.CPUSeconds, m.TemporalCPUSeconds)
}

func writeTargets(w io.Writer, ts []Target) error {
	fmt.Fprintf(w, "\ntargets (reported, never asserted):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range ts {
		mark := "miss"
		if t.Met {
			mark = "ok"
		}
		fmt.Fprintf(tw, "  %s\t%s\twant %s\tgot %s\n", mark, t.Name, t.Want, t.Got)
	}
	return tw.Flush()
}

func outcomes(m map[string]int) string {
	s := ""
	for _, o := range outcomeMix {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %s", o.outcome, apiclient.Count(m[string(o.outcome)]))
	}
	return s
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// cacheNote names the worker's workflow cache size.
func cacheNote(n int) string {
	if n == 0 {
		return "off"
	}
	return apiclient.Count(n)
}
