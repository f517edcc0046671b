//! Where a skill request's time goes: the wall-clock time during which at
//! least one Music Assistant call was in flight ([`waiting`], around every
//! call of [`crate::skill::backend::Backend::call`]) against the request's
//! whole time ([`measure`]). Calls made at once (`tokio::join!`) count once:
//! what matters is how long the person waits, not how many calls there were.
//! The handler logs both per request (`skill answered`, debug level);
//! `examples/bench_skill.rs` reports them per intent.
//!
//! The record is task-local: outside [`measure`] (a test calling a function
//! directly) [`waiting`] just awaits.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Default)]
struct Record {
    in_flight: u32,
    since: Option<Instant>,
    waited: Duration,
    calls: Vec<(&'static str, Duration)>,
}

tokio::task_local! {
    static RECORD: RefCell<Record>;
}

/// What [`measure`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spent {
    /// The whole future's time.
    pub total: Duration,
    /// Of which at least one Music Assistant call was in flight.
    pub music_assistant: Duration,
    /// Each Music Assistant call made: (command, its own time), in the
    /// order they ended.
    pub calls: Vec<(&'static str, Duration)>,
}

impl Spent {
    /// The time that was the skill's own (total minus waiting on Music Assistant).
    pub fn own(&self) -> Duration {
        self.total.saturating_sub(self.music_assistant)
    }

    /// "players/all 2.1, player_queues/play_media 1068.0" (ms).
    pub fn calls_text(&self) -> String {
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        let parts: Vec<String> = self
            .calls
            .iter()
            .map(|(c, d)| format!("{c} {:.1}", ms(d)))
            .collect();
        parts.join(", ")
    }
}

/// Runs `f`, recording the time Music Assistant calls inside it take.
pub async fn measure<F: Future>(f: F) -> (F::Output, Spent) {
    let start = Instant::now();
    let (out, record) = RECORD
        .scope(RefCell::new(Record::default()), async {
            let out = f.await;
            let r = RECORD.with(|r| std::mem::take(&mut *r.borrow_mut()));
            (out, r)
        })
        .await;
    let spent = Spent {
        total: start.elapsed(),
        music_assistant: record.waited,
        calls: record.calls,
    };
    (out, spent)
}

/// Marks one call in flight until dropped (also when the call is given up).
struct InFlight {
    command: &'static str,
    start: Instant,
}

impl InFlight {
    fn enter(command: &'static str) -> Option<InFlight> {
        let start = Instant::now();
        RECORD
            .try_with(|r| {
                let mut r = r.borrow_mut();
                if r.in_flight == 0 {
                    r.since = Some(start);
                }
                r.in_flight += 1;
            })
            .ok()
            .map(|_| InFlight { command, start })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let _ = RECORD.try_with(|r| {
            let mut r = r.borrow_mut();
            r.calls.push((self.command, self.start.elapsed()));
            r.in_flight = r.in_flight.saturating_sub(1);
            if r.in_flight == 0
                && let Some(since) = r.since.take()
            {
                r.waited += since.elapsed();
            }
        });
    }
}

/// Awaits one Music Assistant call (`command`), counting its time as waiting.
pub async fn waiting<F: Future>(command: &'static str, call: F) -> F::Output {
    let _mark = InFlight::enter(command);
    call.await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn overlapping_calls_count_once_and_the_rest_is_our_own() {
        let sleep = |ms| tokio::time::sleep(Duration::from_millis(ms));
        let ((), spent) = measure(async {
            sleep(5).await; // our own work
            tokio::join!(waiting("a", sleep(30)), waiting("b", sleep(20)));
            sleep(7).await;
            waiting("c", sleep(10)).await;
        })
        .await;
        assert_eq!(spent.calls.len(), 3);
        assert_eq!(spent.calls_text(), "b 20.0, a 30.0, c 10.0");
        assert_eq!(spent.music_assistant, Duration::from_millis(40));
        assert_eq!(spent.own(), Duration::from_millis(12));
        // Outside a measurement, waiting just awaits.
        assert_eq!(waiting("d", async { 3 }).await, 3);
    }
}
