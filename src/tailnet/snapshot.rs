//! The tailnet node of a data directory as far as it can be known without
//! starting it: whether a node state exists, and the last status snapshot a
//! running (or the last) `serve` wrote, with the cached certificate's
//! expiry. Read by `status` and by the add-on's page; built without the
//! `tailnet` feature.

use std::path::Path;

use serde_json::json;

use crate::util;

/// The tailnet node's state directory, inside the data directory.
pub const DIR: &str = "tailnet";
/// A snapshot of the node's status that a running `serve` keeps up to date.
pub const SNAPSHOT: &str = "ma-alexa-status.json";

/// The tailnet node of a data directory, as far as it can be known without
/// starting it: whether a node state exists, and the last status snapshot
/// written by a running (or the last) `serve`.
pub fn tailnet_status(dir: &Path) -> serde_json::Value {
    let state_dir = dir.join(DIR);
    if !super::has_node_state(&state_dir) {
        return json!({ "configured": false });
    }
    let snap: Option<serde_json::Value> = std::fs::read(state_dir.join(SNAPSHOT))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let mut out = serde_json::Map::new();
    out.insert("configured".into(), json!(true));
    out.insert("state_dir".into(), json!(state_dir.display().to_string()));
    if let Some(snap) = snap {
        let pid = snap.get("pid").and_then(|p| p.as_u64()).unwrap_or(0);
        let running = pid != 0 && Path::new(&format!("/proc/{pid}")).exists();
        out.insert("serve_running".into(), json!(running));
        if let Some(t) = snap.get("updated_at") {
            out.insert("updated_at".into(), t.clone());
        }
        if let Some(t) = snap.get("tailnet").and_then(|t| t.as_object()) {
            for (k, val) in t {
                out.insert(k.clone(), val.clone());
            }
        }
    }
    let name = out
        .get("dns_name")
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .trim_end_matches('.')
        .to_owned();
    if !name.is_empty() && !name.contains('/') {
        let expiry = std::fs::read_to_string(state_dir.join("certs").join(format!("{name}.crt")))
            .ok()
            .and_then(|pem| super::cert::pem_not_after(&pem));
        out.insert("cert_expires_at".into(), json!(expiry));
    }
    serde_json::Value::Object(out)
}

pub fn describe_tailnet(v: &serde_json::Value) -> String {
    let get = |path: &[&str]| {
        path.iter()
            .try_fold(v, |cur, k| cur.get(*k))
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    if get(&["configured"]) != true {
        return "not configured (`serve` without --listen joins a tailnet)".to_owned();
    }
    let Some(name) = get(&["dns_name"]).as_str().map(str::to_owned) else {
        return format!(
            "configured (node state in {})",
            get(&["state_dir"]).as_str().unwrap_or("?")
        );
    };
    let funnel = if get(&["funnel", "listening"]) == true {
        "Funnel on 443".to_owned()
    } else if get(&["funnel", "permitted"]) == false {
        format!(
            "Funnel not permitted: {}",
            get(&["funnel", "reason"]).as_str().unwrap_or("")
        )
    } else {
        "Funnel off".to_owned()
    };
    let when = get(&["updated_at"])
        .as_i64()
        .map(util::fmt_time)
        .unwrap_or_default();
    let state = get(&["state"]).as_str().unwrap_or("?").to_owned();
    let (running, state) = if get(&["serve_running"]) == true {
        ("serve running", state)
    } else {
        ("serve not running", format!("last seen {state}"))
    };
    let cert = match get(&["cert_expires_at"]).as_i64() {
        Some(t) => format!("certificate valid until {}", util::fmt_time(t)),
        None => "no certificate yet".to_owned(),
    };
    format!("{name} ({state}), {funnel}, {cert}; {running}, as of {when}")
}
