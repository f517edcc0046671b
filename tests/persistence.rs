//! Restart persistence: everything a link depends on survives a restart on
//! the same data directory, and the files on disk are sound and private.
mod common;
use common::*;

use std::os::unix::fs::PermissionsExt as _;

use hyper::StatusCode;
use ma_alexa_oauth::keys::KEY_FILE;
use ma_alexa_oauth::startup::DB_FILE;
use ma_alexa_oauth::store;

fn kid_of(jwt: &str) -> String {
    jwt_part(jwt, 0)["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn links_tokens_clients_and_users_survive_a_restart() {
    let mut s = TestServer::start().await;
    let tmp = s.take_tmp().expect("the server's temporary directory");
    let dir = s.dir.clone();

    // Before: a link in use, a second link revoked, a code issued but not yet redeemed.
    let (id, secret, tok) = linked(&s).await;
    let at = tok["access_token"].as_str().unwrap().to_owned();
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let code = obtain_code(&s, &AuthParams::new(&id, LAYLA)).await;
    let doomed = obtain_code(&s, &AuthParams::new(&id, JP).pkce(VERIFIER)).await;
    let r = s
        .token_post(&id, &secret, &code_grant(&doomed, JP, Some(VERIFIER)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let revoked_at = r.json()["access_token"].as_str().unwrap().to_owned();
    let revoked_rt = r.json()["refresh_token"].as_str().unwrap().to_owned();
    let r = s
        .revoke(
            &id,
            &secret,
            &[("token", &revoked_rt), ("token_type_hint", "refresh_token")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        s.refresh(&id, &secret, &revoked_rt).await.error(),
        "invalid_grant"
    );
    // An access token revoked on its own (by jti) while its link stays active.
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let revoked_jti_at = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = s
        .revoke(
            &id,
            &secret,
            &[
                ("token", &revoked_jti_at),
                ("token_type_hint", "access_token"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        introspect_json(&s, &id, &secret, &revoked_jti_at).await["active"],
        false
    );
    let jwks_before = s.get("/.well-known/jwks.json").await.json();
    let kid_before = s.app.keys().kid().to_owned();
    assert_eq!(kid_of(&at), kid_before);
    let links_before = s.links();
    assert_eq!(links_before.len(), 2);
    let issuer = s.base.clone();

    s.stop().await;

    // After: a new process on the same directory. The harness binds a new
    // port, so keep the public issuer (and with it `iss` and `aud`) as it was,
    // as a real deployment would.
    let s = TestServer::start_in(&dir, |c| c.issuer = issuer).await;
    assert_eq!(s.app.keys().kid(), kid_before, "same signing key");
    let jwks_after = s.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks_after, jwks_before, "same JWKS");
    let info = introspect_json(&s, &id, &secret, &at).await;
    assert_eq!(
        info["active"], true,
        "the old access token still verifies: {info}"
    );

    // The old refresh token still refreshes (which also proves the client secret).
    let r = s.refresh(&id, &secret, &rt).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["refresh_token"], rt.as_str());
    assert_eq!(kid_of(j["access_token"].as_str().unwrap()), kid_before);
    // A wrong secret still fails: the stored hash, not "anything", authenticates.
    let r = s.refresh(&id, "not-the-secret", &rt).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "invalid_client");

    // The code issued before the restart is redeemed after it.
    let r = s.redeem(&id, &secret, &code, LAYLA, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The revoked link stays revoked.
    let r = s.refresh(&id, &secret, &revoked_rt).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error(), "invalid_grant");
    assert_eq!(
        introspect_json(&s, &id, &secret, &revoked_at).await["active"],
        false
    );
    assert_eq!(
        introspect_json(&s, &id, &secret, &revoked_rt).await["active"],
        false
    );
    assert_eq!(
        introspect_json(&s, &id, &secret, &revoked_jti_at).await["active"],
        false,
        "a revoked access token stays revoked"
    );

    // The user still logs in.
    let code = obtain_code(&s, &AuthParams::new(&id, PITANGUI)).await;
    let r = s.redeem_code(&id, &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let links = s.links();
    assert_eq!(links.len(), 4);
    assert_eq!(links.iter().filter(|l| l.revoked_at.is_some()).count(), 1);
    s.stop().await;
    drop(tmp);
}

#[tokio::test]
async fn a_login_form_from_before_the_restart_still_works() {
    let mut s = TestServer::start().await;
    let tmp = s.take_tmp().unwrap();
    let dir = s.dir.clone();
    let (id, _) = s.add_alexa_client_and_user();
    let p = AuthParams::new(&id, PITANGUI);
    let mut b = Browser::default();
    let page = b.get(&s, &p.path()).await;
    assert_eq!(page.status, StatusCode::OK);
    let issuer = s.base.clone();
    s.stop().await;

    let s = TestServer::start_in(&dir, |c| c.issuer = issuer).await;
    let r = b.submit(&s, &page, USER, PASSWORD, "approve").await;
    // The CSRF key is kept in the data directory: a form shown before the
    // restart is still accepted after it.
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location_params().contains_key("code"));
    s.stop().await;
    drop(tmp);
}

#[tokio::test]
async fn data_files_are_sound_and_private_after_a_restart() {
    let mut s = TestServer::start().await;
    let tmp = s.take_tmp().unwrap();
    let dir = s.dir.clone();
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        assert_eq!(s.refresh(&id, &secret, &rt).await.status, StatusCode::OK);
    }
    s.stop().await;

    let s = TestServer::start_in(&dir, |_| {}).await;
    assert_eq!(s.refresh(&id, &secret, &rt).await.status, StatusCode::OK);
    s.stop().await;

    let db = dir.join(DB_FILE);
    assert!(db.exists(), "{}", db.display());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, vec!["ok".to_owned()]);
    assert!(store::integrity_problems(&conn).unwrap().is_empty());
    // Secrets are stored hashed: neither the client secret nor the refresh
    // token appears in the database.
    drop(conn);
    let mut raw = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(dir.join(format!("{DB_FILE}-wal"))) {
        raw.extend_from_slice(&wal);
    }
    for secret_text in [secret.as_str(), rt.as_str()] {
        assert!(
            !raw.windows(secret_text.len())
                .any(|w| w == secret_text.as_bytes()),
            "a secret is stored in plaintext"
        );
    }

    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "data directory mode");
    assert_eq!(mode(&dir.join(KEY_FILE)), 0o600, "signing key mode");
    assert_eq!(mode(&db), 0o600, "database file mode");
    drop(tmp);
}

