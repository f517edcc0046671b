package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tailscale.com/tsnet"
)

// relay plays Tailscale's Funnel ingress: it accepts "public" TCP
// connections on a loopback port, reads the TLS ClientHello's SNI to pick
// the target node, and opens an ingress connection to that node's PeerAPI
// (POST /v0/ingress, answered with 101), then splices the two.
type relay struct {
	ts         *tsnet.Server
	suffix     string
	targetPort int
	closeOnce  sync.Once
}

func (r *relay) close() {
	r.closeOnce.Do(func() { r.ts.Close() })
}

func (r *relay) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("relay: accept: %v", err)
			}
			return
		}
		go func() {
			if err := r.handle(c); err != nil {
				log.Printf("relay: connection from %v: %v", c.RemoteAddr(), err)
			}
		}()
	}
}

// recordingConn is a read-only net.Conn that records what it reads.
type recordingConn struct {
	net.Conn
	buf bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.buf.Write(p[:n])
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	return 0, errors.New("recordingConn is read-only")
}

var errGotHello = errors.New("got ClientHello")

// readClientHello reads the TLS ClientHello from c and returns its SNI and
// the raw bytes read, which must be replayed to the real TLS server.
func readClientHello(c net.Conn) (sni string, raw []byte, err error) {
	rc := &recordingConn{Conn: c}
	srv := tls.Server(rc, &tls.Config{
		GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
			sni = hi.ServerName
			return nil, errGotHello
		},
	})
	err = srv.Handshake()
	if sni == "" {
		if err == nil {
			err = errors.New("no SNI")
		}
		return "", nil, fmt.Errorf("reading ClientHello: %w", err)
	}
	return sni, rc.buf.Bytes(), nil
}

func (r *relay) handle(c net.Conn) error {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	sni, hello, err := readClientHello(c)
	if err != nil {
		return err
	}
	host := strings.ToLower(strings.TrimSuffix(sni, "."))
	if !strings.HasSuffix(host, "."+r.suffix) {
		return fmt.Errorf("SNI %q is not under %q", sni, r.suffix)
	}
	peerAPI, err := r.peerAPIFor(host)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pc, err := r.ts.Dial(ctx, "tcp", peerAPI)
	if err != nil {
		return fmt.Errorf("dialing PeerAPI %s of %s: %w", peerAPI, host, err)
	}
	defer pc.Close()
	pc.SetDeadline(time.Now().Add(10 * time.Second))

	target := fmt.Sprintf("%s:%d", host, r.targetPort)
	req, _ := http.NewRequest("POST", "http://"+peerAPI+"/v0/ingress", nil)
	req.Header.Set("Tailscale-Ingress-Src", c.RemoteAddr().String())
	req.Header.Set("Tailscale-Ingress-Target", target)
	if err := req.Write(pc); err != nil {
		return fmt.Errorf("ingress request: %w", err)
	}
	br := bufio.NewReader(pc)
	res, err := http.ReadResponse(br, req)
	if err != nil {
		return fmt.Errorf("ingress response: %w", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("ingress to %s refused: %s %q", target, res.Status, bytes.TrimSpace(body))
	}
	log.Printf("relay: %v -> %s via %s (101)", c.RemoteAddr(), target, peerAPI)
	c.SetDeadline(time.Time{})
	pc.SetDeadline(time.Time{})
	if _, err := pc.Write(hello); err != nil {
		return err
	}
	// Bytes the node sent right after the 101 may sit in br.
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		if _, err := c.Write(b); err != nil {
			return err
		}
		br.Discard(n)
	}
	splice(c, pc)
	return nil
}

// peerAPIFor returns the PeerAPI host:port of the peer named host.
func (r *relay) peerAPIFor(host string) (string, error) {
	lc, err := r.ts.LocalClient()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := lc.Status(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range st.Peer {
		if strings.ToLower(strings.TrimSuffix(p.DNSName, ".")) != host {
			continue
		}
		for _, u := range p.PeerAPIURL {
			pu, err := url.Parse(u)
			if err == nil && pu.Host != "" {
				return pu.Host, nil
			}
		}
		return "", fmt.Errorf("peer %s has no PeerAPI address", host)
	}
	return "", fmt.Errorf("no peer named %s in the tailnet", host)
}

// splice copies both ways with half-close until both directions end.
func splice(a, b net.Conn) {
	var wg sync.WaitGroup
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		if _, err := io.Copy(dst, src); err != nil {
			a.Close()
			b.Close()
			return
		}
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
}
