package apiclient

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress draws one line on a terminal (redrawn in place), or prints a
// plain line every few seconds to a file or pipe. A nil writer draws
// nothing.
type Progress struct {
	w     io.Writer
	tty   bool
	label string
	start time.Time
	last  time.Time
	drawn bool
}

// NewProgress starts a bar labelled label.
func NewProgress(w io.Writer, label string) *Progress {
	p := &Progress{w: w, label: label, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

const barWidth = 30

// Update shows done of total and a detail text.
func (p *Progress) Update(done, total int, detail string) {
	if p == nil || p.w == nil {
		return
	}
	now := time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	frac := 0.0
	if total > 0 {
		frac = min(float64(done)/float64(total), 1)
	}
	fill := int(frac * barWidth)
	line := fmt.Sprintf("%-9s [%s%s] %3.0f%% %s  %s", p.label, strings.Repeat("#", fill), strings.Repeat(".", barWidth-fill),
		frac*100, detail, time.Since(p.start).Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// Done ends the bar's line.
func (p *Progress) Done() {
	if p == nil || p.w == nil {
		return
	}
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// Count formats a whole number with thousands separators.
func Count(n int) string {
	if n < 0 {
		return "-" + Count(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
