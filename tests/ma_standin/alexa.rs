//! The stand-in's Alexa player provider, as Music Assistant's own
//! (`music_assistant/providers/alexa`, ../shared/facts/echo-playback.md):
//! two Echo players ("Echo Kitchen", "Echo Office"); at load it fetches
//! `GET {api}/alexa/intents`; `play_media` (and next/previous, which restart
//! the flow) on an Echo player makes a flow stream on the stand-in's stream
//! server, `POST {api}/ma/push-url {"streamUrl"}`, has the Echo told the
//! provider's play text (a line in [`Provider::log`], as `$MA_ALEXA_LOG`),
//! then a moment later pushes the metadata; pause, play and stop have the
//! Echo told "<invocation> <first utterance>" of the pause, resume and stop
//! intents; volume_set is `set_volume`. All with the API's Basic auth.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::music::PlayerState;
use super::stream::StreamServer;

/// The Echo players (id = name, as the provider makes them).
pub const ECHOS: [&str; 2] = ["Echo Kitchen", "Echo Office"];

/// The provider's play text per language (`ALEXA_LANGUAGE_COMMANDS`).
pub fn play_text(language: &str) -> &'static str {
    match language {
        "de-DE" => "sag music assistant spiele audio",
        "es-ES" => "pídele a music assistant que reproduzca audio",
        "fr-FR" => "music assistant",
        "it-IT" => "chiedi a music assistant di riprodurre audio",
        _ => "ask music assistant to play audio",
    }
}

/// `/alexa/intents`: the invocation name and (intent, utterances).
pub type Intents = (Option<String>, Vec<(String, Vec<String>)>);

/// One command sent to an Echo (a line of `$MA_ALEXA_LOG`).
#[derive(Debug, Clone, PartialEq)]
pub struct EchoLine {
    pub device: String,
    pub call: String,
    pub arg: Value,
}

/// One push to the API and its answer.
#[derive(Debug, Clone)]
pub struct PushSent {
    pub body: Value,
    pub status: u16,
}

pub struct Provider {
    pub api_url: String,
    pub auth: Option<(String, String)>,
    pub language: String,
    /// `invocationName` and (intent, utterances) from `/alexa/intents`;
    /// None if that failed (the real provider tries again later).
    pub intents: Option<Intents>,
    pub stream: Arc<StreamServer>,
    pub log: Arc<Mutex<Vec<EchoLine>>>,
    pub pushes: Arc<Mutex<Vec<PushSent>>>,
    /// Between the first push and the metadata push (the real: about 1 s).
    pub meta_delay: Duration,
    counter: u64,
}

impl Provider {
    /// Loads the provider: fetches the intents; streams on `stream`.
    pub async fn load(
        api_url: &str,
        auth: Option<(&str, &str)>,
        language: &str,
        stream: Arc<StreamServer>,
    ) -> Provider {
        let auth = auth.map(|(u, p)| (u.to_owned(), p.to_owned()));
        let url = format!("{}/alexa/intents", api_url.trim_end_matches('/'));
        let intents = match request("GET", &url, auth.as_ref(), None).await {
            Some((200, v)) => Some(parse_intents(&v)),
            _ => None,
        };
        Provider {
            api_url: api_url.trim_end_matches('/').to_owned(),
            auth,
            language: language.to_owned(),
            intents,
            stream,
            log: Arc::default(),
            pushes: Arc::default(),
            meta_delay: Duration::from_millis(300),
            counter: 0,
        }
    }

    /// The Echo players, as `music::players` makes the others.
    pub fn players() -> Vec<PlayerState> {
        ECHOS
            .iter()
            .map(|n| {
                let mut p = PlayerState::new(n, n, false);
                p.volume = 30;
                p
            })
            .collect()
    }

    /// "<invocation> <first utterance of intent>", or `default`.
    fn utterance(&self, intent: &str, default: &str) -> String {
        let Some((inv, list)) = &self.intents else {
            return default.to_owned();
        };
        match list
            .iter()
            .find(|(i, _)| i == intent)
            .and_then(|(_, u)| u.first())
        {
            Some(u) => match inv {
                Some(inv) => format!("{} {u}", inv.trim()).trim().to_owned(),
                None => u.clone(),
            },
            None => default.to_owned(),
        }
    }

