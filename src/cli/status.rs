//! `status`: the configuration and state of this installation, including
//! what can be known of the tailnet node without starting it; `status
//! --check`, the health check of a running `serve` on the tailnet.

use std::path::Path;

use serde_json::json;

use super::invocation::Invocation;
use super::{Failure, PUBLIC_URL_META, open};
use crate::store;
use crate::tailnet::snapshot::{describe_tailnet, tailnet_status};
use crate::util;

pub(super) fn status(inv: &Invocation, json_out: bool) -> Result<(), Failure> {
    let dir = inv.dir();
    let store = open(dir)?;
    let (clients, users, links) = store.with(|c| store::counts(c))?;
    let public = store.with(|c| store::get_meta(c, PUBLIC_URL_META))?;
    let problems = store.with(|c| store::integrity_problems(c))?;
    let tn = tailnet_status(dir);
    let ma_url = store
        .with(|c| store::get_meta(c, crate::ma::URL_META))?
        .filter(|u| !u.is_empty());
    let ma_problems = store.with(|c| store::ma_token_problems(c))?;
    let identity = if ma_url.is_some() {
        "music_assistant"
    } else {
        "local"
    };
    let v = json!({
        "data_dir": dir.display().to_string(),
        "database": store.path().display().to_string(),
        "public_url": public,
        "identity": identity,
        "music_assistant_url": ma_url,
        "music_assistant_token_problems": ma_problems
            .iter()
            .map(|(id, state)| json!({ "link": id, "state": state }))
            .collect::<Vec<_>>(),
        "tailnet": tn,
        "clients": clients,
        "users": users,
        "active_links": links,
        "database_ok": problems.is_empty(),
        "database_problems": problems,
    });
    if json_out {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("data directory: {}", dir.display());
        println!(
            "public URL:     {}",
            public.as_deref().unwrap_or("(unknown until `serve` runs)")
        );
        match &ma_url {
            Some(u) => {
                println!("identity:       Music Assistant accounts ({u}); gateway at /ma/api")
            }
            None => println!("identity:       local accounts"),
        }
        for (id, state) in &ma_problems {
            println!(
                "music assistant: link {id}: {}",
                ma_problem_hint(inv, id, state)
            );
        }
        println!("tailnet:        {}", describe_tailnet(&tn));
        println!("clients: {clients}   users: {users}   active links: {links}");
        println!(
            "database:       {}",
            if problems.is_empty() {
                "ok".to_owned()
            } else {
                problems.join("; ")
            }
        );
    }
    Ok(())
}

/// How old the snapshot may get: a running `serve` rewrites it every 30 s.
const SNAPSHOT_MAX_AGE_SECS: i64 = 90;
/// A certificate with less left than this is about to expire (tsnet renews
/// Let's Encrypt's 90-day certificates with a month left).
const CERT_MIN_LEFT_SECS: i64 = 7 * 86_400;

/// `status --check`: "healthy: ..." and success when `serve` runs on the
/// tailnet and serves through Funnel; otherwise one line saying why, exit 1.
/// Reads only the node's files (never the database), so it works while
/// `serve` holds everything else and on a read-only root file system.
pub(super) fn status_check(dir: &Path) -> Result<(), Failure> {
    let tn = tailnet_status(dir);
    match check_verdict(&tn, util::now()) {
        Ok(line) => {
            println!("healthy: {line}");
            Ok(())
        }
        Err(why) => Err(Failure::runtime(format!("unhealthy: {why}"))),
    }
}

