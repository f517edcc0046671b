package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pebble insists on https:// in every signed ACME request (the URL it
// compares the JWS "url" header with is hardcoded to https), so the lab
// serves it over TLS on loopback with a self-signed certificate. Nodes
// trust it through SSL_CERT_DIR=<state dir>/trust (Go then loads the
// system bundle file plus the files in that directory).
//
// Go loads system roots once per process: the certificate is reused from
// the state directory when present, so that several labs run one after
// the other with the same -state-dir stay trusted by one node process.

// acmeServerTLS returns the TLS config for the ACME listener, the trust
// directory and the certificate file.
func acmeServerTLS(stateDir string) (*tls.Config, string, string, error) {
	trustDir := filepath.Join(stateDir, "trust")
	certFile := filepath.Join(trustDir, "tailnet-lab-acme-server.pem")
	keyFile := filepath.Join(stateDir, "acme-server.key")
	if cert, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil && time.Now().Add(24*time.Hour).Before(leaf.NotAfter) {
			return &tls.Config{Certificates: []tls.Certificate{cert}}, trustDir, certFile, nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", "", err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tailnet-lab ACME server (loopback)"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, "", "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, "", "", err
	}
	if err := os.MkdirAll(trustDir, 0o755); err != nil {
		return nil, "", "", err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, "", "", err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, "", "", err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, trustDir, certFile, nil
}
