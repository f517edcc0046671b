//! Where a serving process's log lines go: stderr, written in batches by one
//! thread, so that a request never waits on a `write(2)` of its own.
//!
//! - Lines at INFO and below (the audit line of every token refresh, say)
//!   are appended to a buffer; the writer thread wakes on the first line
//!   into an empty buffer, waits [`LINGER`] for more and writes them all in
//!   one call. A line reaches stderr within [`LINGER`] plus the thread's
//!   wake-up.
//! - WARN and ERROR lines are written before the logging call returns, after
//!   everything buffered before them: a warning is never lost to a crash and
//!   never overtakes an earlier line.
//! - A buffer past [`MAX_BUFFERED`] (stderr not keeping up) is written by the
//!   caller itself, as an unbuffered logger would: lines are slowed down,
//!   never dropped.
//! - [`flush`] writes what is buffered; the CLI calls it before it exits, and
//!   a panic flushes before the panic message is printed.
//!
//! [`audit_line`] writes an audit event's line in tracing's own plain-text
//! layout without going through tracing's formatter (which escapes the JSON
//! character by character); only when [`install`] was told the output is
//! plain text, and only when the `audit` target is enabled at INFO.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::{Level, Metadata};

/// How long the writer thread waits after the first line of a batch.
pub const LINGER: Duration = Duration::from_millis(2);

/// Bytes buffered before the caller writes them itself.
pub const MAX_BUFFERED: usize = 256 * 1024;

type Output = Box<dyn Write + Send>;

/// A batching writer in front of `out` (stderr in the server).
pub struct Sink {
    pending: Mutex<Pending>,
    wake: Condvar,
    /// The output; whoever holds it takes the buffer, so lines keep their order.
    out: Mutex<Writing>,
}

/// The output and the buffer last written to it, kept (emptied) to be
/// swapped with the next batch: batches take turns between two buffers, so
/// the lines of a busy server are never allocated per batch, nor freed on
/// another thread than the one that grew them.
struct Writing {
    out: Output,
    spare: Vec<u8>,
}

#[derive(Default)]
struct Pending {
    buf: Vec<u8>,
    /// The writer thread is waiting for a first line.
    idle: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sink {
    /// A sink writing to `out` with no writer thread: lines are written only
    /// by [`Sink::flush`], [`Sink::write_now`] or a full buffer.
    pub fn new(out: Output) -> Arc<Sink> {
        Arc::new(Sink {
            pending: Mutex::new(Pending::default()),
            wake: Condvar::new(),
            out: Mutex::new(Writing {
                out,
                spare: Vec::new(),
            }),
        })
    }

    /// A sink writing to `out`, with its writer thread started.
    pub fn start(out: Output) -> std::io::Result<Arc<Sink>> {
        let sink = Sink::new(out);
        let s = Arc::clone(&sink);
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || s.writer_loop())?;
        Ok(sink)
    }

    fn writer_loop(&self) {
        loop {
            {
                let mut p = lock(&self.pending);
                while p.buf.is_empty() {
                    p.idle = true;
                    p = self.wake.wait(p).unwrap_or_else(|e| e.into_inner());
                }
                p.idle = false;
            }
            // Its own thread, never a runtime worker.
            #[allow(clippy::disallowed_methods)]
            std::thread::sleep(LINGER);
            self.flush();
        }
    }

    /// Appends a line (or lines) to the batch.
    pub fn append(&self, line: &[u8]) {
        let mut p = lock(&self.pending);
        p.buf.extend_from_slice(line);
        if p.buf.len() > MAX_BUFFERED {
            drop(p);
            self.flush();
            return;
        }
        if p.idle {
            p.idle = false;
            drop(p);
            self.wake.notify_one();
        }
    }

    /// Writes everything buffered, then `line`, before returning.
    pub fn write_now(&self, line: &[u8]) {
        let mut w = lock(&self.out);
        let Writing { out, spare } = &mut *w;
        std::mem::swap(spare, &mut lock(&self.pending).buf);
        let _ = out.write_all(spare);
        let _ = out.write_all(line);
        let _ = out.flush();
        spare.clear();
        // A batch never exceeds MAX_BUFFERED by more than a line; keep no more.
        spare.shrink_to(2 * MAX_BUFFERED);
    }

    /// Writes everything buffered.
    pub fn flush(&self) {
        self.write_now(&[]);
    }
}

/// The process's sink, and whether its format is tracing's plain text
/// without colours (then [`audit_line`] may write audit lines itself).
static SINK: OnceLock<(Arc<Sink>, bool)> = OnceLock::new();

