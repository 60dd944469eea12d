package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar draws one line on a terminal (redrawn in place), or prints a
// plain line every few seconds to a file or pipe. A nil writer draws nothing.
type progressBar struct {
	w     io.Writer
	tty   bool
	label string
	start time.Time
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, label string) *progressBar {
	p := &progressBar{w: w, label: label, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

const barWidth = 30

// update shows done of total and a detail text.
func (p *progressBar) update(done, total int, detail string) {
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

// done ends the bar's line.
func (p *progressBar) done() {
	if p == nil || p.w == nil {
		return
	}
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// count formats a whole number with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