/// The verdict on a [`tailnet_status`] at `now`: what is healthy, or why not.
fn check_verdict(tn: &serde_json::Value, now: i64) -> Result<String, String> {
    let get = |path: &[&str]| {
        path.iter()
            .try_fold(tn, |cur, k| cur.get(*k))
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    if get(&["configured"]) != true {
        return Err(
            "no tailnet node here: `serve` on the tailnet has not run with this data directory"
                .into(),
        );
    }
    let Some(updated) = get(&["updated_at"]).as_i64() else {
        return Err(
            "serve has not reported being on Funnel yet (starting, or it stopped before)".into(),
        );
    };
    if get(&["serve_running"]) != true {
        return Err(format!(
            "serve is not running (its last status is from {})",
            util::fmt_time(updated)
        ));
    }
    let age = now - updated;
    if age > SNAPSHOT_MAX_AGE_SECS {
        return Err(format!(
            "the status snapshot is {age} s old (a running serve rewrites it every 30 s): serve is stuck or gone"
        ));
    }
    let state = get(&["state"]).as_str().unwrap_or("unknown").to_owned();
    if state != "Running" {
        return Err(format!("the tailnet node is {state}, not Running"));
    }
    let name = get(&["dns_name"])
        .as_str()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_owned();
    if get(&["funnel", "listening"]) != true {
        let reason = get(&["funnel", "reason"]).as_str().unwrap_or("").to_owned();
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!(": {reason}")
        };
        return Err(format!("Funnel is not listening for {name}{reason}"));
    }
    let Some(expires) = get(&["cert_expires_at"]).as_i64() else {
        return Err(format!("no certificate for {name} in the node's state"));
    };
    if expires - now < CERT_MIN_LEFT_SECS {
        return Err(format!(
            "the certificate for {name} expires at {} (less than 7 days left)",
            util::fmt_time(expires)
        ));
    }
    Ok(format!(
        "{name} serving through Funnel, certificate valid until {}, status {age} s old",
        util::fmt_time(expires)
    ))
}

/// What `status` says of a link whose Music Assistant token needs attention.
fn ma_problem_hint(inv: &Invocation, id: &str, state: &str) -> String {
    use crate::store::MaTokenState as S;
    let revoke = inv.quoted(&format!(
        "links revoke {}",
        super::invocation::shell_quote(id)
    ));
    match state {
        S::REFUSED => format!(
            "Music Assistant refused its token: the link ended and the user must link the skill \
             again ({revoke} forgets the token)"
        ),
        S::REVOKE_FAILED => {
            format!("its token could not be revoked at Music Assistant: run {revoke} again")
        }
        other => format!("token {other} (see `links list`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn healthy() -> serde_json::Value {
        json!({
            "configured": true,
            "serve_running": true,
            "updated_at": NOW - 10,
            "state": "Running",
            "dns_name": "alexa.tail-scale.ts.net.",
            "funnel": { "listening": true, "permitted": true, "reason": "" },
            "cert_expires_at": NOW + 60 * 86_400,
        })
    }

    fn with(path: &[&str], v: serde_json::Value) -> serde_json::Value {
        let mut tn = healthy();
        let (last, parents) = path.split_last().unwrap();
        let mut cur = &mut tn;
        for k in parents {
            cur = cur.get_mut(*k).unwrap();
        }
        cur[*last] = v;
        tn
    }

    fn unhealthy(tn: serde_json::Value, needle: &str) {
        let why = check_verdict(&tn, NOW).expect_err("unhealthy");
        assert!(why.contains(needle), "{why:?} lacks {needle:?}");
        assert!(!why.contains('\n'), "{why:?}");
    }

    #[test]
    fn healthy_names_the_node_and_the_certificate() {
        let line = check_verdict(&healthy(), NOW).unwrap();
        assert!(
            line.starts_with("alexa.tail-scale.ts.net serving through Funnel"),
            "{line}"
        );
        assert!(line.contains("status 10 s old"), "{line}");
    }

    #[test]
    fn each_failure_says_why() {
        unhealthy(json!({ "configured": false }), "no tailnet node");
        let mut no_snapshot = healthy();
        no_snapshot.as_object_mut().unwrap().remove("updated_at");
        unhealthy(no_snapshot, "not reported");
        unhealthy(with(&["serve_running"], json!(false)), "not running");
        unhealthy(with(&["updated_at"], json!(NOW - 91)), "91 s old");
        check_verdict(&with(&["updated_at"], json!(NOW - 90)), NOW).unwrap();
        unhealthy(with(&["state"], json!("NeedsLogin")), "NeedsLogin");
        unhealthy(
            with(&["funnel", "listening"], json!(false)),
            "Funnel is not listening",
        );
        unhealthy(with(&["cert_expires_at"], json!(null)), "no certificate");
        unhealthy(
            with(&["cert_expires_at"], json!(NOW + 6 * 86_400)),
            "expires at",
        );
        check_verdict(&with(&["cert_expires_at"], json!(NOW + 8 * 86_400)), NOW).unwrap();
    }
}
