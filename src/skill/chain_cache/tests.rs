//! The chain cache's rules, one test each: one fetch per URL, the per-client
//! bound, failures remembered briefly, the turn order, the bounded waiting room.

use super::*;

fn url(name: &str) -> CertUrl {
    CertUrl::parse(&format!("https://s3.amazonaws.com/echo.api/{name}.pem")).unwrap()
}

fn client(i: u32) -> Client {
    Client::of(Some(IpAddr::from(std::net::Ipv4Addr::from(
        0xc000_0200 + i,
    ))))
}

/// Asks for `name` from client `c`: the ticket and the fetches started.
fn ask(
    shared: &Arc<Mutex<State>>,
    name: &str,
    c: Client,
) -> Result<(Ticket, Vec<Job>), VerifyError> {
    let found = lock(shared).lookup(shared, &url(name), c, 0)?;
    match found {
        Lookup::Wait(t, jobs) => Ok((t, jobs)),
        Lookup::Cached(_) => panic!("{name} is cached"),
    }
}

fn names(jobs: &[Job]) -> Vec<String> {
    jobs.iter()
        .map(|j| {
            j.key
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".pem")
                .to_owned()
        })
        .collect()
}

fn fail(shared: &Arc<Mutex<State>>, job: &Job, e: VerifyError, completed: bool) -> Vec<Job> {
    lock(shared).finish(&job.key, job.id, Err(e), completed)
}

#[test]
fn one_fetch_per_url_and_at_most_two_urls_per_client() {
    let shared = Arc::new(Mutex::new(State::default()));
    let (_t1, jobs) = ask(&shared, "a", client(1)).unwrap();
    assert_eq!(names(&jobs), ["a"]);
    // Others asking for the same URL join it: no second fetch, no charge.
    let (_t2, jobs) = ask(&shared, "a", client(2)).unwrap();
    assert!(jobs.is_empty());
    let (_t3, _) = ask(&shared, "b", client(1)).unwrap();
    assert!(
        ask(&shared, "c", client(1)).is_err(),
        "a third URL for one client"
    );
    let (_t4, _) = ask(&shared, "a", client(1)).unwrap();
    let (_t5, _) = ask(&shared, "c", client(2)).unwrap();
}

#[tokio::test(start_paused = true)]
async fn failed_urls_are_remembered_briefly_and_date_failures_not_at_all() {
    let shared = Arc::new(Mutex::new(State::default()));
    let (t, jobs) = ask(&shared, "gone", client(1)).unwrap();
    drop(t);
    fail(
        &shared,
        &jobs[0],
        VerifyError::ChainFetch("answered 404".into()),
        true,
    );
    let again = lock(&shared)
        .lookup(&shared, &url("gone"), client(2), 0)
        .err();
    assert!(
        matches!(&again, Some(VerifyError::ChainFetch(m)) if m.contains("not fetched again yet")),
        "{again:?}"
    );
    tokio::time::advance(FAILED_FOR).await;
    let (_t, jobs) = ask(&shared, "gone", client(2)).unwrap();
    assert_eq!(names(&jobs), ["gone"], "fetched again after {FAILED_FOR:?}");
    fail(&shared, &jobs[0], VerifyError::CertExpired, true);
    let (_t, jobs) = ask(&shared, "gone", client(2)).unwrap();
    assert_eq!(
        names(&jobs),
        ["gone"],
        "a date failure depends on the clock"
    );
    fail(&shared, &jobs[0], stopped(), false);
    let (_t, jobs) = ask(&shared, "gone", client(2)).unwrap();
    assert_eq!(
        names(&jobs),
        ["gone"],
        "a fetch that did not end is not the URL's failure"
    );
}

#[tokio::test(start_paused = true)]
async fn turns_go_to_the_client_served_longest_ago_then_to_the_latest_request() {
    let shared = Arc::new(Mutex::new(State::default()));
    let (a, b) = (client(1), client(2));
    let mut keep = Vec::new();
    let mut running = Vec::new();
    for (name, c) in [("a1", a), ("a2", a), ("b1", b), ("b2", b)] {
        let (t, jobs) = ask(&shared, name, c).unwrap();
        keep.push(t);
        running.extend(jobs);
    }
    assert_eq!(running.len(), MAX_FETCHES);
    // Two clients never served wait; the one that asked last goes first.
    let (t, jobs) = ask(&shared, "c1", client(3)).unwrap();
    assert!(jobs.is_empty());
    keep.push(t);
    let (t, _) = ask(&shared, "d1", client(4)).unwrap();
    keep.push(t);
    let next = fail(
        &shared,
        &running[0],
        VerifyError::ChainFetch("404".into()),
        true,
    );
    assert_eq!(names(&next), ["d1"]);
    // A client just served asks again after one never served: it waits.
    let (t, _) = ask(&shared, "e1", client(5)).unwrap();
    keep.push(t);
    let (t, _) = ask(&shared, "a3", a).unwrap();
    keep.push(t);
    let next = fail(
        &shared,
        &running[1],
        VerifyError::ChainFetch("404".into()),
        true,
    );
    assert_eq!(names(&next), ["e1"], "a3 is newer, but a was just served");
    let next = fail(
        &shared,
        &running[2],
        VerifyError::ChainFetch("404".into()),
        true,
    );
    assert_eq!(names(&next), ["c1"]);
    let next = fail(
        &shared,
        &running[3],
        VerifyError::ChainFetch("404".into()),
        true,
    );
    assert_eq!(names(&next), ["a3"]);
    // Served a minute ago counts as never.
    tokio::time::advance(SERVED_FOR).await;
    let now = Instant::now();
    let guard = lock(&shared);
    let p = guard.pending.get(url("a3").as_str());
    assert!(p.is_some_and(|p| guard.rank(p, now).0.is_none()));
}

