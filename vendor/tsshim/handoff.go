package main

// Connection hand-off from Go to C.
//
// A listener becomes a SOCK_SEQPACKET socketpair: the caller gets one end
// (CLOEXEC|NONBLOCK); Go keeps the other, wrapped by net.FileConn so that it
// is driven by Go's poller. For each accepted connection Go makes a
// SOCK_STREAM socketpair (CLOEXEC), wraps its own end with net.FileConn,
// copies bytes both ways with half-close, and sends the other end over the
// seqpacket socket with SCM_RIGHTS and a small payload (see tsshim.h).

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"tailscale.com/ipn"
)

const (
	acceptVersion = 1
	acceptMsgMax  = 512
	flagFunnel    = 0x01
	flagTLS       = 0x02

	sendWait = 10 * time.Second // max wait for room in the accept channel
	// lingerAfterEOF bounds how long the remote->C direction may stay open
	// after C stopped writing (C may have closed its fd entirely, which Go
	// cannot tell apart from a half-close until it writes).
	lingerAfterEOF = 2 * time.Minute
)

// encodeAcceptMsg builds the payload of an accept message.
func encodeAcceptMsg(flags byte, remote string) ([]byte, error) {
	if 2+len(remote) > acceptMsgMax {
		return nil, fmt.Errorf("remote address too long (%d bytes)", len(remote))
	}
	b := make([]byte, 0, 2+len(remote))
	b = append(b, acceptVersion, flags)
	return append(b, remote...), nil
}

// decodeAcceptMsg parses an accept message payload.
func decodeAcceptMsg(b []byte) (flags byte, remote string, err error) {
	if len(b) == 0 {
		return 0, "", io.EOF
	}
	if len(b) < 2 {
		return 0, "", errors.New("accept message too short")
	}
	if b[0] != acceptVersion {
		return 0, "", fmt.Errorf("unsupported accept message version %d", b[0])
	}
	return b[1], string(b[2:]), nil
}

// fileConn wraps fd (which it takes ownership of) as a pollable net.Conn.
func fileConn(fd int, name string) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), name)
	c, err := net.FileConn(f) // dups with CLOEXEC and sets O_NONBLOCK on the dup
	f.Close()
	return c, err
}

// streamPair returns (caller fd, Go-side conn) of a new SOCK_STREAM
// socketpair. The caller fd is blocking and CLOEXEC.
func streamPair() (int, *net.UnixConn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, errf(rcErr, "socketpair: %v", err)
	}
	c, err := fileConn(fds[1], "tsshim-conn")
	if err != nil {
		unix.Close(fds[0])
		return -1, nil, errf(rcErr, "FileConn: %v", err)
	}
	return fds[0], c.(*net.UnixConn), nil
}

// handOff splices c to a new socketpair and returns the caller's end.
func handOff(c net.Conn, logf func(string, ...any)) (int, error) {
	cfd, uc, err := streamPair()
	if err != nil {
		return -1, err
	}
	go splice(c, uc, logf)
	return cfd, nil
}

// closeWriter is implemented by conns that support half-close.
type closeWriter interface{ CloseWrite() error }

// splice copies between the tailnet conn t and the caller-facing unix conn
// u until both directions are done, propagating half-closes.
func splice(t net.Conn, u *net.UnixConn, logf func(string, ...any)) {
	defer func() {
		if r := recover(); r != nil {
			logf("tsshim: recovered panic in splice: %v", r)
		}
		t.Close()
		u.Close()
	}()
	done := make(chan struct{}, 2)
	abort := func() { t.Close(); u.Close() }
	go func() { // remote -> caller
		defer func() { recover(); done <- struct{}{} }()
		if _, err := io.Copy(u, t); err != nil && !errors.Is(err, net.ErrClosed) {
			abort()
			return
		}
		u.CloseWrite()
	}()
	go func() { // caller -> remote
		defer func() { recover(); done <- struct{}{} }()
		if _, err := io.Copy(t, u); err != nil && !errors.Is(err, net.ErrClosed) {
			abort()
			return
		}
		if cw, ok := t.(closeWriter); ok {
			cw.CloseWrite()
		}
		t.SetReadDeadline(time.Now().Add(lingerAfterEOF))
	}()
	<-done
	<-done
}

