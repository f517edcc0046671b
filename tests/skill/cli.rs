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
    for (locale, sample) in [
        ("en-US", "play music by {artist}"),
        ("en-GB", "what's playing"),
        ("de-DE", "spiele musik von {artist}"),
    ] {
        let (ok, out, err) = run(&["--data-dir", dir, "skill", "model", "--locale", locale]);
        assert!(ok, "{err}");
        let m: Value = serde_json::from_str(&out).unwrap();
        let lm = &m["interactionModel"]["languageModel"];
        assert_eq!(lm["invocationName"], "music assistant");
        assert!(lm["intents"].to_string().contains(sample), "{locale}");
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
    let (ok, _, err) = run(&["--data-dir", dir, "skill", "model", "--locale", "fr-FR"]);
    assert!(!ok);
    assert!(err.contains("fr-FR") && err.contains("de-DE"), "{err}");
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
