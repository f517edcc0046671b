//! `addon`: the Home Assistant add-on's entrypoint. Reads the options the
//! Supervisor writes (`/data/options.json`), checks them (a bad option is
//! one line and exit 2, before anything starts), keeps the add-on's Alexa
//! client in step with them, then runs `serve` with `/data` as the data
//! directory. The console values (with the secret) are printed once, when
//! the public URL is known (the Funnel name, after joining).
//!
//! Started as root (the Supervisor's containers start as the image's user,
//! and its options file is root's, mode 0600), it reads the options, gives
//! the data directory to [`ADDON_UID`], and re-executes itself as that user
//! with the options on stdin: nothing runs as root afterwards.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, Parser};

use super::addon_options::{AddonOptions, parse_options};
use super::client::client_id_for;
use super::serve::{ReadyHook, ServeArgs, serve};
use super::{Failure, LOG_TARGET, LogFormat, init_logging, open};
use crate::app::App;
use crate::console::{ADDON_CLIENT_META, ConsoleValues, NextSteps, alexa_redirect_uris};
use crate::oauth::{self, client_auth};
use crate::store::{self, Client, ClientKind};
use crate::util;

/// The user and group the add-on's server runs as (the image's unprivileged user).
pub const ADDON_UID: u32 = 65532;
/// The options file in the data directory (what the Supervisor writes).
pub const OPTIONS_FILE: &str = "options.json";
/// The largest options file read.
const OPTIONS_MAX: u64 = 64 * 1024;
/// Meta keys: the client the add-on manages, whether its secret has yet to
/// be shown, and whether the `new_client_secret` request was served.
const CLIENT_META: &str = ADDON_CLIENT_META;
const PENDING_META: &str = "addon_secret_pending";
const RESET_META: &str = "addon_new_secret_done";

// `addon`'s arguments (no doc comment here: the variant's is the help text).
#[derive(Debug, Args)]
pub(super) struct AddonArgs {
    /// The options file (default: options.json in the data directory); `-`
    /// reads stdin.
    #[arg(long, value_name = "FILE")]
    options: Option<PathBuf>,
}

/// `addon`: options, the client, then `serve`.
pub(super) fn addon(dir: &Path, args: AddonArgs, format: LogFormat) -> Result<(), Failure> {
    let text = read_options(dir, args.options.as_deref())?;
    let opts = parse_options(&text, crate::tailnet::DEFAULT_HOSTNAME)
        .map_err(|e| Failure::usage(format!("add-on options: {}", one_short_line(&e))))?;
    if effective_uid()? == 0 {
        return Err(hand_over(dir, &text, format));
    }
    init_logging(opts.log_filter, format, true);
    let client_id = sync_client(dir, &opts)?;
    let mut serve_args = serve_args(&opts)?;
    if serve_args.listen.is_some() {
        tracing::warn!(target: LOG_TARGET, "MA_ALEXA_LISTEN is set: serving plain HTTP on it instead of joining the tailnet (for testing only)");
    }
    serve_args.extras.authkey = opts.tailscale_auth_key.clone();
    let hook: ReadyHook = Box::new(move |app: &App| on_ready(app, client_id.as_deref()));
    serve_args.extras.on_ready = std::sync::Mutex::new(Some(hook));
    serve_args.extras.addon = true;
    serve(&super::invocation::Invocation::new(dir), serve_args)
}

fn read_options(dir: &Path, path: Option<&Path>) -> Result<String, Failure> {
    let (name, r) = match path {
        Some(p) if p == Path::new("-") => ("stdin".to_owned(), read_capped(std::io::stdin())),
        _ => {
            let p = path.map_or_else(|| dir.join(OPTIONS_FILE), Path::to_path_buf);
            (p.display().to_string(), read_options_file(&p))
        }
    };
    r.map_err(|e| {
        // The Supervisor writes the file for root only (mode 0600).
        let hint = if e.kind() == std::io::ErrorKind::PermissionDenied {
            "; the add-on's image must start as root: `addon` hands everything over to \
             uid 65532 itself after reading the options"
        } else {
            ""
        };
        Failure::runtime(format!(
            "cannot read the add-on options from {name}: {e}{hint}"
        ))
    })
}

/// The options file: a regular file of at most [`OPTIONS_MAX`] bytes,
/// opened without following a symbolic link and without waiting (after the
/// first start uid 65532 owns the data directory, so root must not trust
/// what sits at that name: a FIFO would hang the start, a link would read
/// another file).
fn read_options_file(p: &Path) -> std::io::Result<String> {
    let f = crate::files::open_no_follow(p, crate::files::Kind::File).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            std::io::Error::other("it is a symbolic link; the Supervisor writes a plain file")
        } else {
            e
        }
    })?;
    let md = f.metadata()?;
    if !md.is_file() {
        return Err(std::io::Error::other(
            "it is not a regular file; the Supervisor writes a plain file",
        ));
    }
    if md.len() > OPTIONS_MAX {
        return Err(too_large());
    }
    read_capped(f)
}