#[test]
fn the_waiting_room_is_bounded_and_keeps_the_best_placed() {
    let shared = Arc::new(Mutex::new(State::default()));
    let mut keep = Vec::new();
    // Four fetches under way (their clients now served), then a full room.
    for i in 0..(MAX_FETCHES + MAX_WAITING) as u32 {
        let (t, _) = ask(&shared, &format!("u{i}"), client(1000 + i)).unwrap();
        keep.push(t);
    }
    // A client just served is placed after all of them: refused.
    assert!(ask(&shared, "late", client(1000)).is_err());
    // A new client's latest request goes first: the oldest waiting gives way.
    let (t, _) = ask(&shared, "fresh", client(9)).unwrap();
    keep.push(t);
    let guard = lock(&shared);
    let waiting = guard.pending.values().filter(|p| !p.started).count();
    assert_eq!(waiting, MAX_WAITING);
    assert!(
        !guard.pending.contains_key(url("u4").as_str()),
        "the oldest waiting gave way"
    );
    assert!(guard.pending.contains_key(url("fresh").as_str()));
}

#[test]
fn a_fetch_nobody_waits_for_any_more_is_dropped_before_its_turn() {
    let shared = Arc::new(Mutex::new(State::default()));
    let mut running = Vec::new();
    for i in 0..MAX_FETCHES as u32 {
        let (t, jobs) = ask(&shared, &format!("r{i}"), client(i)).unwrap();
        running.push((t, jobs));
    }
    let (t, _) = ask(&shared, "w", client(7)).unwrap();
    drop(t);
    assert!(!lock(&shared).pending.contains_key(url("w").as_str()));
    assert!(
        !lock(&shared).asked.contains_key(&client(7)),
        "its client's count is back"
    );
}

#[test]
fn clients_are_addresses_and_ipv6_slash_64s() {
    let of = |s: &str| Client::of(Some(s.parse().unwrap()));
    assert_eq!(of("2001:db8:1:2::1"), of("2001:db8:1:2:ffff::9"));
    assert_ne!(of("2001:db8:1:2::1"), of("2001:db8:1:3::1"));
    assert_eq!(of("::ffff:192.0.2.1"), of("192.0.2.1"));
    assert_ne!(of("192.0.2.1"), of("192.0.2.2"));
    assert_eq!(Client::of(None), Client::Unknown);
}

#[test]
fn clients_just_served_cannot_crowd_a_better_placed_one_out_of_a_fetch() {
    let shared = Arc::new(Mutex::new(State::default()));
    let mut keep = Vec::new();
    // Eight clients get turns for URLs of their own (all four slots busy
    // after the first four; finishing them hands turns to the rest).
    let mut jobs = Vec::new();
    for i in 0..8u32 {
        let (t, j) = ask(&shared, &format!("own{i}"), client(100 + i)).unwrap();
        keep.push(t);
        jobs.extend(j);
    }
    while let Some(j) = jobs.pop() {
        jobs.extend(fail(
            &shared,
            &j,
            VerifyError::ChainFetch("404".into()),
            true,
        ));
    }
    // They all ask for the genuine URL, filling its list of clients; then
    // a client never served asks for it too.
    for i in 0..8u32 {
        let (t, j) = ask(&shared, "genuine", client(100 + i)).unwrap();
        keep.push(t);
        jobs.extend(j);
    }
    let genuine = lock(&shared)
        .pending
        .get(url("genuine").as_str())
        .map(|p| p.id);
    let Some(id) = genuine else {
        panic!("the genuine URL is pending")
    };
    // Started already (slots were free): look at its clients all the same.
    let (t, _) = ask(&shared, "genuine", client(7)).unwrap();
    keep.push(t);
    let guard = lock(&shared);
    let p = guard.pending.get(url("genuine").as_str()).unwrap();
    assert_eq!(p.id, id);
    assert!(p.clients.contains(&client(7)), "{:?}", p.clients);
    assert_eq!(p.clients.len(), MAX_CLIENTS_PER_URL);
    assert!(guard.rank(p, Instant::now()).0.is_none());
}
