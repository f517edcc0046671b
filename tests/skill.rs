//! The Alexa skill end to end: signed requests (the test CA of
//! `common::skill_sign`, under the testing trust) posted to `/alexa/skill`,
//! against the stand-in Music Assistant (`ma_standin/`) or a real one when
//! `MA_URL` and its accounts are in the environment (see `ma_upstream/`;
//! `../shared/tools/real-music-assistant/run --library`). What the person
//! hears is checked everywhere; what Music Assistant received is checked on
//! the stand-in, and parts that need its knobs (down, slow, failing) print
//! that they are skipped against the real server.
//!
//! `skill/intents.rs`: every intent in every locale; `skill/natural.rs`:
//! the way people say it (issue 19's findings, one test each); `skill/generated.rs`:
//! requests built by npm `virtual-alexa` from our own interaction model; `skill/linking.rs`: the
//! account-linking paths; `skill/upstream.rs`: Music Assistant down, slow,
//! failing, and requests that fail verification; `skill/cli.rs`: `skill
//! model` and the console values of `client add alexa`.

#[path = "skill/cli.rs"]
mod cli;
mod common;
#[path = "skill/coverage.rs"]
mod coverage;
#[path = "skill/coverage_corpus.rs"]
mod coverage_corpus;
#[path = "skill/coverage_lang.rs"]
mod coverage_lang;
#[path = "skill/coverage_match.rs"]
mod coverage_match;
#[path = "skill/generated.rs"]
mod generated;
#[path = "skill/generated_langs.rs"]
mod generated_langs;
#[path = "skill/intents.rs"]
mod intents;
#[path = "skill/linking.rs"]
mod linking;
mod ma_standin;
mod ma_upstream;
#[path = "skill/natural.rs"]
mod natural;
#[path = "skill/upstream.rs"]
mod upstream;

use std::time::{Duration, SystemTime};

use common::*;
use hyper::StatusCode;
use ma_alexa_oauth::skill::SkillVerifier;
use ma_upstream::Upstream;
use serde_json::{Map, Value, json};

/// The deadline the server under test answers within (the stand-in's
/// `slow` knob goes past it).
const DEADLINE: Duration = Duration::from_millis(1500);

/// A server answering our test skill, linked to a Music Assistant account.
pub struct Skill {
    pub ma: Upstream,
    pub s: TestServer,
    pub access: String,
    pub link_id: String,
    _trust: tempfile::TempDir,
}

/// One request to the skill.
#[derive(Clone)]
pub struct Ask {
    pub locale: &'static str,
    pub kind: &'static str,
    pub intent: Option<&'static str>,
    pub slots: Vec<(&'static str, String)>,
    pub device: String,
    pub attributes: Map<String, Value>,
    pub token: Option<String>,
}

impl Ask {
    pub fn intent(locale: &'static str, name: &'static str) -> Ask {
        Ask {
            locale,
            kind: "IntentRequest",
            intent: Some(name),
            slots: Vec::new(),
            device: "amzn1.ask.device.ECHO1".into(),
            attributes: Map::new(),
            token: None,
        }
    }
    pub fn launch(locale: &'static str) -> Ask {
        Ask {
            kind: "LaunchRequest",
            intent: None,
            ..Ask::intent(locale, "")
        }
    }
    pub fn slot(mut self, name: &'static str, value: &str) -> Ask {
        self.slots.push((name, value.to_owned()));
        self
    }
    pub fn device(mut self, d: &str) -> Ask {
        self.device = d.to_owned();
        self
    }

