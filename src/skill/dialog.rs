//! The skill's own questions and their answers.
//!
//! The skill asks with Amazon's `Dialog.ElicitSlot` (the model has a dialog
//! model: [`crate::skill::model`]): "What would you like to play?" elicits
//! the name slot of the intent (after a launch: `PlayIntent`'s `query`),
//! "Which player?" the `room` slot of the same intent, or, for an intent
//! without one (Amazon's built-in "pause", "next"), `UseRoomIntent`'s.
//! While Alexa waits for a slot it hears the answer with that slot's own
//! samples (the phrase table's `answers`: "kitchen", "in the kitchen",
//! "jazz"), which never compete with the intents' samples at other times,
//! so a bare "kitchen" cannot be mistaken for a title elsewhere; Alexa then
//! sends the intent again with every slot filled. Why not bare slot-only
//! samples on the intents: "{room}" or "{query}" alone would take any
//! short request in any turn. The intent waiting for a player is also kept
//! in the session (`pendingIntent`), so an answer Alexa routes elsewhere
//! ("use the kitchen") still carries it out.

use serde_json::{Value, json};

use crate::skill::backend::{Command, Failure};
use crate::skill::intents::{self, Action, ROOM_TYPE};
use crate::skill::library::Kind;
use crate::skill::perform::{self, Ctx};
use crate::skill::phrases::{fill, list};
use crate::skill::request::{Envelope, Intent};
use crate::skill::resolve;
use crate::skill::response::{Directive, Entity, Reply};
use crate::skill::rooms::{Choice, Player};

/// Session attribute holding the intent that waits for a player.
pub const PENDING: &str = "pendingIntent";

/// `Dialog.ElicitSlot` for `slot` of intent `name`, keeping the slots the
/// request already has.
fn elicit(env: &Envelope, name: &'static str, slot: &'static str) -> Directive {
    let def = intents::def(name);
    let slots = def
        .map(|d| d.slots)
        .unwrap_or_default()
        .iter()
        .map(|(n, _)| {
            let value = match env.request.intent.as_ref() {
                Some(i) if i.name == name && *n != slot => env.slot(n),
                _ => None,
            };
            (*n, value)
        })
        .collect();
    Directive::ElicitSlot {
        slot,
        intent: name,
        slots,
    }
}

/// The current intent's name, as the table spells it.
fn current(env: &Envelope) -> Option<&'static intents::IntentDef> {
    env.request
        .intent
        .as_ref()
        .and_then(|i| intents::def(&i.name))
}

/// "What would you like to play?" for a play intent without its name.
pub fn ask_name(ctx: &Ctx<'_>, slot: &'static str) -> Reply {
    let say = ctx.say();
    let reply = Reply::ask(say.which_name, say.launch_reprompt);
    match current(ctx.env) {
        Some(def) => reply.with_directive(elicit(ctx.env, def.name, slot)),
        None => reply,
    }
}

/// "Which player?": the players listed, the room slot elicited (of this
/// intent if it has one, else of `UseRoomIntent`), the intent kept.
pub fn room_question(ctx: &Ctx<'_>, all: &[Player], choice: Choice) -> Reply {
    let say = ctx.say();
    let names: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
    let first = names.first().cloned().unwrap_or_default();
    let again = fill(say.which_room_reprompt, &[("first", &first)]);
    let reply = match choice {
        Choice::None => return Reply::say(say.no_players),
        Choice::Unknown(room) => Reply::ask(
            fill(
                say.unknown_room,
                &[("room", &room), ("list", &list(say, &names))],
            ),
            again,
        ),
        _ => Reply::ask(fill(say.which_room, &[("list", &list(say, &names))]), again),
    };
    let reply = reply.with_directive(Directive::DynamicEntities(vec![(
        ROOM_TYPE,
        all.iter()
            .map(|p| Entity {
                id: entity_id(&p.id),
                name: p.name.clone(),
            })
            .collect(),
    )]));
    let has_room = current(ctx.env).is_some_and(|d| d.slots.iter().any(|(n, _)| *n == "room"));
    let reply = match current(ctx.env) {
        Some(def) if has_room => reply.with_directive(elicit(ctx.env, def.name, "room")),
        _ => reply.with_directive(elicit(ctx.env, "UseRoomIntent", "room")),
    };
    match pending(ctx.env) {
        Some(p) => reply.with_attribute(PENDING, p),
        None => reply,
    }
}

/// The current intent, to be carried out once a player is chosen.
fn pending(env: &Envelope) -> Option<Value> {
    let intent = env.request.intent.as_ref()?;
    if intent.name == "UseRoomIntent" {
        // Asked again (an unknown room): the intent still waits.
        return env.attribute(PENDING).cloned();
    }
    let slots: serde_json::Map<String, Value> = intent
        .slots
        .iter()
        .filter(|(n, _)| n.as_str() != "room")
        .filter_map(|(n, s)| {
            s.best()
                .map(|v| (n.clone(), json!({"name": n, "value": v})))
        })
        .collect();
    Some(json!({"name": intent.name, "slots": slots}))
}

