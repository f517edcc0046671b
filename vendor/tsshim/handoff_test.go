package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"tailscale.com/ipn"
)

func TestAcceptMsgRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		flags  byte
		remote string
	}{
		{0, "100.64.0.2:41234"},
		{flagFunnel | flagTLS, "203.0.113.7:50000"},
		{flagTLS, "[2001:db8::1]:443"},
		{0, ""},
	} {
		b, err := encodeAcceptMsg(tc.flags, tc.remote)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != 1 || b[1] != tc.flags || string(b[2:]) != tc.remote {
			t.Fatalf("encoding %+v = %q", tc, b)
		}
		f, r, err := decodeAcceptMsg(b)
		if err != nil || f != tc.flags || r != tc.remote {
			t.Fatalf("decode(%q) = %v, %q, %v", b, f, r, err)
		}
	}
	if _, err := encodeAcceptMsg(0, strings.Repeat("x", acceptMsgMax)); err == nil {
		t.Fatal("oversized message accepted")
	}
	if _, _, err := decodeAcceptMsg(nil); err != io.EOF {
		t.Fatalf("empty message: %v, want EOF", err)
	}
	if _, _, err := decodeAcceptMsg([]byte{2, 0}); err == nil {
		t.Fatal("bad version accepted")
	}
}

// The Go constants must match the header's.
func TestHeaderConstants(t *testing.T) {
	h, err := os.ReadFile("tsshim.h")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"TSSHIM_OK": rcOK, "TSSHIM_ERR": rcErr, "TSSHIM_EBADHANDLE": rcBadHandle,
		"TSSHIM_EINVAL": rcInval, "TSSHIM_ESTATE": rcState, "TSSHIM_ETIMEDOUT": rcTimedOut,
		"TSSHIM_ECANCELED": rcCanceled, "TSSHIM_ERANGE": rcRange, "TSSHIM_EFUNNEL": rcFunnel,
		"TSSHIM_ECLOSED": rcClosed, "TSSHIM_EPANIC": rcPanic,
		"TSSHIM_ACCEPT_VERSION": acceptVersion, "TSSHIM_ACCEPT_MSG_MAX": acceptMsgMax,
		"TSSHIM_CONN_FUNNEL": flagFunnel, "TSSHIM_CONN_TLS": flagTLS,
	}
	re := regexp.MustCompile(`(?m)^#define (TSSHIM_[A-Z_]+)\s+(-?(?:0x)?[0-9a-fA-F]+)`)
	got := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(string(h), -1) {
		var v int64
		var err error
		if strings.HasPrefix(m[2], "0x") {
			v, err = parseInt(m[2][2:], 16)
		} else {
			v, err = parseInt(m[2], 10)
		}
		if err != nil {
			t.Fatal(err)
		}
		got[m[1]] = int(v)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: header has %d (present=%v), Go has %d", k, g, ok, v)
		}
	}
}

func parseInt(s string, base int) (int64, error) {
	n := new(big.Int)
	if _, ok := n.SetString(s, base); !ok {
		return 0, os.ErrInvalid
	}
	return n.Int64(), nil
}

// Every //export must be declared in tsshim.h and vice versa. (The build
// itself checks that declared prototypes agree with the exports, because
// the cgo preamble includes tsshim.h.)
func TestHeaderDeclaresExports(t *testing.T) {
	h, err := os.ReadFile("tsshim.h")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^int (tsshim_\w+)\(`).FindAllStringSubmatch(string(h), -1) {
		declared = append(declared, m[1])
	}
	var exported []string
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^//export (\w+)`).FindAllStringSubmatch(string(src), -1) {
			exported = append(exported, m[1])
		}
	}
	exported = append(exported, "tsshim_accept") // implemented in accept.c
	slices.Sort(declared)
	slices.Sort(exported)
	if !slices.Equal(declared, exported) {
		t.Fatalf("header declares %v\nbut Go/C define %v", declared, exported)
	}
}

func isCloexec(t *testing.T, fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		t.Fatal(err)
	}
	return flags&unix.FD_CLOEXEC != 0
}