/// A data directory made beforehand (`mkdir -p`, a package's post-install
/// script) is typically 0755. The database holds Argon2 password hashes and
/// the hashes of every secret, so it must not be readable by other local
/// users whatever the directory's mode.
#[tokio::test]
async fn a_pre_existing_open_data_directory_still_keeps_the_database_private() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = TestServer::start_in(&dir, |_| {}).await;
    let (id, secret, tok) = linked(&s).await;
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(s.refresh(&id, &secret, &rt).await.status, StatusCode::OK);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut checked = 0;
    for name in [
        DB_FILE.to_owned(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
        KEY_FILE.to_owned(),
        "csrf.key".to_owned(),
    ] {
        let p = dir.join(&name);
        if p.exists() {
            checked += 1;
            assert_eq!(
                mode(&p) & 0o077,
                0,
                "{name} is mode {:o}: readable by other users",
                mode(&p)
            );
        }
    }
    assert!(checked >= 3);
    assert_eq!(
        mode(&dir),
        0o700,
        "an open data directory is tightened at start"
    );
    s.stop().await;
}

/// The schema as version 2 of the program left it on disk (migrations 1 and 2,
/// copied as they shipped). Never edit: it stands for existing databases.
const SCHEMA_V2: &str = r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE clients (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('alexa', 'generic')),
        vendor_id     TEXT,
        secret_hash   BLOB NOT NULL CHECK (length(secret_hash) = 32),
        redirect_uris TEXT NOT NULL,
        scopes        TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE links (
        id           TEXT PRIMARY KEY,
        client_id    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        subject      TEXT NOT NULL,
        username     TEXT NOT NULL,
        scope        TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        revoked_at   INTEGER
    ) STRICT;
    CREATE INDEX links_by_subject ON links(subject);
    CREATE TABLE codes (
        hash           BLOB PRIMARY KEY,
        client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        subject        TEXT NOT NULL,
        username       TEXT NOT NULL,
        redirect_uri   TEXT NOT NULL,
        scope          TEXT NOT NULL,
        code_challenge TEXT,
        expires_at     INTEGER NOT NULL,
        consumed_at    INTEGER,
        link_id        TEXT REFERENCES links(id) ON DELETE SET NULL
    ) STRICT;
    CREATE TABLE refresh_tokens (
        hash       BLOB PRIMARY KEY,
        link_id    TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) STRICT;
    CREATE INDEX refresh_by_link ON refresh_tokens(link_id);
    CREATE TABLE revoked_access_tokens (
        jti        TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    ) STRICT;
    ALTER TABLE codes ADD COLUMN ma_token_ciphertext BLOB;
    ALTER TABLE codes ADD COLUMN ma_token_name TEXT;
    ALTER TABLE codes ADD COLUMN ma_token_created_at INTEGER;
    ALTER TABLE codes ADD COLUMN ma_token_expires_at INTEGER;
    ALTER TABLE links ADD COLUMN ma_token_ciphertext BLOB;
    ALTER TABLE links ADD COLUMN ma_token_name TEXT;
    ALTER TABLE links ADD COLUMN ma_token_created_at INTEGER;
    ALTER TABLE links ADD COLUMN ma_token_expires_at INTEGER;
    ALTER TABLE links ADD COLUMN ma_token_state TEXT;
    PRAGMA user_version = 2;
