// C-level test of libtsshim.a through the hand-written tsshim.h.
//
//   capi smoke        no network: handles, setters, buffers, error codes
//   capi funnel N     against a running tailnet lab (env from scripts/tailnet-lab
//                     -exec): up, status, cert, listen_funnel, serve N
//                     connections answering "src=<public addr> flags=<flags>"
//   capi deny         lab started with -deny-funnel: listen_funnel -> TSSHIM_EFUNNEL
//   capi login        lab started with -interactive-login: up times out with the
//                     auth URL, close cancels a blocked up, login completes
//
// Prints "ok: ..." lines, "READY <url>" (funnel mode) when serving; exits
// non-zero on the first failure.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../tsshim.h"

static char err[1024];

static void fail(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

#define CHECK_RC(call, want)                                                         \
	do {                                                                             \
		int rc_ = (call);                                                            \
		if (rc_ != (want)) fail("%s = %d, want %d (%s)", #call, rc_, (want), err); \
	} while (0)

static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *need_env(const char *k) {
	const char *v = getenv(k);
	if (v == NULL) fail("environment variable %s not set (run under scripts/tailnet-lab -exec)", k);
	return v;
}

static int new_node(const char *hostname, int with_authkey) {
	int sd = tsshim_new();
	if (sd <= 0) fail("tsshim_new = %d", sd);
	const char *base = getenv("TSSHIM_TEST_TMP");
	char tmpl[256];
	snprintf(tmpl, sizeof tmpl, "%s/tsshim-capi-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(tmpl) == NULL) fail("mkdtemp: %s", strerror(errno));
	CHECK_RC(tsshim_set_dir(sd, tmpl, err, sizeof err), TSSHIM_OK);
	CHECK_RC(tsshim_set_hostname(sd, hostname, err, sizeof err), TSSHIM_OK);
	CHECK_RC(tsshim_set_control_url(sd, need_env("TAILNET_LAB_CONTROL_URL"), err, sizeof err), TSSHIM_OK);
	if (with_authkey) {
		CHECK_RC(tsshim_set_authkey(sd, need_env("TAILNET_LAB_AUTHKEY"), err, sizeof err), TSSHIM_OK);
	}
	CHECK_RC(tsshim_set_ephemeral(sd, 1, err, sizeof err), TSSHIM_OK);
	char logpath[300];
	snprintf(logpath, sizeof logpath, "%s.log", tmpl);
	int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) fail("open log: %s", strerror(errno));
	CHECK_RC(tsshim_set_logfd(sd, logfd, err, sizeof err), TSSHIM_OK);
	close(logfd); // tsshim keeps its own duplicate
	printf("node %s: state dir %s, log %s\n", hostname, tmpl, logpath);
	return sd;
}

static void print_status(int sd, char *out, size_t outlen) {
	size_t needed = 0;
	CHECK_RC(tsshim_status_json(sd, out, outlen, &needed, err, sizeof err), TSSHIM_OK);
	printf("status_json (%zu bytes): %s\n", needed, out);
}

static int smoke(void) {
	char buf[4096];
	size_t needed = 0;
	CHECK_RC(tsshim_set_dir(12345, "/tmp/x", err, sizeof err), TSSHIM_EBADHANDLE);
	if (strstr(err, "handle") == NULL) fail("bad-handle message: %s", err);
	CHECK_RC(tsshim_close(12345), TSSHIM_EBADHANDLE);
	CHECK_RC(tsshim_setenv("", "x", err, sizeof err), TSSHIM_EINVAL);
	CHECK_RC(tsshim_setenv("TSSHIM_CAPI_TEST", "1", err, sizeof err), TSSHIM_OK);

	int sd = tsshim_new();
	int sd2 = tsshim_new();
	if (sd <= 0 || sd2 <= 0 || sd == sd2) fail("tsshim_new: %d %d", sd, sd2);
	CHECK_RC(tsshim_set_hostname(sd, "smoke", NULL, 0), TSSHIM_OK); // NULL errbuf is allowed
	CHECK_RC(tsshim_status_json(sd, buf, sizeof buf, &needed, err, sizeof err), TSSHIM_OK);
	if (strstr(buf, "\"backend_state\":\"NotStarted\"") == NULL) fail("status before start: %s", buf);
	if (needed != strlen(buf)) fail("needed %zu != strlen %zu", needed, strlen(buf));
	printf("ok: status before start: %s\n", buf);
	CHECK_RC(tsshim_status_json(sd, buf, 10, &needed, err, sizeof err), TSSHIM_ERANGE);
	if (needed <= 10) fail("ERANGE needed=%zu", needed);
	CHECK_RC(tsshim_getips(sd, buf, sizeof buf, &needed, err, sizeof err), TSSHIM_OK);
	if (buf[0] != '\0' || needed != 0) fail("getips before start: %s", buf);
	int lfd = 123;
	CHECK_RC(tsshim_listen_funnel(sd, 443, &lfd, err, sizeof err), TSSHIM_ESTATE);
	if (lfd != -1) fail("listen_funnel out fd not reset: %d", lfd);
	printf("ok: listen_funnel before up: %s\n", err);
	CHECK_RC(tsshim_listen_funnel(sd, 443, NULL, err, sizeof err), TSSHIM_EINVAL);
	CHECK_RC(tsshim_fetch_cert(sd, 100, err, sizeof err), TSSHIM_ESTATE);
	// Starting without a state directory is refused (nothing is contacted).
	CHECK_RC(tsshim_start(sd, err, sizeof err), TSSHIM_EINVAL);
	printf("ok: start without dir: %s\n", err);
	CHECK_RC(tsshim_set_logfd(sd, 987654, err, sizeof err), TSSHIM_EINVAL);
	CHECK_RC(tsshim_close(sd), TSSHIM_OK);
	CHECK_RC(tsshim_close(sd), TSSHIM_EBADHANDLE);
	CHECK_RC(tsshim_set_dir(sd, "/tmp/x", err, sizeof err), TSSHIM_EBADHANDLE);
	CHECK_RC(tsshim_close(sd2), TSSHIM_OK);
	// tsshim_accept argument checks (no Go involved).
	CHECK_RC(tsshim_accept(-1, 0, NULL, NULL, NULL, 0, err, sizeof err), TSSHIM_EINVAL);
	int cfd;
	CHECK_RC(tsshim_accept(-1, 0, &cfd, NULL, NULL, 0, err, sizeof err), TSSHIM_ERR);
	printf("ok: smoke\n");
	return 0;
}

// serve_conn answers one HTTP request on fd with the connection's metadata.
static void serve_conn(int fd, unsigned flags, const char *remote) {
	char req[4096];
	size_t got = 0;
	while (got < sizeof req - 1) {
		ssize_t n = read(fd, req + got, sizeof req - 1 - got);
		if (n <= 0) break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL) break;
	}
	char body[256];
	int blen = snprintf(body, sizeof body, "src=%s flags=%u\n", remote, flags);
	char resp[512];
	int rlen = snprintf(resp, sizeof resp,
	                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
	                    blen, body);
	if (write(fd, resp, (size_t)rlen) != rlen) fail("write response: %s", strerror(errno));
	close(fd);
}

// tailnet_listen_dial: a second node dials a tsshim_listen listener of sd
// over the tailnet; both ends exchange data through their socketpair fds.
static void tailnet_listen_dial(int sd) {
	char ips[256], ips2[256];
	size_t needed;
	CHECK_RC(tsshim_getips(sd, ips, sizeof ips, &needed, err, sizeof err), TSSHIM_OK);
	char *comma = strchr(ips, ',');
	if (comma != NULL) *comma = '\0';
	int lfd = -1;
	CHECK_RC(tsshim_listen(sd, "tcp", ":8081", &lfd, err, sizeof err), TSSHIM_OK);

	int sd2 = new_node("shim-peer", 1);
	CHECK_RC(tsshim_up(sd2, 60000, err, sizeof err), TSSHIM_OK);
	CHECK_RC(tsshim_getips(sd2, ips2, sizeof ips2, &needed, err, sizeof err), TSSHIM_OK);
	comma = strchr(ips2, ',');
	if (comma != NULL) *comma = '\0';
	char target[300];
	snprintf(target, sizeof target, "%s:8081", ips);
	int cfd = -1;
	double t0 = now_s();
	CHECK_RC(tsshim_dial(sd2, "tcp", target, 30000, &cfd, err, sizeof err), TSSHIM_OK);
	printf("ok: dial %s in %.3fs\n", target, now_s() - t0);
	if (fcntl(cfd, F_GETFD) != FD_CLOEXEC) fail("dial fd not CLOEXEC");
	if (write(cfd, "ping", 4) != 4) fail("write ping");
	shutdown(cfd, SHUT_WR);

	int afd = -1;
	unsigned flags = 99;
	char remote[128];
	CHECK_RC(tsshim_accept(lfd, 30000, &afd, &flags, remote, sizeof remote, err, sizeof err), TSSHIM_OK);
	printf("ok: tailnet accept from %s flags=%u\n", remote, flags);
	if (flags != 0) fail("tailnet conn flags %u", flags);
	if (strncmp(remote, ips2, strlen(ips2)) != 0 || remote[strlen(ips2)] != ':') fail("remote %s, want %s:*", remote, ips2);
	char buf[16] = {0};
	size_t got = 0;
	for (;;) {
		ssize_t n = read(afd, buf + got, sizeof buf - 1 - got);
		if (n < 0) fail("read: %s", strerror(errno));
		if (n == 0) break; // the dialer's half-close arrived
		got += (size_t)n;
	}
	if (strcmp(buf, "ping") != 0) fail("listener read %s", buf);
	if (write(afd, "pong", 4) != 4) fail("write pong");
	close(afd);
	memset(buf, 0, sizeof buf);
	got = 0;
	for (;;) {
		ssize_t n = read(cfd, buf + got, sizeof buf - 1 - got);
		if (n < 0) fail("read: %s", strerror(errno));
		if (n == 0) break;
		got += (size_t)n;
	}
	if (strcmp(buf, "pong") != 0) fail("dialer read %s", buf);
	close(cfd);
	printf("ok: tailnet listen/dial exchange with half-close\n");
	close(lfd);
	CHECK_RC(tsshim_close(sd2), TSSHIM_OK);
}

static int funnel(int nconns) {
	char buf[8192];
	int sd = new_node("shim-node", 1);
	double t0 = now_s();
	CHECK_RC(tsshim_up(sd, 60000, err, sizeof err), TSSHIM_OK);
	printf("ok: up in %.3fs\n", now_s() - t0);
	CHECK_RC(tsshim_set_hostname(sd, "late", err, sizeof err), TSSHIM_ESTATE);
	print_status(sd, buf, sizeof buf);
	if (strstr(buf, "\"permitted\":true") == NULL) fail("funnel not permitted");
	size_t needed;
	CHECK_RC(tsshim_getips(sd, buf, sizeof buf, &needed, err, sizeof err), TSSHIM_OK);
	printf("ok: getips: %s\n", buf);

	t0 = now_s();
	CHECK_RC(tsshim_fetch_cert(sd, 60000, err, sizeof err), TSSHIM_OK);
	printf("ok: fetch_cert in %.3fs\n", now_s() - t0);

	int lfd = -1;
	CHECK_RC(tsshim_listen_funnel(sd, 8080, &lfd, err, sizeof err), TSSHIM_EFUNNEL);
	if (strstr(err, "port 8080 is not allowed") == NULL) fail("port reason: %s", err);
	printf("ok: listen_funnel(8080): %s\n", err);
	CHECK_RC(tsshim_listen_funnel(sd, 443, &lfd, err, sizeof err), TSSHIM_OK);
	if (fcntl(lfd, F_GETFD) != FD_CLOEXEC) fail("listener fd not CLOEXEC");
	print_status(sd, buf, sizeof buf);
	if (strstr(buf, "\"listeners\":1") == NULL) fail("funnel listener not counted");
	printf("READY https://shim-node.%s/\n", need_env("TAILNET_LAB_MAGIC_DNS_SUFFIX"));
	fflush(stdout);

	for (int i = 0; i < nconns; i++) {
		int fd = -1;
		unsigned flags = 0;
		char remote[128];
		CHECK_RC(tsshim_accept(lfd, 60000, &fd, &flags, remote, sizeof remote, err, sizeof err), TSSHIM_OK);
		if (fcntl(fd, F_GETFD) != FD_CLOEXEC) fail("conn fd not CLOEXEC");
		if (flags != (TSSHIM_CONN_FUNNEL | TSSHIM_CONN_TLS)) fail("flags %u", flags);
		printf("ok: accepted conn %d from %s flags=%u\n", i, remote, flags);
		fflush(stdout);
		serve_conn(fd, flags, remote);
	}
	close(lfd);
	tailnet_listen_dial(sd);
	t0 = now_s();
	CHECK_RC(tsshim_close(sd), TSSHIM_OK);
	printf("ok: close in %.3fs\n", now_s() - t0);
	return 0;
}

static int deny(void) {
	char buf[8192];
	int sd = new_node("denied-shim-node", 1);
	CHECK_RC(tsshim_up(sd, 60000, err, sizeof err), TSSHIM_OK);
	print_status(sd, buf, sizeof buf);
	if (strstr(buf, "\"permitted\":false") == NULL || strstr(buf, "node attribute not set") == NULL)
		fail("status should explain the denial");
	int lfd = 5;
	CHECK_RC(tsshim_listen_funnel(sd, 443, &lfd, err, sizeof err), TSSHIM_EFUNNEL);
	if (lfd != -1 || strstr(err, "\"funnel\" node attribute not set") == NULL) fail("EFUNNEL reason: %s", err);
	printf("ok: listen_funnel denied: %s\n", err);
	CHECK_RC(tsshim_listen_funnel(sd, 8080, &lfd, err, sizeof err), TSSHIM_EFUNNEL);
	printf("ok: port 8080: %s\n", err);
	CHECK_RC(tsshim_close(sd), TSSHIM_OK);
	return 0;
}

struct up_arg {
	int sd, timeout, rc;
	char err[1024];
};

static void *up_thread(void *p) {
	struct up_arg *a = p;
	a->rc = tsshim_up(a->sd, a->timeout, a->err, sizeof a->err);
	return NULL;
}

// http_get fetches a loopback http:// URL (the lab's auth URL).
static int http_get(const char *url) {
	char host[64];
	int port;
	char path[512];
	if (sscanf(url, "http://%63[^:]:%d%511s", host, &port, path) != 3) fail("bad URL %s", url);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (sa.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) fail("refusing non-loopback %s", host);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) fail("connect: %s", strerror(errno));
	char req[700];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s:%d\r\n\r\n", path, host, port);
	if (write(s, req, n) != n) fail("write");
	char resp[256] = {0};
	if (read(s, resp, sizeof resp - 1) < 0) fail("read");
	close(s);
	return strncmp(resp, "HTTP/1.0 200", 12) == 0 || strncmp(resp, "HTTP/1.1 200", 12) == 0;
}

