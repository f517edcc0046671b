//! Tailnet mode never listens on the host network: the seccomp filter that
//! makes listen(2) fail in the whole process, and the fallback that shuts
//! down any host TCP listener the node opened anyway (needs the Go archive's
//! process: only with the `tailnet` feature).

use std::io;

use super::sys;

/// Inodes (and local ports) of TCP sockets in LISTEN state in this process's
/// network namespace, from /proc/self/net/tcp{,6}.
fn listening_tcp_inodes() -> Vec<(u64, u16)> {
    let mut out = Vec::new();
    for f in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(3) != Some(&"0A") {
                continue;
            }
            let port = cols
                .get(1)
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok())
                .unwrap_or(0);
            if let Some(ino) = cols.get(9).and_then(|i| i.parse::<u64>().ok())
                && ino != 0
            {
                out.push((ino, port));
            }
        }
    }
    out
}

/// Forbids listen(2) to the whole process from now on (a seccomp filter on
/// every thread; irreversible). Call before starting a node in a process that
/// must not listen on the host network: tsnet's kernel PeerAPI listener then
/// fails and tsnet serves the PeerAPI (and Funnel ingress) through its
/// userspace network stack only, as it does where the kernel refuses.
pub fn deny_host_listeners() -> io::Result<()> {
    sys::deny_listen()
}

/// Stops every TCP socket of this process that listens on the host network,
/// except those whose inode is in `keep` (the admin page's, bound on
/// purpose), returning their ports.
///
/// tsnet's userspace node serves its PeerAPI through its own network stack,
/// but also opens a kernel listener for it on 0.0.0.0:<port> (a leftover of
/// tailscaled's design, in ipnlocal's peerapi listen). That socket would
/// accept connections from the LAN. Shutting it down makes tsnet's accept
/// loop end and close it, while the PeerAPI (and Funnel ingress) keeps
/// working through the userspace stack. Call only in a process that must not
/// listen on the host at all (tailnet mode): it is process-wide.
pub fn shut_host_tcp_listeners(keep: &[u64]) -> Vec<u16> {
    let mut listening = listening_tcp_inodes();
    listening.retain(|(ino, _)| !keep.contains(ino));
    if listening.is_empty() {
        return Vec::new();
    }
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let mut shut = Vec::new();
    for e in fds.flatten() {
        let Some(fd) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(target) = std::fs::read_link(e.path()) else {
            continue;
        };
        let t = target.to_string_lossy();
        let Some(ino) = t
            .strip_prefix("socket:[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        if let Some(&(_, port)) = listening.iter().find(|(i, _)| *i == ino) {
            match sys::shutdown_socket_if_inode(fd, ino) {
                Ok(true) => shut.push(port),
                Ok(false) => {}
                Err(e) => tracing::warn!(fd, port, error = %e, "cannot stop a host TCP listener"),
            }
        }
    }
    shut
}