/// "Use the kitchen" (or "kitchen" answered to "Which player?"): remembers
/// the player for this Echo, then carries out the intent that waited for
/// it, if any. An answer that names something to play instead ("the album
/// Night Shift") plays it.
pub async fn use_room(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let all = perform::players(ctx).await?;
    let room = ctx.env.slot("room");
    let choice = perform::choose(ctx, &all, None, false);
    let waiting = ctx
        .env
        .attribute(PENDING)
        .and_then(|p| serde_json::from_value::<Intent>(p.clone()).ok());
    let player = match (choice, room) {
        (Choice::Player(p), Some(_)) => p,
        (Choice::Everywhere, Some(room)) if waiting.is_some() => {
            return run_waiting(ctx, waiting, Some(&room)).await;
        }
        (Choice::Unknown(said), _) if resolve::said_kind(&ctx.phrases.words, &said).is_some() => {
            return play_instead(ctx, &said).await;
        }
        (Choice::Player(_), None) => return Ok(room_question(ctx, &all, Choice::Ask)),
        (other, _) => return Ok(room_question(ctx, &all, other)),
    };
    perform::remember(ctx, &player);
    if waiting.is_some() {
        return run_waiting(ctx, waiting, Some(&player.name)).await;
    }
    Ok(Reply::say(fill(
        ctx.say().using_room,
        &[("room", &player.name)],
    )))
}

/// The intent that waited, with the room now known.
async fn run_waiting(
    ctx: &Ctx<'_>,
    waiting: Option<Intent>,
    room: Option<&str>,
) -> Result<Reply, Failure> {
    let Some(mut intent) = waiting else {
        return Ok(Reply::say(ctx.say().fallback));
    };
    if let Some(room) = room {
        let slot = json!({"name": "room", "value": room});
        if let Ok(s) = serde_json::from_value(slot) {
            intent.slots.insert("room".into(), s);
        }
    }
    let mut env = ctx.env.clone();
    env.request.intent = Some(intent);
    if let Some(s) = env.session.as_mut() {
        s.attributes = None;
    }
    let action = intents::action(&env);
    if matches!(action, Action::UseRoom | Action::Unknown) {
        return Ok(Reply::say(ctx.say().fallback));
    }
    Box::pin(perform::perform(&Ctx { env: &env, ..*ctx }, &action)).await
}

/// An answer to "Which player?" that names something to play.
async fn play_instead(ctx: &Ctx<'_>, said: &str) -> Result<Reply, Failure> {
    let mut env = ctx.env.clone();
    let slot = serde_json::from_value(json!({"name": "query", "value": said})).ok();
    let mut intent = Intent {
        name: "PlayIntent".into(),
        slots: Default::default(),
    };
    if let Some(s) = slot {
        intent.slots.insert("query".into(), s);
    }
    env.request.intent = Some(intent);
    let action = intents::action(&env);
    Box::pin(perform::perform(&Ctx { env: &env, ..*ctx }, &action)).await
}

/// Launch: a greeting that asks what to play (`PlayIntent`'s query
/// elicited), and the library's and players' names for the session's
/// recognition (dynamic entities).
pub async fn launch(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let say = ctx.say();
    let (all, lib) = tokio::join!(
        ctx.ma.call(Command::PlayersAll, json!({})),
        ctx.library.get(&ctx.ma, ctx.reader.cloned())
    );
    let all = crate::skill::rooms::players(&all?);
    let lib = lib?;
    let mut types = vec![(
        ROOM_TYPE,
        all.iter()
            .take(20)
            .map(|p| Entity {
                id: entity_id(&p.id),
                name: p.name.clone(),
            })
            .collect::<Vec<_>>(),
    )];
    for (t, kind, n) in [
        (intents::ARTIST_TYPE, Kind::Artist, 25),
        (intents::ALBUM_TYPE, Kind::Album, 20),
        (intents::SONG_TYPE, Kind::Track, 20),
        (intents::PLAYLIST_TYPE, Kind::Playlist, 10),
        (intents::STATION_TYPE, Kind::Radio, 5),
    ] {
        let values: Vec<Entity> = lib
            .of(kind)
            .take(n)
            .map(|i| Entity {
                id: entity_id(&i.uri),
                name: i.name.clone(),
            })
            .collect();
        if !values.is_empty() {
            types.push((t, values));
        }
    }
    let mut env = ctx.env.clone();
    env.request.intent = None;
    Ok(Reply::ask(say.launch, say.launch_reprompt)
        .with_directive(Directive::DynamicEntities(types))
        .with_directive(elicit(&env, "PlayIntent", "query")))
}

/// Entity ids are limited to letters, digits and a few marks: a hash.
fn entity_id(uri: &str) -> String {
    crate::util::sha256(uri.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
