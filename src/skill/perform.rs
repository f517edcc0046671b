//! Carries out an [`Action`]: chooses the player, asks Music Assistant
//! (through [`Backend`], so only allowlisted commands), and says what
//! happened. Failures of Music Assistant come back as [`Failure`] for the
//! caller to put into words (or to check a refused token).

use serde_json::{Value, json};

use crate::skill::backend::{Backend, Command, Failure};
use crate::skill::intents::{self, Action, Control};
use crate::skill::library::{self, Item, Kind, LibraryCache};
use crate::skill::matching;
use crate::skill::phrases::{Say, fill, list};
use crate::skill::request::{Envelope, Intent};
use crate::skill::response::{Directive, Entity, Reply};
use crate::skill::rooms::{self, Choice, DeviceRooms, Player};

/// Session attribute holding the intent that waits for a player.
pub const PENDING: &str = "pendingIntent";
/// Tracks sent for "my music" or a genre.
const MAX_SHUFFLE: usize = 100;

/// What one request works with.
pub struct Ctx<'a> {
    pub ma: Backend<'a>,
    pub say: &'static Say,
    pub rooms: &'a DeviceRooms,
    pub library: &'a LibraryCache,
    pub env: &'a Envelope,
}

/// Does `action` and answers.
pub async fn perform(ctx: &Ctx<'_>, action: &Action) -> Result<Reply, Failure> {
    let say = ctx.say;
    match action {
        Action::Launch => launch(ctx).await,
        Action::MissingName => Ok(Reply::ask(say.which_name, say.launch_reprompt)),
        Action::UseRoom => use_room(ctx).await,
        _ => {
            let player = match target(ctx).await? {
                Ok(p) => p,
                Err(reply) => return Ok(reply),
            };
            let reply = on_player(ctx, action, &player).await?;
            if let Some(d) = ctx.env.device_id() {
                ctx.rooms.set(d, &player.id);
            }
            Ok(reply)
        }
    }
}

/// The player a request means, or the reply that asks or explains.
async fn target(ctx: &Ctx<'_>) -> Result<Result<Player, Reply>, Failure> {
    let all = rooms::players(&ctx.ma.call(Command::PlayersAll, json!({})).await?);
    let remembered = ctx.env.device_id().and_then(|d| ctx.rooms.get(d));
    let room = ctx.env.slot("room");
    Ok(
        match rooms::choose(&all, room.as_deref(), remembered.as_deref()) {
            Choice::Player(p) => Ok(p),
            other => Err(room_question(ctx, &all, other)),
        },
    )
}

fn room_question(ctx: &Ctx<'_>, all: &[Player], choice: Choice) -> Reply {
    let say = ctx.say;
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
        intents::ROOM_TYPE,
        all.iter()
            .map(|p| Entity {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
    )]));
    match pending(ctx.env) {
        Some(p) => reply.with_attribute(PENDING, p),
        None => reply,
    }
}

