//! The add-on's page on its own listener (`ma_alexa_oauth::admin`), over
//! HTTP, in process: who may reach it (Home Assistant's ingress proxy only,
//! with its headers; or the admin login), what a cross-site form post gets
//! (refused, nothing changed), the headers that let Home Assistant frame it
//! and nothing else, and that the public router serves none of it.
//!
//! The ingress proxy's stand-in connects from 127.0.0.2 (bound as the
//! source address), the address the page is told to accept.

mod common;
use common::*;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hyper::StatusCode;
use ma_alexa_oauth::admin::{self, Admin, Gate, PASSWORD_META};
use ma_alexa_oauth::store;

const PROXY: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const INGRESS: &str = "/api/hassio_ingress/T0ken_-abc";
const HA_ORIGIN: &str = "https://ha.example:8123";

/// A server with its admin page on a second listener.
struct Page {
    server: TestServer,
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(gate: Gate) -> Page {
    let server = TestServer::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(admin::run(
        listener,
        Arc::clone(&server.app),
        Admin::new(gate, true),
        async move {
            let _ = rx.await;
        },
    ));
    Page {
        server,
        addr,
        _stop: tx,
    }
}

async fn ingress_page() -> Page {
    start(Gate::Ingress { proxy: PROXY }).await
}

/// The headers Home Assistant (Core's ingress view, then the Supervisor)
/// adds to a browser's request.
fn ha_headers<'a>(jar: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut h = vec![
        ("x-ingress-path", INGRESS),
        ("x-hass-source", "core.ingress"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "ha.example:8123"),
        ("x-forwarded-for", "192.168.1.50, 172.30.32.1"),
        ("x-remote-user-id", "0123abcd"),
        ("x-remote-user-name", "alice"),
        ("x-remote-user-display-name", "Alice"),
    ];
    if !jar.is_empty() {
        h.push(("cookie", jar));
    }
    h.extend_from_slice(extra);
    h
}

