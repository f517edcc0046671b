// Command tailnet-lab runs an offline Tailscale tailnet on loopback, for
// testing programs that embed a tsnet node and serve through Funnel:
//
//   - Tailscale's test control server (testcontrol) over plain HTTP, with
//     MagicDNS so that nodes get certificate domains;
//   - a DERP relay and STUN server;
//   - pebble, Let's Encrypt's test ACME server, over plain HTTP, accepting
//     every challenge, its root certificate written to a PEM file;
//   - a Funnel relay: a tsnet node that accepts "public" TCP connections on a
//     loopback port and forwards each, by TLS SNI, to the node's PeerAPI
//     ingress endpoint, as Tailscale's Funnel servers do.
//
// It prints one JSON line on stdout (see labInfo), logs to stderr, and runs
// until SIGINT/SIGTERM, or with -exec until the given command exits.
// Everything listens on 127.0.0.1 only (the STUN server binds udp4 :0, as
// Tailscale's own test helper does).
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"tailscale.com/envknob"
	"tailscale.com/ipn/store/mem"
	"tailscale.com/tailcfg"
	"tailscale.com/tsnet"
	"tailscale.com/tstest/integration"
	"tailscale.com/tstest/integration/testcontrol"
)

// labInfo is printed as one JSON line on stdout once the lab is ready.
type labInfo struct {
	ControlURL       string            `json:"control_url"`
	ACMEDirectoryURL string            `json:"acme_directory_url"`
	CACertFile       string            `json:"ca_cert_file"`
	ACMECACertFile   string            `json:"acme_server_cert_file"`
	FunnelAddr       string            `json:"funnel_addr"`
	MagicDNSSuffix   string            `json:"magic_dns_suffix"`
	AuthKey          string            `json:"authkey"`
	Env              map[string]string `json:"env"`
	FunnelPermitted  bool              `json:"funnel_permitted"`
	HTTPSEnabled     bool              `json:"https_enabled"`
	InteractiveLogin bool              `json:"interactive_login"`
	RelayHostname    string            `json:"relay_hostname"`
	DERPAddr         string            `json:"derp_addr"`
	StateDir         string            `json:"state_dir"`
	PID              int               `json:"pid"`
}

type config struct {
	denyFunnel       bool
	noHTTPS          bool
	interactiveLogin bool
	noAuthKey        bool
	authKey          string
	suffix           string
	controlPort      int
	acmePort         int
	funnelPort       int
	targetPort       int
	stateDir         string
	verbose          bool
	exec             []string
}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("tailnet-lab", flag.ContinueOnError)
	fs.BoolVar(&c.denyFunnel, "deny-funnel", false, "grant nodes HTTPS but not the \"funnel\" node attribute (ListenFunnel must fail)")
	fs.BoolVar(&c.noHTTPS, "no-https", false, "give nodes no certificate domains (HTTPS off in the tailnet)")
	fs.BoolVar(&c.interactiveLogin, "interactive-login", false, "require interactive login instead of an auth key; GET the node's auth URL to approve it")
	fs.BoolVar(&c.noAuthKey, "no-authkey", false, "let nodes join without an auth key")
	fs.StringVar(&c.authKey, "authkey", "", "auth key nodes must present (default: random)")
	fs.StringVar(&c.suffix, "magic-dns-suffix", "tail-lab.ts.net", "MagicDNS suffix; nodes are <hostname>.<suffix>")
	fs.IntVar(&c.controlPort, "control-port", 0, "loopback port of the control server (0: any free port)")
	fs.IntVar(&c.acmePort, "acme-port", 0, "loopback port of the ACME server (0: any)")
	fs.IntVar(&c.funnelPort, "funnel-port", 0, "loopback port of the public Funnel entry (0: any)")
	fs.IntVar(&c.targetPort, "funnel-target-port", 443, "Funnel port on the node that the relay targets")
	fs.StringVar(&c.stateDir, "state-dir", "", "directory for the lab's files (default: a temporary directory, removed on exit)")
	fs.BoolVar(&c.verbose, "v", false, "verbose logs (control server, relay node backend)")
	execFlag := fs.Bool("exec", false, "run the command given after the flags (after \"--\") once the lab is ready, with the node env, TAILNET_LAB_JSON and TAILNET_LAB_{CONTROL_URL,AUTHKEY,FUNNEL_ADDR,CA_CERT_FILE,MAGIC_DNS_SUFFIX} set; exit with its status")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: tailnet-lab [flags] [-exec -- command args...]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *execFlag {
		if fs.NArg() == 0 {
			return nil, errors.New("-exec needs a command after the flags")
		}
		c.exec = fs.Args()
	} else if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (use -exec)", fs.Args())
	}
	if c.interactiveLogin && c.authKey != "" {
		return nil, errors.New("-interactive-login and -authkey are exclusive")
	}
	return c, nil
}

