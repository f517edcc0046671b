//! Which HTTP/2 bytes are progress. [`FrameScan`] walks the frames of one
//! direction of a connection as their bytes pass through the I/O wrapper
//! and counts the payload of the frames that carry requests and responses
//! (HEADERS, CONTINUATION, DATA). Everything else (PING, SETTINGS,
//! WINDOW_UPDATE, PRIORITY, RST_STREAM, GOAWAY, unknown types, and every
//! frame header) is no progress: a peer sending only PINGs, or empty frames,
//! is idle. The walk reads the 9-byte frame headers only and skips payloads
//! by their length, so it costs nothing per payload byte.

/// Frame types whose payload is progress (RFC 9113 section 6).
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const CONTINUATION: u8 = 0x9;

/// Where one direction's byte stream is in its frames. Starts at a frame
/// boundary (after the client preface, for the client's direction).
#[derive(Debug, Default)]
pub struct FrameScan {
    /// Bytes of the current frame's header seen (0 to 8).
    head: u8,
    /// The current frame's length, as far as its header has been read.
    len: u32,
    /// Payload bytes of the current frame still to pass.
    left: u32,
    /// The current frame's payload is progress.
    useful: bool,
}

impl FrameScan {
    /// Walks `bytes` (the next bytes of the stream) and returns how many of
    /// them are payload of HEADERS, CONTINUATION or DATA frames.
    pub fn feed(&mut self, mut bytes: &[u8]) -> u64 {
        let mut useful = 0u64;
        while !bytes.is_empty() {
            if self.left > 0 {
                let n = bytes
                    .len()
                    .min(usize::try_from(self.left).unwrap_or(usize::MAX));
                if self.useful {
                    useful += n as u64;
                }
                // n ≤ left, which is a u32.
                self.left -= u32::try_from(n).unwrap_or(self.left);
                bytes = bytes.get(n..).unwrap_or_default();
                continue;
            }
            let Some((&b, rest)) = bytes.split_first() else {
                break;
            };
            bytes = rest;
            match self.head {
                0..=2 => self.len = self.len << 8 | u32::from(b),
                3 => self.useful = matches!(b, DATA | HEADERS | CONTINUATION),
                _ => {}
            }
            self.head += 1;
            if self.head == 9 {
                // Flags and stream id are not needed.
                (self.head, self.left, self.len) = (0, self.len, 0);
            }
        }
        useful
    }

    /// Walks the first `n` bytes of `bufs` (what one vectored write took).
    pub fn feed_vectored(&mut self, bufs: &[std::io::IoSlice<'_>], mut n: usize) -> u64 {
        let mut useful = 0;
        for b in bufs {
            if n == 0 {
                break;
            }
            let k = b.len().min(n);
            useful += self.feed(b.get(..k).unwrap_or_default());
            n -= k;
        }
        useful
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, payload_len: usize) -> Vec<u8> {
        let l = u32::try_from(payload_len).unwrap().to_be_bytes();
        let mut f = vec![l[1], l[2], l[3], kind, 0, 0, 0, 0, 1];
        f.extend(std::iter::repeat_n(0xAB, payload_len));
        f
    }

    #[test]
    fn only_headers_continuation_and_data_payloads_are_progress() {
        let mut stream = Vec::new();
        stream.extend(frame(0x4, 6)); // SETTINGS
        stream.extend(frame(0x6, 8)); // PING
        stream.extend(frame(HEADERS, 20));
        stream.extend(frame(CONTINUATION, 5));
        stream.extend(frame(0x8, 4)); // WINDOW_UPDATE
        stream.extend(frame(DATA, 1000));
        stream.extend(frame(DATA, 0)); // empty DATA: no progress
        stream.extend(frame(0x2, 5)); // PRIORITY
        stream.extend(frame(0x3, 4)); // RST_STREAM
        stream.extend(frame(0x7, 8)); // GOAWAY
        stream.extend(frame(0xEE, 30)); // unknown type
        let whole = FrameScan::default().feed(&stream);
        assert_eq!(whole, 20 + 5 + 1000);
        // The same stream in pieces of every size gives the same count.
        for piece in [1, 2, 7, 9, 10, 64, 1001] {
            let mut scan = FrameScan::default();
            let n: u64 = stream.chunks(piece).map(|c| scan.feed(c)).sum();
            assert_eq!(n, whole, "in pieces of {piece}");
        }
    }

    #[test]
    fn pings_alone_are_no_progress() {
        let mut scan = FrameScan::default();
        for _ in 0..1000 {
            assert_eq!(scan.feed(&frame(0x6, 8)), 0);
        }
    }

    #[test]
    fn a_vectored_write_counts_only_what_was_taken() {
        let a = frame(DATA, 10);
        let b = frame(DATA, 10);
        let bufs = [std::io::IoSlice::new(&a), std::io::IoSlice::new(&b)];
        let mut scan = FrameScan::default();
        // The first frame and the second one's header and 3 payload bytes.
        assert_eq!(scan.feed_vectored(&bufs, 19 + 9 + 3), 10 + 3);
        assert_eq!(scan.feed(b.get(12..).unwrap()), 7);
    }

    #[test]
    fn the_largest_frame_length_is_read_whole() {
        let mut scan = FrameScan::default();
        assert_eq!(scan.feed(&[0xFF, 0xFF, 0xFF, DATA, 0, 0, 0, 0, 1]), 0);
        assert_eq!(scan.feed(&[0u8; 4096]), 4096);
        assert_eq!(scan.left, 0xFF_FFFF - 4096);
    }
}
