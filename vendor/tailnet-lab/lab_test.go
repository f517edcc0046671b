package main

// End-to-end tests of the lab with a real tsnet node: Funnel through the
// relay with a certificate from pebble (ACME DNS-01), the public source
// address, and the "Funnel not permitted" reasons.
//
// Network safety: TestMain re-executes the test binary inside a fresh
// network namespace that has only loopback (unshare -n, as root) so nothing
// a node does can leave the machine (tsnet's ACME code, for instance, makes
// a DNS TXT lookup through /etc/resolv.conf). Without a namespace the
// end-to-end tests are skipped unless TAILNET_LAB_ALLOW_HOST_NETWORK=1.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tailscale.com/ipn"
	"tailscale.com/ipn/ipnstate"
	"tailscale.com/tsnet"
)

type ipnStatusT = ipnstate.Status

const netnsEnv = "TAILNET_LAB_TEST_NETNS"

func TestMain(m *testing.M) {
	if os.Getenv(netnsEnv) == "" && os.Geteuid() == 0 {
		if _, err := exec.LookPath("unshare"); err == nil {
			if _, err := exec.LookPath("ip"); err == nil {
				os.Exit(reexecInNetns())
			}
		}
	}
	dir, err := os.MkdirTemp("", "tailnet-lab-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedStateDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedStateDir is the -state-dir of every lab of this process: Go loads
// the system roots (which must include the lab's ACME server certificate,
// via SSL_CERT_DIR) only once per process.
var sharedStateDir string

// reexecInNetns runs this test binary again in a new network namespace
// with only loopback up.
func reexecInNetns() int {
	args := append([]string{"-n", "sh", "-c", `ip link set lo up && exec "$@"`, "sh", os.Args[0]}, os.Args[1:]...)
	cmd := exec.Command("unshare", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "re-exec in network namespace: %v\n", err)
		return 1
	}
	return 0
}

func requireIsolation(t *testing.T) {
	t.Helper()
	if os.Getenv(netnsEnv) == "1" {
		ifs, err := net.Interfaces()
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range ifs {
			if i.Flags&net.FlagLoopback == 0 && i.Flags&net.FlagUp != 0 {
				t.Fatalf("network namespace has non-loopback interface %s up", i.Name)
			}
		}
		return
	}
	if os.Getenv("TAILNET_LAB_ALLOW_HOST_NETWORK") != "1" {
		t.Skip("needs an isolated network namespace (run as root with unshare and ip available), or TAILNET_LAB_ALLOW_HOST_NETWORK=1")
	}
}

// lineWriter hands the first line written to it to a channel.
type lineWriter struct {
	once sync.Once
	ch   chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { w.ch <- strings.TrimSpace(string(p)) })
	return len(p), nil
}

// startLab runs the lab in-process and returns its info.
func startLab(t *testing.T, args ...string) labInfo {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-state-dir", sharedStateDir}, args...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &lineWriter{ch: make(chan string, 1)}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, cfg, w) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Errorf("lab did not stop")
		}
	})
	var info labInfo
	select {
	case line := <-w.ch:
		if err := json.Unmarshal([]byte(line), &info); err != nil {
			t.Fatalf("lab output %q: %v", line, err)
		}
	case code := <-exited:
		t.Fatalf("lab exited with %d before becoming ready", code)
	case <-time.After(90 * time.Second):
		t.Fatal("lab not ready after 90s")
	}
	for _, k := range []string{"TS_NO_LOGS_NO_SUPPORT", "TS_DISABLE_PORTMAPPER", "TS_ASSUME_NETWORK_UP_FOR_TEST",
		"TS_PANIC_IF_HIT_MAIN_CONTROL", "TS_NETCHECK_GENERATE_204_URL", "TS_DEBUG_ACME_DIRECTORY_URL"} {
		if info.Env[k] == "" {
			t.Fatalf("lab env lacks %s: %v", k, info.Env)
		}
		// run() applied them to this process; the node below relies on it.
		if os.Getenv(k) != info.Env[k] {
			t.Fatalf("%s not applied to the process environment", k)
		}
	}
	for _, u := range []string{info.ControlURL, info.ACMEDirectoryURL, "http://" + info.FunnelAddr} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") && !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Fatalf("lab address %q is not loopback", u)
		}
	}
	return info
}

