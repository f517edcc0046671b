//! The language the gateway states command arguments in: what each
//! argument may be (JSON type and bounds), which are required, and nothing
//! else. [`Args::check`] accepts an argument object only if every member
//! is named by the shape and fits it; the per-command shapes are in
//! [`super::args`].
//!
//! Refusals come in two kinds ([`Kind`]): `Forbidden` (403
//! `forbidden_argument`) for an argument the gateway never forwards, that
//! is an argument name the command does not take, or a value naming media
//! that is not on the accept-list of [`super::uri`] (an object, a URL, a
//! path, `builtin`), or text holding a URI; `Malformed` (400
//! `invalid_request`) for a command Music Assistant itself would refuse:
//! a required argument missing, a value of the wrong JSON type, out of its
//! range, not one of its words, too long, or with control characters. A
//! refusal names the argument's path (`media[1]`), never its value.

use std::fmt;

use serde_json::{Map, Value};

use super::uri;

/// What one argument may be.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// `true` or `false`.
    Bool,
    /// An integer from `.0` to `.1`.
    Int(i64, i64),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An id Music Assistant only looks up (a player, queue, queue item or
    /// source): 1 to [`MAX_ID`] characters, no control character, `/` or `\`.
    Id,
    /// Words a person said (a search, a name): 1 to `.0` characters, no
    /// control character, never a URI (`://`).
    Text(usize),
    /// A media URI of an accepted form ([`uri::check_uri`]): a string,
    /// never an object.
    MediaUri,
    /// The `provider_instance_id_or_domain` of an item: `library` or an
    /// accepted provider ([`uri::check_provider`]); its item id is checked
    /// with it ([`Args::item_ref`]).
    Provider,
    /// An item id (checked with its provider: [`Args::item_ref`]).
    ItemId,
    /// A library item id: a positive integer, or its digits as a string.
    LibraryId,
    /// A list of `.1` to `.2` values of shape `.0`.
    List(&'static Shape, usize, usize),
    /// A value of shape `.0`, or a list of 1 to `.1` of them.
    OneOrList(&'static Shape, usize),
    /// An integer from `.0` to `.1`, or an [`Shape::Id`].
    IntOrId(i64, i64),
}

/// Longest id (player, queue, source, queue item) accepted.
pub const MAX_ID: usize = 255;

/// One argument: its name, shape, and whether it must be there.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

/// A required argument.
pub const fn req(name: &'static str, shape: Shape) -> Arg {
    Arg {
        name,
        shape,
        required: true,
    }
}

/// An optional argument (absent or `null`: Music Assistant's default).
pub const fn opt(name: &'static str, shape: Shape) -> Arg {
    Arg {
        name,
        shape,
        required: false,
    }
}

/// A command's arguments: every one it may take. With `item_ref`, its
/// `item_id` and `provider_instance_id_or_domain` name one item together
/// and are checked as a pair ([`uri::check_item`]).
#[derive(Debug, Clone, Copy)]
pub struct Args {
    pub args: &'static [Arg],
    pub item_ref: bool,
}

/// The two arguments an `item_ref` pairs.
pub const ITEM_ID: &str = "item_id";
pub const PROVIDER: &str = "provider_instance_id_or_domain";

/// Which kind of refusal (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 403 `forbidden_argument`: never forwarded.
    Forbidden,
    /// 400 `invalid_request`: not a valid command.
    Malformed,
}

/// Why arguments were refused: the argument's path and a short reason,
/// never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: Kind,
    /// `media[1]`, `player_id`, or `(an argument whose name is not shown)`.
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "argument {}: {}", self.path, self.reason)
    }
}

