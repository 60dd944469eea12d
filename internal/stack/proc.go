package stack

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// restartDelay is how long a service that exited waits before it is
// started again (Docker's `unless-stopped` starts at 100 ms and backs off).
const restartDelay = time.Second

// Proc is a long-running service of the stack. When it exits without Stop
// (a crash, an OOM kill, SIGKILL) it is started again after restartDelay,
// as the compose file's `restart: unless-stopped` does.
type Proc struct {
	Name    string
	LogPath string
	Log     io.Writer
	bin     string
	args    []string
	env     []string

	mu       sync.Mutex
	cmd      *exec.Cmd
	stopped  bool
	restarts int
	// exit receives each run's end; the supervisor reads it.
	exit chan error
	// done is closed when the supervisor has ended (after Stop).
	done chan struct{}
	// firstExit is closed at the first exit (a service that fails to
	// start), so any number of waits see it.
	firstExit     chan struct{}
	firstExitOnce sync.Once
}

func (p *Proc) start() error {
	p.exit, p.done, p.firstExit = make(chan error, 1), make(chan struct{}), make(chan struct{})
	if err := p.spawn(); err != nil {
		return err
	}
	go p.supervise()
	return nil
}

func (p *Proc) spawn() error {
	f, err := os.OpenFile(p.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	// Own process group: Ctrl-C in a terminal reaches `verval stack`,
	// which stops the services in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		f.Close()
		p.exit <- err
	}()
	return nil
}

// supervise starts the service again each time it exits, until Stop.
func (p *Proc) supervise() {
	defer close(p.done)
	for {
		err := <-p.exit
		p.firstExitOnce.Do(func() { close(p.firstExit) })
		p.mu.Lock()
		stopped := p.stopped
		p.mu.Unlock()
		if stopped {
			return
		}
		fmt.Fprintf(p.Log, "%s exited (%v); starting it again in %s\n", p.Name, err, restartDelay)
		time.Sleep(restartDelay)
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			return
		}
		p.restarts++
		p.mu.Unlock()
		for p.spawn() != nil {
			time.Sleep(restartDelay)
		}
	}
}

// exited yields the service's first exit, to stop waiting for a service
// that cannot start (devserver.WaitServing).
func (p *Proc) exited() <-chan struct{} { return p.firstExit }

// Pid is the running process's id.
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// Restarts counts the times the service was started again after exiting.
func (p *Proc) Restarts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.restarts
}

// Kill ends the running process at once, as a crash or an OOM kill would;
// the stack starts it again.
func (p *Proc) Kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
}

// Stop sends SIGTERM and waits up to grace for the process to end, then
// kills it; it is not started again.
func (p *Proc) Stop(grace time.Duration) {
	p.mu.Lock()
	if p.stopped || p.cmd == nil {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	proc := p.cmd.Process
	p.mu.Unlock()
	_ = proc.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = proc.Signal(syscall.SIGKILL)
		<-p.done
	}
}
