// tsshim_accept: C-side receiver of accept messages (format in tsshim.h).
// Compiled into libtsshim.a by cgo; it never calls into Go.

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tsshim.h"

static void set_err(char *errbuf, size_t errlen, const char *fmt, const char *detail) {
	if (errbuf == NULL || errlen == 0) {
		return;
	}
	snprintf(errbuf, errlen, fmt, detail ? detail : "");
}

static long long now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tsshim_accept(int listener_fd, int timeout_ms, int *out_fd, unsigned int *out_flags,
                  char *remote_addr, size_t addrlen, char *errbuf, size_t errlen) {
	if (errbuf != NULL && errlen > 0) {
		errbuf[0] = '\0';
	}
	if (out_fd == NULL) {
		set_err(errbuf, errlen, "tsshim_accept: out_fd is NULL%s", NULL);
		return TSSHIM_EINVAL;
	}
	*out_fd = -1;
	if (out_flags != NULL) {
		*out_flags = 0;
	}
	if (remote_addr != NULL && addrlen > 0) {
		remote_addr[0] = '\0';
	}
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;

	for (;;) {
		unsigned char payload[TSSHIM_ACCEPT_MSG_MAX + 1];
		union {
			char buf[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} control;
		struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload)};
		struct msghdr msg;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);

		ssize_t n = recvmsg(listener_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				set_err(errbuf, errlen, "tsshim_accept: recvmsg: %s", strerror(errno));
				return TSSHIM_ERR;
			}
			int wait = -1;
			if (deadline >= 0) {
				long long left = deadline - now_ms();
				if (left <= 0) {
					set_err(errbuf, errlen, "tsshim_accept: timed out%s", NULL);
					return TSSHIM_ETIMEDOUT;
				}
				wait = left > 0x7fffffff ? 0x7fffffff : (int)left;
			}
			struct pollfd pfd = {.fd = listener_fd, .events = POLLIN};
			if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
				set_err(errbuf, errlen, "tsshim_accept: poll: %s", strerror(errno));
				return TSSHIM_ERR;
			}
			continue;
		}

		// Collect every fd received, so that none leaks on error paths.
		int fds[8];
		int nfds = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
				continue;
			}
			size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < count; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (nfds < (int)(sizeof(fds) / sizeof(fds[0]))) {
					fds[nfds++] = fd;
				} else {
					close(fd);
				}
			}
		}
		const char *bad = NULL;
		if (n == 0) {
			for (int i = 0; i < nfds; i++) {
				close(fds[i]);
			}
			set_err(errbuf, errlen, "tsshim_accept: listener closed%s", NULL);
			return TSSHIM_ECLOSED;
		}
		if (msg.msg_flags & MSG_CTRUNC) {
			bad = "control data truncated";
		} else if (msg.msg_flags & MSG_TRUNC || n > TSSHIM_ACCEPT_MSG_MAX) {
			bad = "message too long";
		} else if (n < 2) {
			bad = "message too short";
		} else if (payload[0] != TSSHIM_ACCEPT_VERSION) {
			bad = "unsupported message version";
		} else if (nfds != 1) {
			bad = "expected exactly one file descriptor";
		}
		if (bad != NULL) {
			for (int i = 0; i < nfds; i++) {
				close(fds[i]);
			}
			set_err(errbuf, errlen, "tsshim_accept: malformed accept message: %s", bad);
			return TSSHIM_ERR;
		}
		*out_fd = fds[0];
		if (out_flags != NULL) {
			*out_flags = payload[1];
		}
		if (remote_addr != NULL && addrlen > 0) {
			size_t len = (size_t)n - 2;
			if (len > addrlen - 1) {
				len = addrlen - 1;
			}
			memcpy(remote_addr, payload + 2, len);
			remote_addr[len] = '\0';
		}
		return TSSHIM_OK;
	}
}