// handoffListener feeds the connections of a net.Listener to the caller
// through a seqpacket socketpair.
type handoffListener struct {
	ln      net.Listener
	funnel  bool
	ch      *net.UnixConn // Go end of the seqpacket pair
	logf    func(string, ...any)
	sendMu  sync.Mutex
	once    sync.Once
	done    chan struct{}
	onClose func() // set before run
}

// newHandoffListener creates the accept channel. It returns the caller's
// fd (SOCK_SEQPACKET, CLOEXEC, NONBLOCK). Call run to start accepting.
func newHandoffListener(ln net.Listener, funnel bool, logf func(string, ...any)) (*handoffListener, int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, -1, errf(rcErr, "socketpair: %v", err)
	}
	c, err := fileConn(fds[1], "tsshim-listener")
	if err != nil {
		unix.Close(fds[0])
		return nil, -1, errf(rcErr, "FileConn: %v", err)
	}
	hl := &handoffListener{
		ln:     ln,
		funnel: funnel,
		ch:     c.(*net.UnixConn),
		logf:   logf,
		done:   make(chan struct{}),
	}
	return hl, fds[0], nil
}

func (hl *handoffListener) run() {
	go hl.watchPeer()
	go hl.acceptLoop()
}

// close stops the listener; the caller's fd then reads EOF.
func (hl *handoffListener) close() {
	hl.once.Do(func() {
		close(hl.done)
		hl.ln.Close()
		hl.ch.Close()
		if hl.onClose != nil {
			hl.onClose()
		}
	})
}

// watchPeer closes the listener when the caller closes its fd.
func (hl *handoffListener) watchPeer() {
	defer func() { recover(); hl.close() }()
	buf := make([]byte, acceptMsgMax)
	for {
		if _, err := hl.ch.Read(buf); err != nil {
			return // EOF: caller closed its end; or we closed ours
		}
		// The caller is not supposed to write; ignore what it sends.
	}
}

func (hl *handoffListener) acceptLoop() {
	defer func() {
		if r := recover(); r != nil {
			hl.logf("tsshim: recovered panic in accept loop: %v", r)
		}
		hl.close()
	}()
	for {
		c, err := hl.ln.Accept()
		if err != nil {
			select {
			case <-hl.done:
			default:
				hl.logf("tsshim: listener %v: accept: %v", hl.ln.Addr(), err)
			}
			return
		}
		go hl.handle(c)
	}
}

// handle prepares one accepted connection and sends it to the caller.
func (hl *handoffListener) handle(c net.Conn) {
	defer func() {
		if r := recover(); r != nil {
			hl.logf("tsshim: recovered panic handling connection: %v", r)
			c.Close()
		}
	}()
	var flags byte
	remote := c.RemoteAddr().String()
	if tc, ok := c.(*tls.Conn); ok {
		flags |= flagTLS
		if fc, ok := tc.NetConn().(*ipn.FunnelConn); ok {
			flags |= flagFunnel
			remote = fc.Src.String()
		}
		ctx, cancel := context.WithTimeout(context.Background(), handshakeMax)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			hl.logf("tsshim: TLS handshake with %s failed: %v", remote, err)
			c.Close()
			return
		}
	} else if hl.funnel {
		hl.logf("tsshim: unexpected non-TLS conn %T on funnel listener; dropping", c)
		c.Close()
		return
	}
	msg, err := encodeAcceptMsg(flags, remote)
	if err != nil {
		hl.logf("tsshim: %v", err)
		c.Close()
		return
	}
	cfd, uc, err := streamPair()
	if err != nil {
		hl.logf("tsshim: %v", err)
		c.Close()
		return
	}
	err = hl.send(msg, cfd)
	unix.Close(cfd) // the caller has its own copy now (or nobody does)
	if err != nil {
		hl.logf("tsshim: handing connection from %s to caller: %v", remote, err)
		uc.Close()
		c.Close()
		return
	}
	splice(c, uc, hl.logf)
}

// send transmits one accept message carrying fd.
func (hl *handoffListener) send(msg []byte, fd int) error {
	hl.sendMu.Lock()
	defer hl.sendMu.Unlock()
	select {
	case <-hl.done:
		return errors.New("listener closed")
	default:
	}
	hl.ch.SetWriteDeadline(time.Now().Add(sendWait))
	_, _, err := hl.ch.WriteMsgUnix(msg, unix.UnixRights(fd), nil)
	return err
}
