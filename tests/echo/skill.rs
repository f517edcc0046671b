//! The skill plays on the Echo: an Echo emulated here (its requests signed
//! by the test CA, its audio player obeying `AudioPlayer.Play` and `Stop`
//! by fetching the relay URL, its context sent with every request) does
//! what Music Assistant's provider tells it (the stand-in's Echo log, as
//! `$MA_ALEXA_LOG`), with the utterance understood through our own phrase
//! table. Music Assistant's side is checked on the stand-in: which commands
//! reached it, and that none bounced back.

use std::time::{Duration, SystemTime};

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::relay::{Open, ReadEnd, open};
use super::{Rig, wait_for};
use crate::common::*;
use crate::ma_standin::stream::walk_mp3;

/// The Echo devices (their Music Assistant player ids: the Echos' names).
pub const KITCHEN: (&str, &str) = ("amzn1.ask.device.ECHOKITCHEN", "Echo Kitchen");
pub const OFFICE: (&str, &str) = ("amzn1.ask.device.ECHOOFFICE", "Echo Office");

/// An Echo: its id, its audio player, the stream it plays.
pub struct Echo {
    pub device: String,
    pub name: String,
    pub locale: &'static str,
    /// `context.AudioPlayer`: (token, offset, activity).
    pub audio: Option<(String, u64, &'static str)>,
    pub stream: Option<Open>,
    /// How far into the provider's Echo log this Echo has followed.
    pub followed: usize,
}

/// The skill's answer.
pub struct Heard {
    pub json: Value,
}

impl Heard {
    pub fn speech(&self) -> String {
        self.json["response"]["outputSpeech"]["ssml"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("<speak>")
            .trim_end_matches("</speak>")
            .to_owned()
    }
    pub fn directives(&self) -> Vec<Value> {
        self.json["response"]["directives"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
    /// The `AudioPlayer.Play` directive, if any.
    pub fn play(&self) -> Option<Value> {
        self.directives()
            .into_iter()
            .find(|d| d["type"] == "AudioPlayer.Play")
    }
    pub fn stops(&self) -> bool {
        self.directives()
            .iter()
            .any(|d| d["type"] == "AudioPlayer.Stop")
    }
    /// An answer to a playback request: no speech, card, reprompt or session flag.
    pub fn is_audio_only(&self) -> bool {
        let r = &self.json["response"];
        r.get("outputSpeech").is_none()
            && r.get("card").is_none()
            && r.get("reprompt").is_none()
            && r.get("shouldEndSession").is_none()
    }
}

impl Echo {
    pub fn new((device, name): (&str, &str)) -> Echo {
        Echo {
            device: device.into(),
            name: name.into(),
            locale: "en-US",
            audio: None,
            stream: None,
            followed: 0,
        }
    }

    /// The envelope of a request of `kind` (an intent with `slots`).
    fn body(&self, rig: &Rig, kind: &str, intent: Option<&str>, slots: &[(&str, &str)]) -> Vec<u8> {
        let app = json!({"applicationId": SKILL_ID});
        let user = json!({"userId": "amzn1.ask.account.TEST", "accessToken": rig.access});
        let mut request = json!({"type": kind, "requestId": "amzn1.echo-api.request.1",
            "timestamp": alexa_timestamp(SystemTime::now()), "locale": self.locale});
        if let Some(name) = intent {
            let slots: Map<String, Value> = slots
                .iter()
                .map(|(n, v)| (n.to_string(), json!({"name": n, "value": v})))
                .collect();
            request["intent"] = json!({"name": name, "confirmationStatus": "NONE", "slots": slots});
        }
        let mut context = json!({"System": {"application": app, "user": user,
            "device": {"deviceId": self.device,
                "supportedInterfaces": {"AudioPlayer": {}, "Display": {}}}}});
        if let Some((token, offset, activity)) = &self.audio {
            context["AudioPlayer"] = json!({"token": token, "offsetInMilliseconds": offset,
                "playerActivity": activity});
            if kind.starts_with("AudioPlayer.") {
                request["token"] = json!(token);
                request["offsetInMilliseconds"] = json!(offset);
            }
        }
        let mut env = json!({"version": "1.0", "context": context, "request": request});
        if !kind.starts_with("AudioPlayer.") && !kind.starts_with("PlaybackController.") {
            env["session"] = json!({"new": true, "sessionId": "amzn1.echo-api.session.1",
                "application": app, "user": user, "attributes": {}});
        }
        env.to_string().into_bytes()
    }

    async fn post(&self, rig: &Rig, body: Vec<u8>) -> Heard {
        let sig = skill_ca().sign(&body);
        let url = chain_url(chains::GOOD);
        let r = send(
            rig.s.addr,
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
        Heard { json: r.json() }
    }

    /// An intent request, then the Echo obeys the answer.
    pub async fn intent(&mut self, rig: &Rig, name: &str, slots: &[(&str, &str)]) -> Heard {
        let h = self
            .post(rig, self.body(rig, "IntentRequest", Some(name), slots))
            .await;
        self.obey(rig, &h).await;
        h
    }

    pub async fn launch(&mut self, rig: &Rig) -> Heard {
        let h = self
            .post(rig, self.body(rig, "LaunchRequest", None, &[]))
            .await;
        self.obey(rig, &h).await;
        h
    }

    /// A playback request (`AudioPlayer.*`, `PlaybackController.*`).
    pub async fn event(&mut self, rig: &Rig, kind: &str) -> Heard {
        let h = self.post(rig, self.body(rig, kind, None, &[])).await;
        self.obey(rig, &h).await;
        h
    }

    /// Does what the answer's AudioPlayer directives say: Play fetches the
    /// relay URL (and reports PlaybackStarted), Stop drops the stream.
    pub async fn obey(&mut self, rig: &Rig, h: &Heard) {
        for d in h.directives() {
            match d["type"].as_str() {
                Some("AudioPlayer.Play") => {
                    let stream = &d["audioItem"]["stream"];
                    let url = stream["url"].as_str().unwrap();
                    let path = url.trim_start_matches(&rig.s.base);
                    let o = open(rig.s.addr, "GET", path, &[]).await;
                    assert_eq!(o.status, StatusCode::OK, "the Echo fetches {path}");
                    self.stream = Some(o);
                    let token = stream["token"].as_str().unwrap().to_owned();
                    self.audio = Some((token, 0, "PLAYING"));
                    Box::pin(self.event(rig, "AudioPlayer.PlaybackStarted")).await;
                }
                Some("AudioPlayer.Stop") => {
                    self.stream = None;
                    if let Some(a) = self.audio.as_mut() {
                        a.2 = "STOPPED";
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads `bytes` of what the Echo plays: MP3 frames at 320 kbit/s.
    pub async fn hears_mp3(&mut self, bytes: usize) {
        let s = self.stream.as_mut().expect("the Echo plays something");
        let (data, end) = s.read(bytes, Duration::from_secs(5)).await;
        assert_eq!(end, ReadEnd::Enough);
        let walk = walk_mp3(&data).expect("MP3 frames");
        assert_eq!(walk.kbps, vec![320]);
    }

    /// Waits for Music Assistant's next line for this Echo and says it, as
    /// the Echo would: the utterance understood through our phrase table.
    pub async fn follow(&mut self, rig: &Rig) -> Heard {
        let line = wait_for(Duration::from_secs(15), || {
            rig.echo_lines()
                .into_iter()
                .enumerate()
                .skip(self.followed)
                .find(|(_, l)| l.device == self.name && l.call == "run_custom")
        })
        .await;
        let (i, line) =
            line.unwrap_or_else(|| panic!("Music Assistant told {} nothing", self.name));
        self.followed = i + 1;
        let text = line.arg.as_str().unwrap().to_owned();
        match understood(self.locale, &text) {
            None => self.launch(rig).await,
            Some(intent) => self.intent(rig, intent, &[]).await,
        }
    }
}

/// What Alexa makes of `text` said to an Echo: the skill's intent whose
/// sample (without slots) is what follows the invocation, or a launch for
/// the invocation alone.
pub fn understood(locale: &str, text: &str) -> Option<&'static str> {
    let prefixes = [
        "ask music assistant to ",
        "ask music assistant ",
        "sag music assistant ",
        "music assistant ",
    ];
    let rest = prefixes
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or_else(|| {
            assert_eq!(text, "music assistant", "not said to the skill: {text:?}");
            ""
        });
    if rest.is_empty() {
        return None;
    }
    let table = ma_alexa_oauth::skill::phrases::for_locale(locale);
    let found = table
        .samples
        .iter()
        .find(|(_, samples)| samples.contains(&rest))
        .map(|(intent, _)| *intent);
    Some(found.unwrap_or_else(|| panic!("{rest:?} is no sample of ours")))
}

/// Music Assistant plays `album` on the Echo player `player` (as from its
/// own interface).
pub fn ma_plays(rig: &Rig, player: &str, album: u32) {
    rig.ma()
        .command(
            "player_queues/play_media",
            json!({"queue_id": player, "media": format!("library://album/{album}")}),
        )
        .expect("play_media");
}

/// Commands Music Assistant received from the skill since `mark`.
pub fn commands_since(rig: &Rig, mark: usize) -> Vec<String> {
    rig.ma()
        .calls_since(mark)
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| c.starts_with("players/cmd/") || c.starts_with("player_queues/"))
        .collect()
}

#[tokio::test]
async fn the_providers_play_audio_plays_the_pushed_stream_on_that_echo() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    let mut office = Echo::new(OFFICE);
    ma_plays(&rig, "Echo Kitchen", 5);
    let h = kitchen.follow(&rig).await;
    let play = h.play().expect("AudioPlayer.Play");
    assert_eq!(play["playBehavior"], "REPLACE_ALL");
    let url = play["audioItem"]["stream"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/alexa/stream/", rig.s.base)),
        "{url}"
    );
    assert!(
        play["audioItem"]["stream"]["token"]
            .as_str()
            .unwrap()
            .starts_with("ma:")
    );
    assert_eq!(h.speech(), "", "no speech");
    assert_eq!(h.json["response"]["shouldEndSession"], true);
    kitchen.hears_mp3(40_000).await;
    // The metadata push arrives a moment later: a later answer shows it.
    wait_for(Duration::from_secs(3), || {
        rig.s
            .app
            .echo()
            .pushed("Echo Kitchen")
            .filter(|p| p.push.has_meta)
    })
    .await
    .expect("metadata");
    // This Echo is now known as the Echo Kitchen player.
    let rows = rig
        .s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::list_echo_players(c))
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].player_id, "Echo Kitchen");
    assert_eq!(rows[0].how, ma_alexa_oauth::store::EchoHow::Learned);
    // Another Echo, another player.
    ma_plays(&rig, "Echo Office", 1);
    let h = office.follow(&rig).await;
    let play = h.play().expect("the office's stream");
    assert_ne!(play["audioItem"]["stream"]["url"], url);
    office.hears_mp3(40_000).await;
    let h = kitchen.intent(&rig, "PlayAudioIntent", &[]).await;
    assert!(
        h.play().is_none(),
        "the kitchen already plays its stream: no restart"
    );
}

#[tokio::test]
async fn play_with_no_room_or_here_from_an_echo_starts_on_it_in_the_same_answer() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    let h = kitchen
        .intent(&rig, "ThisEchoIntent", &[("room", "echo kitchen")])
        .await;
    assert_eq!(h.speech(), "OK, this Echo is Echo Kitchen.");
    let mark = rig.ma().api_count();
    let h = kitchen
        .intent(&rig, "PlayIntent", &[("query", "first snow")])
        .await;
    assert!(h.speech().contains("First Snow"), "{}", h.speech());
    let play = h.play().expect("AudioPlayer.Play in the same answer");
    assert_eq!(play["audioItem"]["metadata"]["title"], "First Snow");
    let calls = rig.ma().calls_since(mark);
    let pm = calls
        .iter()
        .find(|(c, _)| c == "player_queues/play_media")
        .expect("played through Music Assistant");
    assert_eq!(pm.1["queue_id"], "Echo Kitchen");
    kitchen.hears_mp3(40_000).await;
    // The provider's own "play audio" follows: no restart.
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none() && h.speech().is_empty(), "{}", h.json);
    // "Play X here".
    let h = kitchen
        .intent(&rig, "PlayHereIntent", &[("query", "harbor song")])
        .await;
    assert!(h.play().is_some(), "{}", h.json);
    assert_eq!(rig.ma().player("Echo Kitchen").state, "playing");
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none());
}

#[tokio::test]
async fn controls_act_on_music_assistant_and_the_echo_and_nothing_bounces_back() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    ma_plays(&rig, "Echo Kitchen", 5);
    kitchen.follow(&rig).await;
    kitchen.hears_mp3(10_000).await;
    // Pause, said to the Echo: Music Assistant pauses once, the Echo stops.
    let mark = rig.ma().api_count();
    let h = kitchen.intent(&rig, "AMAZON.PauseIntent", &[]).await;
    assert!(h.stops() && h.speech().is_empty(), "{}", h.json);
    assert_eq!(rig.ma().player("Echo Kitchen").state, "paused");
    // Music Assistant's provider has the Echo say "pause" too: not sent back.
    let h = kitchen.follow(&rig).await;
    assert!(h.stops());
    assert_eq!(commands_since(&rig, mark), ["players/cmd/pause"]);
    // Resume: once to Music Assistant, the Echo plays again.
    let mark = rig.ma().api_count();
    let h = kitchen.intent(&rig, "AMAZON.ResumeIntent", &[]).await;
    assert!(h.play().is_some(), "{}", h.json);
    kitchen.hears_mp3(10_000).await;
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none(), "playing already: no restart");
    assert_eq!(commands_since(&rig, mark), ["players/cmd/play"]);
    // Next: Music Assistant restarts its flow; the new stream in the answer.
    let before = kitchen.audio.clone().unwrap().0;
    let mark = rig.ma().api_count();
    let h = kitchen.intent(&rig, "AMAZON.NextIntent", &[]).await;
    let play = h.play().expect("the new stream");
    assert_ne!(play["audioItem"]["stream"]["token"], before.as_str());
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_none(), "the provider's play audio: no restart");
    assert_eq!(commands_since(&rig, mark), ["players/cmd/next"]);
    // The Echo's buttons: no speech, no session flag.
    let mark = rig.ma().api_count();
    let h = kitchen
        .event(&rig, "PlaybackController.PauseCommandIssued")
        .await;
    assert!(h.is_audio_only() && h.stops(), "{}", h.json);
    kitchen.follow(&rig).await;
    let h = kitchen
        .event(&rig, "PlaybackController.PlayCommandIssued")
        .await;
    assert!(h.is_audio_only() && h.play().is_some(), "{}", h.json);
    kitchen.follow(&rig).await;
    assert_eq!(
        commands_since(&rig, mark),
        ["players/cmd/pause", "players/cmd/play"]
    );
    // Stop: Music Assistant stops once, the Echo's stream ends.
    let mark = rig.ma().api_count();
    let h = kitchen.intent(&rig, "StopMusicIntent", &[]).await;
    assert!(h.stops(), "{}", h.json);
    assert_eq!(rig.ma().player("Echo Kitchen").state, "idle");
    let h = kitchen.follow(&rig).await;
    assert!(h.stops());
    assert_eq!(commands_since(&rig, mark), ["players/cmd/stop"]);
    let ended = wait_for(Duration::from_secs(5), || {
        (rig.s.app.echo().active_streams() == 0).then_some(())
    })
    .await;
    assert!(ended.is_some(), "stopping the player ended its streams");
}

