//! Playing: what was asked for (read by [`crate::skill::resolve`] against
//! the cached library; Music Assistant's search only when the library has
//! no good match), then where (a room said in the request or at the end of
//! the name, the Echo's player, or every player, grouped), then
//! `player_queues/play_media` with the item's URI. Nothing found: the
//! closest name if one is close, else that nothing was found; no player is
//! asked for then.
//!
//! Music Assistant's calls for a "play": `players/all` and the library
//! (cached) at once, `music/search` only when the library has no good
//! match, `players/cmd/set_members` for "everywhere", `play_media`.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::skill::backend::{Command, Failure};
use crate::skill::dialog;
use crate::skill::intents::{Action, Wanted};
use crate::skill::library::{self, Item, Kind, Library};
use crate::skill::matching;
use crate::skill::perform::{self, Ctx};
use crate::skill::phrases::{self, fill, list_all};
use crate::skill::resolve::{self, Reading, Target};
use crate::skill::response::Reply;
use crate::skill::rooms::{self, Choice, Player};

/// Tracks sent for "my music" or a genre.
const MAX_SHUFFLE: usize = 100;

/// What will be played.
#[derive(Debug, Clone)]
enum Media {
    Item(Item),
    /// A genre's tracks, shuffled.
    Genre(String, Vec<String>),
    /// The library's tracks, shuffled.
    All(Vec<String>),
}

