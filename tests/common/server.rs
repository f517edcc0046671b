//! An in-process server on an ephemeral loopback port with a fresh data
//! directory, and what a test registers in its store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ma_alexa_oauth::app::App;
use ma_alexa_oauth::audit::{Audit, AuditEvent};
use ma_alexa_oauth::config::Config;
use ma_alexa_oauth::oauth::client_auth;
use ma_alexa_oauth::store::{self, Client, ClientKind, Link, Store};
use ma_alexa_oauth::{identity, util};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::http::{Resp, encode_form, send};
use super::{JP, LAYLA, PASSWORD, PITANGUI, USER};

/// A running server. Dropping it stops the server (without waiting).
pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub dir: PathBuf,
    pub app: Arc<App>,
    pub audit: Audit,
    _tmp: Option<tempfile::TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// A fresh server with an Alexa client? No: an empty store; add what you need.
    pub async fn start() -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = TestServer::start_in(&dir, |_| {}).await;
        s._tmp = Some(tmp);
        s
    }

    /// A fresh server whose configuration `tweak` may change before start.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = TestServer::start_in(&dir, tweak).await;
        s._tmp = Some(tmp);
        s
    }

    /// A fresh server whose configuration `tweak` and state `app` may change
    /// before start (e.g. the skill's testing trust and skill ids).
    pub async fn start_with_app(
        tweak: impl FnOnce(&mut Config),
        app: impl FnOnce(App) -> App,
    ) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = TestServer::start_in_with_app(&dir, tweak, app).await;
        s._tmp = Some(tmp);
        s
    }

    /// A server on an existing data directory (restart tests). The caller owns the directory.
    pub async fn start_in(dir: &Path, tweak: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_in_with_app(dir, tweak, |a| a).await
    }

    async fn start_in_with_app(
        dir: &Path,
        tweak: impl FnOnce(&mut Config),
        app_tweak: impl FnOnce(App) -> App,
    ) -> TestServer {
        TestServer::start_at("127.0.0.1:0", dir, tweak, app_tweak).await
    }

    /// A server listening on `bind` (a fixed address another program was
    /// given), on an existing data directory the caller owns.
    pub async fn start_at(
        bind: &str,
        dir: &Path,
        tweak: impl FnOnce(&mut Config),
        app_tweak: impl FnOnce(App) -> App,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let mut config = Config::new(base.clone());
        tweak(&mut config);
        let audit = Audit::recording();
        let app = Arc::new(app_tweak(
            App::open(config, dir).unwrap().with_audit(audit.clone()),
        ));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(ma_alexa_oauth::server::run(
            listener,
            Arc::clone(&app),
            async move {
                let _ = rx.await;
            },
        ));
        TestServer {
            addr,
            base,
            dir: dir.to_owned(),
            app,
            audit,
            _tmp: None,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// Keeps the temporary directory alive beyond this server (for restarts).
    pub fn take_tmp(&mut self) -> Option<tempfile::TempDir> {
        self._tmp.take()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Registers the Alexa client for [`super::VENDOR`] with both scopes; returns (client_id, secret).
    pub fn add_alexa_client(&self) -> (String, String) {
        insert_alexa_client(self.app.store())
    }

    /// The usual start of a linking test: the Alexa client ([`Self::add_alexa_client`])
    /// and the user [`USER`] with [`PASSWORD`]; returns (client_id, secret).
    pub fn add_alexa_client_and_user(&self) -> (String, String) {
        let client = self.add_alexa_client();
        self.add_user(USER, PASSWORD);
        client
    }

    /// Registers the Alexa client for [`super::VENDOR`] with both scopes and PKCE
    /// required (`client add alexa --require-pkce`); returns (client_id, secret).
    pub fn add_alexa_client_requiring_pkce(&self) -> (String, String) {
        let (id, secret) = self.add_alexa_client();
        self.set_require_pkce(&id, true);
        (id, secret)
    }

    /// Changes a client's PKCE requirement (`client set ID --require-pkce on|off`).
    pub fn set_require_pkce(&self, client_id: &str, require: bool) {
        assert!(
            self.app
                .store()
                .with(|conn| store::set_client_require_pkce(conn, client_id, require))
                .unwrap(),
            "no client {client_id}"
        );
    }

    /// Registers a generic client; returns (client_id, secret).
    pub fn add_client(&self, redirect_uris: &[&str], scopes: &[&str]) -> (String, String) {
        self.add_client_full(
            "Test client",
            ClientKind::Generic,
            redirect_uris.iter().map(|s| s.to_string()).collect(),
            scopes.iter().map(|s| s.to_string()).collect(),
            None,
        )
    }

    /// Registers a client with a chosen secret (e.g. one containing `:` `%` `+` and spaces).
    pub fn add_client_full(
        &self,
        name: &str,
        kind: ClientKind,
        redirect_uris: Vec<String>,
        scopes: Vec<String>,
        secret: Option<&str>,
    ) -> (String, String) {
        let secret = secret
            .map(str::to_owned)
            .unwrap_or_else(client_auth::new_secret);
        let c = client_record(name, kind, redirect_uris, scopes, &secret);
        insert_client(self.app.store(), &c);
        (c.id, secret)
    }

    /// Adds a local user with an Argon2id hash.
    pub fn add_user(&self, name: &str, password: &str) {
        assert!(insert_user(self.app.store(), name, password));
    }

    pub fn events(&self) -> Vec<AuditEvent> {
        self.audit.events()
    }

    /// Every link in the store, revoked ones included.
    pub fn links(&self) -> Vec<Link> {
        self.app.store().with(|c| store::list_links(c)).unwrap()
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(self.addr, "GET", path, &[], None).await
    }

    /// POST a form body with extra headers.
    pub async fn post_form(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> Resp {
        let mut h: Vec<(&str, &str)> = vec![("content-type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        send(
            self.addr,
            "POST",
            path,
            &h,
            Some(encode_form(form).into_bytes()),
        )
        .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A client record with a fresh id and `secret` hashed, as `client add` stores it.
pub fn client_record(
    name: &str,
    kind: ClientKind,
    redirect_uris: Vec<String>,
    scopes: Vec<String>,
    secret: &str,
) -> Client {
    Client {
        id: format!("client-{}", util::random_token(9)),
        name: name.into(),
        kind,
        vendor_id: None,
        secret_hash: client_auth::secret_hash(secret),
        redirect_uris,
        scopes,
        created_at: util::now(),
        require_pkce: false,
    }
}

pub fn insert_client(store: &Store, c: &Client) {
    store.with(|conn| store::insert_client(conn, c)).unwrap();
}

/// Writes the Alexa client (the three regions' redirect URLs, both scopes,
/// a generated secret) straight into `store`; returns (client_id, secret).
pub fn insert_alexa_client(store: &Store) -> (String, String) {
    let secret = client_auth::new_secret();
    let c = client_record(
        "Alexa",
        ClientKind::Alexa,
        vec![PITANGUI.into(), LAYLA.into(), JP.into()],
        vec!["music:read".into(), "music:control".into()],
        &secret,
    );
    insert_client(store, &c);
    (c.id, secret)
}

/// Writes a local user with an Argon2id hash straight into `store`; false
/// if the name is taken.
pub fn insert_user(store: &Store, name: &str, password: &str) -> bool {
    let h = identity::password::hash(password).unwrap();
    store
        .with(|c| store::insert_user(c, name, &h, util::now()))
        .unwrap()
}