"#;

/// A database at schema version 2 (before `require_pkce`) upgrades in place
/// at start: its clients and users are kept, every client with PKCE optional
/// (require_pkce = 0), and linking works as before.
#[tokio::test]
async fn a_schema_version_2_database_upgrades_and_keeps_its_clients() {
    use ma_alexa_oauth::oauth::client_auth;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let secret = client_auth::new_secret();
    let uris = serde_json::to_string(&[PITANGUI, LAYLA, JP]).unwrap();
    {
        let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.execute_batch(SCHEMA_V2).unwrap();
        let mut add = conn
            .prepare(
                "INSERT INTO clients (id, name, kind, vendor_id, secret_hash, redirect_uris, \
                 scopes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .unwrap();
        add.execute(rusqlite::params![
            "alexa-old",
            "alexa",
            "alexa",
            VENDOR,
            &client_auth::secret_hash(&secret)[..],
            uris,
            "music:read music:control",
            1_700_000_000i64
        ])
        .unwrap();
        add.execute(rusqlite::params![
            "app-old",
            "My App",
            "generic",
            rusqlite::types::Null,
            &[7u8; 32][..],
            r#"["https://client.example.com/cb"]"#,
            "music:read",
            1_700_000_001i64
        ])
        .unwrap();
        let h = ma_alexa_oauth::identity::password::hash(PASSWORD).unwrap();
        conn.execute(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?1, ?2, 1700000000)",
            rusqlite::params![USER, h],
        )
        .unwrap();
    }

    let s = TestServer::start_in(&dir, |_| {}).await;
    let clients = s.app.store().with(|c| store::list_clients(c)).unwrap();
    let summary: Vec<(&str, &str, bool)> = clients
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.require_pkce))
        .collect();
    assert_eq!(
        summary,
        vec![("alexa-old", "alexa", false), ("app-old", "My App", false)]
    );
    let old = &clients[0];
    assert_eq!(old.kind, store::ClientKind::Alexa);
    assert_eq!(old.vendor_id.as_deref(), Some(VENDOR));
    assert_eq!(old.redirect_uris, vec![PITANGUI, LAYLA, JP]);
    assert_eq!(old.scopes, vec!["music:read", "music:control"]);
    assert_eq!(old.secret_hash, client_auth::secret_hash(&secret));
    assert_eq!(old.created_at, 1_700_000_000);

    // PKCE stays optional for the upgraded client: Alexa's default flow links.
    let code = obtain_code(&s, &AuthParams::new("alexa-old", PITANGUI)).await;
    let r = s.redeem_code("alexa-old", &secret, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A refresh reads through migration 6's covering indexes.
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_owned();
    let r = s.refresh("alexa-old", &secret, &refresh).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The new setting works on the upgraded table.
    s.set_require_pkce("alexa-old", true);
    let r = s.get(&AuthParams::new("alexa-old", PITANGUI).path()).await;
    assert_eq!(r.location_params()["error"], "invalid_request");
    s.stop().await;

    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 6);
    // Migration 6: the refresh grant's covering indexes.
    let covering: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND name IN ('clients_auth', 'refresh_tokens_lookup', 'links_refresh') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        covering,
        ["clients_auth", "links_refresh", "refresh_tokens_lookup"]
    );
    // Migration 5: which Echo is which player, empty after an upgrade.
    let echos: i64 = conn
        .query_row("SELECT count(*) FROM echo_players", [], |r| r.get(0))
        .unwrap();
    assert_eq!(echos, 0);
    // Migration 4: the skill ids table, empty after an upgrade.
    let skill_ids: i64 = conn
        .query_row("SELECT count(*) FROM skill_ids", [], |r| r.get(0))
        .unwrap();
    assert_eq!(skill_ids, 0);
    let flags: Vec<(String, i64)> = conn
        .prepare("SELECT id, require_pkce FROM clients ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        flags,
        vec![("alexa-old".to_owned(), 1), ("app-old".to_owned(), 0)]
    );
    // STRICT and the CHECK keep the column 0 or 1.
    assert!(
        conn.execute(
            "UPDATE clients SET require_pkce = 2 WHERE id = 'app-old'",
            []
        )
        .is_err()
    );
    assert!(
        conn.execute(
            "UPDATE clients SET require_pkce = 'yes' WHERE id = 'app-old'",
            []
        )
        .is_err()
    );
    assert!(store::integrity_problems(&conn).unwrap().is_empty());
    drop(tmp);
}