/// Where.
enum On<'a> {
    One(&'a Player),
    Every(&'a [Player]),
}

/// A play request: resolve, choose the player, play.
pub async fn play(ctx: &Ctx<'_>, action: &Action) -> Result<Reply, Failure> {
    let (all, lib) = tokio::join!(
        perform::players(ctx),
        ctx.library.get(&ctx.ma, ctx.reader.cloned())
    );
    let (all, lib) = (all?, lib?);
    let (action, room_in_name) = split_room(ctx, action, &all);
    if let Some(other) = other_intent(ctx, &action, &lib) {
        return Box::pin(perform::perform(ctx, &other)).await;
    }
    let media = match media(ctx, &action, &lib).await? {
        Ok(m) => m,
        Err(reply) => return Ok(reply),
    };
    let everywhere = matches!(
        action,
        Action::Play {
            everywhere: true,
            ..
        } | Action::MyMusic { everywhere: true }
    );
    let choice = match everywhere {
        true => Choice::Everywhere,
        false => perform::choose(ctx, &all, room_in_name.as_deref(), false),
    };
    let enqueue = matches!(action, Action::Play { enqueue: true, .. });
    match choice {
        Choice::Player(p) => {
            let reply = start(ctx, &media, On::One(&p), enqueue).await?;
            perform::remember(ctx, &p);
            Ok(reply)
        }
        Choice::Everywhere => start(ctx, &media, On::Every(&all), enqueue).await,
        other => Ok(dialog::room_question(ctx, &all, other)),
    }
}

/// A play request for player `p` (the room was just chosen).
pub async fn play_on(ctx: &Ctx<'_>, action: &Action, p: &Player) -> Result<Reply, Failure> {
    let lib = ctx.library.get(&ctx.ma, ctx.reader.cloned()).await?;
    let media = match media(ctx, action, &lib).await? {
        Ok(m) => m,
        Err(reply) => return Ok(reply),
    };
    let enqueue = matches!(action, Action::Play { enqueue: true, .. });
    let reply = start(ctx, &media, On::One(p), enqueue).await?;
    perform::remember(ctx, p);
    Ok(reply)
}

/// "Play X in the living room" heard as one name: without a room slot, a
/// player named at the end of an untyped name is the room, and the words
/// for every room make it "everywhere".
fn split_room(ctx: &Ctx<'_>, action: &Action, all: &[Player]) -> (Action, Option<String>) {
    let Action::Play {
        wanted,
        enqueue,
        everywhere,
    } = action
    else {
        return (action.clone(), None);
    };
    if ctx.env.slot("room").is_some() {
        return (action.clone(), None);
    }
    let words = &ctx.phrases.words;
    let q = matching::normalize(&wanted.query);
    for w in words.everywhere {
        if let Some(head) = q.strip_suffix(&format!(" {}", matching::normalize(w))) {
            let wanted = Wanted {
                query: head.to_owned(),
                ..wanted.clone()
            };
            let a = Action::Play {
                wanted,
                enqueue: *enqueue,
                everywhere: true,
            };
            return (a, None);
        }
    }
    match rooms::trailing_room(&q, words.in_room, all) {
        Some((head, p)) => {
            let wanted = Wanted {
                query: head,
                ..wanted.clone()
            };
            let a = Action::Play {
                wanted,
                enqueue: *enqueue,
                everywhere: *everywhere,
            };
            (a, Some(p.name.clone()))
        }
        None => (action.clone(), None),
    }
}

/// An untyped "play X" whose words are another intent's sample ("play the
/// next song", or "pause" answered to "what would you like to play?"):
/// that intent's action, unless something in the library has that very
/// name (exact names first).
fn other_intent(ctx: &Ctx<'_>, action: &Action, lib: &Library) -> Option<Action> {
    let Action::Play { wanted, .. } = action else {
        return None;
    };
    if wanted.kind.is_some() || wanted.artist.is_some() {
        return None;
    }
    let key = matching::key(&wanted.query);
    if lib.items.iter().any(|i| matching::key(&i.name) == key) {
        return None;
    }
    let name = phrases::exact_intent(ctx.phrases, &wanted.query)?;
    let mut env = ctx.env.clone();
    env.request.intent = Some(crate::skill::request::Intent {
        name: name.to_owned(),
        slots: Default::default(),
    });
    Some(crate::skill::intents::action(&env))
}

/// What `action` plays, or the reply that nothing was found.
async fn media(
    ctx: &Ctx<'_>,
    action: &Action,
    lib: &Arc<Library>,
) -> Result<Result<Media, Reply>, Failure> {
    let say = ctx.say();
    let genres = lib.genres();
    let (readings, spoken) = match action {
        Action::MyMusic { .. } => {
            let mut uris: Vec<String> = lib.of(Kind::Track).map(|t| t.uri.clone()).collect();
            if uris.is_empty() {
                return Ok(Err(Reply::say(say.empty_library)));
            }
            shuffle(&mut uris);
            uris.truncate(MAX_SHUFFLE);
            return Ok(Ok(Media::All(uris)));
        }
        Action::Genre { genre } => (genre_readings(ctx, genre), genre.clone()),
        Action::Play { wanted, .. } => (
            resolve::readings(&ctx.phrases.words, wanted),
            wanted.query.clone(),
        ),
        _ => return Ok(Err(Reply::say(say.fallback))),
    };
    let found = resolve::best(lib, &genres, &readings);
    if let Some(f) = found.as_ref().filter(|f| f.score >= matching::ACCEPT) {
        return Ok(Ok(match &f.target {
            Target::Item(i) => Media::Item((*i).clone()),
            Target::Genre(g) => Media::Genre((*g).to_owned(), genre_tracks(lib, g)),
        }));
    }
    // Not in the cached library (a larger library, a streaming provider):
    // Music Assistant's own search.
    if matches!(action, Action::Play { .. }) {
        let reading = found
            .as_ref()
            .and_then(|f| readings.get(f.reading))
            .or(readings.first());
        if let Some(item) = match reading {
            Some(r) => search(ctx, r).await?,
            None => None,
        } {
            return Ok(Ok(Media::Item(item)));
        }
    }
    let closest = found.filter(|f| {
        readings
            .get(f.reading)
            .is_some_and(|r| matching::close(&r.query, f.target.name()))
    });
    Ok(Err(Reply::say(match closest {
        Some(f) => fill(
            say.did_you_mean,
            &[("what", &spoken), ("name", f.target.name())],
        ),
        None => fill(say.not_found, &[("what", &spoken)]),
    })))
}

/// A genre as heard, and, in case it is no genre at all ("play BBC Radio 6
/// Music" heard as the genre "bbc radio 6" followed by "music"), the same
/// words with and without "music" as any name.
fn genre_readings(ctx: &Ctx<'_>, genre: &str) -> Vec<Reading> {
    let g = matching::normalize(genre);
    let mut out = vec![Reading {
        query: g.clone(),
        kind: None,
        artist: None,
        genre_only: true,
    }];
    for m in ctx.phrases.words.music {
        out.push(Reading {
            query: format!("{g} {}", matching::normalize(m)),
            kind: None,
            artist: None,
            genre_only: false,
        });
    }
    out
}

fn genre_tracks(lib: &Library, genre: &str) -> Vec<String> {
    let mut uris: Vec<String> = lib
        .of(Kind::Track)
        .filter(|t| t.genres.iter().any(|g| g.eq_ignore_ascii_case(genre)))
        .map(|t| t.uri.clone())
        .collect();
    shuffle(&mut uris);
    uris.truncate(MAX_SHUFFLE);
    uris
}

/// Music Assistant's search for `r` (its kind, or every kind).
async fn search(ctx: &Ctx<'_>, r: &Reading) -> Result<Option<Item>, Failure> {
    if r.genre_only || r.query.is_empty() {
        return Ok(None);
    }
    let kinds: Vec<Kind> = match r.kind {
        Some(k) => vec![k],
        None => Kind::ALL.to_vec(),
    };
    let types: Vec<&str> = kinds.iter().map(|k| k.media_type()).collect();
    let args = json!({"search_query": r.query, "media_types": types, "limit": 10});
    let found = ctx.ma.call(Command::Search, args).await?;
    let results: Vec<Item> = kinds
        .iter()
        .flat_map(|k| library::items(*k, found.get(k.result_key()).unwrap_or(&Value::Null)))
        .collect();
    Ok(resolve::pick(&results, r).cloned())
}

/// Plays `media` on `on` and says so.
async fn start(ctx: &Ctx<'_>, media: &Media, on: On<'_>, enqueue: bool) -> Result<Reply, Failure> {
    let say = ctx.say();
    let uris: Vec<&str> = match media {
        Media::Item(i) => vec![i.uri.as_str()],
        Media::Genre(_, u) | Media::All(u) => u.iter().map(String::as_str).collect(),
    };
    if uris.is_empty() {
        let what = match media {
            Media::Genre(g, _) => g.as_str(),
            _ => "",
        };
        return Ok(Reply::say(fill(say.not_found, &[("what", what)])));
    }
    let option = if enqueue { "add" } else { "replace" };
    let targets: Vec<&Player> = match on {
        On::One(p) => vec![p],
        On::Every(all) => group(ctx, all).await?,
    };
    for p in &targets {
        let args = json!({"queue_id": p.id, "media": uris, "option": option});
        ctx.ma.call(Command::PlayMedia, args).await?;
    }
    Ok(Reply::say(match on {
        On::One(p) => said_one(say, media, p, enqueue),
        On::Every(all) => {
            let names: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
            let list = list_all(say, &names);
            match media {
                Media::All(_) => fill(say.my_music_everywhere, &[("list", &list)]),
                Media::Item(i) => fill(
                    say.playing_everywhere,
                    &[("what", &i.name), ("list", &list)],
                ),
                Media::Genre(g, _) => fill(say.playing_everywhere, &[("what", g), ("list", &list)]),
            }
        }
    }))
}

fn said_one(say: &phrases::Say, media: &Media, p: &Player, enqueue: bool) -> String {
    let room = p.name.as_str();
    match media {
        Media::Item(i) if enqueue => fill(say.queued, &[("what", &i.name), ("room", room)]),
        Media::Item(i) => match &i.artist {
            Some(a) if i.kind != Kind::Artist => fill(
                say.playing_by,
                &[("what", &i.name), ("artist", a), ("room", room)],
            ),
            _ => fill(say.playing, &[("what", &i.name), ("room", room)]),
        },
        Media::Genre(g, _) => fill(say.genre, &[("genre", g), ("room", room)]),
        Media::All(_) => fill(say.my_music, &[("room", room)]),
    }
}

/// "Everywhere": the players Music Assistant can group are joined to one
/// leader (`players/cmd/set_members`: the Echo's player, else one playing,
/// else the first that can lead); the players it returns are those to send
/// the music to: the leader, and each player that could not be grouped.
async fn group<'a>(ctx: &Ctx<'_>, all: &'a [Player]) -> Result<Vec<&'a Player>, Failure> {
    let remembered = ctx.env.device_id().and_then(|d| ctx.rooms.get(d));
    // The first of the best: `max_by_key` keeps the last, so reversed.
    let leader = all
        .iter()
        .rev()
        .filter(|p| p.can_lead_group())
        .max_by_key(|p| {
            (
                remembered.as_deref() == Some(p.id.as_str()),
                p.state == "playing",
            )
        });
    let Some(leader) = leader else {
        return Ok(all.iter().collect());
    };
    let (members, apart): (Vec<&Player>, Vec<&Player>) = all
        .iter()
        .filter(|p| p.id != leader.id)
        .partition(|p| leader.can_group_with.contains(&p.id));
    if !members.is_empty() {
        let ids: Vec<&str> = members.iter().map(|p| p.id.as_str()).collect();
        let args = json!({"target_player": leader.id, "player_ids_to_add": ids});
        ctx.ma.call(Command::SetMembers, args).await?;
    }
    Ok(std::iter::once(leader).chain(apart).collect())
}

fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let mut b = [0u8; 4];
        crate::util::fill_random(&mut b);
        let j = u32::from_le_bytes(b) as usize % (i + 1);
        v.swap(i, j);
    }
}
