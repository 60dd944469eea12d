package bench

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is what a MemSampler saw: peaks in MiB, CPU in seconds.
type Memory struct {
	// PeakRSSMB is this process's peak resident set (VmHWM, reset when
	// sampling started): the API, the worker, the SQLite store and the
	// bench's own client together.
	PeakRSSMB float64 `json:"peakRssMB"`
	// PeakHeapMB is the highest Go heap in use (HeapInuse) sampled every
	// interval.
	PeakHeapMB float64 `json:"peakHeapMB"`
	// BaseHeapMB is the heap in use when sampling started, after a GC.
	BaseHeapMB float64 `json:"baseHeapMB"`
	// PeakStacksMB is the highest memory held by goroutine stacks (not
	// part of the heap): every workflow in the worker's cache keeps its
	// coroutines' stacks.
	PeakStacksMB float64 `json:"peakStacksMB"`
	// PeakGoroutines is the highest goroutine count sampled.
	PeakGoroutines int `json:"peakGoroutines"`
	// TemporalPeakRSSMB is the dev server's peak resident set (a separate
	// process), reset when sampling started; 0 if it could not be read.
	TemporalPeakRSSMB float64 `json:"temporalPeakRssMB"`
	// CPUSeconds is the CPU time (user + system) this process used.
	CPUSeconds float64 `json:"cpuSeconds"`
	// TemporalCPUSeconds is the CPU time the dev server used.
	TemporalCPUSeconds float64 `json:"temporalCpuSeconds"`
	// TemporalLocal is set when the bench ran its own dev server, so the
	// Temporal figures above are that server's; false against a cluster.
	TemporalLocal bool `json:"temporalLocal"`
}

// MemSampler samples the heap on a ticker and reads the kernel's peak RSS
// of this process and its children at the end.
type MemSampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	mu       sync.Mutex
	peakHeap uint64
	peakStk  uint64
	peakG    uint64
	base     uint64
	cpu0     float64
	tcpu0    float64
}

// StartMemSampler collects garbage, returns freed memory to the OS, resets
// the kernel's peak-RSS counters (of this process and its children), and
// samples the heap every interval until Stop.
func StartMemSampler(interval time.Duration) *MemSampler {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS("self")
	for _, pid := range children() {
		resetPeakRSS(pid)
	}
	m := &MemSampler{stop: make(chan struct{}), base: heapInuse(), cpu0: cpuSeconds("self"), tcpu0: childrenCPU()}
	m.peakHeap = m.base
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *MemSampler) sample() {
	h := heapInuse()
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}, {Name: "/sched/goroutines:goroutines"}}
	metrics.Read(s)
	m.mu.Lock()
	m.peakHeap = max(m.peakHeap, h)
	if s[0].Value.Kind() == metrics.KindUint64 {
		m.peakStk = max(m.peakStk, s[0].Value.Uint64())
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		m.peakG = max(m.peakG, s[1].Value.Uint64())
	}
	m.mu.Unlock()
}

// Stop ends sampling and returns the peaks.
func (m *MemSampler) Stop() Memory {
	m.sample()
	close(m.stop)
	m.done.Wait()
	mem := Memory{
		PeakRSSMB:    mib(statusBytes("self", "VmHWM")),
		PeakHeapMB:   mib(m.peakHeap),
		BaseHeapMB:   mib(m.base),
		PeakStacksMB: mib(m.peakStk), PeakGoroutines: int(m.peakG),
	}
	for _, pid := range children() {
		mem.TemporalPeakRSSMB = max(mem.TemporalPeakRSSMB, mib(statusBytes(pid, "VmHWM")))
	}
	mem.CPUSeconds = cpuSeconds("self") - m.cpu0
	mem.TemporalCPUSeconds = max(childrenCPU()-m.tcpu0, 0)
	return mem
}

var heapSamples = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
}

// heapInuse is MemStats.HeapInuse (live and not yet swept objects plus the
// free space in their spans) without stopping the world.
func heapInuse() uint64 {
	s := make([]metrics.Sample, len(heapSamples))
	copy(s, heapSamples)
	metrics.Read(s)
	var n uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			n += v.Value.Uint64()
		}
	}
	return n
}

// heapAllocated is the total ever allocated on the heap.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// resetPeakRSS sets a process's VmHWM back to its current RSS (Linux:
// writing 5 to clear_refs). Elsewhere it silently does nothing, and the
// peak is then the process's lifetime peak.
func resetPeakRSS(pid string) {
	_ = os.WriteFile(filepath.Join("/proc", pid, "clear_refs"), []byte("5"), 0)
}

// statusBytes reads a "kB" field of /proc/PID/status.
func statusBytes(pid, field string) uint64 {
	f, err := os.Open(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// children lists the pids of this process's children (the dev server).
func children() []string {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []string
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		pids = append(pids, strings.Fields(string(b))...)
	}
	return pids
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// cpuSeconds is a process's user + system CPU time from /proc/PID/stat.
func cpuSeconds(pid string) float64 {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it are plain.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	// Fields 14 and 15 of stat, 12 and 13 after the name and state.
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return float64(u+s) / clockTicks
}

func childrenCPU() float64 {
	var t float64
	for _, pid := range children() {
		t += cpuSeconds(pid)
	}
	return t
}
