// Command tsshim is built as a C archive (go build -buildmode=c-archive)
// exposing a tsnet node to C and Rust. The C API is documented in tsshim.h.
package main

/*
#include <stdlib.h>
#include "tsshim.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
	"tailscale.com/envknob"
	"tailscale.com/ipn"
	"tailscale.com/tsnet"
)

func main() {}

// Return codes; must match tsshim.h.
const (
	rcOK         = 0
	rcErr        = -1
	rcBadHandle  = -2
	rcInval      = -3
	rcState      = -4
	rcTimedOut   = -5
	rcCanceled   = -6
	rcRange      = -7
	rcFunnel     = -8
	rcClosed     = -9
	rcPanic      = -10
	funnelWait   = 30 * time.Second
	statusWait   = 10 * time.Second
	handshakeMax = 10 * time.Second
)

// shimError carries a return code and a message.
type shimError struct {
	code int
	msg  string
}

func (e *shimError) Error() string { return e.msg }

func errf(code int, format string, args ...any) error {
	return &shimError{code: code, msg: fmt.Sprintf(format, args...)}
}

var errBadHandle = errf(rcBadHandle, "tsshim: unknown or closed server handle")

// server is one tsnet node and its shim state.
type server struct {
	id     int
	ctx    context.Context // canceled by close
	cancel context.CancelFunc
	logs   *logSink

	mu        sync.Mutex // guards everything below; held during ts.Start
	ts        *tsnet.Server
	started   bool
	closed    bool
	listeners map[*handoffListener]bool
}

var (
	serversMu sync.Mutex
	servers   = map[int]*server{}
	nextID    atomic.Int32
)

func lookup(sd C.int) (*server, error) {
	serversMu.Lock()
	defer serversMu.Unlock()
	s := servers[int(sd)]
	if s == nil {
		return nil, errBadHandle
	}
	return s, nil
}

// writeCString writes s into buf (capacity n) NUL-terminated, truncating.
// It reports whether s fit entirely.
func writeCString(buf *C.char, n C.size_t, s string) bool {
	if buf == nil || n == 0 {
		return false
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	k := copy(dst[:len(dst)-1], s)
	dst[k] = 0
	return k == len(s)
}

// finish converts the outcome of an export into a return code, writing the
// error message (or an empty string) to errbuf.
func finish(err error, errbuf *C.char, errlen C.size_t) C.int {
	if err == nil {
		writeCString(errbuf, errlen, "")
		return rcOK
	}
	code := rcErr
	var se *shimError
	if errors.As(err, &se) {
		code = se.code
	}
	writeCString(errbuf, errlen, err.Error())
	return C.int(code)
}

// guard runs f, recovering any panic into TSSHIM_EPANIC.
func guard(errbuf *C.char, errlen C.size_t, f func() error) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			writeCString(errbuf, errlen, fmt.Sprintf("tsshim: recovered Go panic: %v\n%s", r, debug.Stack()))
			rc = rcPanic
		}
	}()
	return finish(f(), errbuf, errlen)
}

// withServer looks sd up and runs f with it, under guard.
func withServer(sd C.int, errbuf *C.char, errlen C.size_t, f func(*server) error) C.int {
	return guard(errbuf, errlen, func() error {
		s, err := lookup(sd)
		if err != nil {
			return err
		}
		return f(s)
	})
}

// setter runs f on the unstarted tsnet.Server.
func setter(sd C.int, errbuf *C.char, errlen C.size_t, f func(*server) error) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return errBadHandle
		}
		if s.started {
			return errf(rcState, "tsshim: settings must be made before tsshim_start/tsshim_up")
		}
		return f(s)
	})
}

//export tsshim_setenv
func tsshim_setenv(key, value *C.tsshim_cchar, errbuf *C.char, errlen C.size_t) C.int {
	return guard(errbuf, errlen, func() error {
		k := C.GoString((*C.char)(key))
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return errf(rcInval, "tsshim_setenv: invalid variable name %q", k)
		}
		envknob.Setenv(k, C.GoString((*C.char)(value)))
		return nil
	})
}

//export tsshim_new
func tsshim_new() (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			rc = rcPanic
		}
	}()
	id := int(nextID.Add(1))
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{
		id:        id,
		ctx:       ctx,
		cancel:    cancel,
		logs:      newLogSink(),
		listeners: map[*handoffListener]bool{},
	}
	s.ts = &tsnet.Server{
		UserLogf: s.logs.logf,
		Logf:     s.logs.logf,
	}
	serversMu.Lock()
	servers[id] = s
	serversMu.Unlock()
	return C.int(id)
}

//export tsshim_set_dir
func tsshim_set_dir(sd C.int, dir *C.tsshim_cchar, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		s.ts.Dir = C.GoString((*C.char)(dir))
		return nil
	})
}

//export tsshim_set_hostname
func tsshim_set_hostname(sd C.int, hostname *C.tsshim_cchar, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		s.ts.Hostname = C.GoString((*C.char)(hostname))
		return nil
	})
}

//export tsshim_set_authkey
func tsshim_set_authkey(sd C.int, authkey *C.tsshim_cchar, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		s.ts.AuthKey = C.GoString((*C.char)(authkey))
		return nil
	})
}

//export tsshim_set_control_url
func tsshim_set_control_url(sd C.int, url *C.tsshim_cchar, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		s.ts.ControlURL = C.GoString((*C.char)(url))
		return nil
	})
}

//export tsshim_set_ephemeral
func tsshim_set_ephemeral(sd C.int, ephemeral C.int, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		s.ts.Ephemeral = ephemeral != 0
		return nil
	})
}

//export tsshim_set_logfd
func tsshim_set_logfd(sd C.int, fd C.int, errbuf *C.char, errlen C.size_t) C.int {
	return setter(sd, errbuf, errlen, func(s *server) error {
		if fd < 0 {
			s.logs.setFile(nil)
			return nil
		}
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return errf(rcInval, "tsshim_set_logfd: dup(%d): %v", int(fd), err)
		}
		s.logs.setFile(os.NewFile(uintptr(nfd), fmt.Sprintf("tsshim-log-%d", int(fd))))
		return nil
	})
}

// start starts the tsnet server once. s.mu must not be held.
func (s *server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errf(rcCanceled, "tsshim: server closed")
	}
	if s.started {
		return nil
	}
	if s.ts.Dir == "" {
		return errf(rcInval, "tsshim: set a state directory (tsshim_set_dir) before starting")
	}
	if err := os.MkdirAll(s.ts.Dir, 0o700); err != nil {
		return errf(rcErr, "tsshim: creating state directory: %v", err)
	}
	if err := s.ts.Start(); err != nil {
		// tsnet.Server can't be restarted after a failed Start; mark it
		// started so that Close cleans up what exists.
		s.started = true
		return errf(rcErr, "%v", err)
	}
	s.started = true
	return nil
}

//export tsshim_start
func tsshim_start(sd C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error { return s.start() })
}

// opContext returns a context canceled by close and by timeoutMs (if > 0).
func (s *server) opContext(timeoutMs C.int) (context.Context, context.CancelFunc) {
	if timeoutMs > 0 {
		return context.WithTimeout(s.ctx, time.Duration(timeoutMs)*time.Millisecond)
	}
	return context.WithCancel(s.ctx)
}

// ctxError maps a context error to a shim error, explaining the state.
func (s *server) ctxError(ctx context.Context, what string, cause error) error {
	if s.ctx.Err() != nil {
		return errf(rcCanceled, "%s: canceled: server closed", what)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		msg := what + ": timed out"
		if st := s.quickState(); st != "" {
			msg += "; " + st
		}
		return errf(rcTimedOut, "%s", msg)
	}
	return errf(rcErr, "%s: %v", what, cause)
}

// quickState describes the backend state and login URL, best effort.
func (s *server) quickState() string {
	lc, err := s.ts.LocalClient()
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := lc.StatusWithoutPeers(ctx)
	if err != nil {
		return ""
	}
	out := "backend_state=" + st.BackendState
	if st.AuthURL != "" {
		out += "; auth_url=" + st.AuthURL
	}
	return out
}

//export tsshim_up
func tsshim_up(sd C.int, timeoutMs C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		if err := s.start(); err != nil {
			return err
		}
		ctx, cancel := s.opContext(timeoutMs)
		defer cancel()
		if _, err := s.ts.Up(ctx); err != nil {
			if ctx.Err() != nil {
				return s.ctxError(ctx, "tsshim_up", err)
			}
			return errf(rcErr, "%v", err)
		}
		return nil
	})
}

//export tsshim_close
func tsshim_close(sd C.int) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			rc = rcPanic
		}
	}()
	serversMu.Lock()
	s := servers[int(sd)]
	delete(servers, int(sd))
	serversMu.Unlock()
	if s == nil {
		return rcBadHandle
	}
	s.cancel()
	s.mu.Lock() // waits for an in-progress Start
	s.closed = true
	lns := make([]*handoffListener, 0, len(s.listeners))
	for hl := range s.listeners {
		lns = append(lns, hl)
	}
	started := s.started
	s.mu.Unlock()
	for _, hl := range lns {
		hl.close()
	}
	if started {
		// A tsnet.Server whose Start failed half-way may panic in Close;
		// the handle is gone either way.
		func() {
			defer func() {
				if r := recover(); r != nil {
					s.logs.logf("tsshim: recovered panic in tsnet Close: %v", r)
				}
			}()
			s.ts.Close()
		}()
	}
	s.logs.close()
	return rcOK
}

func (s *server) addListener(hl *handoffListener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errf(rcCanceled, "tsshim: server closed")
	}
	s.listeners[hl] = true
	hl.onClose = func() {
		s.mu.Lock()
		delete(s.listeners, hl)
		s.mu.Unlock()
	}
	return nil
}

func (s *server) funnelListenerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for hl := range s.listeners {
		if hl.funnel {
			n++
		}
	}
	return n
}

//export tsshim_listen
func tsshim_listen(sd C.int, network, addr *C.tsshim_cchar, outFd *C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		if outFd == nil {
			return errf(rcInval, "tsshim_listen: out_listener_fd is NULL")
		}
		*outFd = -1
		if err := s.start(); err != nil {
			return err
		}
		ln, err := s.ts.Listen(C.GoString((*C.char)(network)), C.GoString((*C.char)(addr)))
		if err != nil {
			return errf(rcErr, "%v", err)
		}
		fd, err := s.serve(ln, false)
		if err != nil {
			return err
		}
		*outFd = C.int(fd)
		return nil
	})
}

// serve wraps ln in a handoff listener registered with s and returns the
// caller's fd.
func (s *server) serve(ln net.Listener, funnel bool) (int, error) {
	hl, cfd, err := newHandoffListener(ln, funnel, s.logs.logf)
	if err != nil {
		ln.Close()
		return -1, err
	}
	if err := s.addListener(hl); err != nil {
		unix.Close(cfd)
		hl.close()
		return -1, err
	}
	hl.run()
	return cfd, nil
}

// funnelCheck reports why Funnel on port is not permitted, or "" if it is.
// It needs the node to be Running.
func funnelCheck(st *ipnStatus, port uint16) string {
	if st.Self == nil {
		return "node has no self status (not running)"
	}
	if err := ipn.CheckFunnelAccess(port, st.Self); err != nil {
		return err.Error()
	}
	if len(st.CertDomains) == 0 {
		return "Funnel not available; HTTPS certificates are not enabled for this tailnet (no cert domains). See https://tailscale.com/s/https"
	}
	return ""
}

//export tsshim_listen_funnel
func tsshim_listen_funnel(sd C.int, port C.int, outFd *C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		if outFd == nil {
			return errf(rcInval, "tsshim_listen_funnel: out_listener_fd is NULL")
		}
		*outFd = -1
		if port == 0 {
			port = 443
		}
		if port < 1 || port > 65535 {
			return errf(rcInval, "tsshim_listen_funnel: invalid port %d", int(port))
		}
		st, err := s.runningStatus()
		if err != nil {
			return err
		}
		if reason := funnelCheck(st, uint16(port)); reason != "" {
			return errf(rcFunnel, "%s", reason)
		}
		ln, err := s.listenFunnel(int(port))
		if err != nil {
			return err
		}
		fd, err := s.serve(ln, true)
		if err != nil {
			return err
		}
		*outFd = C.int(fd)
		return nil
	})
}

//export tsshim_dial
func tsshim_dial(sd C.int, network, addr *C.tsshim_cchar, timeoutMs C.int, outFd *C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		if outFd == nil {
			return errf(rcInval, "tsshim_dial: out_fd is NULL")
		}
		*outFd = -1
		if err := s.start(); err != nil {
			return err
		}
		ctx, cancel := s.opContext(timeoutMs)
		defer cancel()
		c, err := s.ts.Dial(ctx, C.GoString((*C.char)(network)), C.GoString((*C.char)(addr)))
		if err != nil {
			if ctx.Err() != nil {
				return s.ctxError(ctx, "tsshim_dial", err)
			}
			return errf(rcErr, "%v", err)
		}
		fd, err := handOff(c, s.logs.logf)
		if err != nil {
			c.Close()
			return err
		}
		*outFd = C.int(fd)
		return nil
	})
}

// writeOut writes s into buf, reporting its length through needed.
func writeOut(s string, buf *C.char, buflen C.size_t, needed *C.size_t) error {
	if needed != nil {
		*needed = C.size_t(len(s))
	}
	if buf == nil || int(buflen) < len(s)+1 {
		writeCString(buf, buflen, "")
		return errf(rcRange, "buffer too small: need %d bytes", len(s)+1)
	}
	writeCString(buf, buflen, s)
	return nil
}

//export tsshim_getips
func tsshim_getips(sd C.int, buf *C.char, buflen C.size_t, needed *C.size_t, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		var ips []string
		if s.isStarted() {
			ip4, ip6 := s.ts.TailscaleIPs()
			if ip4.IsValid() {
				ips = append(ips, ip4.String())
			}
			if ip6.IsValid() {
				ips = append(ips, ip6.String())
			}
		}
		return writeOut(strings.Join(ips, ","), buf, buflen, needed)
	})
}

//export tsshim_status_json
func tsshim_status_json(sd C.int, buf *C.char, buflen C.size_t, needed *C.size_t, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		js, err := s.statusJSON()
		if err != nil {
			return err
		}
		return writeOut(js, buf, buflen, needed)
	})
}

//export tsshim_fetch_cert
func tsshim_fetch_cert(sd C.int, timeoutMs C.int, errbuf *C.char, errlen C.size_t) C.int {
	return withServer(sd, errbuf, errlen, func(s *server) error {
		st, err := s.runningStatus()
		if err != nil {
			return err
		}
		if len(st.CertDomains) == 0 {
			return errf(rcState, "tsshim_fetch_cert: HTTPS certificates are not enabled for this tailnet (no cert domains)")
		}
		lc, err := s.ts.LocalClient()
		if err != nil {
			return errf(rcErr, "%v", err)
		}
		ctx, cancel := s.opContext(timeoutMs)
		defer cancel()
		if _, _, err := lc.CertPair(ctx, st.CertDomains[0]); err != nil {
			if ctx.Err() != nil {
				return s.ctxError(ctx, "tsshim_fetch_cert", err)
			}
			return errf(rcErr, "tsshim_fetch_cert(%s): %v", st.CertDomains[0], err)
		}
		return nil
	})
}

func (s *server) isStarted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started && !s.closed
}