#[tokio::test]
async fn music_assistants_own_pause_resume_and_stop_reach_the_echo_and_stay_there() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    ma_plays(&rig, "Echo Kitchen", 3);
    kitchen.follow(&rig).await;
    for (cmd, state) in [
        ("players/cmd/pause", "STOPPED"),
        ("players/cmd/play", "PLAYING"),
        ("players/cmd/stop", "STOPPED"),
    ] {
        let mark = rig.ma().api_count();
        rig.ma()
            .command(cmd, json!({"player_id": "Echo Kitchen"}))
            .unwrap();
        let h = kitchen.follow(&rig).await;
        assert!(h.speech().is_empty(), "{cmd}: {}", h.json);
        assert_eq!(kitchen.audio.as_ref().unwrap().2, state, "{cmd}");
        assert!(
            commands_since(&rig, mark).is_empty(),
            "{cmd} was not sent back to Music Assistant"
        );
    }
}

#[tokio::test]
async fn playback_requests_get_no_speech_and_keep_music_assistant_in_step() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    ma_plays(&rig, "Echo Kitchen", 5);
    kitchen.follow(&rig).await;
    for kind in [
        "AudioPlayer.PlaybackNearlyFinished",
        "AudioPlayer.PlaybackStarted",
        "System.ExceptionEncountered",
    ] {
        let mark = rig.ma().api_count();
        let h = kitchen.event(&rig, kind).await;
        assert_eq!(h.json["response"], json!({}), "{kind}: no content");
        assert!(commands_since(&rig, mark).is_empty(), "{kind}");
    }
    // The Echo reached the end of the stream Music Assistant still plays:
    // the player is stopped there too (and its "stop the music" stays put).
    let mark = rig.ma().api_count();
    let h = kitchen.event(&rig, "AudioPlayer.PlaybackFinished").await;
    assert_eq!(h.json["response"], json!({}));
    assert_eq!(commands_since(&rig, mark), ["players/cmd/stop"]);
    let h = kitchen.follow(&rig).await;
    assert!(h.stops());
    assert_eq!(commands_since(&rig, mark), ["players/cmd/stop"]);
    // A stream the Echo stopped that is no longer the player's: nothing.
    kitchen.audio = Some(("ma:an-old-stream".into(), 0, "STOPPED"));
    let mark = rig.ma().api_count();
    let h = kitchen.event(&rig, "AudioPlayer.PlaybackStopped").await;
    assert_eq!(h.json["response"], json!({}));
    assert!(commands_since(&rig, mark).is_empty());
}