/// A request through the proxy stand-in; panics if the page hangs up.
async fn via_proxy(
    p: &Page,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Resp {
    send_from(PROXY, p.addr, method, path, headers, body)
        .await
        .expect("the page answers the proxy")
}

/// The page as a browser first sees it: its CSRF cookie and a form token.
async fn open_page(p: &Page) -> (Browser, String, Resp) {
    let r = via_proxy(p, "GET", "/", &ha_headers("", &[]), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut jar = Browser::default();
    jar.remember(&r);
    let token = hidden_fields(&r.text())
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
        .expect("a csrf field");
    (jar, token, r)
}

fn form_post_headers<'a>(jar: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut h = ha_headers(
        jar,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", HA_ORIGIN),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    // Later entries win: replace what `extra` names.
    for (k, v) in extra {
        h.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        h.push((k, v));
    }
    h
}

fn registered_skill_ids(p: &Page) -> Vec<String> {
    p.server.app.store().with(|c| store::skill_ids(c)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_not_from_the_ingress_proxy_are_closed_unanswered() {
    let p = ingress_page().await;
    let other: IpAddr = "127.0.0.1".parse().unwrap();
    let r = send_from(other, p.addr, "GET", "/", &ha_headers("", &[]), None).await;
    assert!(
        r.is_none(),
        "answered a stranger: {:?}",
        r.map(|r| r.status)
    );
    let r = via_proxy(&p, "GET", "/", &ha_headers("", &[]), None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_ingress_headers_are_refused() {
    let p = ingress_page().await;
    let r = via_proxy(&p, "GET", "/", &[], None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("Home Assistant"), "{}", r.text());
    assert!(r.header("set-cookie").is_none());
    for bad in [
        "/api/hassio_ingress/",
        "/api/hassio_ingress/a/b",
        "/somewhere/else",
        "/api/hassio_ingress/x\"><script>",
    ] {
        let r = via_proxy(&p, "GET", "/", &[("x-ingress-path", bad)], None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_lives_under_the_ingress_path_and_only_home_assistant_may_frame_it() {
    let p = ingress_page().await;
    let (jar, _, r) = open_page(&p).await;
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.header("x-frame-options").as_deref(), Some("SAMEORIGIN"));
    assert!(
        r.header("strict-transport-security").is_none(),
        "no HSTS on Home Assistant's origin"
    );
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.contains(&format!("Path={INGRESS}/"))
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure"),
        "{cookie}"
    );
    let html = r.text();
    assert!(
        html.contains("Signed in to Home Assistant as Alice"),
        "{html}"
    );
    for action in ["/skill-id\"", "/client\""] {
        assert!(
            html.contains(&format!("action=\"{INGRESS}{action}")),
            "forms post under the ingress path: {action}"
        );
    }
    assert!(html.contains(&format!("href=\"{INGRESS}/model/en-US.json\"")));
    assert!(!jar.cookies.is_empty());
    // A POST's redirect stays under the ingress path.
    let (jar, token, _) = open_page(&p).await;
    let c = jar.cookie_header();
    let body = encode_form(&[("csrf", &token), ("skill_id", SKILL_ID)]);
    let r = via_proxy(
        &p,
        "POST",
        "/skill-id",
        &form_post_headers(&c, &[]),
        Some(body.into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.header("location")
            .unwrap()
            .starts_with(&format!("{INGRESS}/?done=")),
        "{:?}",
        r.header("location")
    );
    assert_eq!(registered_skill_ids(&p), [SKILL_ID]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_form_posts_are_refused_and_change_nothing() {
    let p = ingress_page().await;
    let (jar, token, _) = open_page(&p).await;
    let c = jar.cookie_header();
    let good = encode_form(&[("csrf", &token), ("skill_id", SKILL_ID)]);
    let no_token = encode_form(&[("skill_id", SKILL_ID)]);
    let bad_token = encode_form(&[("csrf", "1700000000.bm90LWEtbWFj"), ("skill_id", SKILL_ID)]);
    // (what is wrong, the request's headers, its body)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("no token", form_post_headers(&c, &[]), &no_token),
        ("a made-up token", form_post_headers(&c, &[]), &bad_token),
        ("no CSRF cookie", form_post_headers("", &[]), &good),
        (
            "another site's Origin",
            form_post_headers(&c, &[("origin", "https://evil.example")]),
            &good,
        ),
        (
            "Origin: null",
            form_post_headers(&c, &[("origin", "null")]),
            &good,
        ),
        (
            "Sec-Fetch-Site: cross-site",
            form_post_headers(&c, &[("sec-fetch-site", "cross-site")]),
            &good,
        ),
        (
            "Sec-Fetch-Site: same-site",
            form_post_headers(&c, &[("sec-fetch-site", "same-site")]),
            &good,
        ),
    ];
    for (what, headers, body) in cases {
        let r = via_proxy(
            &p,
            "POST",
            "/skill-id",
            &headers,
            Some(body.as_bytes().to_vec()),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text());
        assert!(
            registered_skill_ids(&p).is_empty(),
            "{what} changed something"
        );
    }
    // The same post from the page itself works.
    let r = via_proxy(
        &p,
        "POST",
        "/skill-id",
        &form_post_headers(&c, &[]),
        Some(good.into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(registered_skill_ids(&p), [SKILL_ID]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_skill_id_or_vendor_id_is_said_on_the_page_and_changes_nothing() {
    let p = ingress_page().await;
    let (jar, token, _) = open_page(&p).await;
    let c = jar.cookie_header();
    for (path, field, value, needle) in [
        ("/skill-id", "skill_id", "amzn1.ask.skill.nope", "skill id"),
        ("/client", "vendor_id", "M2-BAD", "vendor id"),
    ] {
        let body = encode_form(&[("csrf", &token), (field, value)]);
        let r = via_proxy(
            &p,
            "POST",
            path,
            &form_post_headers(&c, &[]),
            Some(body.into_bytes()),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        let html = r.text();
        assert!(html.to_lowercase().contains(needle), "{path}: {html}");
    }
    assert!(registered_skill_ids(&p).is_empty());
    assert!(
        p.server
            .app
            .store()
            .with(|c| store::list_clients(c))
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_router_serves_nothing_of_the_page() {
    let p = ingress_page().await;
    let (jar, token, _) = open_page(&p).await;
    let c = jar.cookie_header();
    for path in ["/", "/model/en-US.json", "/login", "/api/hassio_ingress/x/"] {
        let r = send(p.server.addr, "GET", path, &ha_headers(&c, &[]), None).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "GET {path} on the public router"
        );
    }
    let body = encode_form(&[("csrf", &token), ("skill_id", SKILL_ID)]);
    for path in [
        "/skill-id",
        "/secret",
        "/client",
        "/links/revoke",
        "/logout",
    ] {
        let r = send(
            p.server.addr,
            "POST",
            path,
            &form_post_headers(&c, &[]),
            Some(body.clone().into_bytes()),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "POST {path} on the public router"
        );
    }
    assert!(registered_skill_ids(&p).is_empty());
}

// ---------------------------------------------------------------------------
// serve --admin-listen: the admin login

fn set_password(p: &Page, password: &str) {
    let h = ma_alexa_oauth::identity::password::hash(password).unwrap();
    p.server
        .app
        .store()
        .with(|c| store::set_meta(c, PASSWORD_META, &h))
        .unwrap();
}

/// GET as a browser on the login listener (same Host as the Origin).
async fn login_get(p: &Page, jar: &mut Browser, path: &str) -> Resp {
    let c = jar.cookie_header();
    let h: Vec<(&str, &str)> = if c.is_empty() {
        vec![]
    } else {
        vec![("cookie", &c)]
    };
    let r = send(p.addr, "GET", path, &h, None).await;
    jar.remember(&r);
    r
}

async fn login_post(p: &Page, jar: &mut Browser, path: &str, form: &[(&str, &str)]) -> Resp {
    let c = jar.cookie_header();
    let origin = format!("http://{}", p.addr);
    let mut h: Vec<(&str, &str)> = vec![
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", &origin),
        ("sec-fetch-site", "same-origin"),
    ];
    if !c.is_empty() {
        h.push(("cookie", &c));
    }
    let r = send(
        p.addr,
        "POST",
        path,
        &h,
        Some(encode_form(form).into_bytes()),
    )
    .await;
    jar.remember(&r);
    r
}

fn csrf_of(r: &Resp) -> String {
    hidden_fields(&r.text())
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no csrf field: {}", r.text()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_login_refuses_until_the_right_password_and_its_session_ends_at_logout() {
    let p = start(Gate::Login).await;
    let mut jar = Browser::default();
    // Not signed in: the page sends the browser to the login page.
    let r = login_get(&p, &mut jar, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/login"));
    let login = login_get(&p, &mut jar, "/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(
        login.header("x-frame-options").as_deref(),
        Some("DENY"),
        "outside Home Assistant nothing may frame it"
    );
    let token = csrf_of(&login);
    // No password set yet: every sign-in is refused, and says how to set one.
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("csrf", &token), ("password", "anything")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("admin password"), "{}", r.text());
    set_password(&p, "the admin password");
    // A wrong password.
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("csrf", &token), ("password", "wrong")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Wrong password"), "{}", r.text());
    // The right one without the form's token, or from another site.
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("password", "the admin password")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = jar.cookie_header();
    let evil = send(
        p.addr,
        "POST",
        "/login",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", "https://evil.example"),
            ("cookie", &c),
        ],
        Some(encode_form(&[("csrf", &token), ("password", "the admin password")]).into_bytes()),
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    assert!(
        evil.header("set-cookie")
            .is_none_or(|c| !c.contains("ma_admin_session="))
    );
    // Not signed in, a POST is refused and changes nothing.
    let r = login_post(
        &p,
        &mut jar,
        "/skill-id",
        &[("csrf", &token), ("skill_id", SKILL_ID)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(registered_skill_ids(&p).is_empty());
    // The right password: a session; the page; its actions.
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("csrf", &token), ("password", "the admin password")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location").as_deref(), Some("/"));
    let page = login_get(&p, &mut jar, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Signed in with the admin password"));
    let token = csrf_of(&page);
    let r = login_post(
        &p,
        &mut jar,
        "/skill-id",
        &[("csrf", &token), ("skill_id", SKILL_ID)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(registered_skill_ids(&p), [SKILL_ID]);
    // A new password ends the session.
    let kept = jar.clone();
    set_password(&p, "another admin password");
    let mut old = kept.clone();
    let r = login_get(&p, &mut old, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the old session ended");
    // Sign in again, then out.
    let login = login_get(&p, &mut jar, "/login").await;
    let token = csrf_of(&login);
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("csrf", &token), ("password", "another admin password")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let before_logout = jar.clone();
    let page = login_get(&p, &mut jar, "/").await;
    let token = csrf_of(&page);
    let r = login_post(&p, &mut jar, "/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut replay = before_logout;
    let r = login_get(&p, &mut replay, "/").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the session cookie no longer works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_admin_passwords_are_slowed_down() {
    let p = start(Gate::Login).await;
    set_password(&p, "the admin password");
    let mut jar = Browser::default();
    let token = csrf_of(&login_get(&p, &mut jar, "/login").await);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = login_post(
            &p,
            &mut jar,
            "/login",
            &[("csrf", &token), ("password", "wrong")],
        )
        .await;
        statuses.push(r.status);
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(
                r.text().contains("Too many failed sign-ins"),
                "{}",
                r.text()
            );
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Even the right password waits now.
    let r = login_post(
        &p,
        &mut jar,
        "/login",
        &[("csrf", &token), ("password", "the admin password")],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

/// The page with Music Assistant configured (at an address where nothing
/// answers: the page only says it is not reachable).
async fn ingress_page_with_music_assistant() -> Page {
    let server = TestServer::start_with(|c| {
        c.music_assistant_url = Some("http://127.0.0.1:9".into());
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(admin::run(
        listener,
        Arc::clone(&server.app),
        Admin::new(Gate::Ingress { proxy: PROXY }, true),
        async move {
            let _ = rx.await;
        },
    ));
    Page {
        server,
        addr,
        _stop: tx,
    }
}

/// The text of `<code id="ID">` on the page.
fn code_field(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("<code id=\"{id}\">"))? + id.len() + 12;
    let end = html[start..].find("</code>")? + start;
    Some(html[start..end].to_owned())
}

#[tokio::test]
async fn the_page_shows_the_alexa_providers_settings_that_provider_show_prints() {
    use ma_alexa_oauth::echo::credentials::{self, Sealer, USERNAME};
    let p = ingress_page_with_music_assistant().await;
    let sealer = Sealer::open(&p.server.dir).unwrap();
    let password = credentials::ensure(p.server.app.store(), &sealer).unwrap();
    let (_, _, r) = open_page(&p).await;
    let html = r.text();
    assert!(html.contains("Play on the Echo"), "the section is there");
    assert!(html.contains("Audio Player"), "the console's interface");
    assert_eq!(
        code_field(&html, "provider-api-url").as_deref(),
        Some(p.server.base.as_str())
    );
    assert_eq!(
        code_field(&html, "provider-api-username").as_deref(),
        Some(USERNAME)
    );
    assert_eq!(
        code_field(&html, "provider-api-password").as_deref(),
        Some(password.expose())
    );
    // A new password shows on the next view; the old one is gone.
    let new = credentials::rotate(p.server.app.store(), &sealer).unwrap();
    let (_, _, r) = open_page(&p).await;
    let html = r.text();
    assert_eq!(
        code_field(&html, "provider-api-password").as_deref(),
        Some(new.expose())
    );
    assert!(!html.contains(password.expose()));
    // Which Echo is which player, once known.
    p.server
        .app
        .store()
        .with(|c| store::set_echo_player(c, &[7u8; 32], "Echo Kitchen", store::EchoHow::Voice, 1))
        .unwrap();
    let (_, _, r) = open_page(&p).await;
    assert!(
        r.text().contains("Echo Kitchen"),
        "the known Echo is listed"
    );
}

#[tokio::test]
async fn without_music_assistant_the_echo_section_says_to_connect_it_and_shows_no_password() {
    let p = ingress_page().await;
    let (_, _, r) = open_page(&p).await;
    let html = r.text();
    assert!(html.contains("Play on the Echo"));
    assert!(html.contains("Connect Music Assistant first"), "{html}");
    assert!(code_field(&html, "provider-api-password").is_none());
}

#[tokio::test]
async fn an_echos_player_is_set_and_forgotten_on_the_page_and_bad_forms_change_nothing() {
    let p = ingress_page_with_music_assistant().await;
    let echo = [0x5au8; 32];
    let hex: String = echo.iter().map(|b| format!("{b:02x}")).collect();
    p.server
        .app
        .store()
        .with(|c| store::set_echo_player(c, &echo, "Echo Office", store::EchoHow::Learned, 1))
        .unwrap();
    let rows = |p: &Page| {
        p.server
            .app
            .store()
            .with(|c| store::list_echo_players(c))
            .unwrap()
    };
    let (jar, token, r) = open_page(&p).await;
    assert!(r.text().contains(&hex), "the row's forms name the Echo");
    let c = jar.cookie_header();
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let body = encode_form(
            &fields
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        );
        let headers = form_post_headers(&c, &[]);
        let p = &p;
        async move { via_proxy(p, "POST", path, &headers, Some(body.into_bytes())).await }
    };
    // Bad forms: an Echo of another shape, an unknown Echo, a bad name.
    let unknown: String = "00".repeat(32);
    for fields in [
        vec![
            ("echo", "xyz".to_owned()),
            ("player", "Echo Kitchen".into()),
        ],
        vec![("echo", unknown.clone()), ("player", "Echo Kitchen".into())],
        vec![("echo", hex.clone()), ("player", "a\u{7}b".into())],
        vec![("echo", hex.clone()), ("player", "x".repeat(101))],
    ] {
        let mut f = vec![("csrf", token.clone())];
        f.extend(fields.clone());
        let r = post("/echo/player", f).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(r.text().contains("Nothing changed"), "{fields:?}");
    }
    assert_eq!(rows(&p)[0].player_id, "Echo Office");
    // Set: this Echo is the Echo Kitchen player, known as set on the page.
    let r = post(
        "/echo/player",
        vec![
            ("csrf", token.clone()),
            ("echo", hex.clone()),
            ("player", " Echo Kitchen ".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let now = rows(&p);
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].player_id, "Echo Kitchen");
    assert_eq!(now[0].how, store::EchoHow::Page);
    // Without the CSRF token: refused, nothing changed.
    let r = post(
        "/echo/forget",
        vec![("csrf", "nope".into()), ("echo", hex.clone())],
    )
    .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(rows(&p).len(), 1);
    // Forget: learned again next time.
    let r = post("/echo/forget", vec![("csrf", token.clone()), ("echo", hex)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(rows(&p).is_empty());
}