/// The current intent, to be carried out once a player is chosen.
fn pending(env: &Envelope) -> Option<Value> {
    let intent = env.request.intent.as_ref()?;
    if intent.name == "UseRoomIntent" {
        return None;
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

/// "Use the kitchen": remembers the player for this Echo, then carries out
/// the intent that waited for it, if any.
async fn use_room(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let all = rooms::players(&ctx.ma.call(Command::PlayersAll, json!({})).await?);
    let room = ctx.env.slot("room");
    let player = match rooms::choose(&all, room.as_deref(), None) {
        Choice::Player(p) => p,
        other => return Ok(room_question(ctx, &all, other)),
    };
    if let Some(d) = ctx.env.device_id() {
        ctx.rooms.set(d, &player.id);
    }
    let waiting = ctx
        .env
        .attribute(PENDING)
        .and_then(|p| serde_json::from_value::<Intent>(p.clone()).ok());
    if let Some(intent) = waiting {
        let mut env = ctx.env.clone();
        env.request.intent = Some(intent);
        let action = intents::action(&env);
        if !matches!(action, Action::UseRoom | Action::Unknown) {
            return on_player(&Ctx { env: &env, ..*ctx }, &action, &player).await;
        }
    }
    Ok(Reply::say(fill(
        ctx.say.using_room,
        &[("room", &player.name)],
    )))
}

async fn on_player(ctx: &Ctx<'_>, action: &Action, p: &Player) -> Result<Reply, Failure> {
    let say = ctx.say;
    let room = p.name.as_str();
    match action {
        Action::Play {
            kind,
            query,
            enqueue,
        } => play(ctx, p, *kind, query, *enqueue).await,
        Action::Genre { genre } => genre_or_all(ctx, p, Some(genre)).await,
        Action::MyMusic => genre_or_all(ctx, p, None).await,
        Action::Control(c) => control(ctx, p, *c).await,
        Action::Volume(level) => {
            let Some(level) = level.filter(|l| (0..=100).contains(l)) else {
                return Ok(Reply::ask(say.bad_volume, say.bad_volume));
            };
            // Alexa's own scale is 0 to 10: "volume five" is half volume.
            let percent = if level <= 10 { level * 10 } else { level };
            let args = json!({"player_id": p.id, "volume_level": percent});
            ctx.ma.call(Command::VolumeSet, args).await?;
            Ok(Reply::say(fill(
                say.volume,
                &[("level", &percent.to_string()), ("room", room)],
            )))
        }
        Action::WhatsPlaying => whats_playing(ctx, p).await,
        _ => Ok(Reply::say(say.fallback)),
    }
}

async fn control(ctx: &Ctx<'_>, p: &Player, c: Control) -> Result<Reply, Failure> {
    let say = ctx.say;
    let id = json!({"player_id": p.id});
    let (command, args, text) = match c {
        Control::Pause => (Command::Pause, id, say.paused),
        Control::Resume => (Command::Play, id, say.resumed),
        Control::Stop => (Command::Stop, id, say.stopped),
        Control::Next => (Command::Next, id, say.next),
        Control::Previous => (Command::Previous, id, say.previous),
        Control::StartOver => (
            Command::Seek,
            json!({"player_id": p.id, "position": 0}),
            say.start_over,
        ),
        Control::Louder => (Command::VolumeUp, id, say.louder),
        Control::Quieter => (Command::VolumeDown, id, say.quieter),
        Control::Mute => (
            Command::VolumeMute,
            json!({"player_id": p.id, "muted": true}),
            say.muted,
        ),
        Control::Unmute => (
            Command::VolumeMute,
            json!({"player_id": p.id, "muted": false}),
            say.unmuted,
        ),
        Control::ShuffleOn | Control::ShuffleOff => {
            let q = queue_id(ctx, p).await?;
            let on = c == Control::ShuffleOn;
            let args = json!({"queue_id": q, "shuffle_enabled": on});
            (
                Command::Shuffle,
                args,
                if on { say.shuffle_on } else { say.shuffle_off },
            )
        }
        Control::RepeatOn | Control::RepeatOff => {
            let q = queue_id(ctx, p).await?;
            let on = c == Control::RepeatOn;
            let args = json!({"queue_id": q, "repeat_mode": if on { "all" } else { "off" }});
            (
                Command::Repeat,
                args,
                if on { say.repeat_on } else { say.repeat_off },
            )
        }
    };
    match ctx.ma.call(command, args).await {
        Ok(_) => Ok(Reply::say(text)),
        // Music Assistant answers a bare 500 for a command on a player
        // with nothing to pause, stop or skip.
        Err(Failure::Failed(_)) if !matches!(p.state.as_str(), "playing" | "paused") => {
            Ok(Reply::say(fill(say.nothing_playing, &[("room", &p.name)])))
        }
        Err(f) => Err(f),
    }
}

/// The queue the player plays from (`player_queues/get_active_queue`), or
/// its own queue (same id as the player).
async fn queue_id(ctx: &Ctx<'_>, p: &Player) -> Result<String, Failure> {
    let q = ctx
        .ma
        .call(Command::ActiveQueue, json!({"player_id": p.id}))
        .await?;
    Ok(q.get("queue_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| p.id.clone()))
}

async fn whats_playing(ctx: &Ctx<'_>, p: &Player) -> Result<Reply, Failure> {
    let say = ctx.say;
    let (mut title, mut artist) = (p.title.clone(), p.artist.clone());
    if title.is_none() {
        let q = ctx
            .ma
            .call(Command::ActiveQueue, json!({"player_id": p.id}))
            .await?;
        let cur = q.get("current_item");
        title = cur
            .and_then(|c| c.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        artist = cur
            .and_then(|c| c.pointer("/media_item/artists/0/name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    Ok(Reply::say(match (title, artist) {
        (Some(t), Some(a)) => fill(
            say.now_playing,
            &[("title", &t), ("artist", &a), ("room", &p.name)],
        ),
        (Some(t), None) => fill(say.now_playing_title, &[("title", &t), ("room", &p.name)]),
        (None, _) => fill(say.nothing_playing, &[("room", &p.name)]),
    }))
}

/// Search, pick, play: an exact name first, then the closest, then Music
/// Assistant's own ranking; nothing found: the nearest library name.
async fn play(
    ctx: &Ctx<'_>,
    p: &Player,
    kind: Option<Kind>,
    query: &str,
    enqueue: bool,
) -> Result<Reply, Failure> {
    let say = ctx.say;
    let kinds: Vec<Kind> = match kind {
        Some(k) => vec![k],
        None => vec![Kind::Track, Kind::Album, Kind::Artist, Kind::Playlist],
    };
    let lib = ctx.library.get(&ctx.ma).await?;
    let known = matching::best(
        query,
        lib.items.iter().filter(|i| kinds.contains(&i.kind)),
        |i| i.name.as_str(),
    );
    let wanted = match known {
        Some((i, s)) if s >= matching::ACCEPT => i.name.clone(),
        _ => query.to_owned(),
    };
    let types: Vec<&str> = kinds.iter().map(|k| k.media_type()).collect();
    let args = json!({"search_query": wanted, "media_types": types, "limit": 10});
    let found = ctx.ma.call(Command::Search, args).await?;
    let results: Vec<Item> = kinds
        .iter()
        .flat_map(|k| library::items(*k, found.get(k.result_key()).unwrap_or(&Value::Null)))
        .collect();
    let Some(item) = pick(&results, &wanted, query) else {
        return Ok(Reply::say(match known {
            Some((i, s)) if s >= matching::SUGGEST => {
                fill(say.did_you_mean, &[("what", query), ("name", &i.name)])
            }
            _ => fill(say.not_found, &[("what", query)]),
        }));
    };
    let option = if enqueue { "add" } else { "replace" };
    let args = json!({"queue_id": p.id, "media": [item.uri], "option": option});
    ctx.ma.call(Command::PlayMedia, args).await?;
    let what: &[(&str, &str)] = &[("what", &item.name), ("room", &p.name)];
    Ok(Reply::say(match (&item.artist, enqueue) {
        (_, true) => fill(say.queued, what),
        (Some(a), false) if item.kind != Kind::Artist => fill(
            say.playing_by,
            &[("what", &item.name), ("artist", a), ("room", &p.name)],
        ),
        _ => fill(say.playing, what),
    }))
}

/// An exact (normalized) name match first, then the best fuzzy match, then
/// Music Assistant's first result.
fn pick<'a>(results: &'a [Item], wanted: &str, spoken: &str) -> Option<&'a Item> {
    let exact = |n: &str| {
        results
            .iter()
            .find(|i| matching::key(&i.name) == matching::key(n))
    };
    exact(wanted)
        .or_else(|| exact(spoken))
        .or_else(|| {
            matching::best(spoken, results.iter(), |i| i.name.as_str())
                .filter(|(_, s)| *s >= matching::ACCEPT)
                .map(|(i, _)| i)
        })
        .or_else(|| results.first())
}

/// "Play some jazz" (library tracks of that genre) or "my music" (the whole
/// library), shuffled.
async fn genre_or_all(ctx: &Ctx<'_>, p: &Player, genre: Option<&String>) -> Result<Reply, Failure> {
    let say = ctx.say;
    let lib = ctx.library.get(&ctx.ma).await?;
    let mut uris: Vec<&str> = lib
        .of(Kind::Track)
        .filter(|t| {
            genre.is_none_or(|g| {
                t.genres
                    .iter()
                    .any(|tg| matching::score(g, tg) >= matching::ACCEPT)
            })
        })
        .map(|t| t.uri.as_str())
        .collect();
    if uris.is_empty() {
        return Ok(Reply::say(match genre {
            Some(g) => fill(say.not_found, &[("what", g)]),
            None => say.empty_library.to_owned(),
        }));
    }
    shuffle(&mut uris);
    uris.truncate(MAX_SHUFFLE);
    let args = json!({"queue_id": p.id, "media": uris, "option": "replace"});
    ctx.ma.call(Command::PlayMedia, args).await?;
    Ok(Reply::say(match genre {
        Some(g) => fill(say.genre, &[("genre", g), ("room", &p.name)]),
        None => fill(say.my_music, &[("room", &p.name)]),
    }))
}

fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let mut b = [0u8; 4];
        crate::util::fill_random(&mut b);
        let j = u32::from_le_bytes(b) as usize % (i + 1);
        v.swap(i, j);
    }
}

/// Launch: a greeting, and the library's and players' names for the
/// session's recognition (dynamic entities).
async fn launch(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let say = ctx.say;
    let all = rooms::players(&ctx.ma.call(Command::PlayersAll, json!({})).await?);
    let lib = ctx.library.get(&ctx.ma).await?;
    let mut types = vec![(
        intents::ROOM_TYPE,
        all.iter()
            .take(20)
            .map(|p| Entity {
                id: p.id.clone(),
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
    Ok(Reply::ask(say.launch, say.launch_reprompt)
        .with_directive(Directive::DynamicEntities(types)))
}

/// Entity ids are limited to letters, digits and a few marks: a URI's hash.
fn entity_id(uri: &str) -> String {
    crate::util::sha256(uri.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