#[tokio::test]
async fn without_the_provider_play_here_says_what_to_set_up_in_one_sentence() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    let h = kitchen
        .intent(&rig, "PlayHereIntent", &[("query", "first snow")])
        .await;
    let said = h.speech();
    assert!(said.contains("Alexa provider"), "{said}");
    assert_eq!(said.matches(". ").count(), 0, "one sentence: {said}");
    assert!(h.play().is_none());
    // Pushes arrived, but which player this Echo is is not known.
    ma_plays(&rig, "Echo Office", 1);
    wait_for(Duration::from_secs(3), || {
        rig.s.app.echo().pushed("Echo Office")
    })
    .await;
    let h = kitchen
        .intent(&rig, "PlayHereIntent", &[("query", "first snow")])
        .await;
    assert!(h.speech().contains("this is the"), "{}", h.speech());
}

#[tokio::test]
async fn a_launch_right_after_a_push_plays_it_as_the_french_provider_asks() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    let h = kitchen.launch(&rig).await;
    assert!(h.play().is_none(), "nothing pushed: the usual greeting");
    assert!(!h.speech().is_empty());
    ma_plays(&rig, "Echo Kitchen", 2);
    wait_for(Duration::from_secs(3), || {
        rig.s.app.echo().pushed("Echo Kitchen")
    })
    .await;
    let h = kitchen.launch(&rig).await;
    assert!(h.play().is_some(), "{}", h.json);
    kitchen.hears_mp3(10_000).await;
}

