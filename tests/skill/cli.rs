//! The skill's command line: `skill model` prints a locale's interaction
//! model (what the console's JSON editor takes), and `client add alexa`
//! prints the skill endpoint and how to register the skill id.

use super::*;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = command(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn skill_model_prints_each_locale_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    for (locale, sample, name, language) in [
        (
            "en-US",
            "play music by {artist}",
            "music assistant",
            "English (US)",
        ),
        ("en-GB", "what's playing", "music assistant", "English (UK)"),
        ("en-CA", "play {query}", "music assistant", "English (CA)"),
        ("en-AU", "skip this song", "music assistant", "English (AU)"),
        ("en-IN", "who is this", "music assistant", "English (IN)"),
        (
            "de-DE",
            "spiel musik von {artist}",
            "musik assistent",
            "German (DE)",
        ),
    ] {
        let (ok, out, err) = run(&["--data-dir", dir, "skill", "model", "--locale", locale]);
        assert!(ok, "{err}");
        let m: Value = serde_json::from_str(&out).unwrap();
        let lm = &m["interactionModel"]["languageModel"];
        assert_eq!(lm["invocationName"], name);
        assert!(lm["intents"].to_string().contains(sample), "{locale}");
        // The skill must exist in the language the Echo speaks.
        assert!(
            err.contains(language) && err.contains("language the Echo is set to"),
            "{locale}: {err}"
        );
    }
    let (ok, out, _) = run(&[
        "--data-dir",
        dir,
        "skill",
        "model",
        "--locale",
        "de-DE",
        "--invocation-name",
        "musik zentrale",
    ]);
    assert!(ok);
    assert!(
        out.contains("\"invocationName\": \"musik zentrale\""),
        "{out}"
    );
    let (ok, _, err) = run(&["--data-dir", dir, "skill", "model", "--locale", "ja-JP"]);
    assert!(!ok);
    assert!(err.contains("ja-JP") && err.contains("fr-FR"), "{err}");
    let (ok, _, err) = run(&[
        "--data-dir",
        dir,
        "skill",
        "model",
        "--invocation-name",
        "Alexa Music",
    ]);
    assert!(!ok);
    assert!(err.contains("invocation name"), "{err}");
    // Each name Amazon refuses: one clear line naming the rule.
    for (locale, name, says) in [
        ("en-US", "amazon music", "wake words"),
        ("en-US", "computer music", "wake words"),
        ("en-US", "open music box", "\"open\""),
        ("en-US", "ask music box", "\"ask\""),
        ("en-US", "launch music box", "\"launch\""),
        ("en-US", "tell music box", "\"tell\""),
        ("de-DE", "öffne musik box", "\"öffne\""),
        ("de-DE", "frage musik box", "\"frage\""),
        ("en-US", "music for kids", "\"for\""),
        ("de-DE", "musik für kinder", "\"für\""),
        ("en-US", "the music", "article or a preposition"),
        ("de-DE", "die musik", "article or a preposition"),
        ("en-US", "music box.", "periods only in abbreviations"),
    ] {
        let (ok, out, err) = run(&[
            "--data-dir",
            dir,
            "skill",
            "model",
            "--locale",
            locale,
            "--invocation-name",
            name,
        ]);
        assert!(!ok && out.is_empty(), "{name}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{name}: {err}");
        assert!(lines[0].contains(name) && lines[0].contains(says), "{err}");
    }
}

#[test]
fn client_add_alexa_prints_the_skill_endpoint_and_the_skill_id_step() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let base = [
        "--data-dir",
        dir,
        "client",
        "add",
        "alexa",
        "--vendor-id",
        "M2EXAMPLE",
        "--public-url",
        "https://music.example.ts.net",
    ];
    let (ok, out, err) = run(&base);
    assert!(ok, "{err}");
    assert!(
        out.contains("https://music.example.ts.net/alexa/skill"),
        "{out}"
    );
    assert!(
        out.contains(
            "My development endpoint has a certificate from a trusted certificate authority"
        ),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("--data-dir") && l.contains("skill id add amzn1.ask.skill.")),
        "{out}"
    );
    let mut json_args = base.to_vec();
    json_args.push("--json");
    let (ok, out, _) = run(&json_args);
    assert!(ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["skill_endpoint"],
        "https://music.example.ts.net/alexa/skill"
    );
}

/// `skill model --library`: the user's own names in the slot values, read
/// with the link's Music Assistant token, most-played first; the built-in
/// playlists left out; "&" said as "and". Without a link: one clear line.
#[tokio::test]
async fn skill_model_with_the_library_holds_the_users_own_names() {
    let sk = Skill::start().await;
    let dir = sk.s.dir.to_str().unwrap().to_owned();
    let run_async = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tokio::process::Command::from(command(&args))
            .output()
            .await
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let args = |d: &str| -> Vec<String> {
        [
            "--data-dir",
            d,
            "skill",
            "model",
            "--locale",
            "en-GB",
            "--library",
            "--music-assistant-url",
            &sk.ma.url,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let (ok, out, err) = run_async(args(&dir)).await;
    assert!(ok, "{err}");
    let m: Value = serde_json::from_str(&out).unwrap();
    let values = |t: &str| -> Vec<String> {
        m["interactionModel"]["languageModel"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == t)
            .unwrap()["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"]["value"].as_str().unwrap().to_owned())
            .collect()
    };
    let rooms = values("ROOM_NAME");
    assert_eq!(rooms[..2], ["Kitchen", "Living Room"], "{rooms:?}");
    for artist in ["Aurora Lane", "The Midnight Owls", "Blue Harbor Trio"] {
        assert!(
            values("ARTIST_NAME").contains(&artist.to_string()),
            "{artist}"
        );
        assert!(
            values("MEDIA_NAME").contains(&artist.to_string()),
            "{artist}"
        );
    }
    assert!(values("GENRE_NAME").contains(&"Jazz".to_string()));
    assert!(values("SONG_NAME").contains(&"Early Bird".to_string()));
    let playlists = values("PLAYLIST_NAME");
    assert!(
        !playlists
            .iter()
            .any(|p| p.starts_with("Recently") || p.starts_with("500 Random")),
        "built-in playlists are no names of the user's: {playlists:?}"
    );
    if sk.ma.standin().is_some() {
        assert!(
            playlists.contains(&"Rock and Roll … Mix".to_string()),
            "{playlists:?}"
        );
        assert!(values("ARTIST_NAME").contains(&"Simon and Garfunkel".to_string()));
    }
    assert!(err.contains("paste the model again"), "{err}");
    // No linked account in another data directory: one line saying so.
    let empty = tempfile::tempdir().unwrap();
    let (ok, out, err) = run_async(args(empty.path().to_str().unwrap())).await;
    assert!(!ok && out.is_empty());
    assert!(err.contains("link the skill"), "{err}");
}
