//! Carries out an [`Action`]: chooses the player, asks Music Assistant
//! (through [`Backend`], so only allowlisted commands), and says what
//! happened. Playing is in [`crate::skill::play`], the skill's own
//! questions in [`crate::skill::dialog`]. Failures of Music Assistant come
//! back as [`Failure`] for the caller to put into words (or to check a
//! refused token).

use serde_json::{Value, json};

use crate::skill::backend::{Backend, Command, Failure};
use crate::skill::dialog;
use crate::skill::echo;
use crate::skill::intents::{Action, Control};
use crate::skill::library::{LibraryCache, Reader};
use crate::skill::phrases::{Phrases, Say, fill};
use crate::skill::play;
use crate::skill::request::Envelope;
use crate::skill::response::Reply;
use crate::skill::rooms::{self, Choice, DeviceRooms, Hints, Player};

/// What one request works with.
pub struct Ctx<'a> {
    pub ma: Backend<'a>,
    pub phrases: &'static Phrases,
    pub rooms: &'a DeviceRooms,
    pub library: &'a LibraryCache,
    /// For reading the library in the background (the link's client and token).
    pub reader: Option<&'a Reader>,
    pub env: &'a Envelope,
    /// Playing on this Echo itself (Music Assistant's Alexa provider), when
    /// the server has Music Assistant (`crate::skill::echo`).
    pub here: Option<&'a echo::Here<'a>>,
}

impl Ctx<'_> {
    pub fn say(&self) -> &'static Say {
        &self.phrases.say
    }
}

/// Does `action` and answers.
pub async fn perform(ctx: &Ctx<'_>, action: &Action) -> Result<Reply, Failure> {
    if let Some(here) = echo::as_here(ctx, action) {
        return echo::play_here(ctx, &here).await;
    }
    match action {
        Action::Launch if echo::launch_plays(ctx) => echo::play_audio(ctx).await,
        Action::Launch => dialog::launch(ctx).await,
        Action::PlayAudio => echo::play_audio(ctx).await,
        Action::PlayHere { .. } => echo::play_here(ctx, action).await,
        Action::ThisEcho(room) => echo::this_echo(ctx, room.as_deref()).await,
        Action::MissingName(slot) => Ok(dialog::ask_name(ctx, slot)),
        Action::UseRoom => dialog::use_room(ctx).await,
        Action::StopAll => stop_all(ctx).await,
        Action::Play { .. } | Action::Genre { .. } | Action::MyMusic { .. } => {
            play::play(ctx, action).await
        }
        _ => {
            let all = players(ctx).await?;
            let control = matches!(action, Action::Control(_) | Action::Volume(_));
            match choose(ctx, &all, None, control) {
                Choice::Player(p) => on_player(ctx, action, &p).await,
                Choice::Everywhere => everywhere(ctx, action, &all).await,
                other => Ok(dialog::room_question(ctx, &all, other)),
            }
        }
    }
}

/// The visible players (`players/all`).
pub async fn players(ctx: &Ctx<'_>) -> Result<Vec<Player>, Failure> {
    Ok(rooms::players(
        &ctx.ma.call(Command::PlayersAll, json!({})).await?,
    ))
}

/// The player the request means: its room slot (or `room`, a room found in
/// the name), else this Echo's, else the only one (for a `control`, the
/// only one playing). "This Echo's" is the player the Echo is (Music
/// Assistant's Alexa provider) for a play, or for a control while the Echo
/// plays a relayed stream; otherwise the player it last used or was told
/// to use, then the player it is.
pub fn choose(ctx: &Ctx<'_>, all: &[Player], room: Option<&str>, control: bool) -> Choice {
    let slot = ctx.env.slot("room");
    let used = ctx.env.device_id().and_then(|d| ctx.rooms.get(d));
    let itself = ctx.here.and_then(|h| h.player_id()).map(str::to_owned);
    let remembered = if control && !echo::echo_active(ctx) {
        used.or(itself)
    } else {
        itself.or(used)
    };
    rooms::choose(
        all,
        Hints {
            room: room.or(slot.as_deref()),
            remembered: remembered.as_deref(),
            everywhere: ctx.phrases.words.everywhere,
            control,
        },
    )
}

/// Remembers `p` as this Echo's player.
pub fn remember(ctx: &Ctx<'_>, p: &Player) {
    if let Some(d) = ctx.env.device_id() {
        ctx.rooms.set(d, &p.id);
    }
}

