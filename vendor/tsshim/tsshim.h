/*
 * tsshim.h - C API of the tsshim C archive (libtsshim.a).
 *
 * tsshim embeds one or more Tailscale nodes (tailscale.com/tsnet, pinned in
 * go.mod) in a non-Go process. Its API is shaped like libtailscale's, with
 * these differences:
 *   - every function reports errors through a caller-provided buffer
 *     (errbuf/errlen); there is no shared "last error" string;
 *   - every Go panic is recovered and reported as TSSHIM_EPANIC;
 *   - tsshim_up() is cancelled by tsshim_close() from another thread;
 *   - a listener is one end of a SOCK_SEQPACKET socketpair over which each
 *     accepted connection arrives as a file descriptor (SCM_RIGHTS) plus a
 *     small payload carrying the remote address (see "Accept messages");
 *   - tsshim_listen_funnel() hands out Funnel connections already
 *     TLS-terminated, with the *public* client address.
 * Every file descriptor tsshim creates is close-on-exec.
 *
 * This header is hand-written. It is #included by the Go code's cgo preamble,
 * so `go build` fails if a prototype here disagrees with the Go exports.
 *
 * ---------------------------------------------------------------------------
 * Conventions
 * ---------------------------------------------------------------------------
 * - A server handle `sd` is an int > 0 returned by tsshim_new().
 * - Return value: TSSHIM_OK (0) on success, a negative TSSHIM_E* code on
 *   failure. No function returns a positive value.
 * - errbuf/errlen: on failure a human-readable message is written there,
 *   always NUL-terminated and truncated to errlen-1 bytes; on success
 *   errbuf[0] is set to NUL. errbuf may be NULL (or errlen 0) to ignore it.
 *   256 bytes is enough for almost every message; 1024 is comfortable.
 * - String arguments are NUL-terminated UTF-8; NULL is treated as "".
 * - All functions are thread-safe. Blocking functions (tsshim_up,
 *   tsshim_dial, tsshim_fetch_cert, tsshim_listen_funnel, tsshim_accept,
 *   tsshim_close) must not be called from an async runtime's worker thread
 *   without a blocking-section wrapper (e.g. tokio::task::spawn_blocking).
 *
 * ---------------------------------------------------------------------------
 * Network safety in tests
 * ---------------------------------------------------------------------------
 * Without a control URL a node talks to Tailscale's real control plane, log
 * service, DERP servers and probes the LAN gateway. Tests must set a loopback
 * control URL and run with these in the environment (set them before the
 * process starts, or through tsshim_setenv() before the first
 * tsshim_start/tsshim_up): TS_NO_LOGS_NO_SUPPORT=true,
 * TS_DISABLE_PORTMAPPER=1, TS_ASSUME_NETWORK_UP_FOR_TEST=1,
 * TS_PANIC_IF_HIT_MAIN_CONTROL=1, TS_NETCHECK_GENERATE_204_URL=<control>/generate_204,
 * and for certificates TS_DEBUG_ACME_DIRECTORY_URL=<test ACME directory>.
 * scripts/tailnet-lab prints all of them as its "env" object.
 */
#ifndef TSSHIM_H
#define TSSHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input strings. (A typedef so that the Go side can export `const char*`.) */
typedef const char tsshim_cchar;

/* ---- return codes -------------------------------------------------------- */
#define TSSHIM_OK          0
#define TSSHIM_ERR        -1  /* generic failure; see errbuf */
#define TSSHIM_EBADHANDLE -2  /* unknown or already closed server handle */
#define TSSHIM_EINVAL     -3  /* invalid argument (NULL out pointer, bad port, ...) */
#define TSSHIM_ESTATE     -4  /* wrong state: setter after start, listen_funnel before up, ... */
#define TSSHIM_ETIMEDOUT  -5  /* timeout_ms elapsed; errbuf has backend state and auth URL */
#define TSSHIM_ECANCELED  -6  /* the server was closed (tsshim_close) while waiting */
#define TSSHIM_ERANGE     -7  /* output buffer too small; *needed holds the size required */
#define TSSHIM_EFUNNEL    -8  /* Funnel not permitted; errbuf holds the precise reason */
#define TSSHIM_ECLOSED    -9  /* tsshim_accept: the listener is closed */
#define TSSHIM_EPANIC    -10  /* a Go panic was recovered; errbuf has the panic value */

