//! Every intent in every locale: what Alexa hears and what Music Assistant
//! received.

use super::*;
use ma_alexa_oauth::skill::phrases::{self, Say};

fn say(locale: &str) -> &'static Say {
    &phrases::for_locale(locale).say
}

/// One step: the request, words the answer must contain, and the command
/// (with arguments it must hold) the stand-in must have received.
struct Step {
    ask: Ask,
    hear: Vec<String>,
    call: Option<(&'static str, Value)>,
}

fn step(ask: Ask, hear: &[&str], call: Option<(&'static str, Value)>) -> Step {
    Step {
        ask,
        hear: hear.iter().map(|s| s.to_string()).collect(),
        call,
    }
}

/// The steps for `locale` on `device`, in the Kitchen.
fn script(locale: &'static str, kitchen: &str, real: bool) -> Vec<Step> {
    let t = say(locale);
    let k = kitchen;
    let a = |name: &'static str| Ask::intent(locale, name);
    let id = json!({"player_id": k});
    let mut steps = vec![
        step(
            a("UseRoomIntent").slot("room", "kitchen"),
            &["Kitchen"],
            None,
        ),
        step(
            a("PlayArtistIntent").slot("artist", "midnite owls"),
            &["The Midnight Owls", "Kitchen"],
            Some((
                "player_queues/play_media",
                json!({"queue_id": k, "media": ["library://artist/2"], "option": "replace"}),
            )),
        ),
        step(
            a("PlayAlbumIntent").slot("album", "dawn chorus"),
            &["Dawn Chorus", "The Midnight Owls"],
            Some((
                "player_queues/play_media",
                json!({"queue_id": k, "media": ["library://album/4"]}),
            )),
        ),
        step(
            a("PlayPlaylistIntent").slot("playlist", "morning mix"),
            &["Morning Mix"],
            Some((
                "player_queues/play_media",
                json!({"queue_id": k, "media": ["library://playlist/1"]}),
            )),
        ),
        step(
            a("PlaySongIntent").slot("song", "early bird"),
            &["Early Bird", "The Midnight Owls"],
            Some((
                "player_queues/play_media",
                json!({"queue_id": k, "media": ["library://track/7"]}),
            )),
        ),
        step(
            a("WhatsPlayingIntent"),
            &["Early Bird", "The Midnight Owls", "Kitchen"],
            None,
        ),
        step(
            a("EnqueueIntent").slot("query", "coffee time"),
            &["Coffee Time"],
            Some((
                "player_queues/play_media",
                json!({"queue_id": k, "media": ["library://track/8"], "option": "add"}),
            )),
        ),
        step(
            a("PlayGenreIntent").slot("genre", "jazz"),
            &["Jazz"],
            Some(("player_queues/play_media", json!({"queue_id": k}))),
        ),
        step(
            a("PlayMyMusicIntent"),
            &["Kitchen"],
            Some(("player_queues/play_media", json!({"queue_id": k}))),
        ),
        step(
            a("AMAZON.PauseIntent"),
            &[t.paused],
            Some(("players/cmd/pause", id.clone())),
        ),
        step(
            a("AMAZON.ResumeIntent"),
            &[t.resumed],
            Some(("players/cmd/play", id.clone())),
        ),
        step(
            a("AMAZON.NextIntent"),
            &[t.next],
            Some(("players/cmd/next", id.clone())),
        ),
        step(
            a("AMAZON.PreviousIntent"),
            &[t.previous],
            Some(("players/cmd/previous", id.clone())),
        ),
        step(
            a("AMAZON.StartOverIntent"),
            &[t.start_over],
            Some(("players/cmd/seek", json!({"player_id": k, "position": 0}))),
        ),
        step(
            a("AMAZON.ShuffleOnIntent"),
            &[t.shuffle_on],
            Some((
                "player_queues/shuffle",
                json!({"queue_id": k, "shuffle_enabled": true}),
            )),
        ),
        step(
            a("AMAZON.ShuffleOffIntent"),
            &[t.shuffle_off],
            Some((
                "player_queues/shuffle",
                json!({"queue_id": k, "shuffle_enabled": false}),
            )),
        ),
        step(
            a("AMAZON.LoopOnIntent"),
            &[t.repeat_on],
            Some((
                "player_queues/repeat",
                json!({"queue_id": k, "repeat_mode": "all"}),
            )),
        ),
        step(
            a("AMAZON.LoopOffIntent"),
            &[t.repeat_off],
            Some((
                "player_queues/repeat",
                json!({"queue_id": k, "repeat_mode": "off"}),
            )),
        ),
        step(
            a("VolumeIntent").slot("level", "30"),
            &["30"],
            Some((
                "players/cmd/volume_set",
                json!({"player_id": k, "volume_level": 30}),
            )),
        ),
        step(
            a("VolumeIntent").slot("level", "4"),
            &["40"],
            Some((
                "players/cmd/volume_set",
                json!({"player_id": k, "volume_level": 40}),
            )),
        ),
        step(
            a("LouderIntent"),
            &[t.louder],
            Some(("players/cmd/volume_up", id.clone())),
        ),
        step(
            a("QuieterIntent"),
            &[t.quieter],
            Some(("players/cmd/volume_down", id.clone())),
        ),
        step(
            a("MuteIntent"),
            &[t.muted],
            Some((
                "players/cmd/volume_mute",
                json!({"player_id": k, "muted": true}),
            )),
        ),
        step(
            a("UnmuteIntent"),
            &[t.unmuted],
            Some((
                "players/cmd/volume_mute",
                json!({"player_id": k, "muted": false}),
            )),
        ),
        step(
            a("StopMusicIntent"),
            &[t.stopped],
            Some(("players/cmd/stop", id.clone())),
        ),
    ];
    if !real {
        // The real library has no radio station.
        steps.insert(
            4,
            step(
                a("PlayRadioIntent").slot("station", "harbour fm"),
                &["Harbor FM"],
                Some((
                    "player_queues/play_media",
                    json!({"queue_id": k, "media": ["library://radio/1"]}),
                )),
            ),
        );
    }
    steps
}

async fn run_locale(sk: &Skill, locale: &'static str) {
    let (kitchen, _) = sk.player_ids();
    let device = format!("amzn1.ask.device.{locale}");
    for st in script(locale, &kitchen, sk.ma.is_real()) {
        let mark = sk.api_count();
        let ask = st.ask.clone().device(&device);
        let mut h = sk.ask(&ask).await;
        if sk.ma.is_real() && ask.intent == Some("WhatsPlayingIntent") {
            // play_media returns before playback starts.
            for _ in 0..20 {
                if st.hear.iter().all(|w| h.speech().contains(w.as_str())) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                h = sk.ask(&ask).await;
            }
        }
        let what = format!("{locale} {:?} {:?}", ask.intent, ask.slots);
        println!("{what}: {}", h.speech());
        for w in &st.hear {
            assert!(
                h.speech().contains(w.as_str()),
                "{what}: {:?} lacks {w:?}",
                h.speech()
            );
        }
        for bad in [
            say(locale).ma_failed,
            say(locale).ma_down,
            say(locale).ma_slow,
        ] {
            assert!(!h.speech().contains(bad), "{what}: {}", h.speech());
        }
        if let Some((command, want)) = &st.call
            && mark.is_some()
        {
            expect_call(&sk.calls_since(mark), command, want);
        }
    }
}

#[tokio::test]
async fn every_intent_in_en_us() {
    let sk = Skill::start().await;
    run_locale(&sk, "en-US").await;
    if let Some(sd) = sk.ma.standin() {
        let p = sd.player("kitchen");
        assert_eq!((p.state.as_str(), p.volume, p.muted), ("idle", 40, false));
        let tracks = ma_standin::music::LIBRARY.len() * 2;
        assert_eq!(p.queue.len(), tracks, "my music: the whole library");
    }
}

#[tokio::test]
async fn every_intent_in_en_gb() {
    let sk = Skill::start().await;
    run_locale(&sk, "en-GB").await;
}

#[tokio::test]
async fn every_intent_in_de_de() {
    let sk = Skill::start().await;
    run_locale(&sk, "de-DE").await;
}

/// Launch, help, fallback, cancel, stop and session end: short answers;
/// launch offers the players' and library's names for the session.
#[tokio::test]
async fn launch_help_fallback_cancel_stop_and_session_end() {
    let sk = Skill::start().await;
    for locale in ["en-US", "en-GB", "de-DE"] {
        let t = say(locale);
        let h = sk.ask(&Ask::launch(locale)).await;
        assert_eq!(h.speech(), t.launch);
        assert!(!h.ends_session());
        let d = &h.json["response"]["directives"][0];
        assert_eq!(d["type"], "Dialog.UpdateDynamicEntities", "{}", h.json);
        // And it asks for what to play: PlayIntent's query, elicited.
        let e = &h.json["response"]["directives"][1];
        assert_eq!(
            (&e["type"], &e["slotToElicit"], &e["updatedIntent"]["name"]),
            (
                &json!("Dialog.ElicitSlot"),
                &json!("query"),
                &json!("PlayIntent")
            ),
            "{}",
            h.json
        );
        let rooms = d["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "ROOM_NAME")
            .unwrap();
        let names: Vec<&str> = rooms["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"]["value"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Kitchen", "Living Room"],
            "hidden players are not offered"
        );
        let artists = d["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "ARTIST_NAME")
            .unwrap();
        assert!(artists["values"].to_string().contains("The Midnight Owls"));

        for (intent, text, ends) in [
            ("AMAZON.HelpIntent", t.help, false),
            ("AMAZON.FallbackIntent", t.fallback, false),
            ("AMAZON.CancelIntent", t.goodbye, true),
            ("AMAZON.NavigateHomeIntent", t.goodbye, true),
        ] {
            let h = sk.ask(&Ask::intent(locale, intent)).await;
            assert_eq!(h.speech(), text, "{locale} {intent}");
            assert_eq!(h.ends_session(), ends, "{locale} {intent}");
        }
        let ended = Ask {
            kind: "SessionEndedRequest",
            intent: None,
            ..Ask::launch(locale)
        };
        let h = sk.ask(&ended).await;
        assert_eq!(h.json, json!({"version": "1.0", "response": {}}));
    }
}

/// Rooms: asked when unknown (listing the visible players, waiting intent
/// kept), remembered per Echo, matched ignoring case and punctuation.
#[tokio::test]
async fn rooms_are_asked_for_remembered_per_echo_and_matched_loosely() {
    let sk = Skill::start().await;
    let (kitchen, living) = sk.player_ids();
    let t = say("en-US");
    let play = Ask::intent("en-US", "PlaySongIntent")
        .slot("song", "blue hour")
        .device("echo-new");
    let h = sk.ask(&play).await;
    assert!(h.speech().starts_with("Which player?"), "{}", h.speech());
    assert!(
        h.speech().contains("Kitchen or Living Room"),
        "{}",
        h.speech()
    );
    assert!(!h.ends_session());
    let pending = h.attributes();
    assert!(pending.contains_key("pendingIntent"), "{}", h.json);

    // "The living-room": the waiting song plays there, and the Echo remembers.
    let mark = sk.api_count();
    let mut answer = Ask::intent("en-US", "UseRoomIntent")
        .slot("room", "the living-room")
        .device("echo-new");
    answer.attributes = pending;
    let h = sk.ask(&answer).await;
    assert!(
        h.speech().contains("Blue Hour") && h.speech().contains("Living Room"),
        "{}",
        h.speech()
    );
    if mark.is_some() {
        expect_call(
            &sk.calls_since(mark),
            "player_queues/play_media",
            &json!({"queue_id": living}),
        );
    }
    let mark = sk.api_count();
    let h = sk
        .ask(&Ask::intent("en-US", "AMAZON.PauseIntent").device("echo-new"))
        .await;
    assert_eq!(h.speech(), t.paused);
    if mark.is_some() {
        expect_call(
            &sk.calls_since(mark),
            "players/cmd/pause",
            &json!({"player_id": living}),
        );
    }
    // A room in the request wins, and becomes the Echo's player.
    let mark = sk.api_count();
    let h = sk
        .ask(
            &Ask::intent("en-US", "VolumeIntent")
                .slot("level", "25")
                .slot("room", "KITCHEN")
                .device("echo-new"),
        )
        .await;
    assert!(
        h.speech().contains("25") && h.speech().contains("Kitchen"),
        "{}",
        h.speech()
    );
    if mark.is_some() {
        expect_call(
            &sk.calls_since(mark),
            "players/cmd/volume_set",
            &json!({"player_id": kitchen, "volume_level": 25}),
        );
    }
    // An unknown room: the players are listed.
    let h = sk
        .ask(
            &Ask::intent("en-US", "AMAZON.PauseIntent")
                .slot("room", "garage")
                .device("echo-new"),
        )
        .await;
    assert!(
        h.speech().contains("garage") && h.speech().contains("Kitchen or Living Room"),
        "{}",
        h.speech()
    );
    // Another Echo knows nothing yet: asked which player to play on; a
    // control goes to the only player playing or paused (the Living Room).
    let h = sk
        .ask(
            &Ask::intent("en-US", "PlaySongIntent")
                .slot("song", "blue hour")
                .device("echo-other"),
        )
        .await;
    assert!(h.speech().starts_with("Which player?"), "{}", h.speech());
    // (The real server's players have no pause: paused, they are idle.)
    if sk.ma.standin().is_some() {
        let mark = sk.api_count();
        let h = sk
            .ask(&Ask::intent("en-US", "AMAZON.ResumeIntent").device("echo-other-2"))
            .await;
        assert_eq!(h.speech(), t.resumed);
        expect_call(
            &sk.calls_since(mark),
            "players/cmd/play",
            &json!({"player_id": living}),
        );
    }
}

/// Names as Alexa hears them: fuzzy matches play, nothing found says so and
/// offers the nearest name, and nothing is played then.
#[tokio::test]
async fn fuzzy_names_play_and_misses_suggest_the_nearest() {
    let sk = Skill::start().await;
    let dev = "echo-fuzzy";
    sk.ask(
        &Ask::intent("en-US", "UseRoomIntent")
            .slot("room", "kitchen")
            .device(dev),
    )
    .await;
    let h = sk
        .ask(
            &Ask::intent("en-US", "PlayArtistIntent")
                .slot("artist", "Aurora Lain")
                .device(dev),
        )
        .await;
    assert!(h.speech().contains("Aurora Lane"), "{}", h.speech());
    let mark = sk.api_count();
    let h = sk
        .ask(
            &Ask::intent("en-US", "PlaySongIntent")
                .slot("song", "harbor lights")
                .device(dev),
        )
        .await;
    assert!(
        h.speech().contains("Harbor Song") && h.speech().contains("couldn't find"),
        "{}",
        h.speech()
    );
    let h2 = sk
        .ask(
            &Ask::intent("en-US", "PlayArtistIntent")
                .slot("artist", "radiohead")
                .device(dev),
        )
        .await;
    assert_eq!(h2.speech(), "I couldn't find radiohead in your music.");
    assert!(
        !sk.calls_since(mark)
            .iter()
            .any(|(c, _)| c == "player_queues/play_media"),
        "nothing found, nothing played"
    );
}

/// A link without `music:control` cannot make the skill send a control
/// command: the allowlist's scope rule holds for the skill too.
#[tokio::test]
async fn the_skill_never_sends_what_the_allowlist_refuses() {
    let sk = Skill::start_with_scope("music:read").await;
    let dev = "echo-read-only";
    sk.ask(
        &Ask::intent("en-US", "UseRoomIntent")
            .slot("room", "kitchen")
            .device(dev),
    )
    .await;
    let mark = sk.api_count();
    let h = sk
        .ask(&Ask::intent("en-US", "AMAZON.PauseIntent").device(dev))
        .await;
    assert_eq!(h.speech(), say("en-US").not_allowed);
    let h = sk
        .ask(
            &Ask::intent("en-US", "PlaySongIntent")
                .slot("song", "early bird")
                .device(dev),
        )
        .await;
    assert_eq!(h.speech(), say("en-US").not_allowed);
    let sent: Vec<String> = sk.calls_since(mark).into_iter().map(|(c, _)| c).collect();
    for c in &sent {
        assert_eq!(
            ma_alexa_oauth::ma::commands::required_scopes(c),
            Some(ma_alexa_oauth::ma::commands::READ),
            "{c} was sent with a read-only link: {sent:?}"
        );
    }
}

/// The locales without a test of their own above (en-CA, en-AU, en-IN and
/// the French, Spanish, Italian, Dutch and Portuguese ones): every intent,
/// then launch, help, fallback and cancel in the locale's own words.
#[tokio::test]
async fn every_intent_in_every_other_locale() {
    let sk = Skill::start().await;
    let own_test = ["en-US", "en-GB", "de-DE"];
    for (locale, _) in phrases::LOCALES
        .iter()
        .filter(|(l, _)| !own_test.contains(l))
    {
        run_locale(&sk, locale).await;
        let t = say(locale);
        assert_eq!(sk.ask(&Ask::launch(locale)).await.speech(), t.launch);
        for (intent, text) in [
            ("AMAZON.HelpIntent", t.help),
            ("AMAZON.FallbackIntent", t.fallback),
            ("AMAZON.CancelIntent", t.goodbye),
        ] {
            let h = sk.ask(&Ask::intent(locale, intent)).await;
            assert_eq!(h.speech(), text, "{locale} {intent}");
        }
    }
}
