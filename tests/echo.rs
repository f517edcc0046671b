//! Playing on the Echo: the API Music Assistant's Alexa provider calls
//! (`/alexa/intents`, `/ma/push-url`, `/ma/latest-url`) and the stream
//! relay (`/alexa/stream/TOKEN.mp3`, `/alexa/art/TOKEN`), against the
//! stand-in Music Assistant with its Alexa provider (`ma_standin/alexa.rs`)
//! and stream server (`ma_standin/stream.rs`, real MP3 frames). The
//! refusals each have a test: wrong or missing credentials, pushed URLs off
//! Music Assistant's host or path, unknown, expired and revoked tokens, a
//! reader that stalls, too many streams, a redirect.

mod common;
mod ma_standin;
mod ma_upstream;

#[path = "echo/real_ma.rs"]
mod real_ma;
#[path = "echo/relay.rs"]
mod relay;
#[path = "echo/skill.rs"]
mod skill;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use common::*;
use hyper::StatusCode;
use ma_alexa_oauth::config::EchoSettings;
use ma_alexa_oauth::echo::credentials::{self, Sealer, USERNAME};
use ma_alexa_oauth::skill::SkillVerifier;
use ma_standin::Standin;
use ma_standin::stream::StreamServer;
use ma_upstream::Upstream;
use serde_json::{Value, json};

/// Our server (with the skill's testing trust and our skill id), the
/// stand-in Music Assistant with its Alexa provider loaded against it, the
/// provider's stream server, and a linked account.
pub struct Rig {
    pub s: TestServer,
    pub up: Upstream,
    pub streams: Arc<StreamServer>,
    pub password: String,
    /// The linked account's access token (what the Echo's requests carry).
    pub access: String,
    _trust: tempfile::TempDir,
}