static int login(void) {
	char buf[8192];
	// 1. up times out in NeedsLogin and reports the login URL.
	int sd = new_node("login-node", 0);
	CHECK_RC(tsshim_up(sd, 1500, err, sizeof err), TSSHIM_ETIMEDOUT);
	if (strstr(err, "NeedsLogin") == NULL || strstr(err, "auth_url=http://127.0.0.1") == NULL)
		fail("timeout message lacks state/URL: %s", err);
	printf("ok: up timeout: %s\n", err);
	print_status(sd, buf, sizeof buf);
	// 2. tsshim_close from another thread cancels a blocked tsshim_up.
	struct up_arg a = {.sd = sd, .timeout = 0};
	pthread_t th;
	pthread_create(&th, NULL, up_thread, &a);
	usleep(500 * 1000);
	double t0 = now_s();
	CHECK_RC(tsshim_close(sd), TSSHIM_OK);
	pthread_join(th, NULL);
	if (a.rc != TSSHIM_ECANCELED) fail("blocked up returned %d (%s), want ECANCELED", a.rc, a.err);
	printf("ok: close cancelled up in %.3fs: %s\n", now_s() - t0, a.err);
	// 3. Completing the login lets up succeed.
	sd = new_node("login-node-2", 0);
	struct up_arg b = {.sd = sd, .timeout = 30000};
	pthread_create(&th, NULL, up_thread, &b);
	char url[512] = "";
	for (int i = 0; i < 100 && url[0] == '\0'; i++) {
		usleep(100 * 1000);
		size_t needed;
		if (tsshim_status_json(sd, buf, sizeof buf, &needed, err, sizeof err) != TSSHIM_OK) continue;
		char *p = strstr(buf, "\"auth_url\":\"");
		if (p != NULL && p[12] != '"') sscanf(p + 12, "%511[^\"]", url);
	}
	if (url[0] == '\0') fail("no auth_url in status");
	if (!http_get(url)) fail("GET %s failed", url);
	pthread_join(th, NULL);
	if (b.rc != TSSHIM_OK) fail("up after login: %d (%s)", b.rc, b.err);
	printf("ok: up after visiting %s\n", url);
	CHECK_RC(tsshim_close(sd), TSSHIM_OK);
	return 0;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "smoke") == 0) return smoke();
	if (argc >= 2 && strcmp(argv[1], "funnel") == 0) return funnel(argc >= 3 ? atoi(argv[2]) : 1);
	if (argc >= 2 && strcmp(argv[1], "deny") == 0) return deny();
	if (argc >= 2 && strcmp(argv[1], "login") == 0) return login();
	fprintf(stderr, "usage: capi smoke|funnel N|deny|login\n");
	return 2;
}