/// Starts the process's sink on stderr (once; later calls return the first).
/// `plain_text`: the log format is tracing's plain text without colours.
/// Also makes a panic flush the buffer before its message.
pub fn install(plain_text: bool) -> Option<SinkWriter> {
    if SINK.get().is_none() {
        let sink = Sink::start(Box::new(std::io::stderr())).ok()?;
        if SINK.set((sink, plain_text)).is_ok() {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if let Some((s, _)) = SINK.get()
                    && let Ok(mut out) = s.out.try_lock()
                    && let Ok(mut p) = s.pending.try_lock()
                {
                    let _ = out.out.write_all(&std::mem::take(&mut p.buf));
                }
                previous(info);
            }));
        }
    }
    SINK.get().map(|(s, _)| SinkWriter(Arc::clone(s)))
}

/// Writes what the process's sink holds (nothing if there is none).
pub fn flush() {
    if let Some((s, _)) = SINK.get() {
        s.flush();
    }
}

/// tracing's `MakeWriter` for a [`Sink`]: WARN and ERROR lines are written at
/// once, the rest batched.
#[derive(Clone)]
pub struct SinkWriter(Arc<Sink>);

impl SinkWriter {
    pub fn new(sink: Arc<Sink>) -> SinkWriter {
        SinkWriter(sink)
    }
}