impl Rig {
    /// None (after saying so) against a real Music Assistant: these tests
    /// need the stand-in's Alexa provider.
    pub async fn start() -> Option<Rig> {
        Rig::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut EchoSettings)) -> Option<Rig> {
        Rig::start_full(|c| tweak(&mut c.echo)).await
    }

    pub async fn start_full(
        tweak: impl FnOnce(&mut ma_alexa_oauth::config::Config),
    ) -> Option<Rig> {
        Rig::start_in("en-US", tweak).await
    }

    /// With the provider's "Alexa Language" set to `language`.
    pub async fn start_in(
        language: &str,
        tweak: impl FnOnce(&mut ma_alexa_oauth::config::Config),
    ) -> Option<Rig> {
        let up = Upstream::start().await;
        up.standin_or_skip("playing on the Echo", "needs the stand-in's Alexa provider")?;
        let streams = Arc::new(StreamServer::start().await);
        let (url, host) = (up.url.clone(), format!("127.0.0.1:{}", streams.addr.port()));
        let trust = tempfile::tempdir().unwrap();
        let verifier = SkillVerifier::new(skill_ca().trust(trust.path())).unwrap();
        let s = TestServer::start_with_app(
            move |c| {
                c.music_assistant_url = Some(url);
                c.upstream_timeout = Duration::from_millis(1500);
                c.skill_deadline = Duration::from_secs(3);
                c.echo.stream_hosts = vec![host];
                tweak(c);
            },
            |app| {
                app.with_skill_verifier(verifier)
                    .with_skill_ids(vec![SKILL_ID.into()])
            },
        )
        .await;
        let sealer = Sealer::open(&s.dir).unwrap();
        let password = credentials::ensure(s.app.store(), &sealer)
            .unwrap()
            .expose()
            .to_owned();
        let access = ma_upstream::link(&s, &up, "music:read music:control")
            .await
            .access;
        let prefix = match language {
            "en-US" => String::new(),
            l => format!("/{l}"),
        };
        up.standin()?
            .load_alexa(
                &format!("{}{prefix}", s.base),
                Some((USERNAME, &password)),
                language,
                Arc::clone(&streams),
            )
            .await;
        Some(Rig {
            s,
            up,
            streams,
            password,
            access,
            _trust: trust,
        })
    }

    /// Against the real Music Assistant with its own Alexa provider
    /// (scripts/echo-real-ma): our server on the provider's API Url, on the
    /// data directory whose provider password `run` was given, then the
    /// provider loaded against it. None (after saying so) otherwise.
    pub async fn start_real() -> Option<Rig> {
        let (Some(load), Some(dir), Some(api)) = (
            std::env::var("MA_ALEXA_LOAD").ok(),
            std::env::var("MA_ECHO_DATA_DIR").ok(),
            std::env::var("MA_ALEXA_API_URL").ok(),
        ) else {
            eprintln!(
                "SKIPPED (no real Music Assistant with its Alexa provider): set by scripts/echo-real-ma"
            );
            return None;
        };
        let up = Upstream::start().await;
        assert!(up.is_real(), "MA_URL and the accounts are set by the tool");
        let streams = Arc::new(StreamServer::start().await);
        let trust = tempfile::tempdir().unwrap();
        let verifier = SkillVerifier::new(skill_ca().trust(trust.path())).unwrap();
        let (url, bind) = (up.url.clone(), api.trim_start_matches("http://"));
        let dir = std::path::PathBuf::from(dir);
        let s = TestServer::start_at(
            bind,
            &dir,
            move |c| c.music_assistant_url = Some(url),
            |app| {
                app.with_skill_verifier(verifier)
                    .with_skill_ids(vec![SKILL_ID.into()])
            },
        )
        .await;
        let sealer = Sealer::open(&s.dir).unwrap();
        let password = credentials::ensure(s.app.store(), &sealer)
            .unwrap()
            .expose()
            .to_owned();
        let access = ma_upstream::link(&s, &up, "music:read music:control")
            .await
            .access;
        let st = std::process::Command::new(&load).status().unwrap();
        assert!(st.success(), "$MA_ALEXA_LOAD failed");
        Some(Rig {
            s,
            up,
            streams,
            password,
            access,
            _trust: trust,
        })
    }

    /// What Music Assistant told the Echos so far: the stand-in's log, or
    /// the real provider's `$MA_ALEXA_LOG`.
    pub fn echo_lines(&self) -> Vec<ma_standin::alexa::EchoLine> {
        if let Some(sd) = self.up.standin() {
            return sd.echo_log();
        }
        let path = std::env::var("MA_ALEXA_LOG").expect("MA_ALEXA_LOG");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|l| ma_standin::alexa::EchoLine {
                device: l["device"].as_str().unwrap_or("").to_owned(),
                call: l["call"].as_str().unwrap_or("").to_owned(),
                arg: l["arg"].clone(),
            })
            .collect()
    }

    /// The stand-in Music Assistant.
    pub fn ma(&self) -> &Standin {
        self.up.standin().expect("the stand-in")
    }

    pub fn auth(&self) -> String {
        plain_basic(USERNAME, &self.password)
    }

    /// POST /ma/push-url with the provider's credentials.
    pub async fn push(&self, body: &Value) -> Resp {
        let auth = self.auth();
        send(
            self.s.addr,
            "POST",
            "/ma/push-url",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// Pushes a flow stream for `player` (queue = player), as the provider does.
    pub async fn push_stream(&self, player: &str) -> String {
        let session = format!("s{}", rand_hex(4));
        let item = rand_hex(16);
        self.streams.set_queue(player, &session, &item);
        let url = self.streams.flow_url(player, player, "flac");
        let r = self.push(&json!({"streamUrl": url})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        url
    }

    /// A relay path for `player`'s last push (what the skill answers with).
    pub fn relay_path(&self, player: &str) -> String {
        self.s.app.echo().mint(player).expect("a push").stream_path
    }
}

pub fn rand_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `Basic base64(user ":" password)`, as aiohttp sends it.
pub fn plain_basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[tokio::test]
async fn the_provider_api_needs_the_generated_credentials() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let addr = rig.s.addr;
    let ok = rig.auth();
    let wrong_user = plain_basic("admin", &rig.password);
    let wrong_password = plain_basic(USERNAME, "guess");
    let empty = plain_basic("", "");
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("missing", vec![]),
        ("wrong user", vec![("authorization", &wrong_user)]),
        ("wrong password", vec![("authorization", &wrong_password)]),
        ("empty", vec![("authorization", &empty)]),
        ("bearer", vec![("authorization", "Bearer x")]),
        ("not base64", vec![("authorization", "Basic !!!")]),
        (
            "two headers",
            vec![("authorization", &ok), ("authorization", &ok)],
        ),
    ];
    // Seven failures from this address (ten are free before the slow-down).
    for (i, (what, headers)) in cases.iter().enumerate() {
        let path = ["/alexa/intents", "/ma/latest-url"][i % 2];
        {
            let r = send(addr, "GET", path, headers, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what} on {path}");
            assert!(
                r.header("www-authenticate").unwrap().starts_with("Basic "),
                "{what}: a Basic challenge"
            );
            assert!(!r.text().contains(&rig.password));
        }
    }
    let body = json!({"streamUrl": rig.streams.flow_url("Echo Kitchen", "Echo Kitchen", "flac")});
    let r = send(
        addr,
        "POST",
        "/ma/push-url",
        &[("authorization", &wrong_password)],
        Some(body.to_string().into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(rig.s.app.echo().latest().is_none(), "nothing kept");
    // The right credentials: the intents document the provider reads.
    let r = send(
        addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &ok)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["invocationName"], "ask music assistant to");
    let first = |intent: &str| {
        doc["intents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["intent"] == intent)
            .map(|i| i["utterances"][0].as_str().unwrap().to_owned())
    };
    assert_eq!(
        first("AMAZON.PauseIntent").as_deref(),
        Some("pause the music")
    );
    assert_eq!(
        first("AMAZON.ResumeIntent").as_deref(),
        Some("resume the music")
    );
    assert_eq!(
        first("AMAZON.StopIntent").as_deref(),
        Some("stop the music")
    );
    // Methods: push-url is POST only, the others GET.
    let r = send(addr, "GET", "/ma/push-url", &[("authorization", &ok)], None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = send(
        addr,
        "POST",
        "/alexa/intents",
        &[("authorization", &ok)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_stand_in_provider_loads_pushes_and_tells_the_echo() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    // Loading fetched our intents: pause is "ask music assistant to pause the music".
    rig.ma()
        .command(
            "player_queues/play_media",
            json!({"queue_id": "Echo Kitchen", "media": "library://album/5"}),
        )
        .unwrap();
    let pushes = wait_for(Duration::from_secs(5), || {
        let p = rig.ma().alexa_pushes();
        (p.len() >= 2).then_some(p)
    })
    .await
    .expect("two pushes");
    assert!(pushes.iter().all(|p| p.status == 200), "{pushes:?}");
    assert_eq!(
        pushes[0].body.as_object().unwrap().len(),
        1,
        "streamUrl only"
    );
    let log = rig.ma().echo_log();
    assert_eq!(log[0].device, "Echo Kitchen");
    assert_eq!(log[0].arg, "ask music assistant to play audio");
    let kept = rig.s.app.echo().pushed("Echo Kitchen").expect("kept");
    assert_eq!(kept.push.meta.title.as_deref(), Some("Smoky Room"));
    assert_eq!(kept.push.meta.artist.as_deref(), Some("Blue Harbor Trio"));
    // latest-url answers the push back, as the prototype does.
    let auth = rig.auth();
    let r = send(
        rig.s.addr,
        "GET",
        "/ma/latest-url",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["streamUrl"], pushes[1].body["streamUrl"]);
    assert_eq!(r.json()["album"], "Late Sessions");
    rig.ma()
        .command("players/cmd/pause", json!({"player_id": "Echo Kitchen"}))
        .unwrap();
    let last = rig.ma().echo_log().pop().unwrap();
    assert_eq!(last.arg, "ask music assistant to pause the music");
}

#[tokio::test]
async fn latest_url_is_404_until_something_was_pushed() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let auth = rig.auth();
    let r = send(
        rig.s.addr,
        "GET",
        "/ma/latest-url",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error(), "not_found");
}

#[tokio::test]
async fn pushes_off_music_assistants_stream_server_or_path_are_refused() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let port = rig.streams.addr.port();
    let ma_port = rig.ma().addr.port();
    rig.streams.set_queue("q", "sess1", "item1");
    let refused = [
        format!("http://10.0.0.7:{port}/flow/sess1/q/item1/p.flac"),
        format!("http://127.0.0.1:{ma_port}/flow/sess1/q/item1/p.flac"),
        format!("http://127.0.0.1:{port}/announcement/p.mp3"),
        format!("http://127.0.0.1:{port}/imageproxy/sess1/q/item1/p.flac"),
        format!("http://127.0.0.1:{port}/flow/sess1/q/item1/p.flac?x=1"),
        format!("http://127.0.0.1:{port}/flow/sess1/../item1/p.flac"),
        format!("http://127.0.0.1:{port}/flow/sess1/%2F/item1/p.flac"),
        format!("http://127.0.0.1:{port}/flow/sess1/q/item1/p.exe"),
        format!("https://127.0.0.1:{port}/flow/sess1/q/item1/p.flac"),
        format!("http://user:pw@127.0.0.1:{port}/flow/sess1/q/item1/p.flac"),
        format!("http://localhost:{port}/flow/sess1/q/item1/p.flac"),
        "file:///etc/passwd".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ];
    for url in &refused {
        let r = rig.push(&json!({"streamUrl": url})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{url}: {}", r.text());
        assert_eq!(r.error(), "stream_url_refused", "{url}");
    }
    for bad in [json!({}), json!({"streamUrl": 5}), json!(["x"]), json!("x")] {
        let r = rig.push(&bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = send(
        rig.s.addr,
        "POST",
        "/ma/push-url",
        &[("authorization", &rig.auth())],
        Some(vec![b'x'; 20_000]),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(rig.s.app.echo().latest().is_none(), "nothing was kept");
    assert!(rig.streams.requests().is_empty(), "nothing was fetched");
    // The one accepted form.
    let ok = format!("http://127.0.0.1:{port}/flow/sess1/q/item1/p.flac");
    assert_eq!(
        rig.push(&json!({"streamUrl": ok})).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn failed_provider_logins_are_slowed_down_per_address() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let wrong = plain_basic(USERNAME, "guess");
    for _ in 0..10 {
        let r = send(
            rig.s.addr,
            "GET",
            "/alexa/intents",
            &[("authorization", &wrong)],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = send(
        rig.s.addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &wrong)],
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the 11th failure is recorded"
    );
    // Now this address's wrong attempts wait.
    let r = send(
        rig.s.addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &wrong)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    let ok = rig.auth();
    // Another address is not slowed down.
    let r = relay::send_from(
        "127.0.0.2",
        rig.s.addr,
        "/alexa/intents",
        &[("authorization", &ok)],
    )
    .await;
    assert_eq!(r.0, StatusCode::OK);
}

#[tokio::test]
async fn after_many_wrong_passwords_from_one_address_the_right_one_still_works_at_once() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let get = |auth: String| async move {
        send(
            rig.s.addr,
            "GET",
            "/alexa/intents",
            &[("authorization", &auth)],
            None,
        )
        .await
        .status
    };
    let wrong = plain_basic(USERNAME, "guess");
    for _ in 0..30 {
        let s = get(wrong.clone()).await;
        assert!(
            s == StatusCode::UNAUTHORIZED || s == StatusCode::TOO_MANY_REQUESTS,
            "{s}"
        );
    }
    assert_eq!(
        get(wrong.clone()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "wrong ones are slowed"
    );
    // The right credentials are accepted at once, and clear the address's
    // failures: a later mistake starts afresh (401, not 429).
    assert_eq!(get(rig.auth()).await, StatusCode::OK);
    assert_eq!(get(rig.auth()).await, StatusCode::OK);
    assert_eq!(get(wrong.clone()).await, StatusCode::UNAUTHORIZED);
    // Without credentials at all: still a refusal, never a pass.
    let r = send(rig.s.addr, "GET", "/alexa/intents", &[], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_credentials_cost_no_store_read_and_the_right_ones_are_rechecked() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let get = |auth: Option<String>| async move {
        let h: Vec<(&str, &str)> = match &auth {
            Some(a) => vec![("authorization", a.as_str())],
            None => vec![],
        };
        send(rig.s.addr, "GET", "/alexa/intents", &h, None)
            .await
            .status
    };
    assert_eq!(get(Some(rig.auth())).await, StatusCode::OK);
    let wrong = plain_basic(USERNAME, "guess");
    assert_eq!(get(Some(wrong.clone())).await, StatusCode::UNAUTHORIZED);
    // The stored password becomes unreadable: requests that never match
    // do not read or decrypt it (no 503), they are refused as before.
    let stored = rig
        .s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::get_meta(c, credentials::PASSWORD_META))
        .unwrap()
        .unwrap();
    rig.s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::set_meta(c, credentials::PASSWORD_META, "not-sealed"))
        .unwrap();
    for _ in 0..4 {
        let s = get(Some(wrong.clone())).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "no store read for a wrong password"
        );
        assert_eq!(get(None).await, StatusCode::UNAUTHORIZED);
    }
    // The right credentials have the stored value checked again.
    assert_eq!(
        get(Some(rig.auth())).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "the stored password is checked for the right credentials"
    );
    rig.s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::set_meta(c, credentials::PASSWORD_META, &stored))
        .unwrap();
    assert_eq!(get(Some(rig.auth())).await, StatusCode::OK);
}

/// Polls `f` every 20 ms until it gives a value or `limit` passes.
pub async fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if tokio::time::Instant::now() > end {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A writer the test's log lines go to.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn credentials_tokens_and_pushed_urls_are_never_logged() {
    let captured = Captured::default();
    let c2 = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("ma_alexa_oauth=debug")
        .with_writer(move || c2.clone())
        .finish();
    // This test binary's only subscriber: every test's lines land here.
    let _ = tracing::subscriber::set_global_default(subscriber);
    let Some(rig) = Rig::start().await else {
        return;
    };
    let wrong = plain_basic(USERNAME, "a-wrong-password-guess");
    send(
        rig.s.addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &wrong)],
        None,
    )
    .await;
    let url = rig.push_stream("Echo Kitchen").await;
    let refused = url.replace("/flow/", "/announcement/");
    rig.push(&json!({"streamUrl": refused})).await;
    let path = rig.relay_path("Echo Kitchen");
    let mut o = relay::open(rig.s.addr, "GET", &path, &[]).await;
    o.read(1000, Duration::from_secs(5)).await;
    drop(o);
    send(rig.s.addr, "GET", &path.replace(".mp3", "x.mp3"), &[], None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(text.contains("provider API request refused"), "{text}");
    assert!(text.contains("push refused"), "{text}");
    assert!(text.contains("relaying Music Assistant's stream"), "{text}");
    let token = path
        .trim_start_matches("/alexa/stream/")
        .trim_end_matches(".mp3");
    let session = url.split('/').nth(4).unwrap();
    for secret in [&rig.password, "a-wrong-password-guess", token, session] {
        assert!(!text.contains(secret), "{secret:?} logged: {text}");
    }
}

/// Runs the binary to completion: (exit code, stdout, stderr).
fn run_cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = command(args).output().expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn provider_show_prints_the_values_to_paste_and_a_rotation_applies_at_once() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let dir = rig.s.dir.to_str().unwrap().to_owned();
    let (code, out, err) = run_cli(&["--data-dir", &dir, "provider", "show"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Music Assistant > Settings > Providers > Alexa"),
        "{out}"
    );
    assert!(
        out.contains("API Basic Auth Username: music-assistant"),
        "{out}"
    );
    assert!(
        out.contains(&format!("API Basic Auth Password: {}", rig.password)),
        "{out}"
    );
    assert!(out.contains("API Url:"), "{out}");
    // A new password: the running server refuses the old one at once.
    let (code, out, err) = run_cli(&["--data-dir", &dir, "provider", "rotate-password", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["api_username"], "music-assistant");
    let new = v["api_password"].as_str().unwrap().to_owned();
    assert_ne!(new, rig.password);
    assert_eq!(new.len(), 43);
    let old = rig.auth();
    let r = send(
        rig.s.addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &old)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let fresh = plain_basic(USERNAME, &new);
    let r = send(
        rig.s.addr,
        "GET",
        "/alexa/intents",
        &[("authorization", &fresh)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let (code, out, _) = run_cli(&["--data-dir", &dir, "provider", "show", "--json"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["api_password"],
        new.as_str()
    );
    for args in [
        &["provider", "--help"][..],
        &["provider", "show", "--help"][..],
    ] {
        let (code, out, _) = run_cli(args);
        assert_eq!(code, Some(0));
        assert!(out.contains("Usage") && out.contains("--data-dir"), "{out}");
    }
}

#[tokio::test]
async fn without_music_assistant_the_provider_api_says_so() {
    let s = TestServer::start().await;
    let r = send(s.addr, "GET", "/alexa/intents", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error(), "not_configured");
    let r = send(s.addr, "GET", "/alexa/stream/x.mp3", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