// cleanupTB is the small testing.TB stand-in RunDERPAndSTUN needs.
type cleanupTB struct {
	testing_TB // nil; only the methods below are called
	mu         sync.Mutex
	cleanups   []func()
}

func (t *cleanupTB) Helper()                           {}
func (t *cleanupTB) Logf(format string, args ...any)   { log.Printf("derp/stun: "+format, args...) }
func (t *cleanupTB) Fatal(args ...any)                 { log.Fatal(append([]any{"derp/stun: "}, args...)...) }
func (t *cleanupTB) Fatalf(format string, args ...any) { log.Fatalf("derp/stun: "+format, args...) }
func (t *cleanupTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}
func (t *cleanupTB) runCleanups() {
	t.mu.Lock()
	fs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func listenLoopback(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// nodeEnv returns the environment every tsnet node of the lab must run with.
func nodeEnv(controlURL, acmeDir, trustDir string) map[string]string {
	return map[string]string{
		"TS_NO_LOGS_NO_SUPPORT":         "true",
		"TS_DISABLE_PORTMAPPER":         "1",
		"TS_ASSUME_NETWORK_UP_FOR_TEST": "1",
		"TS_PANIC_IF_HIT_MAIN_CONTROL":  "1",
		"TS_NETCHECK_GENERATE_204_URL":  controlURL + "/generate_204",
		"TS_DEBUG_ACME_DIRECTORY_URL":   acmeDir,
		// The ACME server's certificate is in there (see acmetls.go).
		"SSL_CERT_DIR": trustDir,
		// Safety belt: tsnet uses it when the program sets no control URL.
		"TS_CONTROL_URL": controlURL,
	}
}

func main() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("tailnet-lab: ")
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "tailnet-lab:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, cfg, os.Stdout)
	stop()
	os.Exit(code)
}

// run starts the lab, writes its labInfo JSON line to stdout and serves
// until ctx is done (or the -exec command exits). It returns an exit code.
func run(ctx context.Context, cfg *config, stdout io.Writer) int {

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		log.Printf("stopped")
	}()

	dir := cfg.stateDir
	if dir == "" {
		d, err := os.MkdirTemp("", "tailnet-lab-")
		if err != nil {
			log.Printf("temp dir: %v", err)
			return 1
		}
		dir = d
		cleanups = append(cleanups, func() { os.RemoveAll(d) })
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Printf("state dir: %v", err)
		return 1
	}

	// Listeners first: their addresses make up the environment, which must
	// be in place before any tsnet code runs.
	controlLn, err := listenLoopback(cfg.controlPort)
	if err != nil {
		log.Printf("control listener: %v", err)
		return 1
	}
	acmeLn, err := listenLoopback(cfg.acmePort)
	if err != nil {
		log.Printf("ACME listener: %v", err)
		return 1
	}
	funnelLn, err := listenLoopback(cfg.funnelPort)
	if err != nil {
		log.Printf("funnel listener: %v", err)
		return 1
	}
	controlURL := "http://" + controlLn.Addr().String()
	acmeDir := "https://" + acmeLn.Addr().String() + "/dir"
	acmeTLS, trustDir, acmeCertFile, err := acmeServerTLS(dir)
	if err != nil {
		log.Printf("ACME server certificate: %v", err)
		return 1
	}
	acmeLn = tls.NewListener(acmeLn, acmeTLS)
	env := nodeEnv(controlURL, acmeDir, trustDir)
	for k, v := range env {
		envknob.Setenv(k, v) // for the relay node in this process
	}

	// DERP + STUN.
	tb := &cleanupTB{}
	cleanups = append(cleanups, tb.runCleanups)
	derpMap := integration.RunDERPAndSTUN(tb, logfIf(cfg.verbose, "derp: "), "127.0.0.1")
	var derpAddr string
	for _, r := range derpMap.Regions {
		for _, n := range r.Nodes {
			derpAddr = fmt.Sprintf("%s:%d", n.IPv4, n.DERPPort)
		}
	}

	// ACME (pebble).
	caFile := filepath.Join(dir, "pebble-root.pem")
	acmeSrv, err := startPebble(acmeLn, caFile)
	if err != nil {
		log.Printf("pebble: %v", err)
		return 1
	}
	cleanups = append(cleanups, func() { acmeSrv.Close() })

	// Control.
	authKey := cfg.authKey
	if authKey == "" && !cfg.noAuthKey && !cfg.interactiveLogin {
		authKey = "tskey-auth-lab" + randomHex(12)
	}
	control := &testcontrol.Server{
		DERPMap:          derpMap,
		MagicDNSDomain:   cfg.suffix,
		RequireAuthKey:   authKey,
		RequireAuth:      cfg.interactiveLogin,
		AllNodesSameUser: true,
		ExplicitBaseURL:  controlURL,
		Logf:             logfIf(cfg.verbose, "control: "),
		OnSetDNS: func(req *tailcfg.SetDNSRequest) error {
			log.Printf("control: set-dns %s %s %q (ACME DNS-01; pebble accepts every challenge)", req.Type, req.Name, req.Value)
			return nil
		},
	}
	if !cfg.noHTTPS {
		control.DNSConfig = &tailcfg.DNSConfig{Proxied: true}
	}
	caps := tailcfg.NodeCapMap{
		tailcfg.CapabilityHTTPS:                                 []tailcfg.RawMessage{},
		tailcfg.CapabilityFileSharing:                           []tailcfg.RawMessage{},
		tailcfg.CapabilityFunnelPorts + "?ports=443,8443,10000": []tailcfg.RawMessage{},
	}
	if !cfg.denyFunnel {
		caps[tailcfg.NodeAttrFunnel] = []tailcfg.RawMessage{}
	}
	control.DefaultNodeCapabilities = &caps
	controlSrv := &http.Server{
		Handler:  controlHandler(control),
		ErrorLog: log.New(os.Stderr, "tailnet-lab: control http: ", log.LstdFlags),
	}
	go controlSrv.Serve(controlLn)
	cleanups = append(cleanups, func() { controlSrv.Close() })

	// Funnel relay node (state in memory; its directory is removed on exit).
	relayDir, err := os.MkdirTemp(dir, "relay-")
	if err != nil {
		log.Printf("relay dir: %v", err)
		return 1
	}
	cleanups = append(cleanups, func() { os.RemoveAll(relayDir) })
	relay := &relay{
		ts: &tsnet.Server{
			Dir:        relayDir,
			Store:      new(mem.Store),
			Hostname:   "funnel-relay",
			ControlURL: controlURL,
			AuthKey:    authKey,
			Ephemeral:  true,
			UserLogf:   logfIf(true, "relay: "),
			Logf:       logfIf(cfg.verbose, "relay backend: "),
		},
		suffix:     cfg.suffix,
		targetPort: cfg.targetPort,
	}
	if cfg.interactiveLogin {
		// Approve the relay's own login as soon as its auth URL shows up.
		go approveOwnLogin(ctx, relay.ts, control)
	}
	cleanups = append(cleanups, func() { relay.close() })
	upCtx, cancelUp := context.WithTimeout(ctx, 60*time.Second)
	_, err = relay.ts.Up(upCtx)
	cancelUp()
	if err != nil {
		log.Printf("relay node did not come up: %v", err)
		return 1
	}
	go relay.serve(funnelLn)
	cleanups = append(cleanups, func() { funnelLn.Close() })

	info := labInfo{
		ControlURL:       controlURL,
		ACMEDirectoryURL: acmeDir,
		CACertFile:       caFile,
		ACMECACertFile:   acmeCertFile,
		FunnelAddr:       funnelLn.Addr().String(),
		MagicDNSSuffix:   cfg.suffix,
		AuthKey:          authKey,
		Env:              env,
		FunnelPermitted:  !cfg.denyFunnel && !cfg.noHTTPS,
		HTTPSEnabled:     !cfg.noHTTPS,
		InteractiveLogin: cfg.interactiveLogin,
		RelayHostname:    "funnel-relay",
		DERPAddr:         derpAddr,
		StateDir:         dir,
		PID:              os.Getpid(),
	}
	js, _ := json.Marshal(info)
	if _, err := fmt.Fprintf(stdout, "%s\n", js); err != nil {
		log.Printf("writing stdout: %v", err)
		return 1
	}
	log.Printf("ready: control %s, ACME %s, funnel %s", controlURL, acmeDir, info.FunnelAddr)

	if len(cfg.exec) > 0 {
		childEnv := map[string]string{
			"TAILNET_LAB_JSON":             string(js),
			"TAILNET_LAB_CONTROL_URL":      info.ControlURL,
			"TAILNET_LAB_AUTHKEY":          info.AuthKey,
			"TAILNET_LAB_FUNNEL_ADDR":      info.FunnelAddr,
			"TAILNET_LAB_CA_CERT_FILE":     info.CACertFile,
			"TAILNET_LAB_MAGIC_DNS_SUFFIX": info.MagicDNSSuffix,
		}
		for k, v := range env {
			childEnv[k] = v
		}
		return runChild(ctx, cfg.exec, childEnv)
	}
	<-ctx.Done()
	log.Printf("shutting down")
	return 0
}