/* ---- accept messages ------------------------------------------------------
 * A listener fd (from tsshim_listen / tsshim_listen_funnel) is the C end of
 * a socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC|SOCK_NONBLOCK). The
 * caller owns it. For every accepted connection Go sends ONE message:
 *
 *   ancillary data: SOL_SOCKET/SCM_RIGHTS with exactly one fd: the caller's
 *                   end of a socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC),
 *                   in blocking mode. Bytes read/written on it are the
 *                   connection's plaintext (for Funnel, after TLS
 *                   termination). shutdown(fd, SHUT_WR) half-closes towards
 *                   the remote peer; close(fd) ends the connection.
 *   payload (2..TSSHIM_ACCEPT_MSG_MAX bytes):
 *     byte 0   version, TSSHIM_ACCEPT_VERSION (1)
 *     byte 1   flags, bitwise OR of TSSHIM_CONN_*
 *     byte 2.. remote address as ASCII text "ip:port" (IPv6 as "[ip]:port"),
 *              not NUL-terminated; the rest of the message.
 *              For Funnel connections this is the PUBLIC client address
 *              (ipn.FunnelConn.Src), not the relay's tailnet address.
 *
 * A zero-length read (recvmsg() returning 0) means the listener is closed:
 * no more messages will come; close the listener fd.
 * Receive with recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) (plus MSG_DONTWAIT when
 * polling), using a control buffer of at least CMSG_SPACE(sizeof(int));
 * if MSG_CTRUNC is set, close any fd received and treat it as an error.
 * Unknown flag bits must be ignored; a different version byte is an error.
 *
 * Closing the listener fd from the caller side stops the listener (Go sees
 * EOF and closes the tailnet listener); connections already handed over are
 * not affected. tsshim_close() closes all listeners of a server.
 * Accept promptly: tsnet drops a connection nobody takes within ~1 s, and
 * Go waits at most 10 s for room in the socket buffer before dropping one.
 */
#define TSSHIM_ACCEPT_VERSION  1
#define TSSHIM_ACCEPT_MSG_MAX  512
#define TSSHIM_CONN_FUNNEL     0x01 /* arrived through Tailscale Funnel (public internet) */
#define TSSHIM_CONN_TLS        0x02 /* TLS was terminated by tsshim; fd carries plaintext */

/* ---- environment -------------------------------------------------------- */

/* Sets an environment variable in the Go runtime (which snapshots the
 * environment at process start, so later setenv() calls from C/Rust are
 * invisible to Go) and in tailscale's envknob registry. Use it for TS_*
 * knobs before the first tsshim_start/tsshim_up. It also calls C setenv():
 * call it before other threads read the environment. */
int tsshim_setenv(tsshim_cchar *key, tsshim_cchar *value, char *errbuf, size_t errlen);

/* ---- lifecycle ---------------------------------------------------------- */

/* Creates an unstarted server. Returns a handle > 0 (never fails except on
 * a recovered panic, returning TSSHIM_EPANIC). */
int tsshim_new(void);

/* Setters: only before tsshim_start/tsshim_up (else TSSHIM_ESTATE). */
/* State directory (required before start; created 0700 if missing). Holds
 * the node state (tailscaled.state) and certificates (certs/). */
int tsshim_set_dir(int sd, tsshim_cchar *dir, char *errbuf, size_t errlen);
/* Hostname presented to control; becomes <hostname>.<tailnet suffix>. */
int tsshim_set_hostname(int sd, tsshim_cchar *hostname, char *errbuf, size_t errlen);
/* Auth key; only used while the state directory holds no node state. */
int tsshim_set_authkey(int sd, tsshim_cchar *authkey, char *errbuf, size_t errlen);
/* Control server URL; "" means Tailscale's default control plane. */
int tsshim_set_control_url(int sd, tsshim_cchar *url, char *errbuf, size_t errlen);
/* Non-zero: register as an ephemeral node. */
int tsshim_set_ephemeral(int sd, int ephemeral, char *errbuf, size_t errlen);
/* Sends this server's logs (and Go's global `log` package output) to fd.
 * The fd is duplicated (F_DUPFD_CLOEXEC): the caller may close its copy.
 * fd = -1 discards logs (the default). Logs never go to stdout/stderr.
 * Writes are asynchronous through a bounded queue; when fd cannot keep up,
 * lines are dropped (and a count of dropped lines is written later). */
int tsshim_set_logfd(int sd, int fd, char *errbuf, size_t errlen);

/* Starts the node without waiting for it to connect. Idempotent. */
int tsshim_start(int sd, char *errbuf, size_t errlen);

/* Starts the node if needed and waits until its backend is Running.
 * timeout_ms <= 0 waits without limit. Returns TSSHIM_OK, TSSHIM_ETIMEDOUT
 * (errbuf tells the backend state and, in NeedsLogin, the login URL),
 * TSSHIM_ECANCELED if tsshim_close() was called meanwhile, or TSSHIM_ERR
 * (e.g. control rejected the auth key). */
int tsshim_up(int sd, int timeout_ms, char *errbuf, size_t errlen);

/* Stops the node, cancels a pending tsshim_up/tsshim_dial/..., closes its
 * listeners (their fds read EOF) and frees the handle. Connections already
 * handed over end when the node's network stack shuts down (their fds then
 * read EOF or fail). May block a few seconds.
 * Returns TSSHIM_OK or TSSHIM_EBADHANDLE. */
int tsshim_close(int sd);

/* ---- listeners and connections ------------------------------------------ */

