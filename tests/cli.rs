//! The command-line interface, run as the real binary against a temporary
//! data directory: exit codes, messages a person can act on, JSON output, and
//! the effect of each command on the store and on a running server.

mod common;
use common::*;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use ma_alexa_oauth::store::{self, Store};
use ma_alexa_oauth::{identity, oauth::client_auth};

/// Upper bound for a command to finish (liveness, not performance).
const LIVENESS: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Out {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }
    fn ok(&self) -> &Self {
        assert!(self.status.success(), "command failed: {self:#?}");
        self
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }
    /// Asserts the exit code and that stderr explains, mentioning each needle.
    fn fails(&self, code: i32, needles: &[&str]) -> &Self {
        assert_eq!(self.code(), Some(code), "exit code: {self:#?}");
        assert!(!self.stderr.trim().is_empty(), "no message: {self:#?}");
        for n in needles {
            assert!(
                self.stderr.to_lowercase().contains(&n.to_lowercase()),
                "stderr lacks {n:?}: {self:#?}"
            );
        }
        self
    }
}

/// Runs a command to completion with `stdin` piped in; kills it after [`LIVENESS`].
fn run_cmd(mut c: Command, stdin: Option<&str>) -> Out {
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("the binary starts");
    if let Some(input) = stdin {
        let mut si = child.stdin.take().unwrap();
        let _ = si.write_all(input.as_bytes());
        // Dropping closes stdin: EOF after the input.
    }
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let status = wait_bounded(child, LIVENESS)
        .unwrap_or_else(|| panic!("the command did not finish within {LIVENESS:?}: {c:?}"));
    Out {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// Waits for `child` to exit; after `limit`, kills it (by its pid) and returns None.
fn wait_bounded(mut child: Child, limit: Duration) -> Option<ExitStatus> {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(limit) {
        Ok(r) => Some(r.expect("wait for the child")),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            None
        }
    }
}

/// A temporary data directory and a way to run commands against it.
struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        Env { _tmp: tmp, dir }
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = command(&["--data-dir", self.dir.to_str().unwrap()]);
        c.args(args);
        c
    }
    fn run(&self, args: &[&str]) -> Out {
        run_cmd(self.cmd(args), None)
    }
    fn run_in(&self, args: &[&str], stdin: &str) -> Out {
        run_cmd(self.cmd(args), Some(stdin))
    }
    fn store(&self) -> Store {
        ma_alexa_oauth::startup::open_store(&self.dir).unwrap()
    }
    fn client(&self, id: &str) -> Option<store::Client> {
        let id = id.to_owned();
        self.store().with(|c| store::get_client(c, &id)).unwrap()
    }
    fn password_hash(&self, name: &str) -> Option<String> {
        let name = name.to_owned();
        self.store()
            .with(|c| store::get_user(c, &name))
            .unwrap()
            .map(|u| u.password_hash)
    }
}

fn add_alexa(env: &Env) -> serde_json::Value {
    env.run(&["client", "add", "alexa", "--vendor-id", VENDOR, "--json"])
        .ok()
        .json()
}

// ---------------------------------------------------------------------------
// client

#[test]
fn client_add_alexa_json_registers_the_three_redirect_urls() {
    let env = Env::new();
    let v = add_alexa(&env);
    let id = v["client_id"].as_str().expect("client_id");
    let secret = v["client_secret"].as_str().expect("client_secret");
    assert!(secret.len() >= 43, "secret too short: {secret}");
    assert!(
        v["authorization_uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/alexa/authorize")),
        "{v}"
    );
    assert!(
        v["token_uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/alexa/token")),
        "{v}"
    );
    let expected = vec![PITANGUI, LAYLA, JP];
    assert_eq!(v["redirect_uris"], serde_json::json!(expected), "{v}");
    // The store holds the client with the secret's hash, never the secret.
    let c = env.client(id).expect("the client is stored");
    assert_eq!(c.redirect_uris, expected);
    assert_eq!(c.kind, store::ClientKind::Alexa);
    assert_eq!(c.secret_hash, client_auth::secret_hash(secret));
    assert!(!c.scopes.is_empty());
    // Two registrations get different ids and secrets.
    let w = add_alexa(&env);
    assert_ne!(w["client_id"], v["client_id"]);
    assert_ne!(w["client_secret"], v["client_secret"]);
}

#[test]
fn client_add_alexa_prints_every_console_field() {
    let env = Env::new();
    let out = env.run(&["client", "add", "alexa", "--vendor-id", VENDOR]);
    out.ok();
    for field in [
        "Web Authorization URI",
        "Access Token URI",
        "Client ID",
        "Secret",
        "Authentication Scheme",
        "Scope",
        "Domain List",
        "Default Access Token Expiration",
    ] {
        assert!(
            out.stdout.contains(field),
            "missing {field:?}:\n{}",
            out.stdout
        );
    }
    for u in [PITANGUI, LAYLA, JP] {
        assert!(out.stdout.contains(u), "missing {u}:\n{}", out.stdout);
    }
    // The printed client id and secret are the stored ones.
    let clients = env.store().with(|c| store::list_clients(c)).unwrap();
    assert_eq!(clients.len(), 1);
    let c = &clients[0];
    let line = |label: &str| -> String {
        out.stdout
            .lines()
            .find(|l| l.contains(label))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_else(|| panic!("no {label} line:\n{}", out.stdout))
            .to_owned()
    };
    assert_eq!(line("Client ID"), c.id);
    assert_eq!(
        client_auth::secret_hash(&line("Your Secret")),
        c.secret_hash,
        "the printed secret is the stored one"
    );
    // Without a known public URL, the output says what to replace.
    assert!(out.stdout.contains("--public-url"), "{}", out.stdout);
}