/// Reads all of `r` as text, at most [`OPTIONS_MAX`] bytes (more is an
/// error, never a cut-short file).
fn read_capped(r: impl std::io::Read) -> std::io::Result<String> {
    let mut text = String::new();
    r.take(OPTIONS_MAX + 1).read_to_string(&mut text)?;
    if text.len() as u64 > OPTIONS_MAX {
        return Err(too_large());
    }
    Ok(text)
}

fn too_large() -> std::io::Error {
    std::io::Error::other(format!(
        "larger than {} KiB; the add-on's options are a few hundred bytes",
        OPTIONS_MAX / 1024
    ))
}

/// The longest option error shown (the messages quote no value, so this
/// only guards against a message that would).
const MAX_ERROR: usize = 240;

/// `e` on one line (control characters as spaces), cut at [`MAX_ERROR`]
/// characters.
fn one_short_line(e: &str) -> String {
    let mut out: String = e
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_ERROR)
        .collect();
    if e.chars().nth(MAX_ERROR).is_some() {
        out.push('…');
    }
    out
}

/// The effective user id, from /proc/self/status (no `unsafe` needed).
fn effective_uid() -> Result<u32, Failure> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| Failure::runtime(format!("cannot read /proc/self/status: {e}")))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| Failure::runtime("no effective uid in /proc/self/status"))
}

/// As root: gives the data directory to [`ADDON_UID`] and re-executes this
/// program as that user and group (supplementary groups dropped: std's
/// `Command::uid` calls `setgroups(0)`), with the options on stdin. Returns
/// only on failure.
fn hand_over(dir: &Path, text: &str, format: LogFormat) -> Failure {
    if let Err(e) = give_data_dir(dir) {
        return e;
    }
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return Failure::runtime(format!("cannot find this program: {e}")),
    };
    let (mut ours, theirs) = match std::os::unix::net::UnixStream::pair() {
        Ok(p) => p,
        Err(e) => return Failure::runtime(format!("cannot pass the options on: {e}")),
    };
    // The options are small; the socket's buffer holds them until the new
    // program reads them. Our end closes on exec (std opens it CLOEXEC).
    if let Err(e) = ours
        .write_all(text.as_bytes())
        .and_then(|()| ours.shutdown(std::net::Shutdown::Write))
    {
        return Failure::runtime(format!("cannot pass the options on: {e}"));
    }
    use std::os::unix::process::CommandExt as _;
    let err = std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(dir)
        .args(["--log-format", format.name(), "addon", "--options", "-"])
        .stdin(std::process::Stdio::from(std::os::fd::OwnedFd::from(
            theirs,
        )))
        .uid(ADDON_UID)
        .gid(ADDON_UID)
        .exec();
    Failure::runtime(format!("cannot start as user {ADDON_UID}: {err}"))
}

/// The user every other command started as root runs as, when set
/// (`UID` or `UID:GID`): an image that must start as root for the add-on
/// sets it, so that `serve`, `status --check` (its health check) and
/// commands run with `exec` never run as root or leave root's files in the
/// data directory.
pub const RUN_AS_ENV: &str = "MA_ALEXA_RUN_AS";

/// Started as root with [`RUN_AS_ENV`] set: re-executes this command, with
/// the same arguments, environment and descriptors, as that user and group
/// (supplementary groups dropped). Returns when there is nothing to do. A
/// value naming root is refused (exit 2) whoever starts it.
pub(super) fn run_as_from_env() -> Result<(), Failure> {
    let Some(v) = std::env::var_os(RUN_AS_ENV) else {
        return Ok(());
    };
    let (uid, gid) = parse_run_as(&v)?;
    if effective_uid()? != 0 {
        return Ok(());
    }
    let exe = std::env::current_exe()
        .map_err(|e| Failure::runtime(format!("cannot find this program: {e}")))?;
    use std::os::unix::process::CommandExt as _;
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .uid(uid)
        .gid(gid)
        .exec();
    Err(Failure::runtime(format!("cannot run as user {uid}: {err}")))
}

