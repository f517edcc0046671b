package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// testing_TB is embedded (nil) in cleanupTB, which overrides the methods
// RunDERPAndSTUN uses.
type testing_TB = testing.TB

// startPebble serves pebble's ACME front end over plain HTTP on ln and
// writes its root certificate to caFile.
func startPebble(ln net.Listener, caFile string) (*http.Server, error) {
	// Read by pebble's constructors.
	for k, v := range map[string]string{
		"PEBBLE_VA_ALWAYS_VALID": "1", // accept every challenge (no DNS/HTTP lookups)
		"PEBBLE_VA_NOSLEEP":      "1", // no random validation delays
		"PEBBLE_WFE_NONCEREJECT": "0", // no deliberate bad-nonce errors
		"PEBBLE_AUTHZREUSE":      "100",
	} {
		os.Setenv(k, v)
	}
	logger := log.New(os.Stderr, "tailnet-lab: pebble: ", log.LstdFlags|log.Lmicroseconds)
	store := db.NewMemoryStore()
	profiles := map[string]ca.Profile{"default": {Description: "tailnet-lab default profile"}}
	caImpl := ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
	vaImpl := va.New(logger, 0, 0, false, "", store)
	wfeImpl := wfe.New(logger, store, vaImpl, caImpl, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	root := caImpl.GetRootCert(0)
	if root == nil {
		return nil, fmt.Errorf("pebble has no root certificate")
	}
	if err := os.WriteFile(caFile, root.PEM(), 0o644); err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:  finalizeLocation(wfeImpl.Handler()),
		ErrorLog: logger,
	}
	go srv.Serve(ln)
	return srv, nil
}

// finalizeLocation adds the order URL as Location header to finalize
// responses, as Let's Encrypt does and pebble does not: x/crypto/acme (used
// by tailscale) polls that URL when the order is still "processing".
func finalizeLocation(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/finalize-order/"); ok && r.Method == http.MethodPost && id != "" {
			w.Header().Set("Location", "https://"+r.Host+"/my-order/"+id)
		}
		h.ServeHTTP(w, r)
	})
}
