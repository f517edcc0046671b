package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"

	"tailscale.com/ipn"
	"tailscale.com/ipn/ipnstate"
	"tailscale.com/tsnet"
)

type ipnStatus = ipnstate.Status

// runningStatus returns the node's status, or TSSHIM_ESTATE if the node is
// not started or not Running.
func (s *server) runningStatus() (*ipnStatus, error) {
	if !s.isStarted() {
		return nil, errf(rcState, "tsshim: node not started; call tsshim_up first")
	}
	lc, err := s.ts.LocalClient()
	if err != nil {
		return nil, errf(rcErr, "%v", err)
	}
	ctx, cancel := context.WithTimeout(s.ctx, statusWait)
	defer cancel()
	st, err := lc.StatusWithoutPeers(ctx)
	if err != nil {
		if s.ctx.Err() != nil {
			return nil, errf(rcCanceled, "tsshim: server closed")
		}
		return nil, errf(rcErr, "tsshim: status: %v", err)
	}
	if st.BackendState != ipn.Running.String() {
		msg := fmt.Sprintf("tsshim: node is %s, not Running; call tsshim_up first", st.BackendState)
		if st.AuthURL != "" {
			msg += "; auth_url=" + st.AuthURL
		}
		return nil, errf(rcState, "%s", msg)
	}
	return st, nil
}

// listenFunnel calls tsnet's ListenFunnel without blocking forever: tsnet
// waits for Running with a background context internally.
func (s *server) listenFunnel(port int) (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{err: errf(rcPanic, "tsshim: recovered Go panic in ListenFunnel: %v", r)}
			}
		}()
		ln, err := s.ts.ListenFunnel("tcp", fmt.Sprintf(":%d", port), tsnet.FunnelOnly())
		ch <- result{ln, err}
	}()
	timer := time.NewTimer(funnelWait)
	defer timer.Stop()
	abandon := func() {
		// Close the listener if it shows up after we gave up.
		go func() {
			if r := <-ch; r.ln != nil {
				r.ln.Close()
			}
		}()
	}
	select {
	case r := <-ch:
		if r.err != nil {
			var se *shimError
			if asShim(r.err, &se) {
				return nil, r.err
			}
			return nil, errf(rcErr, "tsshim_listen_funnel: %v", r.err)
		}
		return r.ln, nil
	case <-s.ctx.Done():
		abandon()
		return nil, errf(rcCanceled, "tsshim_listen_funnel: canceled: server closed")
	case <-timer.C:
		abandon()
		return nil, errf(rcTimedOut, "tsshim_listen_funnel: timed out after %v", funnelWait)
	}
}

func asShim(err error, target **shimError) bool {
	se, ok := err.(*shimError)
	if ok {
		*target = se
	}
	return ok
}

type funnelJSON struct {
	Port      int    `json:"port"`
	Permitted bool   `json:"permitted"`
	Reason    string `json:"reason"`
	Listeners int    `json:"listeners"`
}

type statusJSON struct {
	BackendState   string     `json:"backend_state"`
	AuthURL        string     `json:"auth_url"`
	TailscaleIPs   []string   `json:"tailscale_ips"`
	DNSName        string     `json:"dns_name"`
	MagicDNSSuffix string     `json:"magic_dns_suffix"`
	CertDomains    []string   `json:"cert_domains"`
	HTTPSEnabled   bool       `json:"https_enabled"`
	Funnel         funnelJSON `json:"funnel"`
	Health         []string   `json:"health"`
}

func (s *server) statusJSON() (string, error) {
	out := statusJSON{
		BackendState: "NotStarted",
		TailscaleIPs: []string{},
		CertDomains:  []string{},
		Health:       []string{},
		Funnel:       funnelJSON{Port: 443, Reason: "node not started"},
	}
	if s.isStarted() {
		lc, err := s.ts.LocalClient()
		if err != nil {
			return "", errf(rcErr, "%v", err)
		}
		ctx, cancel := context.WithTimeout(s.ctx, statusWait)
		defer cancel()
		st, err := lc.StatusWithoutPeers(ctx)
		if err != nil {
			if s.ctx.Err() != nil {
				return "", errf(rcCanceled, "tsshim: server closed")
			}
			return "", errf(rcErr, "tsshim: status: %v", err)
		}
		fillStatus(&out, st)
		out.Funnel.Listeners = s.funnelListenerCount()
	}
	js, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	return string(js), nil
}

// fillStatus converts an ipnstate.Status into the shim's JSON shape.
func fillStatus(out *statusJSON, st *ipnStatus) {
	out.BackendState = st.BackendState
	out.AuthURL = st.AuthURL
	for _, ip := range st.TailscaleIPs {
		out.TailscaleIPs = append(out.TailscaleIPs, ip.String())
	}
	if st.Self != nil {
		out.DNSName = strings.TrimSuffix(st.Self.DNSName, ".")
	}
	if st.CurrentTailnet != nil {
		out.MagicDNSSuffix = st.CurrentTailnet.MagicDNSSuffix
	}
	out.CertDomains = append(out.CertDomains, st.CertDomains...)
	out.HTTPSEnabled = len(st.CertDomains) > 0
	out.Health = append(out.Health, st.Health...)
	switch {
	case st.BackendState != ipn.Running.String():
		out.Funnel.Reason = "node is " + st.BackendState + ", not Running"
	default:
		out.Funnel.Reason = funnelCheck(st, 443)
		out.Funnel.Permitted = out.Funnel.Reason == ""
	}
}