/// An action on one player (the Echo remembers it).
pub async fn on_player(ctx: &Ctx<'_>, action: &Action, p: &Player) -> Result<Reply, Failure> {
    let reply = match action {
        Action::Control(c) => match echo::control(ctx, p, *c).await {
            Some(r) => r?,
            None => control(ctx, p, *c).await?,
        },
        Action::Volume(level) => volume(ctx, p, *level).await?,
        Action::WhatsPlaying => whats_playing(ctx, p).await?,
        Action::Play { .. } | Action::Genre { .. } | Action::MyMusic { .. } => {
            return play::play_on(ctx, action, p).await;
        }
        _ => Reply::say(ctx.say().fallback),
    };
    remember(ctx, p);
    Ok(reply)
}

/// A control or the volume on every player; what's playing on the first
/// one playing.
async fn everywhere(ctx: &Ctx<'_>, action: &Action, all: &[Player]) -> Result<Reply, Failure> {
    if let Action::WhatsPlaying = action {
        let p = all.iter().find(|p| p.state == "playing").or(all.first());
        return match p {
            Some(p) => whats_playing(ctx, p).await,
            None => Ok(Reply::say(ctx.say().no_players)),
        };
    }
    let mut last = Reply::say(ctx.say().fallback);
    for p in all {
        last = match action {
            Action::Control(c) => control(ctx, p, *c).await?,
            Action::Volume(level) => volume(ctx, p, *level).await?,
            _ => last,
        };
    }
    Ok(last)
}

async fn volume(ctx: &Ctx<'_>, p: &Player, percent: Option<i64>) -> Result<Reply, Failure> {
    let say = ctx.say();
    let Some(percent) = percent.filter(|l| (0..=100).contains(l)) else {
        return Ok(Reply::ask(say.bad_volume, say.bad_volume));
    };
    let args = json!({"player_id": p.id, "volume_level": percent});
    ctx.ma.call(Command::VolumeSet, args).await?;
    Ok(Reply::say(fill(
        say.volume,
        &[("level", &percent.to_string()), ("room", &p.name)],
    )))
}

/// "Stop" (Amazon's StopIntent): the music stops and the session ends. The
/// Echo's player, else every player that is playing; nothing to stop is a
/// goodbye.
async fn stop_all(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let say = ctx.say();
    let all = players(ctx).await?;
    let targets: Vec<&Player> = match choose(ctx, &all, None, true) {
        Choice::Player(p) if ctx.here.is_some_and(|h| h.is(&p.id)) => {
            if let Some(r) = echo::control(ctx, &p, Control::Stop).await {
                return r;
            }
            vec![]
        }
        Choice::Player(p) => all.iter().filter(|x| x.id == p.id).collect(),
        _ => all
            .iter()
            .filter(|p| matches!(p.state.as_str(), "playing" | "paused"))
            .collect(),
    };
    let mut stopped = false;
    for p in targets {
        match ctx.ma.call(Command::Stop, json!({"player_id": p.id})).await {
            Ok(_) => stopped = true,
            // Nothing to stop there: Music Assistant's bare 500.
            Err(Failure::Failed(_)) => {}
            Err(f) => return Err(f),
        }
    }
    Ok(Reply::say(if stopped { say.stopped } else { say.goodbye }))
}

async fn control(ctx: &Ctx<'_>, p: &Player, c: Control) -> Result<Reply, Failure> {
    let say = ctx.say();
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
        Control::Mute | Control::Unmute => {
            let muted = c == Control::Mute;
            let args = json!({"player_id": p.id, "muted": muted});
            (
                Command::VolumeMute,
                args,
                if muted { say.muted } else { say.unmuted },
            )
        }
        Control::ShuffleOn | Control::ShuffleOff => {
            let on = c == Control::ShuffleOn;
            let args = json!({"queue_id": queue_id(ctx, p).await?, "shuffle_enabled": on});
            let text = if on { say.shuffle_on } else { say.shuffle_off };
            (Command::Shuffle, args, text)
        }
        Control::RepeatOn | Control::RepeatOff => {
            let on = c == Control::RepeatOn;
            let mode = if on { "all" } else { "off" };
            let args = json!({"queue_id": queue_id(ctx, p).await?, "repeat_mode": mode});
            let text = if on { say.repeat_on } else { say.repeat_off };
            (Command::Repeat, args, text)
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
    let say = ctx.say();
    let (mut title, mut artist) = (p.title.clone(), p.artist.clone());
    if title.is_none() {
        let q = ctx
            .ma
            .call(Command::ActiveQueue, json!({"player_id": p.id}))
            .await?;
        let cur = q.get("current_item");
        title = cur
            .and_then(|c| c.pointer("/media_item/name").or_else(|| c.get("name")))
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