    fn tell(&self, device: &str, call: &str, arg: Value) {
        self.log.lock().unwrap().push(EchoLine {
            device: device.to_owned(),
            call: call.to_owned(),
            arg,
        });
    }

    /// What the provider does after `cmd` succeeded on `p` (an Echo player).
    pub fn after(&mut self, cmd: &str, args: &Value, p: &PlayerState) {
        match cmd {
            "player_queues/play_media" | "players/cmd/next" | "players/cmd/previous" => {
                self.play(p)
            }
            "players/cmd/pause" => {
                let u = self.utterance("AMAZON.PauseIntent", "pause");
                self.tell(&p.id, "run_custom", json!(u));
            }
            "players/cmd/play" => {
                let u = self.utterance("AMAZON.ResumeIntent", "resume");
                self.tell(&p.id, "run_custom", json!(u));
            }
            "players/cmd/stop" => {
                let u = self.utterance("AMAZON.StopIntent", "stop");
                self.tell(&p.id, "run_custom", json!(u));
            }
            "players/cmd/volume_set" => {
                let v = args["volume_level"].as_f64().unwrap_or(0.0) / 100.0;
                self.tell(&p.id, "set_volume", json!(v));
            }
            _ => {}
        }
    }

    /// `play_media`: a new flow stream, its push, the play text, the metadata.
    fn play(&mut self, p: &PlayerState) {
        self.counter += 1;
        let session = format!("Ses{:05}", self.counter);
        let item = format!("{:032x}", rand_u128());
        self.stream.set_queue(&p.id, &session, &item);
        let url = self.stream.flow_url(&p.id, &p.id, "flac");
        let current = p.current().unwrap_or(Value::Null);
        let meta = json!({"streamUrl": url, "title": current["name"],
            "artist": current["artists"][0]["name"], "album": current["album"]["name"],
            "imageUrl": null});
        let push_url = format!("{}/ma/push-url", self.api_url);
        let (auth, log, pushes) = (
            self.auth.clone(),
            Arc::clone(&self.log),
            Arc::clone(&self.pushes),
        );
        let (device, text, delay) = (p.id.clone(), play_text(&self.language), self.meta_delay);
        tokio::spawn(async move {
            let first = json!({"streamUrl": url});
            let status = request("POST", &push_url, auth.as_ref(), Some(&first)).await;
            let code = status.as_ref().map(|s| s.0).unwrap_or(0);
            pushes.lock().unwrap().push(PushSent {
                body: first,
                status: code,
            });
            if !(200..300).contains(&code) {
                return; // The real provider raises: nothing is said to the Echo.
            }
            log.lock().unwrap().push(EchoLine {
                device,
                call: "run_custom".into(),
                arg: json!(text),
            });
            tokio::time::sleep(delay).await;
            let status = request("POST", &push_url, auth.as_ref(), Some(&meta)).await;
            let code = status.map(|s| s.0).unwrap_or(0);
            pushes.lock().unwrap().push(PushSent {
                body: meta,
                status: code,
            });
        });
    }
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

fn parse_intents(v: &Value) -> Intents {
    let inv = v["invocationName"].as_str().map(str::to_owned);
    let list = v["intents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let name = i["intent"].as_str()?.to_owned();
            let utts = i["utterances"]
                .as_array()?
                .iter()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect();
            Some((name, utts))
        })
        .collect();
    (inv, list)
}

fn rand_u128() -> u128 {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    u128::from_le_bytes(b)
}

/// One HTTP/1.1 request with Basic auth (as aiohttp sends it: plain
/// `user:password`); the status and the JSON answer, None if unreachable.
pub async fn request(
    method: &str,
    url: &str,
    auth: Option<&(String, String)>,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    use base64::Engine as _;
    let uri: hyper::Uri = url.parse().ok()?;
    let authority = uri.authority()?.to_string();
    let stream = tokio::net::TcpStream::connect(&authority).await.ok()?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(uri.path_and_query()?.as_str())
        .header("host", &authority)
        .header("user-agent", "stand-in aiohttp");
    if let Some((u, p)) = auth {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req = req.header("authorization", format!("Basic {b}"));
    }
    let bytes = match body {
        Some(v) => {
            req = req.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    let resp = tokio::time::timeout(
        Duration::from_secs(10),
        sender.send_request(req.body(Full::new(bytes)).ok()?),
    )
    .await
    .ok()?
    .ok()?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.ok()?.to_bytes();
    Some((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}