/// [`RUN_AS_ENV`]'s value: `UID` or `UID:GID`, decimal digits, neither 0
/// (it exists to leave root; naming root is refused, whoever starts it).
fn parse_run_as(v: &std::ffi::OsStr) -> Result<(u32, u32), Failure> {
    let bad = || Failure::usage(format!("{RUN_AS_ENV} must be UID or UID:GID (numbers)"));
    let v = v.to_str().ok_or_else(bad)?;
    let (u, g) = v.split_once(':').unwrap_or((v, v));
    let num = |s: &str| -> Result<u32, Failure> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (uid, gid) = (num(u)?, num(g)?);
    if uid == 0 || gid == 0 {
        return Err(Failure::usage(format!(
            "{RUN_AS_ENV} names root (uid or gid 0); it must name an unprivileged user and \
             group, e.g. {ADDON_UID}:{ADDON_UID}"
        )));
    }
    Ok((uid, gid))
}

/// Makes [`ADDON_UID`] own the data directory and everything in it, except
/// the Supervisor's options file, never following a link and never
/// changing anything outside it (`files::give_tree`); what it leaves as it
/// was (a file with more than one hard link, ...) is one line each.
fn give_data_dir(dir: &Path) -> Result<(), Failure> {
    let root = crate::files::open_data_dir(dir).map_err(|e| Failure::runtime(e.to_string()))?;
    let except = [std::ffi::OsStr::new(OPTIONS_FILE)];
    let notes = crate::files::give_tree(&root, dir, (ADDON_UID, ADDON_UID), &except)
        .map_err(|e| Failure::runtime(format!("cannot give it to user {ADDON_UID}: {e}")))?;
    for note in notes {
        eprintln!("warning: data directory: {note}");
    }
    Ok(())
}

/// `serve`'s arguments from the options, parsed by clap as if typed (so
/// every default is `serve`'s own; its environment variables still apply,
/// e.g. `TS_CONTROL_URL` for the offline lab, `MA_ALEXA_LISTEN` for tests).
fn serve_args(opts: &AddonOptions) -> Result<ServeArgs, Failure> {
    #[derive(Parser)]
    #[command(no_binary_name = true)]
    struct ServeOnly {
        #[command(flatten)]
        args: ServeArgs,
    }
    let mut argv = vec![
        "--hostname",
        &opts.device_name,
        "--music-assistant-url",
        &opts.music_assistant_url,
    ];
    if let Some(id) = &opts.alexa_skill_id {
        argv.extend(["--alexa-skill-id", id]);
    }
    if let Some(h) = &opts.music_assistant_stream_host {
        argv.extend(["--music-assistant-stream-host", h]);
    }
    // The add-on's page, for Home Assistant's ingress proxy (config.yaml's
    // ingress_port); the environment may move it (the project's tests).
    let ingress = format!("0.0.0.0:{}", crate::admin::INGRESS_PORT);
    if std::env::var_os("MA_ALEXA_INGRESS_LISTEN").is_none() {
        argv.extend(["--ingress-listen", &ingress]);
    }
    let parsed = ServeOnly::try_parse_from(argv).map_err(|e| Failure::usage(e.to_string()))?;
    Ok(parsed.args)
}

/// Brings the add-on's Alexa client in line with the options, in one
/// transaction: registered (its secret shown once the server is ready),
/// vendor id and PKCE setting, a new secret asked for. Returns its id.
fn sync_client(dir: &Path, o: &AddonOptions) -> Result<Option<String>, Failure> {
    let store = open(dir)?;
    let mut changes = Vec::new();
    let id = store.with(|c| {
        store::in_transaction(c, |c| {
            let known = store::get_meta(c, CLIENT_META)?.filter(|s| !s.is_empty());
            let client = match &known {
                Some(id) => store::get_client(c, id)?,
                None => None,
            };
            let id = match (client, &o.alexa_vendor_id) {
                (None, None) => return Ok(None),
                (None, Some(v)) => {
                    let new = new_alexa_client(v, o.require_pkce);
                    store::insert_client(c, &new)?;
                    store::set_meta(c, CLIENT_META, &new.id)?;
                    store::set_meta(c, PENDING_META, &new.id)?;
                    changes.push(format!("registered the Alexa skill as client {} (vendor id {v})", new.id));
                    new.id
                }
                (Some(cl), v) => {
                    if let Some(v) = v.as_deref().filter(|v| cl.vendor_id.as_deref() != Some(*v)) {
                        store::set_client_vendor_id(c, &cl.id, v, &alexa_redirect_uris(v))?;
                        changes.push(format!("client {}: vendor id now {v} (its redirect URLs follow)", cl.id));
                    }
                    if cl.require_pkce != o.require_pkce {
                        store::set_client_require_pkce(c, &cl.id, o.require_pkce)?;
                        let on = if o.require_pkce { "on" } else { "off" };
                        changes.push(format!("client {}: require PKCE {on}", cl.id));
                    }
                    cl.id
                }
            };
            // `new_client_secret` acts when turned on, once: a restart with
            // it still on makes no further secret.
            let reset_done = store::get_meta(c, RESET_META)?.is_some_and(|s| s == "1");
            if o.new_client_secret && !reset_done {
                store::set_meta(c, PENDING_META, &id)?;
                store::set_meta(c, RESET_META, "1")?;
                changes.push(format!("client {id}: a new secret was asked for (shown when ready; turn new_client_secret off again)"));
            } else if !o.new_client_secret && reset_done {
                store::set_meta(c, RESET_META, "")?;
            }
            Ok(Some(id))
        })
    })?;
    for change in &changes {
        tracing::info!(target: LOG_TARGET, "{change}");
    }
    if !o.music_assistant_url_given {
        tracing::info!(target: LOG_TARGET, url = %o.music_assistant_url, "Music Assistant: the add-on's address (set music_assistant_url if yours runs elsewhere)");
    }
    Ok(id)
}

