package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

func init() {
	// Nothing of Go's may write to stdout/stderr of the host process.
	log.SetOutput(io.Discard)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
}

// logSink writes log lines asynchronously to a file descriptor through a
// bounded queue, so a slow or stuck reader never blocks tsnet.
type logSink struct {
	mu      sync.Mutex
	f       *os.File // nil: discard
	q       chan string
	dropped int
	closed  bool
	wg      sync.WaitGroup
}

func newLogSink() *logSink {
	return &logSink{q: make(chan string, 4096)}
}

// setFile directs the sink (and Go's global log package) to f.
func (l *logSink) setFile(f *os.File) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		if f != nil {
			f.Close()
		}
		return
	}
	old := l.f
	l.f = f
	if f != nil && old == nil {
		l.wg.Add(1)
		go l.writer()
	}
	if f != nil {
		log.SetOutput(globalLogWriter{l})
		// Also copy fatal-crash tracebacks there (they still go to stderr).
		debug.SetCrashOutput(f, debug.CrashOptions{})
	}
	if old != nil && old != f {
		// The writer goroutine picks up the new file; the old one is
		// closed after a short grace period.
		go func() { time.Sleep(time.Second); old.Close() }()
	}
}

type globalLogWriter struct{ l *logSink }

func (w globalLogWriter) Write(p []byte) (int, error) {
	w.l.enqueue(string(p))
	return len(p), nil
}

func (l *logSink) logf(format string, args ...any) {
	l.enqueue(fmt.Sprintf(format, args...))
}

func (l *logSink) enqueue(line string) {
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || l.closed {
		return
	}
	select {
	case l.q <- time.Now().Format("2006-01-02T15:04:05.000000Z07:00 ") + line:
	default:
		l.dropped++
	}
}

func (l *logSink) writer() {
	defer l.wg.Done()
	defer func() { recover() }()
	for line := range l.q {
		l.mu.Lock()
		f := l.f
		dropped := l.dropped
		l.dropped = 0
		l.mu.Unlock()
		if f == nil {
			continue
		}
		if dropped > 0 {
			fmt.Fprintf(f, "tsshim: %d log lines dropped (log fd too slow)\n", dropped)
		}
		io.WriteString(f, line)
	}
}

// close flushes and closes the sink.
func (l *logSink) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	running := l.f != nil
	close(l.q)
	l.mu.Unlock()
	if running {
		done := make(chan struct{})
		go func() { l.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	l.mu.Lock()
	f := l.f
	l.f = nil
	l.mu.Unlock()
	if f != nil {
		f.Close()
	}
}