fn refuse(kind: Kind, path: &str, reason: impl Into<String>) -> Refusal {
    Refusal {
        kind,
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// An unknown argument's name, shown only if short and plain.
fn shown_name(name: &str) -> String {
    if (1..=40).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        name.to_owned()
    } else {
        "(an argument whose name is not shown)".to_owned()
    }
}

impl Args {
    /// No arguments at all.
    pub const NONE: Args = Args {
        args: &[],
        item_ref: false,
    };

    pub const fn new(args: &'static [Arg]) -> Args {
        Args {
            args,
            item_ref: false,
        }
    }

    /// `args` plus `item_id` and `provider_instance_id_or_domain` naming one item.
    pub const fn item(args: &'static [Arg]) -> Args {
        Args {
            args,
            item_ref: true,
        }
    }

    /// Accepts `value` only if it is an object whose every member is an
    /// argument of this shape and fits it, with every required one present.
    pub fn check(&self, value: &Value) -> Result<(), Refusal> {
        let Value::Object(members) = value else {
            return Err(refuse(Kind::Malformed, "args", "must be a JSON object"));
        };
        for name in members.keys() {
            if !self.args.iter().any(|a| a.name == name) {
                return Err(refuse(
                    Kind::Forbidden,
                    &shown_name(name),
                    "this command takes no such argument",
                ));
            }
        }
        for a in self.args {
            match members.get(a.name) {
                None | Some(Value::Null) if a.required => {
                    return Err(refuse(Kind::Malformed, a.name, "is required"));
                }
                None | Some(Value::Null) => {}
                Some(v) => check_value(&a.shape, v, a.name)?,
            }
        }
        if self.item_ref {
            self.check_item_ref(members)?;
        }
        Ok(())
    }

    fn check_item_ref(&self, members: &Map<String, Value>) -> Result<(), Refusal> {
        let id = members.get(ITEM_ID).and_then(Value::as_str);
        let provider = members.get(PROVIDER).and_then(Value::as_str);
        if let (Some(id), Some(provider)) = (id, provider)
            && let Err(why) = uri::check_item(provider, id)
        {
            let path = if uri::check_provider(provider).is_err() {
                PROVIDER
            } else {
                ITEM_ID
            };
            return Err(refuse(Kind::Forbidden, path, why));
        }
        Ok(())
    }

    /// The argument names, optional ones in brackets (README's table).
    pub fn names(&self) -> String {
        let (req, opt): (Vec<&Arg>, Vec<&Arg>) = self.args.iter().partition(|a| a.required);
        let mut out: Vec<String> = req.iter().map(|a| format!("`{}`", a.name)).collect();
        if !opt.is_empty() {
            let o: Vec<String> = opt.iter().map(|a| format!("`{}`", a.name)).collect();
            out.push(format!("[{}]", o.join(", ")));
        }
        if out.is_empty() {
            "none".to_owned()
        } else {
            out.join(", ")
        }
    }
}

fn check_value(shape: &Shape, v: &Value, path: &str) -> Result<(), Refusal> {
    let malformed = |why: String| Err(refuse(Kind::Malformed, path, why));
    match *shape {
        Shape::Bool if v.is_boolean() => Ok(()),
        Shape::Bool => malformed("must be true or false".into()),
        Shape::Int(lo, hi) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(()),
            _ => malformed(format!("must be an integer from {lo} to {hi}")),
        },
        Shape::OneOf(words) => match v.as_str() {
            Some(s) if words.contains(&s) => Ok(()),
            _ => malformed(format!("must be one of {}", words.join(", "))),
        },
        Shape::Id => match v.as_str() {
            Some(s) if is_id(s) => Ok(()),
            _ => malformed(format!(
                "must be an id: 1 to {MAX_ID} characters, no control character, / or \\"
            )),
        },
        Shape::Text(max) => match v.as_str() {
            Some(s) if s.contains("://") => Err(refuse(
                Kind::Forbidden,
                path,
                "is words, never a URI (no ://)",
            )),
            Some(s)
                if (1..=max).contains(&s.chars().count()) && !s.chars().any(char::is_control) =>
            {
                Ok(())
            }
            _ => malformed(format!(
                "must be text: 1 to {max} characters, no control character"
            )),
        },
        Shape::MediaUri => match v.as_str() {
            Some(s) => uri::check_uri(s).map_err(|why| refuse(Kind::Forbidden, path, why)),
            None => Err(refuse(
                Kind::Forbidden,
                path,
                "media is named by a URI string (library://TYPE/ID), never an object or a number",
            )),
        },
        Shape::Provider => match v.as_str() {
            Some(s) => uri::check_provider(s)
                .map(|_| ())
                .map_err(|why| refuse(Kind::Forbidden, path, why)),
            None => malformed("must be a provider id (a string)".into()),
        },
        Shape::ItemId => match v.as_str() {
            Some(s) if !s.is_empty() && s.len() <= 1024 => Ok(()),
            Some(_) => Err(refuse(
                Kind::Forbidden,
                path,
                "the item id is empty or too long",
            )),
            None => malformed("must be an item id (a string)".into()),
        },
        Shape::LibraryId => match v {
            Value::Number(n) if n.as_i64().is_some_and(|n| n >= 1) => Ok(()),
            Value::String(s) => {
                uri::library_id(s).map_err(|why| refuse(Kind::Forbidden, path, why))
            }
            _ => malformed("must be a library item id (a positive integer)".into()),
        },
        Shape::List(of, lo, hi) => match v.as_array() {
            Some(items) if (lo..=hi).contains(&items.len()) => check_items(of, items, path),
            _ => malformed(format!("must be a list of {lo} to {hi} values")),
        },
        Shape::OneOrList(of, hi) => match v.as_array() {
            Some(items) if (1..=hi).contains(&items.len()) => check_items(of, items, path),
            Some(_) => malformed(format!("must hold 1 to {hi} values")),
            None => check_value(of, v, path),
        },
        Shape::IntOrId(lo, hi) => match v {
            Value::Number(_) => check_value(&Shape::Int(lo, hi), v, path),
            _ => check_value(&Shape::Id, v, path),
        },
    }
}