/// A new Alexa client; its secret is replaced (and shown) once the server is ready.
fn new_alexa_client(vendor_id: &str, require_pkce: bool) -> Client {
    Client {
        id: client_id_for("alexa"),
        name: "alexa".to_owned(),
        kind: ClientKind::Alexa,
        vendor_id: Some(vendor_id.to_owned()),
        secret_hash: client_auth::secret_hash(&client_auth::new_secret()),
        redirect_uris: alexa_redirect_uris(vendor_id),
        scopes: oauth::default_scopes(),
        created_at: util::now(),
        require_pkce,
    }
}

/// Where the add-on's log sends people: the add-on's own page.
const PAGE_SKILL_ID: &str = "on the add-on's page (Home Assistant's sidebar: \"Alexa\"), \
     or in the add-on's option alexa_skill_id";
const PAGE_MODEL: &str =
    "copy or download it on the add-on's page (Home Assistant's sidebar: \"Alexa\")";

/// When serving, with the public URL known: a secret not shown yet is made
/// and printed with the console values, once.
fn on_ready(app: &App, client_id: Option<&str>) {
    let Some(id) = client_id else {
        println!(
            "No Alexa skill registered yet: open the add-on's page (Home Assistant's sidebar: \"Alexa\") \
             and enter the vendor id there, or set the add-on option alexa_vendor_id and restart."
        );
        return;
    };
    let issuer = app.config().issuer.clone();
    let shown = app.store().with(|c| {
        store::in_transaction(c, |c| {
            if store::get_meta(c, PENDING_META)?.as_deref() != Some(id) {
                return Ok(None);
            }
            let Some(client) = store::get_client(c, id)? else {
                return Ok(None);
            };
            let secret = client_auth::new_secret();
            store::set_client_secret_hash(c, id, &client_auth::secret_hash(&secret))?;
            Ok(Some((client, secret)))
        })
    });
    match shown {
        Ok(Some((client, secret))) => {
            let values = ConsoleValues::new(&issuer, true, &client, Some(&secret));
            print!(
                "{}",
                values.text(&NextSteps {
                    require_pkce: "turn on the add-on's option require_pkce",
                    skill_id: PAGE_SKILL_ID,
                    model: PAGE_MODEL,
                })
            );
            let _ = std::io::stdout().flush();
            // Printed, then recorded as shown (a crash in between shows a
            // new secret next time rather than none); the last line comes
            // after the record.
            if let Err(e) = app.store().with(|c| store::set_meta(c, PENDING_META, "")) {
                tracing::warn!(target: LOG_TARGET, error = %e, "cannot record that the secret was shown; the next start shows a new one");
            }
            println!(
                "The secret is shown only this once. For a new one, press \"Make a new secret\" on the add-on's page \
                 (or turn on the option new_client_secret and restart)."
            );
        }
        Ok(None) => println!(
            "Alexa skill client {id} (console values shown on an earlier start and on the add-on's page; \
             for a new secret, press \"Make a new secret\" there)"
        ),
        Err(e) => tracing::error!(target: LOG_TARGET, error = %e, "cannot make the client secret"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skill_id_option_reaches_serve() {
        let id = "amzn1.ask.skill.0123abcd-4567-89ef-0123-456789abcdef";
        let text = serde_json::json!({ "alexa_skill_id": id }).to_string();
        let opts = super::super::addon_options::parse_options(&text, "ma-alexa").unwrap();
        let args = serve_args(&opts).unwrap();
        assert_eq!(args.skill.alexa_skill_ids, [id]);
        let none = super::super::addon_options::parse_options("{}", "ma-alexa").unwrap();
        assert!(serve_args(&none).unwrap().skill.alexa_skill_ids.is_empty());
    }
}
