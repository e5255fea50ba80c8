package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// interruptedError reports a training run stopped by SIGINT or SIGTERM after saving its state (exit status
// 128 + the signal's number: 130, 143).
type interruptedError struct {
	signal os.Signal
	step   int
	saved  string // where the state was saved
	resume string // the command that continues the run
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("stopped by %s after step %d; the state is saved in %s; continue with: %s", signalName(e.signal), e.step, e.saved, e.resume)
}

// exitCode is 128 + the signal's number, as shells report a process ended by it.
func (e *interruptedError) exitCode() int {
	if s, ok := e.signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// stopWatch records the first SIGINT or SIGTERM so that a training loop can stop at its next step boundary;
// a second signal ends the process at once (the default action).
type stopWatch struct {
	ch  chan os.Signal
	got atomic.Value // os.Signal
}

// watchStop starts watching; call release when the run ends.
func watchStop() *stopWatch {
	w := &stopWatch{ch: make(chan os.Signal, 1)}
	signal.Notify(w.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-w.ch
		if !ok {
			return
		}
		w.got.Store(sig)
		signal.Stop(w.ch)
		fmt.Fprintf(os.Stderr, "deberta: %s: saving the state at the end of this step (send it again to abort)\n", signalName(sig))
	}()
	return w
}

// stopped returns the signal received, or nil.
func (w *stopWatch) stopped() os.Signal {
	sig, _ := w.got.Load().(os.Signal)
	return sig
}

// release stops watching.
func (w *stopWatch) release() {
	signal.Stop(w.ch)
	close(w.ch)
}