#[test]
fn client_add_uses_the_public_url() {
    let env = Env::new();
    let v = env
        .run(&[
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--public-url",
            "https://auth.example.com/",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        v["authorization_uri"],
        "https://auth.example.com/alexa/authorize"
    );
    assert_eq!(v["token_uri"], "https://auth.example.com/alexa/token");
    env.run(&[
        "client",
        "add",
        "alexa",
        "--vendor-id",
        VENDOR,
        "--public-url",
        "ftp://auth.example.com",
    ])
    .fails(2, &["--public-url"]);
}

#[test]
fn client_add_refuses_bad_input_with_guidance() {
    let env = Env::new();
    for bad in ["bad/id", "M2 ABC", "", "x".repeat(65).as_str(), "M2ÄBC"] {
        env.run(&["client", "add", "alexa", "--vendor-id", bad])
            .fails(2, &["vendor"]);
    }
    // Neither --vendor-id nor --redirect-uri.
    env.run(&["client", "add", "alexa"])
        .fails(2, &["--vendor-id", "--redirect-uri"]);
    // Both.
    env.run(&[
        "client",
        "add",
        "alexa",
        "--vendor-id",
        VENDOR,
        "--redirect-uri",
        "https://example.com/cb",
    ])
    .fails(2, &["not both"]);
    // Redirect URIs must be absolute, https (except localhost), without fragment.
    for (uri, needle) in [
        ("not a url", "--redirect-uri"),
        ("http://example.com/cb", "localhost"),
        ("https://example.com/cb#frag", "fragment"),
    ] {
        env.run(&["client", "add", "app", "--redirect-uri", uri])
            .fails(2, &[needle]);
    }
    // Unknown scope.
    env.run(&[
        "client",
        "add",
        "app",
        "--redirect-uri",
        "https://example.com/cb",
        "--scope",
        "admin",
    ])
    .fails(2, &["unknown scope"]);
    // Nothing was registered by any of the failures.
    assert!(
        env.store()
            .with(|c| store::list_clients(c))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn client_add_generic_with_redirect_uris() {
    let env = Env::new();
    let v = env
        .run(&[
            "client",
            "add",
            "My App",
            "--redirect-uri",
            "https://example.com/cb",
            "--redirect-uri",
            "http://localhost:8080/cb",
            "--scope",
            "music:read",
            "--json",
        ])
        .ok()
        .json();
    let id = v["client_id"].as_str().unwrap();
    assert!(v["client_secret"].as_str().unwrap().len() >= 43);
    let c = env.client(id).unwrap();
    assert_eq!(c.kind, store::ClientKind::Generic);
    assert_eq!(
        c.redirect_uris,
        vec!["https://example.com/cb", "http://localhost:8080/cb"]
    );
    assert_eq!(c.scopes, vec!["music:read"]);
    assert_eq!(c.name, "My App");
}

#[test]
fn client_list_and_remove() {
    let env = Env::new();
    let out = env.run(&["client", "list"]);
    out.ok();
    assert!(out.stdout.contains("client add alexa"), "{}", out.stdout);
    let v = add_alexa(&env);
    let id = v["client_id"].as_str().unwrap();
    let secret = v["client_secret"].as_str().unwrap();
    let out = env.run(&["client", "list"]);
    out.ok();
    assert!(out.stdout.contains(id), "{}", out.stdout);
    assert!(out.stdout.contains(PITANGUI), "{}", out.stdout);
    assert!(!out.stdout.contains(secret), "the secret is never listed");
    let list = env.run(&["client", "list", "--json"]).ok().json();
    let arr = list.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 1);
    assert_eq!(arr[0]["id"], id);
    assert!(!list.to_string().contains(secret));
    assert!(!list.to_string().contains("secret_hash"));

    let out = env.run(&["client", "remove", id]);
    out.ok();
    assert!(out.stdout.contains(id), "{}", out.stdout);
    assert!(env.client(id).is_none());
    env.run(&["client", "remove", id])
        .fails(1, &["no client", "client list"]);
    assert!(
        env.run(&["client", "list", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn client_add_require_pkce_is_stored_listed_and_printed() {
    let env = Env::new();
    // Default: PKCE optional, and the console values mention the option.
    let out = env.run(&["client", "add", "alexa", "--vendor-id", VENDOR]);
    out.ok();
    let pkce_line = |o: &Out| -> String {
        o.stdout
            .lines()
            .skip_while(|l| !l.contains("PKCE Authorization"))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let optional = pkce_line(&out);
    assert!(optional.contains("optional"), "{}", out.stdout);
    assert!(optional.contains("--require-pkce on"), "{}", out.stdout);
    let v = add_alexa(&env);
    assert_eq!(v["require_pkce"], false, "{v}");
    assert!(
        !env.client(v["client_id"].as_str().unwrap())
            .unwrap()
            .require_pkce
    );

    // --require-pkce: stored, and the console values say to switch it on.
    let out = env.run(&[
        "client",
        "add",
        "alexa",
        "--vendor-id",
        VENDOR,
        "--require-pkce",
    ]);
    out.ok();
    let required = pkce_line(&out);
    assert!(required.contains("switch it ON"), "{}", out.stdout);
    assert!(required.contains("requires PKCE"), "{}", out.stdout);
    let v = env
        .run(&[
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--require-pkce",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(v["require_pkce"], true, "{v}");
    let strict = v["client_id"].as_str().unwrap().to_owned();
    assert!(env.client(&strict).unwrap().require_pkce);
    // Generic clients take it too.
    let g = env
        .run(&[
            "client",
            "add",
            "app",
            "--redirect-uri",
            "https://example.com/cb",
            "--require-pkce",
            "--json",
        ])
        .ok()
        .json();
    assert!(
        env.client(g["client_id"].as_str().unwrap())
            .unwrap()
            .require_pkce
    );

    // `client list` shows it, in text and JSON.
    let out = env.run(&["client", "list"]);
    out.ok();
    assert_eq!(
        out.stdout.matches("pkce: required").count(),
        3,
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("pkce: optional").count(),
        2,
        "{}",
        out.stdout
    );
    let list = env.run(&["client", "list", "--json"]).ok().json();
    let flags: Vec<bool> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["require_pkce"].as_bool().expect("require_pkce in --json"))
        .collect();
    assert_eq!(flags.iter().filter(|f| **f).count(), 3, "{list}");
    assert_eq!(flags.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_set_require_pkce_takes_effect_on_a_running_server() {
    let env = Env::new();
    let v = add_alexa(&env);
    let id = v["client_id"].as_str().unwrap().to_owned();
    let s = TestServer::start_in(&env.dir, |_| {}).await;
    let without = AuthParams::new(&id, PITANGUI).path();
    let with = AuthParams::new(&id, PITANGUI).pkce(VERIFIER).path();
    assert_eq!(s.get(&without).await.status, StatusCode::OK);

    let out = env.run(&["client", "set", &id, "--require-pkce", "on"]);
    out.ok();
    assert!(out.stdout.contains("requires PKCE"), "{}", out.stdout);
    assert!(out.stdout.contains("PKCE Authorization"), "{}", out.stdout);
    assert!(env.client(&id).unwrap().require_pkce);
    let r = s.get(&without).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location_params()["error"], "invalid_request");
    assert_eq!(s.get(&with).await.status, StatusCode::OK);
    // Setting it again is not an error.
    env.run(&["client", "set", &id, "--require-pkce", "on"])
        .ok();
    assert!(env.client(&id).unwrap().require_pkce);

    let out = env.run(&["client", "set", &id, "--require-pkce", "off"]);
    out.ok();
    assert!(out.stdout.contains("optional"), "{}", out.stdout);
    assert!(!env.client(&id).unwrap().require_pkce);
    assert_eq!(s.get(&without).await.status, StatusCode::OK);

    // Errors: unknown client (runtime, 1), nothing to set or a bad value (usage, 2).
    env.run(&["client", "set", "no-such-client", "--require-pkce", "on"])
        .fails(1, &["no client", "client list"]);
    env.run(&["client", "set", &id])
        .fails(2, &["nothing to change", "--require-pkce"]);
    for bad in ["yes", "true", "ON ", ""] {
        env.run(&["client", "set", &id, "--require-pkce", bad])
            .fails(2, &["--require-pkce"]);
    }
    env.run(&["client", "set", "--require-pkce", "on"])
        .fails(2, &["<ID>"]);
    assert!(
        !env.client(&id).unwrap().require_pkce,
        "failures change nothing"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_secret_makes_the_old_secret_stop_working() {
    let env = Env::new();
    let v = add_alexa(&env);
    let id = v["client_id"].as_str().unwrap().to_owned();
    let old = v["client_secret"].as_str().unwrap().to_owned();
    let s = TestServer::start_in(&env.dir, |_| {}).await;
    let probe = refresh_grant("x");
    // Authenticated: the refresh token is what fails, not the client.
    let r = s.token_basic(&id, &old, &probe).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");

    let out = env.run(&["client", "rotate-secret", &id, "--json"]);
    let w = out.ok().json();
    assert_eq!(w["client_id"], id.as_str());
    let new = w["client_secret"].as_str().unwrap().to_owned();
    assert!(new.len() >= 43);
    assert_ne!(new, old);

    let r = s.token_basic(&id, &old, &probe).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.error(), "invalid_client");
    let r = s.token_basic(&id, &new, &probe).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");

    // Human-readable form shows the secret once; unknown ids are explained.
    let out = env.run(&["client", "rotate-secret", &id]);
    out.ok();
    let newest = out
        .stdout
        .lines()
        .nth(1)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        env.client(&id).unwrap().secret_hash,
        client_auth::secret_hash(&newest),
        "{}",
        out.stdout
    );
    env.run(&["client", "rotate-secret", "no-such-client"])
        .fails(1, &["no client", "client list"]);
    s.stop().await;
}

// ---------------------------------------------------------------------------
// user

#[test]
fn user_add_reads_the_password_from_stdin_and_stores_argon2id() {
    let env = Env::new();
    let out = env.run_in(&["user", "add", "alice"], "correct horse battery\n");
    out.ok();
    assert!(out.stdout.contains("alice"), "{}", out.stdout);
    let h = env.password_hash("alice").expect("the user is stored");
    assert!(h.starts_with("$argon2id$"), "{h}");
    assert!(identity::password::verify("correct horse battery", &h));
    assert!(!identity::password::verify("correct horse batter", &h));
    // Only the first line counts; CRLF is stripped.
    env.run_in(&["user", "add", "bob"], "s3cret pass\r\nignored\n")
        .ok();
    let h = env.password_hash("bob").unwrap();
    assert!(identity::password::verify("s3cret pass", &h));
    // No trailing newline at all.
    env.run_in(&["user", "add", "carol"], "no newline here")
        .ok();
    assert!(identity::password::verify(
        "no newline here",
        &env.password_hash("carol").unwrap()
    ));
}

#[test]
fn user_add_refuses_duplicates_and_weak_passwords() {
    let env = Env::new();
    env.run_in(&["user", "add", "alice"], "correct horse battery\n")
        .ok();
    let before = env.password_hash("alice").unwrap();
    env.run_in(&["user", "add", "alice"], "another password\n")
        .fails(1, &["exists", "user passwd"]);
    assert_eq!(env.password_hash("alice").unwrap(), before, "unchanged");
    // Too short, empty, nothing on stdin.
    env.run_in(&["user", "add", "bob"], "short\n")
        .fails(2, &["at least 8"]);
    env.run_in(&["user", "add", "bob"], "\n")
        .fails(2, &["at least 8"]);
    env.run(&["user", "add", "bob"]).fails(2, &["at least 8"]);
    assert!(env.password_hash("bob").is_none());
    // Bad user names.
    env.run_in(&["user", "add", " bob"], "long enough pw\n")
        .fails(2, &["space"]);
    env.run_in(&["user", "add", "bo\u{7}b"], "long enough pw\n")
        .fails(2, &["control"]);
    env.run_in(&["user", "add", &"b".repeat(65)], "long enough pw\n")
        .fails(2, &["64"]);
}

#[test]
fn user_list_passwd_and_remove() {
    let env = Env::new();
    let out = env.run(&["user", "list"]);
    out.ok();
    assert!(out.stdout.contains("user add"), "{}", out.stdout);
    env.run_in(&["user", "add", "alice"], "correct horse battery\n")
        .ok();
    env.run_in(&["user", "add", "bob"], "another good one\n")
        .ok();
    let out = env.run(&["user", "list"]);
    out.ok();
    assert!(out.stdout.contains("alice") && out.stdout.contains("bob"));
    assert!(!out.stdout.contains("argon2"), "hashes are never listed");
    let v = env.run(&["user", "list", "--json"]).ok().json();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"alice") && names.contains(&"bob"));
    assert!(!v.to_string().contains("argon2"));

    env.run_in(&["user", "passwd", "alice"], "a brand new password\n")
        .ok();
    let h = env.password_hash("alice").unwrap();
    assert!(identity::password::verify("a brand new password", &h));
    assert!(!identity::password::verify("correct horse battery", &h));
    env.run_in(&["user", "passwd", "alice"], "short\n")
        .fails(2, &["at least 8"]);
    assert_eq!(env.password_hash("alice").unwrap(), h, "unchanged");
    env.run_in(&["user", "passwd", "nobody"], "a brand new password\n")
        .fails(1, &["no user", "user list"]);

    let out = env.run(&["user", "remove", "bob"]);
    out.ok();
    assert!(out.stdout.contains("bob"), "{}", out.stdout);
    assert!(env.password_hash("bob").is_none());
    env.run(&["user", "remove", "bob"])
        .fails(1, &["no user", "user list"]);
    assert!(env.password_hash("alice").is_some());
}

// ---------------------------------------------------------------------------
// links

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_list_and_revoke_end_a_link() {
    let env = Env::new();
    let s = TestServer::start_in(&env.dir, |_| {}).await;
    let out = env.run(&["links", "list"]);
    out.ok();
    assert!(out.stdout.contains("no linked accounts"), "{}", out.stdout);
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();

    let v = env.run(&["links", "list", "--json"]).ok().json();
    let arr = v.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 1, "{v}");
    let link_id = arr[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(arr[0]["username"], USER);
    assert_eq!(arr[0]["client_id"], id.as_str());
    assert!(arr[0]["revoked_at"].is_null());
    assert!(!v.to_string().contains(&rt), "tokens are never listed");
    let out = env.run(&["links", "list"]);
    out.ok();
    assert!(out.stdout.contains(&link_id) && out.stdout.contains("active"));

    let out = env.run(&["links", "revoke", &link_id]);
    out.ok();
    assert!(out.stdout.contains(&link_id), "{}", out.stdout);
    // The refresh token no longer works on the running server.
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
    // Nor the access token.
    let at = tok["access_token"].as_str().unwrap();
    let r = s.introspect(&id, &secret, at).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["active"], false, "{}", r.text());

    let v = env.run(&["links", "list", "--json"]).ok().json();
    assert!(v[0]["revoked_at"].is_i64(), "{v}");
    let out = env.run(&["links", "list"]);
    assert!(out.ok().stdout.contains("revoked"), "{}", out.stdout);
    env.run(&["links", "revoke", &link_id])
        .fails(1, &["already revoked"]);
    env.run(&["links", "revoke", "no-such-link"])
        .fails(1, &["no link", "links list"]);
    // Link ids are base64url and may start with '-': still an id, not an option.
    env.run(&["links", "revoke", "-Ono-such-link"])
        .fails(1, &["no link", "links list"]);
    env.run(&["links", "revoke", "--x"]).fails(1, &["no link"]);
    s.stop().await;
}

// ---------------------------------------------------------------------------
// status

#[test]
fn status_reports_counts_in_text_and_json() {
    let env = Env::new();
    let out = env.run(&["status"]);
    out.ok();
    assert!(out.stdout.contains("clients: 0"), "{}", out.stdout);
    assert!(out.stdout.contains(env.dir.to_str().unwrap()));
    let v = env.run(&["status", "--json"]).ok().json();
    assert_eq!(v["clients"], 0);
    assert_eq!(v["users"], 0);
    assert_eq!(v["active_links"], 0);
    assert_eq!(v["database_ok"], true);
    assert!(v["public_url"].is_null());
    add_alexa(&env);
    env.run_in(&["user", "add", "alice"], "correct horse battery\n")
        .ok();
    let v = env.run(&["status", "--json"]).ok().json();
    assert_eq!(v["clients"], 1, "{v}");
    assert_eq!(v["users"], 1, "{v}");
    let out = env.run(&["status"]);
    assert!(
        out.ok().stdout.contains("clients: 1   users: 1"),
        "{}",
        out.stdout
    );
}

/// `status --check` without a running `serve`: a data directory that never
/// ran on the tailnet, and a node whose snapshot names a live process but
/// stopped being refreshed, or names a process that is gone. (A healthy
/// check needs a real node: tests/tailnet.rs.)
#[test]
fn status_check_fails_with_one_line_when_not_serving() {
    let env = Env::new();
    let out = env.run(&["status", "--check"]);
    out.fails(1, &["unhealthy: no tailnet node"]);
    assert_eq!(out.stderr.trim().lines().count(), 1, "{out:#?}");
    assert!(!env.dir.exists(), "--check created the data directory");

    // A node's state, and the snapshot a serve wrote 5 minutes ago with this
    // test's own (live) pid: stale.
    let node = env.dir.join("tailnet");
    std::fs::create_dir_all(&node).unwrap();
    ma_alexa_oauth::files::write_private(&node.join("tailscaled.state"), b"{}").unwrap();
    let out = env.run(&["status", "--check"]);
    out.fails(1, &["unhealthy: serve has not reported"]);
    let snapshot = |pid: u32, age: i64| {
        let v = serde_json::json!({
            "updated_at": ma_alexa_oauth::util::now() - age,
            "pid": pid,
            "tailnet": {
                "state": "Running",
                "dns_name": "alexa.tail-scale.ts.net.",
                "funnel": { "listening": true, "permitted": true, "reason": "" },
            },
        });
        let path = node.join("ma-alexa-status.json");
        ma_alexa_oauth::files::write_private(&path, v.to_string().as_bytes()).unwrap();
    };
    snapshot(std::process::id(), 300);
    env.run(&["status", "--check"]).fails(
        1,
        &["unhealthy: the status snapshot is 30", "stuck or gone"],
    );
    // Fresh, but no certificate cached: still not serving.
    snapshot(std::process::id(), 0);
    env.run(&["status", "--check"]).fails(
        1,
        &["unhealthy: no certificate for alexa.tail-scale.ts.net"],
    );
    // A pid that no longer exists: a child that has exited and been reaped.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    snapshot(pid, 0);
    env.run(&["status", "--check"])
        .fails(1, &["unhealthy: serve is not running"]);
    // --check and --json do not mix.
    env.run(&["status", "--check", "--json"])
        .fails(2, &["--json"]);
}

#[test]
fn data_dir_from_the_environment_and_unusable_dirs() {
    let env = Env::new();
    let mut c = command(&["client", "add", "alexa", "--vendor-id", VENDOR, "--json"]);
    c.env("MA_ALEXA_DATA_DIR", &env.dir);
    let v = run_cmd(c, None).ok().json();
    assert!(env.client(v["client_id"].as_str().unwrap()).is_some());
    // A file where the directory should be: an explanation, exit 1.
    let file = env._tmp.path().join("a-file");
    std::fs::File::create(&file)
        .and_then(|mut f| f.write_all(b"x"))
        .unwrap();
    run_cmd(
        command(&["--data-dir", file.to_str().unwrap(), "status"]),
        None,
    )
    .fails(1, &["data directory", "a-file"]);
    // The data directory is created with mode 0700.
    let fresh = env._tmp.path().join("fresh/nested");
    run_cmd(
        command(&["--data-dir", fresh.to_str().unwrap(), "status"]),
        None,
    )
    .ok();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{mode:o}");
}

// ---------------------------------------------------------------------------
// help and usage errors

#[test]
fn help_works_for_every_command() {
    let cmds: &[&[&str]] = &[
        &[],
        &["serve"],
        &["client"],
        &["client", "add"],
        &["client", "list"],
        &["client", "remove"],
        &["client", "rotate-secret"],
        &["client", "set"],
        &["user"],
        &["user", "add"],
        &["user", "list"],
        &["user", "remove"],
        &["user", "passwd"],
        &["links"],
        &["links", "list"],
        &["links", "revoke"],
        &["status"],
    ];
    for args in cmds {
        let mut a = args.to_vec();
        a.push("--help");
        let out = run_cmd(command(&a), None);
        assert_eq!(out.code(), Some(0), "{a:?}: {out:#?}");
        assert!(out.stdout.contains("Usage"), "{a:?}: {}", out.stdout);
        assert!(out.stdout.contains("--data-dir"), "{a:?}: {}", out.stdout);
    }
    // The top-level help lists every command.
    let out = run_cmd(command(&["--help"]), None);
    for sub in ["serve", "client", "user", "links", "status"] {
        assert!(out.stdout.contains(sub), "{sub}: {}", out.stdout);
    }
    let out = run_cmd(command(&["serve", "--help"]), None);
    for flag in ["--listen", "--public-url", "--trusted-proxy"] {
        assert!(out.stdout.contains(flag), "{flag}: {}", out.stdout);
    }
    let out = run_cmd(command(&["client", "add", "--help"]), None);
    for flag in ["--vendor-id", "--redirect-uri", "--require-pkce", "--json"] {
        assert!(out.stdout.contains(flag), "{flag}: {}", out.stdout);
    }
    // `help SUBCOMMAND` and --version.
    let out = run_cmd(command(&["help", "user"]), None);
    assert_eq!(out.code(), Some(0), "{out:#?}");
    let out = run_cmd(command(&["--version"]), None);
    assert_eq!(out.code(), Some(0));
    assert!(out.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    for args in [
        &["frobnicate"][..],
        &[],
        &["client"],
        &["client", "frobnicate"],
        &["user", "add"],
        &["links", "revoke"],
        &["client", "remove"],
        &["client", "set"],
        &["status", "--bogus"],
        &["--log-format", "xml", "status"],
    ] {
        let out = env.run(args);
        assert_eq!(out.code(), Some(2), "{args:?}: {out:#?}");
        assert!(!out.stderr.trim().is_empty(), "{args:?}: no message");
    }
    let out = env.run(&["frobnicate"]);
    assert!(out.stderr.contains("frobnicate"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// serve

#[test]
fn serve_refuses_bad_arguments_before_starting() {
    let env = Env::new();
    env.run(&["serve", "--listen", "not an address"])
        .fails(2, &["--listen"]);
    env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--public-url",
        "https://x.example/?q=1",
    ])
    .fails(2, &["--public-url"]);
    env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--trusted-proxy",
        "nonsense",
    ])
    .fails(2, &["nonsense"]);
    env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--access-token-ttl",
        "5",
    ])
    .fails(2, &["access-token-ttl"]);
}

fn signal(child: &Child, sig: &str) {
    let st = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(st.success());
}

async fn serve_then_signal(sig: &str) {
    let env = Env::new();
    let mut sv = spawn_serve(
        &env.dir,
        &["--public-url", "https://auth.example.com"],
        LIVENESS,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(sv.first_line.contains("listening on"), "{}", sv.first_line);
    let r = send(sv.addr, "GET", "/health", &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(
        v["endpoints"]["metadata"],
        "https://auth.example.com/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        r.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
    // The public URL is remembered for `client add` and `status`.
    let c = remembered_public_url(&env, "https://auth.example.com");
    assert_eq!(c["public_url_known"], true);

    let child = sv.child.take().unwrap();
    signal(&child, sig);
    let status = tokio::task::spawn_blocking(move || wait_bounded(child, LIVENESS))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("serve did not exit within {LIVENESS:?} of SIG{sig}"));
    let err = sv.stderr();
    assert_eq!(
        status.code(),
        Some(0),
        "serve exit status after SIG{sig}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// The audit lines of a link and a refresh reach stderr (batched by
/// src/logsink.rs) in tracing's plain-text layout, in order, and are all
/// written by the time serve exits on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_writes_the_audit_line_of_a_refresh_and_flushes_it_at_shutdown() {
    let env = Env::new();
    let reg = add_alexa(&env);
    let (id, secret) = (
        reg["client_id"].as_str().unwrap(),
        reg["client_secret"].as_str().unwrap(),
    );
    env.run_in(&["user", "add", USER], &format!("{PASSWORD}\n"))
        .ok();
    let mut sv = spawn_serve(&env.dir, &[], LIVENESS).unwrap_or_else(|e| panic!("{e}"));
    let refresh = link_at(sv.addr, id, secret, LIVENESS)
        .await
        .expect("a whole link");
    let r = token_at(sv.addr, id, secret, &refresh_grant(&refresh), LIVENESS)
        .await
        .expect("the refresh is answered");
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Stopped at once after the answer: the line may still be batched.
    let child = sv.child.take().unwrap();
    signal(&child, "TERM");
    let status = tokio::task::spawn_blocking(move || wait_bounded(child, LIVENESS))
        .await
        .unwrap()
        .expect("serve exits on SIGTERM");
    assert_eq!(status.code(), Some(0));
    let err = sv.stderr();
    let audit: Vec<&str> = err.lines().filter(|l| l.contains(" audit: ")).collect();
    let events: Vec<String> = audit
        .iter()
        .map(|l| {
            let (stamp, rest) = l.split_at(27);
            // 2026-12-08T00:09:22.484589Z, as tracing-subscriber prints it.
            let b = stamp.as_bytes();
            assert!(
                b.len() == 27 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[26] == b'Z',
                "{l}"
            );
            assert!(rest.starts_with("  INFO audit: {\"event\":\""), "{l}");
            let v: serde_json::Value = serde_json::from_str(&rest[14..]).expect("JSON");
            assert_eq!(v["client_id"], id, "{l}");
            v["event"].as_str().unwrap().to_owned()
        })
        .collect();
    let at = |e: &str| events.iter().position(|x| *x == e);
    let (issued, redeemed, refreshed) = (
        at("code_issued").expect("code_issued"),
        at("code_redeemed").expect("code_redeemed"),
        at("token_refreshed").expect("token_refreshed: flushed at shutdown"),
    );
    assert!(issued < redeemed && redeemed < refreshed, "{events:?}");
    // The shutdown lines come after the batched ones.
    let last_audit = err.rfind(" audit: ").unwrap();
    let draining = err.find("shutting down").expect("the shutdown line");
    assert!(last_audit < draining, "{err}");
}

/// Asserts that `status` and `client add` use `url`, the public URL the
/// last `serve` ran with; returns `client add`'s JSON.
fn remembered_public_url(env: &Env, url: &str) -> serde_json::Value {
    let st = env.run(&["status", "--json"]).ok().json();
    assert_eq!(st["public_url"], url);
    let c = env
        .run(&["client", "add", "alexa", "--vendor-id", VENDOR, "--json"])
        .ok()
        .json();
    assert_eq!(
        c["authorization_uri"],
        format!("{url}/alexa/authorize").as_str()
    );
    c
}

/// `serve --listen 127.0.0.1:0` without `--public-url`: the issuer, the
/// metadata and the URLs `status` and `client add` print carry the port the
/// kernel chose, never `:0`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_port_0_uses_the_bound_address_as_issuer() {
    let env = Env::new();
    let mut sv = spawn_serve(&env.dir, &[], LIVENESS).unwrap_or_else(|e| panic!("{e}"));
    let bound = format!("http://{}", sv.addr);
    assert_ne!(sv.addr.port(), 0);
    let r = send(
        sv.addr,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let meta = r.json();
    assert_eq!(meta["issuer"], bound.as_str());
    assert_eq!(
        meta["token_endpoint"],
        format!("{bound}/alexa/token").as_str()
    );
    remembered_public_url(&env, &bound);
    sv.kill();
}

/// `--max-connections-per-client 1`: a second connection from the same
/// address takes the slot of the first, silent one (closed), and is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_max_connections_per_client_takes_effect() {
    use tokio::io::AsyncReadExt as _;
    let env = Env::new();
    let mut sv = spawn_serve(&env.dir, &["--max-connections-per-client", "1"], LIVENESS)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut silent = tokio::net::TcpStream::connect(sv.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // accepted, holding the slot
    let r = send(sv.addr, "GET", "/health", &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf))
        .await
        .expect("the silent connection is closed, not left waiting");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    sv.kill();
    let out = env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--max-connections-per-client",
        "0",
    ]);
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_cleanly_on_sigterm() {
    serve_then_signal("TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_cleanly_on_sigint() {
    serve_then_signal("INT").await;
}

#[test]
fn serve_reports_an_address_in_use() {
    let env = Env::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    env.run(&["serve", "--listen", &addr])
        .fails(1, &["cannot listen", &addr]);
}

/// Runs `args` on a pseudo-terminal (util-linux `script`), answering each
/// prompt in turn once it appears. Returns (exit code, everything printed).
fn run_on_tty(env: &Env, args: &[&str], answers: &[(&str, &str)]) -> Option<(i32, String)> {
    let has_script = Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_script {
        eprintln!("skipping the terminal part: util-linux `script` is not installed");
        return None;
    }
    let mut line = format!("'{BIN}' --data-dir '{}'", env.dir.display());
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + LIVENESS;
    for (prompt, answer) in answers {
        while !seen.contains(prompt) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(b) => seen.push_str(&String::from_utf8_lossy(&b)),
                Err(_) => {
                    let _ = child.kill();
                    panic!("no prompt {prompt:?}; got {seen:?}");
                }
            }
        }
        // Answer only this prompt; the next one must appear on its own.
        seen = seen.replacen(prompt, "", 1);
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    let status = wait_bounded(child, LIVENESS)
        .unwrap_or_else(|| panic!("no exit on the terminal; got {seen:?}"));
    while let Ok(b) = rx.recv_timeout(Duration::from_millis(200)) {
        seen.push_str(&String::from_utf8_lossy(&b));
    }
    drop(stdin);
    Some((status.code().unwrap_or(-1), seen))
}

#[test]
fn user_add_prompts_twice_on_a_terminal() {
    let env = Env::new();
    let pw = "terminal password 1";
    let answers = [("Password: ", pw), ("Repeat password: ", pw)];
    let Some((code, out)) = run_on_tty(&env, &["user", "add", "alice"], &answers) else {
        return;
    };
    assert_eq!(code, 0, "{out}");
    let h = env.password_hash("alice").expect("the user is stored");
    assert!(identity::password::verify(pw, &h));
    // Two different answers: nothing changes, and the message says so.
    let answers = [
        ("Password: ", "first password 123"),
        ("Repeat password: ", "second password 456"),
    ];
    let (code, out) = run_on_tty(&env, &["user", "passwd", "alice"], &answers).unwrap();
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("differ"), "{out}");
    assert_eq!(env.password_hash("alice").unwrap(), h);
}

// ---------------------------------------------------------------------------
// skill

const SKILL_A: &str = "amzn1.ask.skill.0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const SKILL_B: &str = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555";

#[test]
fn skill_id_add_list_and_remove() {
    let env = Env::new();
    let out = env.run(&["skill", "id", "list"]);
    assert!(out.ok().stdout.contains("skill id add"), "{out:#?}");
    let out = env.run(&["skill", "id", "add", SKILL_A]);
    assert!(out.ok().stdout.contains("registered"), "{out:#?}");
    let out = env.run(&["skill", "id", "add", SKILL_A]);
    assert!(out.ok().stdout.contains("already"), "{out:#?}");
    env.run(&["skill", "id", "add", SKILL_B]).ok();
    let ids = env.store().with(|c| store::skill_ids(c)).unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&SKILL_A.to_owned()) && ids.contains(&SKILL_B.to_owned()));
    let out = env.run(&["skill", "id", "list"]);
    assert!(out.ok().stdout.contains(SKILL_A) && out.stdout.contains(SKILL_B));
    let v = env.run(&["skill", "id", "list", "--json"]).ok().json();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["id"], SKILL_A);
    assert!(v[0]["added_at"].as_i64().unwrap() > 1_700_000_000);
    env.run(&["skill", "id", "remove", SKILL_A]).ok();
    env.run(&["skill", "id", "remove", SKILL_A])
        .fails(1, &["not registered", "skill id list"]);
    assert_eq!(
        env.store().with(|c| store::skill_ids(c)).unwrap(),
        vec![SKILL_B.to_owned()]
    );
}

#[test]
fn skill_id_refuses_what_is_not_a_skill_id() {
    let env = Env::new();
    for bad in [
        "amzn1.ask.skill.",
        "M2TESTVENDOR1",
        "amzn1.ask.skill.0A1B2C3D-4E5F-6789-ABCD-EF0123456789",
        "amzn1.ask.skill.0a1b2c3d-4e5f-6789-abcd",
    ] {
        env.run(&["skill", "id", "add", bad])
            .fails(2, &["not a skill id", "amzn1.ask.skill."]);
        env.run(&["skill", "id", "remove", bad])
            .fails(2, &["not a skill id"]);
    }
    env.run(&["skill", "id", "add"]).fails(2, &["<ID>"]);
    assert!(
        env.store()
            .with(|c| store::skill_ids(c))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn skill_commands_and_serve_skill_options_have_help() {
    for args in [
        &["skill", "--help"][..],
        &["skill", "id", "--help"],
        &["skill", "id", "add", "--help"],
    ] {
        let out = run_cmd(command(args), None);
        assert_eq!(out.code(), Some(0), "{args:?}: {out:#?}");
        assert!(out.stdout.contains("Usage"), "{args:?}: {}", out.stdout);
    }
    let out = run_cmd(command(&["--help"]), None);
    assert!(out.stdout.contains("skill"), "{}", out.stdout);
    // The testing options are in the long help only, marked as such.
    let out = run_cmd(command(&["serve", "--help"]), None);
    assert!(out.stdout.contains("--alexa-skill-id"), "{}", out.stdout);
    assert!(
        out.stdout.contains("--skill-test-trust-roots"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("FOR TESTING ONLY"), "{}", out.stdout);
    let out = run_cmd(command(&["serve", "--listen", "127.0.0.1:0", "-h"]), None);
    assert!(
        !out.stdout.contains("--skill-test-trust-roots"),
        "{}",
        out.stdout
    );
}

#[test]
fn serve_refuses_bad_skill_options_before_starting() {
    let env = Env::new();
    let tmp = tempfile::tempdir().unwrap();
    let files = skill_ca().write(tmp.path());
    let roots = files.roots.to_str().unwrap();
    let chains = files.chains.to_str().unwrap();
    let base = ["serve", "--listen", "127.0.0.1:0"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        env.run(&a)
    };
    with(&["--alexa-skill-id", "bogus"]).fails(2, &["--alexa-skill-id", "amzn1.ask.skill."]);
    with(&["--skill-test-trust-roots", roots]).fails(2, &["--skill-test-chain-dir"]);
    with(&["--skill-test-chain-dir", chains]).fails(2, &["--skill-test-trust-roots"]);
    with(&[
        "--skill-test-trust-roots",
        roots,
        "--skill-test-chain-dir",
        chains,
        "--skill-test-chain-origin",
        "https://127.0.0.1:1",
    ])
    .fails(2, &["exclude"]);
    with(&[
        "--skill-test-trust-roots",
        "/nonexistent.pem",
        "--skill-test-chain-dir",
        chains,
    ])
    .fails(2, &["/nonexistent.pem"]);
    let garbage = tmp.path().join("garbage.pem");
    write_file(&garbage, b"not a certificate");
    with(&[
        "--skill-test-trust-roots",
        garbage.to_str().unwrap(),
        "--skill-test-chain-dir",
        chains,
    ])
    .fails(2, &["garbage.pem", "no certificate"]);
    with(&[
        "--skill-test-trust-roots",
        roots,
        "--skill-test-chain-origin",
        "http://127.0.0.1:1",
    ])
    .fails(2, &["https"]);
}

#[test]
fn serve_with_the_skill_testing_trust_says_so_loudly() {
    let env = Env::new();
    let tmp = tempfile::tempdir().unwrap();
    let files = skill_ca().write(tmp.path());
    let mut sv = spawn_serve(
        &env.dir,
        &[
            "--skill-test-trust-roots",
            files.roots.to_str().unwrap(),
            "--skill-test-chain-dir",
            files.chains.to_str().unwrap(),
            "--alexa-skill-id",
            SKILL_A,
        ],
        LIVENESS,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sv.kill();
    let err = sv.stderr();
    assert!(err.contains("TESTING ONLY"), "{err}");
    // Without the options: no such warning.
    let mut sv = spawn_serve(&env.dir, &[], LIVENESS).unwrap_or_else(|e| panic!("{e}"));
    sv.kill();
    assert!(!sv.stderr().contains("TESTING ONLY"));
}

// ---------------------------------------------------------------------------
// What the CLI prints for the developer console, and the admin page's options

/// Every backquoted command in `text` that carries `--data-dir`.
fn printed_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.contains("--data-dir"))
        .map(str::to_owned)
        .collect()
}

/// Runs a pasted line with `sh`, from another directory, with nothing in
/// the environment pointing at a data directory (HOME elsewhere).
fn paste(line: &str, home: &std::path::Path) -> Out {
    let mut c = Command::new("sh");
    c.args(["-c", line])
        .current_dir("/")
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("MA_ALEXA_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    run_cmd(c, None)
}

/// Issue 18, point 3: `client add` prints `client set … --require-pkce on`,
/// `client rotate-secret`, `skill id add` and `skill model` with the data
/// directory in effect (quoted for the shell); pasted as printed, from
/// elsewhere, each acts on that directory.
#[test]
fn printed_follow_up_commands_carry_the_data_dir_and_work_when_pasted() {
    let tmp = tempfile::tempdir().unwrap();
    // A data directory a careless printout would break: a space and a quote.
    let dir = tmp.path().join("data dir's");
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mut c = command(&["--data-dir", dir.to_str().unwrap()]);
    c.args([
        "client",
        "add",
        "alexa",
        "--vendor-id",
        VENDOR,
        "--public-url",
        "https://auth.example.com",
    ]);
    let out = run_cmd(c, None);
    out.ok();
    let cmds = printed_commands(&out.stdout);
    let find = |what: &str| {
        cmds.iter()
            .find(|c| c.contains(what))
            .unwrap_or_else(|| panic!("no `{what}` command printed:\n{}", out.stdout))
            .clone()
    };
    let store = ma_alexa_oauth::startup::open_store(&dir).unwrap();
    let client = store.with(|c| store::list_clients(c)).unwrap().remove(0);

    let skill = find("skill id add").replace("amzn1.ask.skill.<your skill id>", SKILL_ID);
    paste(&skill, &home).ok();
    assert_eq!(
        store.with(|c| store::skill_ids(c)).unwrap(),
        [SKILL_ID],
        "registered in the printed data directory: {skill}"
    );
    paste(&find("--require-pkce on"), &home).ok();
    let c2 = store
        .with(|c| store::get_client(c, &client.id))
        .unwrap()
        .unwrap();
    assert!(c2.require_pkce);
    let rotated = paste(&find("rotate-secret"), &home);
    rotated.ok();
    let secret = rotated
        .stdout
        .lines()
        .nth(1)
        .map(str::trim)
        .unwrap()
        .to_owned();
    let c3 = store
        .with(|c| store::get_client(c, &client.id))
        .unwrap()
        .unwrap();
    assert_eq!(c3.secret_hash, client_auth::secret_hash(&secret));
    let model = paste(&find("skill model"), &home);
    model.ok();
    serde_json::from_str::<serde_json::Value>(&model.stdout).expect("the model");
    // Nothing was made in the default data directory.
    assert!(
        !home.join(".local/share/ma-alexa-oauth").exists(),
        "a pasted command used the default data directory"
    );
    // The other places that suggest a command carry it too.
    let empty = Env::new();
    for (args, what) in [
        (&["client", "list"][..], "client add alexa"),
        (&["skill", "id", "list"][..], "skill id add"),
        (&["user", "list"][..], "user add"),
    ] {
        let out = empty.run(args).ok().stdout.clone();
        assert!(
            out.contains(&format!("--data-dir {}", empty.dir.display())) && out.contains(what),
            "{args:?}: {out}"
        );
    }
}

/// Issue 18, point 6: Alexa calls account linking and the skill over HTTPS
/// on port 443 only; `client add --public-url` refuses anything else in one
/// line, and registers nothing.
#[test]
fn client_add_refuses_public_urls_alexa_cannot_use_in_one_line() {
    let env = Env::new();
    for (url, needle) in [
        ("http://auth.example.com", "not HTTPS"),
        ("https://auth.example.com:8443", "port 8443"),
        ("http://auth.example.com:443", "not HTTPS"),
    ] {
        let out = env.run(&[
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--public-url",
            url,
        ]);
        out.fails(2, &["--public-url", needle, "443"]);
        assert_eq!(
            out.stderr.trim().lines().count(),
            1,
            "one line: {}",
            out.stderr
        );
    }
    assert!(
        env.store()
            .with(|c| store::list_clients(c))
            .unwrap()
            .is_empty(),
        "nothing registered"
    );
    env.run(&[
        "client",
        "add",
        "alexa",
        "--vendor-id",
        VENDOR,
        "--public-url",
        "https://auth.example.com:443/",
    ])
    .ok();
}

/// Issue 18, point 5: the endpoint's certificate option fits the public
/// URL: Funnel's name gets the trusted CA option alone; a name behind the
/// person's own proxy gets the rule (wildcard: sub-domain option;
/// self-signed: upload).
#[test]
fn the_certificate_option_printed_fits_the_public_url() {
    use ma_alexa_oauth::console::labels;
    let env = Env::new();
    let out = |url: &str| {
        env.run(&[
            "client",
            "add",
            "alexa",
            "--vendor-id",
            VENDOR,
            "--public-url",
            url,
        ])
        .ok()
        .stdout
        .clone()
    };
    let funnel = out("https://ma-alexa.tail1234.ts.net");
    assert!(
        funnel.contains(&format!("\"{}\"", labels::CERT_TRUSTED)),
        "{funnel}"
    );
    assert!(!funnel.contains(labels::CERT_WILDCARD) && !funnel.contains(labels::CERT_SELF_SIGNED));
    let own = out("https://auth.example.com");
    let wildcard = own
        .lines()
        .find(|l| l.contains(labels::CERT_WILDCARD))
        .expect("the wildcard option");
    assert!(wildcard.contains("wildcard certificate"), "{wildcard}");
    let upload = own
        .lines()
        .find(|l| l.contains(labels::CERT_SELF_SIGNED))
        .expect("the upload option");
    assert!(upload.contains("self-signed"), "{upload}");
    assert!(own.contains(labels::CERT_TRUSTED));
}

/// Issue 18, point 6, for `serve`: a public URL Alexa cannot use gets no
/// console values, one line saying why.
#[test]
fn serve_with_a_public_url_alexa_cannot_use_prints_no_console_values() {
    use std::io::BufRead as _;
    let env = Env::new();
    for (url, needle) in [
        ("http://auth.example.com", "not HTTPS"),
        ("https://auth.example.com:8443", "port 8443"),
    ] {
        let mut c = env.cmd(&["serve", "--listen", "127.0.0.1:0", "--public-url", url]);
        let mut child = c.spawn().unwrap();
        let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut out = String::new();
        for _ in 0..3 {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            out.push_str(&line);
        }
        let _ = child.kill();
        let _ = child.wait();
        let line = out
            .lines()
            .find(|l| l.contains("no console values"))
            .unwrap_or_else(|| panic!("{url}: {out}"));
        assert!(line.contains(needle) && line.contains("443"), "{line}");
        assert!(!out.contains("Web Authorization URI"), "{out}");
    }
}

/// `serve --admin-listen`: loopback or Tailscale addresses only, and only
/// with an admin password set (`admin password`, Argon2id); each refusal
/// one line, before anything starts.
#[test]
fn admin_listen_takes_loopback_or_tailscale_only_and_needs_the_admin_password() {
    let env = Env::new();
    for bad in ["0.0.0.0:0", "[::]:0", "192.168.1.20:8081"] {
        let out = env.run(&["serve", "--listen", "127.0.0.1:0", "--admin-listen", bad]);
        out.fails(2, &["--admin-listen", "loopback"]);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
    let out = env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    out.fails(2, &["admin password", "--data-dir"]);
    env.run_in(&["admin", "password"], "the admin password\n")
        .ok();
    let phc = env
        .store()
        .with(|c| store::get_meta(c, ma_alexa_oauth::admin::PASSWORD_META))
        .unwrap()
        .unwrap();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    let mut sv = spawn_serve(&env.dir, &["--admin-listen", "127.0.0.1:0"], LIVENESS)
        .unwrap_or_else(|e| panic!("{e}"));
    sv.kill();
    env.run_in(&["admin", "password"], "short\n")
        .fails(2, &["password"]);
    env.run(&["admin", "password", "--remove"]).ok();
    let out = env.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    out.fails(2, &["admin password"]);
}