func startHandoff(t *testing.T, ln net.Listener, funnel bool) (*handoffListener, int) {
	t.Helper()
	hl, cfd, err := newHandoffListener(ln, funnel, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	hl.run()
	t.Cleanup(hl.close)
	if !isCloexec(t, cfd) {
		t.Error("listener fd lacks FD_CLOEXEC")
	}
	if fl, _ := unix.FcntlInt(uintptr(cfd), unix.F_GETFL, 0); fl&unix.O_NONBLOCK == 0 {
		t.Error("listener fd is not O_NONBLOCK")
	}
	if typ, _ := unix.GetsockoptInt(cfd, unix.SOL_SOCKET, unix.SO_TYPE); typ != unix.SOCK_SEQPACKET {
		t.Errorf("listener fd socket type %d, want SOCK_SEQPACKET", typ)
	}
	return hl, cfd
}

// fdConn wraps a received connection fd for the test (as Rust would).
func fdConn(t *testing.T, fd int) net.Conn {
	t.Helper()
	if !isCloexec(t, fd) {
		t.Error("connection fd lacks FD_CLOEXEC")
	}
	if typ, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); typ != unix.SOCK_STREAM {
		t.Errorf("connection fd socket type %d, want SOCK_STREAM", typ)
	}
	c, err := fileConn(fd, "test-conn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Plain TCP listener -> C accept -> echo with half-close in both directions.
func TestHandoffPlainHalfClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, cfd := startHandoff(t, ln, false)
	defer unix.Close(cfd)

	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	fd, flags, remote, rc, msg := acceptViaC(cfd, 5000)
	if rc != rcOK {
		t.Fatalf("tsshim_accept = %d (%s)", rc, msg)
	}
	if flags != 0 {
		t.Errorf("flags = %#x, want 0", flags)
	}
	if remote != client.LocalAddr().String() {
		t.Errorf("remote = %q, want %q", remote, client.LocalAddr())
	}
	conn := fdConn(t, fd)

	// client -> C, then client half-closes: C must read the data then EOF.
	io.WriteString(client, "request")
	client.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != "request" {
		t.Fatalf("C side read %q, %v", got, err)
	}
	// C -> client after the half-close, then C closes: client sees EOF.
	io.WriteString(conn, "response")
	conn.(*net.UnixConn).CloseWrite()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err = io.ReadAll(client)
	if err != nil || string(got) != "response" {
		t.Fatalf("client read %q, %v", got, err)
	}
}

// Closing the caller's listener fd closes the Go listener.
func TestHandoffCallerCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, cfd := startHandoff(t, ln, false)
	unix.Close(cfd)
	select {
	case <-hl.done:
	case <-time.After(5 * time.Second):
		t.Fatal("listener not closed after caller closed its fd")
	}
	// done is closed just before the TCP listener: give the close a moment
	// (the test raced it on a loaded machine), but not forever.
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("TCP listener still accepting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Closing from Go makes tsshim_accept report TSSHIM_ECLOSED.
func TestHandoffGoCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, cfd := startHandoff(t, ln, false)
	defer unix.Close(cfd)
	if _, _, _, rc, _ := acceptViaC(cfd, 50); rc != rcTimedOut {
		t.Fatalf("accept on idle listener = %d, want TSSHIM_ETIMEDOUT", rc)
	}
	hl.close()
	if _, _, _, rc, msg := acceptViaC(cfd, 5000); rc != rcClosed {
		t.Fatalf("accept after close = %d (%s), want TSSHIM_ECLOSED", rc, msg)
	}
}

// funnelListener imitates tsnet's ListenFunnel: TLS over conns that are
// *ipn.FunnelConn carrying a public source address.
type funnelListener struct {
	net.Listener
	src netip.AddrPort
	cfg *tls.Config
}

func (l *funnelListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tls.Server(&ipn.FunnelConn{Conn: c, Src: l.src, Target: "node.example.ts.net:443"}, l.cfg), nil
}

func selfSigned(t *testing.T, name string) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// A Funnel-style connection arrives TLS-terminated, flagged, with the public
// source address.
func TestHandoffFunnelTLS(t *testing.T) {
	const name = "node.example.ts.net"
	cert, pool := selfSigned(t, name)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("203.0.113.9:51234")
	ln := &funnelListener{Listener: inner, src: src, cfg: &tls.Config{Certificates: []tls.Certificate{cert}}}
	_, cfd := startHandoff(t, ln, true)
	defer unix.Close(cfd)

	type result struct {
		got string
		err error
	}
	res := make(chan result, 1)
	go func() {
		c, err := tls.Dial("tcp", inner.Addr().String(), &tls.Config{ServerName: name, RootCAs: pool})
		if err != nil {
			res <- result{err: err}
			return
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c)
		res <- result{string(b), err}
	}()

	fd, flags, remote, rc, msg := acceptViaC(cfd, 5000)
	if rc != rcOK {
		t.Fatalf("tsshim_accept = %d (%s)", rc, msg)
	}
	if flags != flagFunnel|flagTLS {
		t.Errorf("flags = %#x, want FUNNEL|TLS", flags)
	}
	if remote != src.String() {
		t.Errorf("remote = %q, want public source %q", remote, src)
	}
	conn := fdConn(t, fd)
	buf := make([]byte, 18)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("plaintext read %q, %v", buf, err)
	}
	io.WriteString(conn, "HTTP/1.0 200 OK\r\n\r\nhi")
	conn.Close()
	r := <-res
	if r.err != nil || r.got != "HTTP/1.0 200 OK\r\n\r\nhi" {
		t.Fatalf("client got %q, %v", r.got, r.err)
	}
}

// A failed TLS handshake never reaches the caller.
func TestHandoffFunnelBadHandshake(t *testing.T) {
	cert, _ := selfSigned(t, "x.example")
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &funnelListener{Listener: inner, src: netip.MustParseAddrPort("192.0.2.1:1"), cfg: &tls.Config{Certificates: []tls.Certificate{cert}}}
	_, cfd := startHandoff(t, ln, true)
	defer unix.Close(cfd)
	c, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "this is not TLS\r\n\r\n")
	c.Close()
	if _, _, _, rc, msg := acceptViaC(cfd, 500); rc != rcTimedOut {
		t.Fatalf("accept = %d (%s), want TSSHIM_ETIMEDOUT (nothing handed over)", rc, msg)
	}
}

// Messages with a wrong version or no fd are rejected by the C receiver
// without leaking descriptors.
func TestCAcceptRejectsMalformed(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	if err := unix.Sendmsg(fds[1], []byte{9, 0, 'x'}, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, rc, msg := acceptViaC(fds[0], 1000); rc != rcErr || !strings.Contains(msg, "version") {
		t.Fatalf("bad version: rc=%d msg=%q", rc, msg)
	}
	if err := unix.Sendmsg(fds[1], []byte{1, 0, 'x'}, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, rc, msg := acceptViaC(fds[0], 1000); rc != rcErr || !strings.Contains(msg, "descriptor") {
		t.Fatalf("no fd: rc=%d msg=%q", rc, msg)
	}
	// A zero-length message means closed.
	if err := unix.Sendmsg(fds[1], nil, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, rc, _ := acceptViaC(fds[0], 1000); rc != rcClosed {
		t.Fatalf("zero-length message: rc=%d, want TSSHIM_ECLOSED", rc)
	}
}