// controlHandler wraps testcontrol, which panics the whole process on an
// unknown path: unknown paths get 404, and GET /auth/<id> completes an
// interactive login (the URL a node shows when it NeedsLogin).
func controlHandler(control *testcontrol.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/auth/"):
			if control.CompleteAuth(p) {
				log.Printf("control: login %s approved", p)
				fmt.Fprintln(w, "tailnet-lab: login approved")
			} else {
				http.Error(w, "tailnet-lab: unknown auth URL", http.StatusNotFound)
			}
		case p == "/generate_204", p == "/key", p == "/ts2021",
			strings.HasPrefix(p, "/machine/"), strings.HasPrefix(p, "/c2n/"):
			control.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// runChild runs the -exec command and returns its exit status.
func runChild(ctx context.Context, argv []string, env map[string]string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = os.Environ()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	if err := cmd.Start(); err != nil {
		log.Printf("-exec: %v", err)
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(err)
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			return exitCode(err)
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			return exitCode(<-done)
		}
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() >= 0 {
			return ee.ExitCode()
		}
		return 128 + int(ee.Sys().(syscall.WaitStatus).Signal())
	}
	log.Printf("-exec: %v", err)
	return 1
}

func logfIf(on bool, prefix string) func(string, ...any) {
	if !on {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) { log.Printf(prefix+format, args...) }
}

// approveOwnLogin completes the interactive login of a node of the lab.
func approveOwnLogin(ctx context.Context, s *tsnet.Server, control *testcontrol.Server) {
	lc, err := s.LocalClient()
	if err != nil {
		return
	}
	for ctx.Err() == nil {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := lc.StatusWithoutPeers(sctx)
		cancel()
		if err == nil {
			if st.BackendState == "Running" {
				return
			}
			if st.AuthURL != "" && control.CompleteAuth(st.AuthURL) {
				log.Printf("relay: login approved")
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}