    /// The envelope Alexa sends, with `token` as the linked access token.
    pub fn body(&self, token: Option<&str>) -> Vec<u8> {
        let app = json!({"applicationId": SKILL_ID});
        let user = match token {
            Some(t) => json!({"userId": "amzn1.ask.account.TEST", "accessToken": t}),
            None => json!({"userId": "amzn1.ask.account.TEST"}),
        };
        let slots: Map<String, Value> = self
            .slots
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    json!({"name": n, "value": v, "confirmationStatus": "NONE"}),
                )
            })
            .collect();
        let mut request = json!({"type": self.kind, "requestId": "amzn1.echo-api.request.1",
            "timestamp": alexa_timestamp(SystemTime::now()), "locale": self.locale});
        if let Some(name) = self.intent {
            request["intent"] = json!({"name": name, "confirmationStatus": "NONE", "slots": slots});
        }
        if self.kind == "SessionEndedRequest" {
            request["reason"] = json!("USER_INITIATED");
        }
        json!({"version": "1.0",
            "session": {"new": self.attributes.is_empty(), "sessionId": "amzn1.echo-api.session.1",
                "application": app, "attributes": self.attributes, "user": user},
            "context": {"System": {"application": app, "user": user,
                "device": {"deviceId": self.device, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com"}},
            "request": request})
        .to_string()
        .into_bytes()
    }
}

/// The skill's answer.
pub struct Heard {
    pub status: StatusCode,
    pub json: Value,
}

impl Heard {
    /// The speech without `<speak>`, or "" when silent.
    pub fn speech(&self) -> String {
        let s = self.json["response"]["outputSpeech"]["ssml"]
            .as_str()
            .unwrap_or("");
        s.trim_start_matches("<speak>")
            .trim_end_matches("</speak>")
            .to_owned()
    }
    pub fn ends_session(&self) -> bool {
        self.json["response"]["shouldEndSession"] == true
    }
    pub fn link_card(&self) -> bool {
        self.json["response"]["card"]["type"] == "LinkAccount"
    }
    pub fn attributes(&self) -> Map<String, Value> {
        self.json["sessionAttributes"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    }
}

/// Posts `body` signed by the test CA's leaf.
pub async fn post_signed(s: &TestServer, body: Vec<u8>) -> Heard {
    let sig = skill_ca().sign(&body);
    let url = chain_url(chains::GOOD);
    let r = send(
        s.addr,
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
    let json = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    Heard {
        status: r.status,
        json,
    }
}

impl Skill {
    /// A server with the testing trust and our skill id, Music Assistant
    /// (stand-in or real), and a link with both scopes.
    pub async fn start() -> Skill {
        Skill::start_with_scope("music:read music:control").await
    }

    pub async fn start_with_scope(scope: &str) -> Skill {
        let ma = Upstream::start().await;
        let trust = tempfile::tempdir().unwrap();
        let verifier = SkillVerifier::new(skill_ca().trust(trust.path())).unwrap();
        let (url, timeout, real) = (ma.url.clone(), ma.timeout(), ma.is_real());
        let s = TestServer::start_with_app(
            move |c| {
                c.music_assistant_url = Some(url);
                c.upstream_timeout = timeout;
                c.skill_deadline = if real {
                    Duration::from_secs(6)
                } else {
                    DEADLINE
                };
            },
            |app| {
                app.with_skill_verifier(verifier)
                    .with_skill_ids(vec![SKILL_ID.into()])
            },
        )
        .await;
        let ma_upstream::Linked {
            access, link_id, ..
        } = ma_upstream::link(&s, &ma, scope).await;
        Skill {
            ma,
            s,
            access,
            link_id,
            _trust: trust,
        }
    }

    /// Asks with the link's access token.
    pub async fn ask(&self, a: &Ask) -> Heard {
        let token = a.token.clone().unwrap_or_else(|| self.access.clone());
        let h = post_signed(&self.s, a.body(Some(&token))).await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.json);
        h
    }

    /// `/api` calls the stand-in received so far (None against a real server).
    pub fn api_count(&self) -> Option<usize> {
        self.ma.standin().map(|s| s.api_count())
    }

    /// (command, args) the stand-in received since `mark`.
    pub fn calls_since(&self, mark: Option<usize>) -> Vec<(String, Value)> {
        match (self.ma.standin(), mark) {
            (Some(s), Some(m)) => s.calls_since(m),
            _ => Vec::new(),
        }
    }

    /// The player ids: Kitchen's and Living Room's.
    pub fn player_ids(&self) -> (String, String) {
        if self.ma.is_real() {
            let e = |n: &str| std::env::var(n).unwrap_or_default();
            (e("MA_PLAYER_ID"), e("MA_PLAYER2_ID"))
        } else {
            ("kitchen".into(), "livingroom".into())
        }
    }
}

/// `args` holds every member of `want` (recursively equal values).
pub fn args_hold(args: &Value, want: &Value) -> bool {
    match want {
        Value::Object(w) => w
            .iter()
            .all(|(k, v)| args.get(k).is_some_and(|a| args_hold(a, v))),
        other => args == other,
    }
}

/// The last call of `command` among `calls`, which must hold `want`.
pub fn expect_call(calls: &[(String, Value)], command: &str, want: &Value) -> Value {
    let (_, args) = calls
        .iter()
        .rev()
        .find(|(c, _)| c == command)
        .unwrap_or_else(|| panic!("no {command} among {calls:#?}"));
    assert!(
        args_hold(args, want),
        "{command}: {args} does not hold {want}"
    );
    args.clone()
}