// startNode brings a tsnet node up against the lab.
func startNode(t *testing.T, info labInfo, hostname string) *tsnet.Server {
	t.Helper()
	if !strings.HasPrefix(info.ControlURL, "http://127.0.0.1:") {
		t.Fatalf("refusing non-loopback control URL %q", info.ControlURL)
	}
	s := &tsnet.Server{
		Dir:        nodeStateDir(t, hostname),
		Hostname:   hostname,
		ControlURL: info.ControlURL,
		AuthKey:    info.AuthKey,
		Ephemeral:  true,
		UserLogf:   t.Logf,
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("node Up: %v", err)
	}
	t.Logf("node %s up in %v", hostname, time.Since(t0).Round(time.Millisecond))
	return s
}

// nodeStateDir is a node's state directory, removed when the test ends
// (after the node's own Close, which cleanups registered later run first).
// Not t.TempDir(): tsnet's background goroutines (certificate renewal checks)
// may still write there just after Close returns, and t.TempDir's cleanup
// then fails the test with "directory not empty".
func nodeStateDir(t *testing.T, hostname string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tailnet-lab-node-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; ; i++ {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if i == 20 {
				t.Logf("leaving %s behind: %v", dir, err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return filepath.Join(dir, hostname)
}

func selfStatus(t *testing.T, s *tsnet.Server) (*ipnStatusT, error) {
	lc, err := s.LocalClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return lc.StatusWithoutPeers(ctx)
}

type srcKey struct{}

func TestFunnelEndToEnd(t *testing.T) {
	requireIsolation(t)
	info := startLab(t)
	if !info.FunnelPermitted || !info.HTTPSEnabled || info.AuthKey == "" {
		t.Fatalf("unexpected lab info %+v", info)
	}
	const host = "oauth-node"
	fqdn := host + "." + info.MagicDNSSuffix
	node := startNode(t, info, host)

	st, err := selfStatus(t, node)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.CertDomains) != 1 || st.CertDomains[0] != fqdn {
		t.Fatalf("CertDomains = %q, want [%q]", st.CertDomains, fqdn)
	}
	if err := ipn.CheckFunnelAccess(443, st.Self); err != nil {
		t.Fatalf("CheckFunnelAccess: %v", err)
	}

	ln, err := node.ListenFunnel("tcp", ":443", tsnet.FunnelOnly())
	if err != nil {
		t.Fatalf("ListenFunnel: %v", err)
	}
	defer ln.Close()

	// Obtain the certificate up front (ACME DNS-01 against pebble).
	lc, _ := node.LocalClient()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	certPEM, _, err := lc.CertPair(ctx, fqdn)
	if err != nil {
		t.Fatalf("CertPair: %v", err)
	}
	t.Logf("certificate for %s obtained in %v (%d bytes PEM)", fqdn, time.Since(t0).Round(time.Millisecond), len(certPEM))

	srv := &http.Server{
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			src := "not-a-funnel-conn"
			if tc, ok := c.(*tls.Conn); ok {
				if fc, ok := tc.NetConn().(*ipn.FunnelConn); ok {
					src = fc.Src.String()
				}
			}
			return context.WithValue(ctx, srcKey{}, src)
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello from %s; public src=%s", host, r.Context().Value(srcKey{}))
		}),
	}
	go srv.Serve(ln)
	defer srv.Close()

	caPEM, err := os.ReadFile(info.CACertFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no certificate in ca_cert_file")
	}
	for i := range 2 { // twice: the second uses the cached certificate
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 20 * time.Second}, "tcp", info.FunnelAddr,
			&tls.Config{ServerName: fqdn, RootCAs: roots})
		if err != nil {
			t.Fatalf("TLS dial %s (SNI %s): %v", info.FunnelAddr, fqdn, err)
		}
		cs := conn.ConnectionState()
		leaf := cs.PeerCertificates[0]
		t.Logf("conn %d: cert subject %v, SANs %v, issuer %v", i, leaf.Subject, leaf.DNSNames, leaf.Issuer)
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", fqdn)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading response: %v", err)
		}
		body, _ := io.ReadAll(res.Body)
		conn.Close()
		want := fmt.Sprintf("hello from %s; public src=%s", host, conn.LocalAddr())
		t.Logf("conn %d: %s %q", i, res.Status, body)
		if res.StatusCode != 200 || string(body) != want {
			t.Fatalf("got %s %q, want 200 %q", res.Status, body, want)
		}
	}

	// A wrong SNI is not relayed.
	if c, err := tls.Dial("tcp", info.FunnelAddr, &tls.Config{ServerName: "other." + info.MagicDNSSuffix, RootCAs: roots}); err == nil {
		c.Close()
		t.Fatal("TLS to an unknown node succeeded")
	}
}

