//! README's "From install to the first song", walked as a new user would:
//! the commands are taken from README itself (the server's and `client
//! add`'s, with this machine's ports and Music Assistant's address put in),
//! the follow-up commands are pasted as `client add` printed them, the
//! Alexa app's linking is played with the Music Assistant account, and a
//! signed "play Aurora Lane in the kitchen" must leave the kitchen playing.
//!
//! Against the stand-in Music Assistant, or the real one when `MA_URL` and
//! its accounts are set (`../shared/tools/real-music-assistant/run
//! --library -- cargo test --test walkthrough`). The one thing README
//! cannot give is Amazon's signature: the server gets the skill's testing
//! trust (`--skill-test-*`) so that the test CA's signed requests verify.

mod common;
mod ma_standin;
mod ma_upstream;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::*;
use hyper::StatusCode;
use ma_upstream::Upstream;
use serde_json::{Value, json};

const README: &str = include_str!("../README.md");

/// The shell command of README's "From install to the first song" that
/// starts with `prefix` (continuation lines joined), as words.
fn readme_command(prefix: &str) -> Vec<String> {
    let start = README
        .find("## From install to the first song")
        .expect("README has the walk-through");
    let section = &README[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut joined = String::new();
    for line in section.lines() {
        let l = line.trim().trim_matches('`');
        if joined.is_empty() && !l.starts_with(prefix) {
            continue;
        }
        match l.strip_suffix('\\') {
            Some(more) => joined.push_str(more),
            None => {
                joined.push_str(l);
                break;
            }
        }
    }
    assert!(
        !joined.is_empty(),
        "README has no `{prefix} …` in its walk-through"
    );
    let no_comment = joined.split(" #").next().unwrap();
    no_comment.split_whitespace().map(str::to_owned).collect()
}

/// A command the binary prints, pasted into `sh` from elsewhere.
fn paste(line: &str) -> std::process::Output {
    let out = std::process::Command::new("sh")
        .args(["-c", line])
        .current_dir("/")
        .env_remove("MA_ALEXA_DATA_DIR")
        .env_remove("MA_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The server README's step 1 starts, with the testing trust; its public
/// and admin page addresses from what it printed.
fn start_server(
    dir: &Path,
    ma_url: &str,
    trust: &SkillFiles,
) -> (std::process::Child, SocketAddr, SocketAddr) {
    use std::io::BufRead as _;
    let words = readme_command("ma-alexa-oauth serve");
    let mut args: Vec<String> = vec!["--data-dir".into(), dir.display().to_string()];
    for w in &words[1..] {
        args.push(match w.as_str() {
            "127.0.0.1:8080" | "127.0.0.1:8081" => "127.0.0.1:0".into(),
            w if w.starts_with("http://192.168.") => ma_url.into(),
            w => w.into(),
        });
    }
    for extra in [
        "--skill-test-trust-roots",
        trust.roots.to_str().unwrap(),
        "--skill-test-chain-dir",
        trust.chains.to_str().unwrap(),
    ] {
        args.push(extra.into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = command(&refs);
    c.stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut public, mut admin) = (None, None);
    while public.is_none() || admin.is_none() {
        let line = lines.next().expect("serve printed its addresses").unwrap();
        let after = |m: &str| {
            line.split_once(m)
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|a| a.parse::<SocketAddr>().ok())
        };
        if line.starts_with("admin page listening on http://") {
            admin = after("listening on http://");
        } else if line.contains("listening on http://") {
            public = after("listening on http://");
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (child, public.unwrap(), admin.unwrap())
}

/// The Alexa app's linking with a Music Assistant account: the login page,
/// the code, Amazon's token request. Returns the access token.
async fn link(
    public: SocketAddr,
    id: &str,
    secret: &str,
    redirect: &str,
    user: &str,
    pw: &str,
) -> String {
    let p = AuthParams::new(id, redirect);
    let page = send(public, "GET", &p.path(), &[], None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let mut jar = Browser::default();
    jar.remember(&page);
    let fields = hidden_fields(&page.text());
    let form = login_form(&fields, user, pw, "approve");
    let c = jar.cookie_header();
    let r = send(
        public,
        "POST",
        "/alexa/authorize",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
            ("cookie", &c),
        ],
        Some(encode_form(&form).into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.text());
    let code = r.location_params()["code"].clone();
    let t = send(
        public,
        "POST",
        "/alexa/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", &basic_header(id, secret)),
        ],
        Some(encode_form(&code_grant(&code, redirect, None)).into_bytes()),
    )
    .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text());
    t.json()["access_token"].as_str().unwrap().to_owned()
}

/// "Alexa, ask music assistant to play Aurora Lane in the kitchen", signed.
async fn ask_to_play(public: SocketAddr, access: &str) -> Value {
    let app = json!({"applicationId": SKILL_ID});
    let user = json!({"userId": "amzn1.ask.account.WALK", "accessToken": access});
    let body = json!({"version": "1.0",
        "session": {"new": true, "sessionId": "amzn1.echo-api.session.walk", "application": app,
            "attributes": {}, "user": user},
        "context": {"System": {"application": app, "user": user,
            "device": {"deviceId": "amzn1.ask.device.WALK", "supportedInterfaces": {}},
            "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request.walk",
            "timestamp": alexa_timestamp(SystemTime::now()), "locale": "en-US",
            "intent": {"name": "PlayArtistIntent", "confirmationStatus": "NONE", "slots": {
                "artist": {"name": "artist", "value": "aurora lane", "confirmationStatus": "NONE"},
                "room": {"name": "room", "value": "kitchen", "confirmationStatus": "NONE"}}}}})
    .to_string()
    .into_bytes();
    let sig = skill_ca().sign(&body);
    let url = chain_url(chains::GOOD);
    let r = send(
        public,
        "POST",
        "/alexa/skill",
        &[
            ("content-type", "application/json"),
            ("signaturecertchainurl", &url),
            ("signature-256", &sig),
        ],
        Some(body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_from_install_to_the_first_song() {
    let ma = Upstream::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let trust = skill_ca().write(&tmp.path().join("trust"));
    let dir_s = dir.to_str().unwrap();

    // Step 1: the admin page's password, then the server as README starts it.
    let words = readme_command("ma-alexa-oauth admin password");
    assert_eq!(words, ["ma-alexa-oauth", "admin", "password"]);
    let mut c = command(&["--data-dir", dir_s, "admin", "password"]);
    c.stdin(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"the admin password\n").unwrap();
    assert!(child.wait().unwrap().success());
    let (mut server, public, admin) = start_server(&dir, &ma.url, &trust);

    // Step 3: `client add` as README gives it (the vendor id from the
    // console's Alexa Redirect URLs, here README's M2EXAMPLE).
    let words = readme_command("ma-alexa-oauth client add alexa");
    let mut args = vec!["--data-dir", dir_s];
    args.extend(words[1..].iter().map(String::as_str));
    let out = command(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let value = |label: &str| {
        printed
            .lines()
            .find_map(|l| l.trim_start().strip_prefix(label))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {label} in:\n{printed}"))
    };
    let (id, secret) = (value("Your Client ID:"), value("Your Secret:"));
    assert!(printed.contains("TOOLS > Account Linking"), "{printed}");
    let vendor = words
        .iter()
        .skip_while(|w| *w != "--vendor-id")
        .nth(1)
        .unwrap();
    let redirect = format!("https://pitangui.amazon.com/api/skill/link/{vendor}");
    assert!(printed.contains(&redirect), "{printed}");

    // Step 4: the endpoint and the skill id, pasting the printed command.
    assert!(
        printed.contains("https://auth.example.com/alexa/skill"),
        "{printed}"
    );
    assert!(
        printed.contains("wildcard certificate"),
        "the rule for a proxy:\n{printed}"
    );
    let cmds: Vec<&str> = printed.split('`').skip(1).step_by(2).collect();
    let skill_id_add = cmds
        .iter()
        .find(|c| c.contains("skill id add"))
        .unwrap()
        .replace("amzn1.ask.skill.<your skill id>", SKILL_ID);
    paste(&skill_id_add);

    // Step 5: the model, as printed.
    let model = cmds.iter().find(|c| c.contains("skill model")).unwrap();
    let m: Value = serde_json::from_slice(&paste(model).stdout).unwrap();
    assert_eq!(
        m["interactionModel"]["languageModel"]["invocationName"],
        "music assistant"
    );

    // Step 6: linking in the Alexa app with the Music Assistant account,
    // then "Alexa, ask music assistant to play Aurora Lane in the kitchen".
    let access = link(public, &id, &secret, &redirect, &ma.user, &ma.password).await;
    let heard = ask_to_play(public, &access).await;
    let speech = heard["response"]["outputSpeech"]["ssml"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(speech.contains("Aurora Lane"), "{heard}");
    // The kitchen plays (Music Assistant's own view, as the user).
    let token = ma.session().await;
    let kitchen = if ma.is_real() {
        std::env::var("MA_PLAYER_ID").unwrap_or_else(|_| "upkitchen".into())
    } else {
        "kitchen".into()
    };
    let mut state = Value::Null;
    for _ in 0..50 {
        let p = ma
            .api(&token, "players/get", json!({"player_id": kitchen}))
            .await
            .json();
        state = p["playback_state"].clone();
        if state == "playing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(state, "playing", "music playing in the kitchen");

    // The admin page says the request arrived and verified.
    let mut jar = Browser::default();
    let login = send(admin, "GET", "/login", &[], None).await;
    jar.remember(&login);
    let csrf = hidden_fields(&login.text())
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .unwrap()
        .1;
    let c = jar.cookie_header();
    let origin = format!("http://{admin}");
    let r = send(
        admin,
        "POST",
        "/login",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", &origin),
            ("cookie", &c),
        ],
        Some(encode_form(&[("csrf", &csrf), ("password", "the admin password")]).into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    jar.remember(&r);
    let c = jar.cookie_header();
    let page = send(admin, "GET", "/", &[("cookie", &c)], None).await;
    let html = page.text();
    assert!(
        html.contains("last one verified"),
        "the page saw the request"
    );
    assert!(html.contains(&ma.user), "the linked account");
    let _ = server.kill();
    let _ = server.wait();
}