#[tokio::test]
async fn the_intents_music_assistant_reads_are_in_its_language() {
    let Some(rig) = Rig::start_in("de-DE", |_| {}).await else {
        return;
    };
    let auth = rig.auth();
    let r = send(
        rig.s.addr,
        "GET",
        "/de-DE/alexa/intents",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.json()["invocationName"], "sag music assistant");
    ma_plays(&rig, "Echo Kitchen", 5);
    let mut kitchen = Echo::new(KITCHEN);
    kitchen.locale = "de-DE";
    let h = kitchen.follow(&rig).await;
    assert!(h.play().is_some(), "{}", h.json);
    rig.ma()
        .command("players/cmd/pause", json!({"player_id": "Echo Kitchen"}))
        .unwrap();
    let line = wait_for(Duration::from_secs(3), || rig.ma().echo_log().pop())
        .await
        .unwrap();
    assert_eq!(line.arg, "sag music assistant pausiere die musik");
    let h = kitchen.follow(&rig).await;
    assert!(h.stops());
}

#[tokio::test]
async fn a_stream_for_a_player_the_linked_account_cannot_see_is_not_played_or_learned() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    // Music Assistant pushed a stream for a player that is not among the
    // linked account's players (`players/all`).
    rig.push_stream("Echo Attic").await;
    let grants_before = rig.s.app.echo().grants().len();
    let h = kitchen.intent(&rig, "PlayAudioIntent", &[]).await;
    assert!(h.play().is_none(), "no relay URL: {}", h.json);
    assert_eq!(
        rig.s.app.echo().grants().len(),
        grants_before,
        "no token minted"
    );
    let rows = rig
        .s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::list_echo_players(c))
        .unwrap();
    assert!(rows.is_empty(), "not learned: {rows:?}");
}

#[tokio::test]
async fn an_echo_set_on_the_page_is_not_changed_by_voice() {
    let Some(rig) = Rig::start().await else {
        return;
    };
    let mut kitchen = Echo::new(KITCHEN);
    let device = ma_alexa_oauth::util::sha256(KITCHEN.0.as_bytes());
    rig.s
        .app
        .store()
        .with(|c| {
            ma_alexa_oauth::store::set_echo_player(
                c,
                &device,
                "Echo Kitchen",
                ma_alexa_oauth::store::EchoHow::Page,
                1,
            )
        })
        .unwrap();
    let h = kitchen
        .intent(&rig, "ThisEchoIntent", &[("room", "echo office")])
        .await;
    assert!(h.speech().contains("page"), "{}", h.speech());
    let row = rig
        .s
        .app
        .store()
        .with(|c| ma_alexa_oauth::store::echo_player(c, &device))
        .unwrap()
        .unwrap();
    assert_eq!(row.player_id, "Echo Kitchen");
    assert_eq!(row.how, ma_alexa_oauth::store::EchoHow::Page);
}
