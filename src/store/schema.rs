//! Versioned schema. `MIGRATIONS[i]` moves the database from
//! `user_version = i` to `i + 1`; each step runs in its own transaction.

pub const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

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
    "#,
    // 2: Music Assistant tokens. A code carries the encrypted long-lived token
    // obtained at login; redemption moves it to the link it creates.
    r#"
    ALTER TABLE codes ADD COLUMN ma_token_ciphertext BLOB;
    ALTER TABLE codes ADD COLUMN ma_token_name TEXT;
    ALTER TABLE codes ADD COLUMN ma_token_created_at INTEGER;
    ALTER TABLE codes ADD COLUMN ma_token_expires_at INTEGER;

    ALTER TABLE links ADD COLUMN ma_token_ciphertext BLOB;
    ALTER TABLE links ADD COLUMN ma_token_name TEXT;
    ALTER TABLE links ADD COLUMN ma_token_created_at INTEGER;
    ALTER TABLE links ADD COLUMN ma_token_expires_at INTEGER;
    ALTER TABLE links ADD COLUMN ma_token_state TEXT;
    "#,
    // 3: per-client "require PKCE". Existing clients keep PKCE optional (0),
    // Alexa's console default; 1 refuses authorization requests without
    // `code_challenge`.
    r#"
    ALTER TABLE clients ADD COLUMN require_pkce INTEGER NOT NULL DEFAULT 0
        CHECK (require_pkce IN (0, 1));
    "#,
    // 4: the Alexa skill ids this server answers (`skill id add`); requests
    // to /alexa/skill for any other skill are refused.
    r#"
    CREATE TABLE skill_ids (
        id       TEXT PRIMARY KEY,
        added_at INTEGER NOT NULL
    ) STRICT;
    "#,
    // 5: which Echo (the SHA-256 of its Alexa deviceId) is which Music
    // Assistant player, learned from the provider's pushes, said by voice or
    // set on the add-on's page (issue 20).
    r#"
    CREATE TABLE echo_players (
        device_hash BLOB PRIMARY KEY CHECK (length(device_hash) = 32),
        player_id   TEXT NOT NULL CHECK (length(player_id) BETWEEN 1 AND 512),
        how         TEXT NOT NULL CHECK (how IN ('learned', 'voice', 'page')),
        updated_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX echo_players_by_player ON echo_players(player_id);
    "#,
    // 6: covering indexes for a refresh grant's one read
    // (`links::client_and_refresh`): the client's digest, the token's link
    // and state, and the link's columns come from one index search each,
    // with no second search in the table (issue 21).
    r#"
    CREATE INDEX clients_auth ON clients(id, secret_hash);
    CREATE INDEX refresh_tokens_lookup ON refresh_tokens(hash, link_id, revoked_at);
    CREATE INDEX links_refresh ON links(id, client_id, subject, username, scope, created_at,
        last_used_at, revoked_at, ma_token_state, ma_token_created_at, ma_token_expires_at);
    "#,
];