func TestDenyFunnel(t *testing.T) {
	requireIsolation(t)
	info := startLab(t, "-deny-funnel")
	if info.FunnelPermitted {
		t.Fatal("lab reports funnel_permitted with -deny-funnel")
	}
	node := startNode(t, info, "denied-node")
	st, err := selfStatus(t, node)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.CertDomains) == 0 {
		t.Fatal("HTTPS should still be on with -deny-funnel")
	}
	err = ipn.CheckFunnelAccess(443, st.Self)
	if err == nil || !strings.Contains(err.Error(), `"funnel" node attribute not set`) {
		t.Fatalf("CheckFunnelAccess = %v, want the node-attribute reason", err)
	}
	t.Logf("CheckFunnelAccess: %v", err)
	if ln, err := node.ListenFunnel("tcp", ":443", tsnet.FunnelOnly()); err == nil {
		ln.Close()
		t.Fatal("ListenFunnel succeeded with -deny-funnel")
	} else {
		t.Logf("ListenFunnel: %v", err)
	}
	// Port restrictions are reported too.
	err = ipn.CheckFunnelAccess(8080, st.Self)
	if err == nil {
		t.Fatal("port 8080 should not be allowed")
	}
}

func TestNoHTTPS(t *testing.T) {
	requireIsolation(t)
	info := startLab(t, "-no-https")
	node := startNode(t, info, "plain-node")
	st, err := selfStatus(t, node)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.CertDomains) != 0 {
		t.Fatalf("CertDomains = %q, want none", st.CertDomains)
	}
	if _, err := node.ListenFunnel("tcp", ":443", tsnet.FunnelOnly()); err == nil || !strings.Contains(err.Error(), "HTTPS must be enabled") {
		t.Fatalf("ListenFunnel = %v, want HTTPS error", err)
	}
}

func TestInteractiveLogin(t *testing.T) {
	requireIsolation(t)
	info := startLab(t, "-interactive-login")
	if info.AuthKey != "" {
		t.Fatalf("authkey %q with -interactive-login", info.AuthKey)
	}
	s := &tsnet.Server{
		Dir:        nodeStateDir(t, "login-node"),
		Hostname:   "login-node",
		ControlURL: info.ControlURL,
		Ephemeral:  true,
		UserLogf:   t.Logf,
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	lc, _ := s.LocalClient()
	var authURL string
	deadline := time.Now().Add(30 * time.Second)
	for authURL == "" && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := lc.StatusWithoutPeers(ctx)
		cancel()
		if err == nil && st.AuthURL != "" {
			authURL = st.AuthURL
			t.Logf("state %s, auth URL %s", st.BackendState, authURL)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.HasPrefix(authURL, info.ControlURL+"/auth/") {
		t.Fatalf("auth URL %q", authURL)
	}
	res, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET auth URL: %s", res.Status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("Up after login: %v", err)
	}
}

func TestControlUnknownPathIs404(t *testing.T) {
	requireIsolation(t)
	info := startLab(t)
	res, err := http.Get(info.ControlURL + "/no/such/path")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("got %s, want 404", res.Status)
	}
}