/* Listens on the tailnet: network "tcp", "tcp4" or "tcp6", addr ":port" or
 * "ip:port". On success *out_listener_fd is the caller's end of the accept
 * channel (see "accept messages"); flags of its connections are 0 and the
 * remote address is the peer's tailnet address. Starts the node if needed. */
int tsshim_listen(int sd, tsshim_cchar *network, tsshim_cchar *addr,
                  int *out_listener_fd, char *errbuf, size_t errlen);

/* Exposes port (443, 8443 or 10000; 0 means 443) on the public internet
 * through Tailscale Funnel: tsnet ListenFunnel("tcp", ":port", FunnelOnly()).
 * Only Funnel traffic reaches it (not tailnet peers). Each connection has
 * completed its TLS handshake (certificate from Tailscale's ACME flow, 10 s
 * handshake limit) and has flags TSSHIM_CONN_FUNNEL|TSSHIM_CONN_TLS and the
 * public client address. The node must be Running (call tsshim_up first:
 * else TSSHIM_ESTATE). If the tailnet does not permit Funnel for this node
 * returns TSSHIM_EFUNNEL with the reason (HTTPS disabled, "funnel" node
 * attribute not set, port not allowed). Waits at most 30 s. */
int tsshim_listen_funnel(int sd, int port, int *out_listener_fd, char *errbuf, size_t errlen);

/* Blocking helper around recvmsg() for callers that do not poll the listener
 * fd themselves (Rust should rather use AsyncFd + recvmsg directly).
 * Waits up to timeout_ms (< 0: forever) for the next accept message on
 * listener_fd. On TSSHIM_OK: *out_fd is the connection (CLOEXEC, blocking),
 * *out_flags its TSSHIM_CONN_* flags (may be NULL), remote_addr the remote
 * address NUL-terminated (may be NULL; truncated to addrlen-1).
 * Returns TSSHIM_ECLOSED when the listener is closed, TSSHIM_ETIMEDOUT,
 * or TSSHIM_ERR (errno text or malformed message). Does not close
 * listener_fd. Implemented in C (accept.c); does not enter Go. */
int tsshim_accept(int listener_fd, int timeout_ms, int *out_fd, unsigned int *out_flags,
                  char *remote_addr, size_t addrlen, char *errbuf, size_t errlen);

/* Dials addr ("host:port", a tailnet IP or MagicDNS name) over the tailnet.
 * network "tcp"/"tcp4"/"tcp6". Waits until the node is Running, at most
 * timeout_ms (<= 0: no limit). *out_fd: caller's end of a
 * socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC) spliced to the connection. */
int tsshim_dial(int sd, tsshim_cchar *network, tsshim_cchar *addr, int timeout_ms,
                int *out_fd, char *errbuf, size_t errlen);

/* ---- information ---------------------------------------------------------- */

/* Writes the node's tailnet IPs, comma-separated ("100.64.0.1,fd7a:...").
 * Empty string if not yet known. *needed (may be NULL) receives the string
 * length; TSSHIM_ERANGE if buflen < length+1. */
int tsshim_getips(int sd, char *buf, size_t buflen, size_t *needed, char *errbuf, size_t errlen);

/* Writes a JSON object (NUL-terminated) describing the node:
 *   {"backend_state": "NoState|NeedsLogin|NeedsMachineAuth|Stopped|Starting|Running"
 *                      (or "NotStarted" before tsshim_start),
 *    "auth_url":       login URL to visit when backend_state is NeedsLogin, else "",
 *    "tailscale_ips":  ["100.64.0.1", "fd7a:..."],
 *    "dns_name":       "host.tailnet.ts.net" (MagicDNS name, no trailing dot) or "",
 *    "magic_dns_suffix": "tailnet.ts.net" or "",
 *    "cert_domains":   [...] (empty: HTTPS certificates are off in the tailnet),
 *    "https_enabled":  bool (cert_domains non-empty),
 *    "funnel": {"port": 443, "permitted": bool,
 *               "reason": "" or why not (from ipn.CheckFunnelAccess(443, self),
 *                          or HTTPS being off),
 *               "listeners": number of open tsshim_listen_funnel listeners},
 *    "health": ["..."] (health warnings)}
 * *needed (may be NULL) receives the JSON length; TSSHIM_ERANGE if
 * buflen < length+1 (call again with a bigger buffer; 4096 is typical). */
int tsshim_status_json(int sd, char *buf, size_t buflen, size_t *needed, char *errbuf, size_t errlen);

/* Obtains (or loads from <dir>/certs) the TLS certificate for the node's
 * first cert domain, via the ACME DNS-01 flow if needed. Use it to warm up
 * before announcing the public URL, so the first client's TLS handshake
 * does not wait for issuance. timeout_ms <= 0: no limit. TSSHIM_ESTATE if
 * the node has no cert domains (HTTPS off) or is not Running. */
int tsshim_fetch_cert(int sd, int timeout_ms, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* TSSHIM_H */