/// One line's writer: tracing's formatter hands it the whole line at once.
pub struct LineWriter {
    sink: Arc<Sink>,
    urgent: bool,
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.urgent {
            self.sink.write_now(buf);
        } else {
            self.sink.append(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SinkWriter {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> LineWriter {
        LineWriter {
            sink: Arc::clone(&self.0),
            urgent: true,
        }
    }
    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> LineWriter {
        LineWriter {
            sink: Arc::clone(&self.0),
            // tracing orders levels by verbosity: ERROR < WARN < INFO.
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

/// Writes the audit event `json` as tracing's plain-text formatter would
/// (`TIMESTAMP  INFO audit: JSON`, with tracing's escaping of DEL and C1
/// control characters, the ones serde_json leaves as they are), straight
/// into the sink: batched, or before returning when `urgent`. False when it
/// was not written (no sink, not plain text, or the `audit` target is not
/// enabled at INFO): the caller logs through tracing instead.
pub fn audit_line(json: &str, urgent: bool) -> bool {
    let Some((sink, true)) = SINK.get() else {
        return false;
    };
    if !tracing::enabled!(target: "audit", Level::INFO) {
        // Filtered out: nothing to write, and tracing would write nothing.
        return true;
    }
    let mut line = Vec::with_capacity(json.len() + 48);
    timestamp(&mut line, SystemTime::now());
    line.extend_from_slice(b"  INFO audit: ");
    escaped(&mut line, json);
    line.push(b'\n');
    if urgent {
        sink.write_now(&line);
    } else {
        sink.append(&line);
    }
    true
}

/// Whether tracing-subscriber's message escaping changes `c` (ESC, BEL, BS,
/// FF, DEL and the C1 controls U+0080..U+009F).
fn tracing_escapes(c: char) -> bool {
    matches!(
        c,
        '\x1b' | '\x07' | '\x08' | '\x0c' | '\x7f' | '\u{80}'..='\u{9f}'
    )
}

/// `text` with what tracing escapes escaped its way.
fn escaped(out: &mut Vec<u8>, text: &str) {
    if !text.chars().any(tracing_escapes) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for c in text.chars() {
        match c {
            '\u{80}'..='\u{9f}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c if tracing_escapes(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC, as tracing-subscriber prints it.
fn timestamp(out: &mut Vec<u8>, t: SystemTime) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (y, mo, day) = crate::util::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    // Digit by digit: `write!` was a third of an audit line's cost. `secs`
    // is not negative, so neither is the year.
    let fields: [(u64, usize, u8); 7] = [
        (u64::try_from(y).unwrap_or_default(), 4, b'-'),
        (mo as u64, 2, b'-'),
        (day as u64, 2, b'T'),
        ((s / 3600) as u64, 2, b':'),
        ((s / 60 % 60) as u64, 2, b':'),
        ((s % 60) as u64, 2, b'.'),
        (d.subsec_micros() as u64, 6, b'Z'),
    ];
    for (value, width, after) in fields {
        zero_padded(out, value, width);
        out.push(after);
    }
}

/// `value` in decimal, zero-padded to at least `width` digits (`{:0width$}`).
fn zero_padded(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut used = 0;
    for slot in digits.iter_mut().rev() {
        if value == 0 && used >= width {
            break;
        }
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
        used += 1;
    }
    out.extend(digits.iter().skip(digits.len() - used));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// An output that records what it was given, call by call.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Vec<u8>>>>);
    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !buf.is_empty() {
                lock(&self.0).push(buf.to_vec());
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Recorder {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).concat()).unwrap()
        }
        fn writes(&self) -> usize {
            lock(&self.0).len()
        }
    }

    fn wait_for(rec: &Recorder, want: &str) -> Duration {
        let t0 = Instant::now();
        while !rec.text().contains(want) {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "{want:?} never written"
            );
            #[allow(clippy::disallowed_methods)] // a plain test thread
            std::thread::sleep(Duration::from_micros(200));
        }
        t0.elapsed()
    }

    #[test]
    fn batched_lines_reach_the_output_together_and_in_order() {
        let rec = Recorder::default();
        let sink = Sink::start(Box::new(rec.clone())).unwrap();
        for i in 0..100 {
            sink.append(format!("line {i}\n").as_bytes());
        }
        wait_for(&rec, "line 99\n");
        let want: String = (0..100).map(|i| format!("line {i}\n")).collect();
        assert_eq!(rec.text(), want);
        // Batched: one write per LINGER, not one per line.
        assert!(rec.writes() < 50, "{} writes for 100 lines", rec.writes());
    }

    #[test]
    fn a_warning_is_written_before_the_call_returns_after_earlier_lines() {
        let rec = Recorder::default();
        let sink = Sink::start(Box::new(rec.clone())).unwrap();
        sink.append(b"info 1\n");
        sink.write_now(b"WARN 2\n");
        assert_eq!(rec.text(), "info 1\nWARN 2\n");
        sink.append(b"info 3\n");
        wait_for(&rec, "info 3\n");
        assert_eq!(rec.text(), "info 1\nWARN 2\ninfo 3\n");
    }

    #[test]
    fn a_full_buffer_is_written_by_the_caller_and_nothing_is_dropped() {
        let rec = Recorder::default();
        // No writer thread: only the appending caller can have written.
        let sink = Sink::new(Box::new(rec.clone()));
        let line = vec![b'x'; 1023];
        for _ in 0..(MAX_BUFFERED / 1024 + 1) {
            sink.append(&line);
            sink.append(b"\n");
        }
        // Past MAX_BUFFERED the appending caller wrote everything it held.
        assert!(rec.text().len() > MAX_BUFFERED, "{}", rec.text().len());
        assert_eq!(rec.writes(), 1);
        sink.flush();
        assert_eq!(rec.text().len(), (MAX_BUFFERED / 1024 + 1) * 1024);
    }

    #[test]
    fn the_tracing_writer_writes_warnings_at_once_and_batches_info() {
        use tracing_subscriber::fmt::MakeWriter as _;
        let rec = Recorder::default();
        let sink = Sink::start(Box::new(rec.clone())).unwrap();
        let make = SinkWriter::new(sink);
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(make.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "audit", "first");
            tracing::warn!("second");
        });
        let text = rec.text();
        let (a, b) = (text.find("first").unwrap(), text.find("second").unwrap());
        assert!(a < b, "{text}");
        // A writer made without metadata writes at once (the safe default).
        let mut w = make.make_writer();
        w.write_all(b"direct\n").unwrap();
        assert!(rec.text().ends_with("direct\n"));
    }

    #[test]
    fn audit_lines_have_tracing_s_own_plain_layout() {
        fn subscriber_for(rec: &Recorder) -> impl tracing::Subscriber + Send + Sync {
            let rec = rec.clone();
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(move || rec.clone())
                .finish()
        }
        // What serde_json leaves unescaped and tracing escapes: DEL and the
        // C1 controls (U+009B is a one-character CSI on some terminals).
        let jsons = [
            r#"{"event":"token_refreshed","client_id":"c","link_id":"l","addr":"127.0.0.1"}"#,
            "{\"event\":\"login_failed\",\"username\":\"a\u{7f}b\u{9b}31mc\u{85}d\u{80}é€\"}",
            "{\"reason\":\"\u{1b}[31m\u{7}\u{8}\u{c}\"}",
        ];
        for json in jsons {
            let rec = Recorder::default();
            tracing::subscriber::with_default(subscriber_for(&rec), || {
                tracing::info!(target: "audit", "{json}");
            });
            let theirs = rec.text();
            let mut ours = Vec::new();
            timestamp(&mut ours, SystemTime::now());
            ours.extend_from_slice(b"  INFO audit: ");
            escaped(&mut ours, json);
            ours.push(b'\n');
            let ours = String::from_utf8(ours).unwrap();
            // Same bytes after the timestamp, same timestamp shape and length.
            assert_eq!(ours[27..], theirs[27..], "ours {ours:?} theirs {theirs:?}");
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(ours[..20], theirs[..20], "same second: {ours} {theirs}");
        }
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        let at = |secs: u64, micros: u32| {
            let mut v = Vec::new();
            let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros.into());
            timestamp(&mut v, t);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(
            at(1_796_688_000 + 3_723, 999_999),
            "2026-12-08T01:02:03.999999Z"
        );
        assert_eq!(at(4_107_542_399, 0), "2100-02-28T23:59:59.000000Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000000Z");
        assert_eq!(at(253_402_300_799, 5), "9999-12-31T23:59:59.000005Z");
        assert_eq!(at(253_402_300_800, 0), "10000-01-01T00:00:00.000000Z");
    }
}
