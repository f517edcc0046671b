//! The raw layer: `extern "C"` declarations of `vendor/tsshim/tsshim.h` and
//! the few libc calls the tailnet layer needs (recvmsg with SCM_RIGHTS,
//! sigaction). This is the only module of the crate allowed `unsafe`.
//!
//! Every function here is safe to call: each `unsafe` block states why the
//! call upholds the callee's contract. Buffers passed to C are Rust slices
//! whose length is passed alongside; strings are `CStr`s (NUL-terminated).

use std::ffi::{CStr, c_char, c_int};
use std::io;
use std::os::fd::{AsRawFd as _, BorrowedFd, FromRawFd as _, OwnedFd, RawFd};

pub const OK: c_int = 0;
pub const ERR: c_int = -1;
pub const EBADHANDLE: c_int = -2;
pub const EINVAL: c_int = -3;
pub const ESTATE: c_int = -4;
pub const ETIMEDOUT: c_int = -5;
pub const ECANCELED: c_int = -6;
pub const ERANGE: c_int = -7;
pub const EFUNNEL: c_int = -8;
pub const ECLOSED: c_int = -9;
pub const EPANIC: c_int = -10;

pub use super::accept::{ACCEPT_VERSION, CONN_FUNNEL, CONN_TLS};
pub const ACCEPT_MSG_MAX: usize = 512;

mod ffi {
    use std::ffi::{c_char, c_int, c_uint};

