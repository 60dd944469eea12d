package bench

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// newHTTPClient keeps enough idle connections for every simulated officer:
// the default two per host would make most requests dial anew.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Minute,
		Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
		},
	}
}

// Latencies collects request latencies from many goroutines.
type Latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	at     []time.Time // when each answer came
	errors int
}

// Add records one answered request; failed ones count as errors.
func (l *Latencies) Add(d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.errors++
		return
	}
	l.d = append(l.d, d)
	l.at = append(l.at, time.Now())
}

// SlowOverTime splits the time from the first answer to the last into n
// equal parts and counts, in each, the answers slower than limit: whether
// a tail is spread over a phase or gathered in part of it.
func (l *Latencies) SlowOverTime(limit time.Duration, n int) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]int, n)
	if len(l.at) == 0 || n <= 0 {
		return out
	}
	first, last := l.at[0], l.at[0]
	for _, t := range l.at {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	span := last.Sub(first) + 1
	for i, d := range l.d {
		if d > limit {
			out[min(int(int64(n)*int64(l.at[i].Sub(first))/int64(span)), n-1)]++
		}
	}
	return out
}

// LatencySummary is a latency distribution in milliseconds.
type LatencySummary struct {
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
	P50    float64 `json:"p50ms"`
	P95    float64 `json:"p95ms"`
	P99    float64 `json:"p99ms"`
	Max    float64 `json:"maxms"`
}

// Summary computes the percentiles (nearest rank).
func (l *Latencies) Summary() LatencySummary {
	l.mu.Lock()
	d := slices.Clone(l.d)
	s := LatencySummary{Count: len(l.d), Errors: l.errors}
	l.mu.Unlock()
	if len(d) == 0 {
		return s
	}
	slices.Sort(d)
	pct := func(p float64) float64 {
		i := int(p*float64(len(d))+0.999999) - 1
		return ms(d[min(max(i, 0), len(d)-1)])
	}
	s.P50, s.P95, s.P99, s.Max = pct(0.50), pct(0.95), pct(0.99), ms(d[len(d)-1])
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