fn check_items(of: &Shape, items: &[Value], path: &str) -> Result<(), Refusal> {
    for (i, item) in items.iter().enumerate() {
        check_value(of, item, &format!("{path}[{i}]"))?;
    }
    Ok(())
}

/// An id Music Assistant only looks up ([`Shape::Id`]).
fn is_id(s: &str) -> bool {
    (1..=MAX_ID).contains(&s.chars().count())
        && !s.chars().any(|c| c.is_control() || c == '/' || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLAY: Args = Args::new(&[
        req("queue_id", Shape::Id),
        req("media", Shape::OneOrList(&Shape::MediaUri, 3)),
        opt("option", Shape::OneOf(&["play", "add"])),
        opt("radio_mode", Shape::Bool),
        opt("volume", Shape::Int(0, 100)),
        opt("ids", Shape::List(&Shape::Id, 0, 2)),
        opt("index", Shape::IntOrId(0, 10)),
        opt("query", Shape::Text(20)),
        opt("library_item_id", Shape::LibraryId),
    ]);
    const ITEM: Args = Args::item(&[req(ITEM_ID, Shape::ItemId), req(PROVIDER, Shape::Provider)]);

    fn refusal(a: &Args, v: serde_json::Value) -> (Kind, String) {
        let r = a.check(&v).expect_err(&v.to_string());
        assert!(r.to_string().len() < 300, "{r}");
        (r.kind, r.path)
    }

    #[test]
    fn values_that_fit_their_shapes_pass() {
        for ok in [
            json!({"queue_id": "kitchen", "media": "library://track/1"}),
            json!({"queue_id": "Echo Kitchen", "media": ["library://track/1", "spotify://album/x"],
                "option": "add", "radio_mode": false, "volume": 0, "ids": [], "index": 3,
                "query": "AC/DC: live", "library_item_id": 4}),
            json!({"queue_id": "aa:bb:cc:dd:ee:ff", "media": "library://radio/2", "option": null,
                "index": "9f1c-item", "library_item_id": "12"}),
        ] {
            assert_eq!(PLAY.check(&ok), Ok(()), "{ok}");
        }
        assert_eq!(
            ITEM.check(&json!({"item_id": "3", "provider_instance_id_or_domain": "library"})),
            Ok(())
        );
        assert_eq!(
            ITEM.check(&json!({"item_id": "Aurora Lane/Open Water",
                "provider_instance_id_or_domain": "filesystem_local--ab12"})),
            Ok(())
        );
        assert_eq!(Args::NONE.check(&json!({})), Ok(()));
    }

    #[test]
    fn unknown_names_and_media_outside_the_accept_list_are_forbidden() {
        use Kind::Forbidden;
        let q = |media: serde_json::Value| json!({"queue_id": "k", "media": media});
        for (v, path) in [
            (
                json!({"queue_id": "k", "media": "library://track/1", "username": "a"}),
                "username",
            ),
            (
                json!({"queue_id": "k", "media": "library://track/1", "http://h/x": 1}),
                "(an argument whose name is not shown)",
            ),
            (q(json!("http://h/x")), "media"),
            (q(json!(["library://track/1", "/etc/passwd"])), "media[1]"),
            (q(json!({"uri": "library://track/1"})), "media"),
            (
                q(json!([{"media_type": "track", "provider": "builtin", "item_id": "tcp://h:1"}])),
                "media[0]",
            ),
            (q(json!({"http://h/x": "library://track/1"})), "media"),
            (q(json!([["library://track/1"]])), "media[0]"),
            (q(json!(7)), "media"),
            (
                json!({"queue_id": "k", "media": "library://track/1", "query": "see http://h/"}),
                "query",
            ),
            (
                json!({"queue_id": "k", "media": "library://track/1", "library_item_id": "/x"}),
                "library_item_id",
            ),
        ] {
            assert_eq!(refusal(&PLAY, v), (Forbidden, path.to_owned()));
        }
        for (v, path) in [
            (
                json!({"item_id": "/tmp/x.m3u", "provider_instance_id_or_domain": "builtin"}),
                PROVIDER,
            ),
            (
                json!({"item_id": "1", "provider_instance_id_or_domain": "builtin"}),
                PROVIDER,
            ),
            (
                json!({"item_id": "../../x", "provider_instance_id_or_domain": "filesystem_local--a"}),
                ITEM_ID,
            ),
            (
                json!({"item_id": "/x", "provider_instance_id_or_domain": "library"}),
                ITEM_ID,
            ),
            (
                json!({"item_id": "", "provider_instance_id_or_domain": "library"}),
                ITEM_ID,
            ),
        ] {
            assert_eq!(refusal(&ITEM, v), (Forbidden, path.to_owned()));
        }
    }

    #[test]
    fn missing_mistyped_and_out_of_range_values_are_malformed() {
        use Kind::Malformed;
        let base = || json!({"queue_id": "k", "media": "library://track/1"});
        let with = |k: &str, v: serde_json::Value| {
            let mut b = base();
            b[k] = v;
            b
        };
        for (v, path) in [
            (json!({"media": "library://track/1"}), "queue_id"),
            (
                json!({"queue_id": null, "media": "library://track/1"}),
                "queue_id",
            ),
            (json!({"queue_id": "k"}), "media"),
            (json!([]), "args"),
            (with("queue_id", json!(7)), "queue_id"),
            (with("queue_id", json!("")), "queue_id"),
            (with("queue_id", json!("a/b")), "queue_id"),
            (with("queue_id", json!("a\u{0}b")), "queue_id"),
            (with("queue_id", json!("x".repeat(256))), "queue_id"),
            (with("media", json!([])), "media"),
            (with("media", json!(vec!["library://track/1"; 4])), "media"),
            (with("option", json!("PLAY")), "option"),
            (with("radio_mode", json!("true")), "radio_mode"),
            (with("volume", json!(101)), "volume"),
            (with("volume", json!(-1)), "volume"),
            (with("volume", json!(5.5)), "volume"),
            (with("ids", json!(["a", "b", "c"])), "ids"),
            (with("ids", json!(["a", 1])), "ids[1]"),
            (with("index", json!(11)), "index"),
            (with("index", json!(true)), "index"),
            (with("query", json!("")), "query"),
            (with("query", json!("a\tb")), "query"),
            (with("query", json!("x".repeat(21))), "query"),
            (with("library_item_id", json!(0)), "library_item_id"),
        ] {
            assert_eq!(
                refusal(&PLAY, v.clone()),
                (Malformed, path.to_owned()),
                "{v}"
            );
        }
    }

    #[test]
    fn names_lists_required_then_optional_arguments() {
        assert_eq!(ITEM.names(), "`item_id`, `provider_instance_id_or_domain`");
        assert!(PLAY.names().starts_with("`queue_id`, `media`, [`option`, "));
        assert_eq!(Args::NONE.names(), "none");
    }
}