    // Linked by build.rs (static=tsshim). Prototypes as in tsshim.h.
    unsafe extern "C" {
        pub fn tsshim_setenv(
            key: *const c_char,
            value: *const c_char,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_new() -> c_int;
        pub fn tsshim_set_dir(
            sd: c_int,
            dir: *const c_char,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_set_hostname(
            sd: c_int,
            hostname: *const c_char,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_set_authkey(
            sd: c_int,
            authkey: *const c_char,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_set_control_url(
            sd: c_int,
            url: *const c_char,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_set_ephemeral(
            sd: c_int,
            ephemeral: c_int,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_set_logfd(sd: c_int, fd: c_int, errbuf: *mut c_char, errlen: usize) -> c_int;
        pub fn tsshim_start(sd: c_int, errbuf: *mut c_char, errlen: usize) -> c_int;
        pub fn tsshim_up(sd: c_int, timeout_ms: c_int, errbuf: *mut c_char, errlen: usize)
        -> c_int;
        pub fn tsshim_close(sd: c_int) -> c_int;
        pub fn tsshim_listen(
            sd: c_int,
            network: *const c_char,
            addr: *const c_char,
            out_listener_fd: *mut c_int,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_listen_funnel(
            sd: c_int,
            port: c_int,
            out_listener_fd: *mut c_int,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        #[allow(dead_code)] // Rust polls the listener itself (recv_accept below).
        pub fn tsshim_accept(
            listener_fd: c_int,
            timeout_ms: c_int,
            out_fd: *mut c_int,
            out_flags: *mut c_uint,
            remote_addr: *mut c_char,
            addrlen: usize,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_dial(
            sd: c_int,
            network: *const c_char,
            addr: *const c_char,
            timeout_ms: c_int,
            out_fd: *mut c_int,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_getips(
            sd: c_int,
            buf: *mut c_char,
            buflen: usize,
            needed: *mut usize,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_status_json(
            sd: c_int,
            buf: *mut c_char,
            buflen: usize,
            needed: *mut usize,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
        pub fn tsshim_fetch_cert(
            sd: c_int,
            timeout_ms: c_int,
            errbuf: *mut c_char,
            errlen: usize,
        ) -> c_int;
    }
}

/// An error-message buffer for one call (tsshim NUL-terminates it).
pub struct ErrBuf([u8; 1024]);

impl ErrBuf {
    pub fn new() -> ErrBuf {
        ErrBuf([0; 1024])
    }
    fn ptr(&mut self) -> (*mut c_char, usize) {
        (self.0.as_mut_ptr().cast::<c_char>(), self.0.len())
    }
    /// The message up to the first NUL (lossy UTF-8).
    pub fn message(&self) -> String {
        let end = self.0.iter().position(|b| *b == 0).unwrap_or(self.0.len());
        String::from_utf8_lossy(self.0.get(..end).unwrap_or_default()).into_owned()
    }
}

impl Default for ErrBuf {
    fn default() -> Self {
        ErrBuf::new()
    }
}

/// `tsshim_setenv`: sets an environment variable for Go (and C).
pub fn setenv(key: &CStr, value: &CStr, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    // SAFETY: key/value are NUL-terminated and outlive the call; e/n describe a live buffer.
    unsafe { ffi::tsshim_setenv(key.as_ptr(), value.as_ptr(), e, n) }
}

/// `tsshim_new`: a new server handle (> 0) or a negative code.
pub fn new() -> c_int {
    // SAFETY: no arguments.
    unsafe { ffi::tsshim_new() }
}

/// Which string setter to call.
#[derive(Debug, Clone, Copy)]
pub enum StrSetting {
    Dir,
    Hostname,
    AuthKey,
    ControlUrl,
}

pub fn set_str(sd: c_int, which: StrSetting, value: &CStr, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    let v = value.as_ptr();
    // SAFETY: v is NUL-terminated and outlives the call (Go copies it); e/n describe a live buffer.
    unsafe {
        match which {
            StrSetting::Dir => ffi::tsshim_set_dir(sd, v, e, n),
            StrSetting::Hostname => ffi::tsshim_set_hostname(sd, v, e, n),
            StrSetting::AuthKey => ffi::tsshim_set_authkey(sd, v, e, n),
            StrSetting::ControlUrl => ffi::tsshim_set_control_url(sd, v, e, n),
        }
    }
}

pub fn set_ephemeral(sd: c_int, ephemeral: bool, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    // SAFETY: plain values and a live buffer.
    unsafe { ffi::tsshim_set_ephemeral(sd, c_int::from(ephemeral), e, n) }
}

/// `tsshim_set_logfd`: tsshim duplicates `fd`; the caller keeps ownership of it.
pub fn set_logfd(sd: c_int, fd: Option<BorrowedFd<'_>>, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    let raw = fd.map_or(-1, |f| f.as_raw_fd());
    // SAFETY: raw is an open descriptor borrowed for the call (or -1); Go only dups it.
    unsafe { ffi::tsshim_set_logfd(sd, raw, e, n) }
}

pub fn start(sd: c_int, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    // SAFETY: live buffer.
    unsafe { ffi::tsshim_start(sd, e, n) }
}

/// `tsshim_up`: blocks (call from a blocking thread).
pub fn up(sd: c_int, timeout_ms: c_int, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    // SAFETY: live buffer.
    unsafe { ffi::tsshim_up(sd, timeout_ms, e, n) }
}

/// `tsshim_close`: may block a few seconds.
pub fn close(sd: c_int) -> c_int {
    // SAFETY: plain value; an unknown handle is reported, not undefined.
    unsafe { ffi::tsshim_close(sd) }
}

/// Takes ownership of a descriptor tsshim handed to us.
fn own(fd: c_int) -> Option<OwnedFd> {
    // SAFETY: tsshim returned this fd as the caller's to own; nobody else closes it.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn listen(
    sd: c_int,
    network: &CStr,
    addr: &CStr,
    err: &mut ErrBuf,
) -> (c_int, Option<OwnedFd>) {
    let (e, n) = err.ptr();
    let mut fd: c_int = -1;
    // SAFETY: strings NUL-terminated; &mut fd is a valid out pointer; live buffer.
    let rc = unsafe { ffi::tsshim_listen(sd, network.as_ptr(), addr.as_ptr(), &mut fd, e, n) };
    (rc, if rc == OK { own(fd) } else { None })
}

pub fn listen_funnel(sd: c_int, port: c_int, err: &mut ErrBuf) -> (c_int, Option<OwnedFd>) {
    let (e, n) = err.ptr();
    let mut fd: c_int = -1;
    // SAFETY: &mut fd is a valid out pointer; live buffer.
    let rc = unsafe { ffi::tsshim_listen_funnel(sd, port, &mut fd, e, n) };
    (rc, if rc == OK { own(fd) } else { None })
}

pub fn dial(
    sd: c_int,
    network: &CStr,
    addr: &CStr,
    timeout_ms: c_int,
    err: &mut ErrBuf,
) -> (c_int, Option<OwnedFd>) {
    let (e, n) = err.ptr();
    let mut fd: c_int = -1;
    // SAFETY: strings NUL-terminated; &mut fd is a valid out pointer; live buffer.
    let rc = unsafe {
        ffi::tsshim_dial(
            sd,
            network.as_ptr(),
            addr.as_ptr(),
            timeout_ms,
            &mut fd,
            e,
            n,
        )
    };
    (rc, if rc == OK { own(fd) } else { None })
}

/// Which text query to make.
#[derive(Debug, Clone, Copy)]
pub enum Query {
    Ips,
    StatusJson,
}

/// `tsshim_getips` / `tsshim_status_json` into `buf`. On success returns the
/// string's length; on ERANGE `needed` tells the size required (without NUL).
pub fn query(
    sd: c_int,
    which: Query,
    buf: &mut [u8],
    needed: &mut usize,
    err: &mut ErrBuf,
) -> c_int {
    let (e, n) = err.ptr();
    let (b, bl) = (buf.as_mut_ptr().cast::<c_char>(), buf.len());
    // SAFETY: b/bl describe a live writable buffer; needed is a valid out pointer.
    unsafe {
        match which {
            Query::Ips => ffi::tsshim_getips(sd, b, bl, needed, e, n),
            Query::StatusJson => ffi::tsshim_status_json(sd, b, bl, needed, e, n),
        }
    }
}

pub fn fetch_cert(sd: c_int, timeout_ms: c_int, err: &mut ErrBuf) -> c_int {
    let (e, n) = err.ptr();
    // SAFETY: live buffer.
    unsafe { ffi::tsshim_fetch_cert(sd, timeout_ms, e, n) }
}

// ---------------------------------------------------------------------------
// Accept messages (see "accept messages" in tsshim.h)

/// One message read from a listener's SOCK_SEQPACKET channel.
#[derive(Debug)]
pub enum Received {
    /// Zero-length read: the listener is closed.
    Closed,
    /// A message: its payload, the descriptors it carried, and whether the
    /// kernel truncated the control data (then some fds may be missing).
    Message {
        payload: Vec<u8>,
        fds: Vec<OwnedFd>,
        ctrunc: bool,
        truncated: bool,
    },
}

/// `recvmsg(fd, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)`. Errors include WouldBlock.
/// Every descriptor received is returned owned (so it is closed if dropped).
pub fn recv_accept(fd: BorrowedFd<'_>) -> io::Result<Received> {
    let mut payload = [0u8; ACCEPT_MSG_MAX + 1];
    // Room for a few fds: a misbehaving sender must not make us leak them.
    // u64 elements keep the buffer aligned for cmsghdr.
    let mut control = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    // SAFETY: msghdr is plain data; all-zero is a valid value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: msg points at live buffers (iov -> payload, control) for the call.
    let n = unsafe {
        libc::recvmsg(
            fd.as_raw_fd(),
            &mut msg,
            libc::MSG_CMSG_CLOEXEC | libc::MSG_DONTWAIT,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut fds = Vec::new();
    // SAFETY: the CMSG_* macros walk the control buffer the kernel filled in,
    // bounded by msg.msg_controllen; each SCM_RIGHTS payload is an array of ints.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            let h = &*cmsg;
            if h.cmsg_level == libc::SOL_SOCKET && h.cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<c_int>();
                let len = (h.cmsg_len as usize).saturating_sub(libc::CMSG_LEN(0) as usize);
                let count = len / std::mem::size_of::<c_int>();
                for i in 0..count {
                    let raw: RawFd = std::ptr::read_unaligned(data.add(i));
                    if raw >= 0 {
                        fds.push(OwnedFd::from_raw_fd(raw));
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    let ctrunc = msg.msg_flags & libc::MSG_CTRUNC != 0;
    let truncated = msg.msg_flags & libc::MSG_TRUNC != 0;
    if n == 0 && fds.is_empty() && !ctrunc {
        return Ok(Received::Closed);
    }
    let len = usize::try_from(n).unwrap_or(0).min(payload.len());
    Ok(Received::Message {
        payload: payload.get(..len).unwrap_or_default().to_vec(),
        fds,
        ctrunc,
        truncated,
    })
}

/// Registers an owned descriptor with tokio's reactor for readability.
/// Fails (instead of panicking) outside a tokio runtime.
pub fn register_readable(fd: OwnedFd) -> io::Result<tokio::io::unix::AsyncFd<OwnedFd>> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(io::Error::other("not inside a tokio runtime"));
    }
    // SAFETY: an OwnedFd is a valid open descriptor that nothing else closes;
    // the AsyncFd owns it until dropped, and OwnedFd::as_raw_fd always
    // returns that same descriptor.
    unsafe { tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
        .map_err(|e| e.into_parts().1)
}

/// Shuts down (without closing) descriptor `fd` of this process if it is
/// still the socket with inode `ino`. Returns whether it did.
///
/// Used on listening sockets that tsnet opens on the host network (see
/// `tailnet::shut_host_tcp_listeners`): shutdown(2) on a listening TCP socket
/// stops it listening and makes its pending accept fail, so its Go owner
/// closes it itself; the descriptor stays Go's, so there is no double close.
pub fn shutdown_socket_if_inode(fd: RawFd, ino: u64) -> io::Result<bool> {
    // SAFETY: stat is plain data; all-zero is a valid value.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat on any int is defined (EBADF if closed); &mut st is valid.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Ok(false);
    }
    // st_ino is 32 bits on 32-bit ARM (armv7): widen it to compare.
    #[allow(clippy::useless_conversion)]
    let st_ino = u64::from(st.st_ino);
    if st.st_mode & libc::S_IFMT != libc::S_IFSOCK || st_ino != ino {
        return Ok(false);
    }
    // SAFETY: shutdown does not close or invalidate the descriptor; fd was
    // just checked to be the listening socket we mean.
    if unsafe { libc::shutdown(fd, libc::SHUT_RDWR) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(true)
}

// ---------------------------------------------------------------------------
// No listening sockets: a seccomp filter

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7; // AUDIT_ARCH_AARCH64
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
#[cfg(target_arch = "aarch64")]
const X32_SYSCALL_BIT: u32 = 0;

// The filter is built for x86_64 and aarch64 only (elsewhere, e.g. armv7,
// `serve` uses the fallback that shuts host listeners down).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn bpf_stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn bpf_jump(code: u32, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// Makes listen(2) fail with EPERM in every thread of this process, now and
/// later (seccomp filter with SECCOMP_FILTER_FLAG_TSYNC; also sets
/// PR_SET_NO_NEW_PRIVS). Irreversible. For a process that must never accept
/// connections from the host network: tsnet then serves its PeerAPI through
/// its userspace network stack only (its documented fallback when the kernel
/// listen fails).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub fn deny_listen() -> io::Result<()> {
    let listen =
        u32::try_from(libc::SYS_listen).map_err(|_| io::Error::other("SYS_listen out of range"))?;
    let data_nr = 0; // offsetof(struct seccomp_data, nr)
    let data_arch = 4; // offsetof(struct seccomp_data, arch)
    let ld = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    let jeq = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    let ret = libc::BPF_RET | libc::BPF_K;
    let mut prog = [
        bpf_stmt(ld, data_arch),
        bpf_jump(jeq, AUDIT_ARCH, 0, 3), // other ABI: allow
        bpf_stmt(ld, data_nr),
        bpf_jump(jeq, listen, 2, 0),
        bpf_jump(jeq, listen | X32_SYSCALL_BIT, 1, 0),
        bpf_stmt(ret, libc::SECCOMP_RET_ALLOW),
        bpf_stmt(
            ret,
            libc::SECCOMP_RET_ERRNO | (libc::EPERM as u32 & libc::SECCOMP_RET_DATA),
        ),
    ];
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fprog points at a valid filter program that outlives the call
    // (the kernel copies it).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_TSYNC,
            &fprog as *const libc::sock_fprog,
        )
    };
    match rc {
        0 => Ok(()),
        r if r > 0 => Err(io::Error::other(format!(
            "seccomp: thread {r} could not be synchronized"
        ))),
        _ => Err(io::Error::last_os_error()),
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub fn deny_listen() -> io::Result<()> {
    Err(io::Error::other("no seccomp filter for this architecture"))
}

// ---------------------------------------------------------------------------
// Signals

/// Adds SA_ONSTACK to the handler currently installed for `signum`.
///
/// The Go runtime requires every non-Go signal handler to run on the
/// alternate signal stack (SA_ONSTACK): a signal can land on a thread Go
/// created, whose stack is a small goroutine stack. tokio's handlers come
/// from `signal-hook-registry`, which installs them with SA_RESTART |
/// SA_SIGINFO only. Call this after the tokio signal streams exist (the
/// registry installs its handler once and never replaces it).
pub fn add_sa_onstack(signum: c_int) -> io::Result<()> {
    // SAFETY: sigaction is plain data; all-zero is a valid value.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: querying the current action into a valid out pointer.
    if unsafe { libc::sigaction(signum, std::ptr::null(), &mut act) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if act.sa_sigaction == libc::SIG_DFL || act.sa_sigaction == libc::SIG_IGN {
        return Err(io::Error::other(format!(
            "no handler installed for signal {signum}"
        )));
    }
    if act.sa_flags & libc::SA_ONSTACK != 0 {
        return Ok(());
    }
    act.sa_flags |= libc::SA_ONSTACK;
    // SAFETY: re-installs the same handler, mask and flags, plus SA_ONSTACK.
    if unsafe { libc::sigaction(signum, &act, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether the handler for `signum` carries SA_ONSTACK (for tests).
pub fn has_sa_onstack(signum: c_int) -> io::Result<bool> {
    // SAFETY: as in add_sa_onstack.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: querying into a valid out pointer.
    if unsafe { libc::sigaction(signum, std::ptr::null(), &mut act) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(act.sa_flags & libc::SA_ONSTACK != 0)
}

#[cfg(test)]
pub mod test_support {
    use super::*;

    /// A SOCK_SEQPACKET socketpair, like tsshim's accept channel.
    pub fn seqpacket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
        let mut fds = [-1 as c_int; 2];
        // SAFETY: fds is a valid out array of two ints.
        let rc = unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
                fds.as_mut_ptr(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just created and are ours.
        Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
    }

    /// Sends `payload` with one descriptor (SCM_RIGHTS).
    pub fn send_with_fd(
        sock: BorrowedFd<'_>,
        payload: &[u8],
        fd: BorrowedFd<'_>,
    ) -> io::Result<()> {
        let mut control = [0u64; 4];
        let mut iov = libc::iovec {
            iov_base: payload.as_ptr() as *mut _,
            iov_len: payload.len(),
        };
        // SAFETY: zeroed msghdr is valid; all pointers refer to live buffers for the call.
        unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<c_int>() as u32) as _;
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<c_int>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<c_int>(), fd.as_raw_fd());
            if libc::sendmsg(sock.as_raw_fd(), &msg, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}
