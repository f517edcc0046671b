//! Playing on the Echo itself, with Music Assistant's own Alexa provider
//! (`crate::echo`): the skill answers `AudioPlayer.Play` with a relay URL
//! of the stream Music Assistant pushed for the Echo's player.
//!
//! - **Which Echo is which player** ([`Here`]): the store's `echo_players`
//!   (learned, said, or set on the add-on's page), else the push the
//!   Echo's audio player is playing (`context.AudioPlayer.token` is
//!   `ma:<push id>`). Learned when the provider's "play audio" arrives from
//!   an Echo right after a push for a player no other Echo is known as.
//! - **"Play audio"** (the provider's own utterance; in French just the
//!   invocation name, a launch): the pushed stream, unless this Echo is
//!   already playing it or was just answered it (no restart).
//! - **"Play X" with no room, or "here"**, from an Echo that is a player:
//!   played on that player through Music Assistant, then the skill waits
//!   briefly for the provider's push and answers `AudioPlayer.Play` at once.
//! - **Controls on the Echo's own player** act on Music Assistant and on
//!   the Echo alike, without speech. No loops: Music Assistant's provider
//!   has the Echo say "pause" (resume, stop) after it paused the player
//!   itself, so a command Music Assistant's state already shows (paused,
//!   playing, idle) is not sent back to it; the Echo is just told.
//! - **Playback requests** (`AudioPlayer.Playback*`, buttons): buttons act
//!   as the spoken controls; the Echo stopping, failing or finishing the
//!   stream Music Assistant still plays pauses (or stops) the player there.
//!   Their answers carry no speech.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::echo::{ArtUrl, Echo, Pushed};
use crate::skill::audio::{AudioDirective, AudioEvent, AudioMeta, Button};
use crate::skill::backend::{Command, Failure};
use crate::skill::intents::{Action, Control};
use crate::skill::perform::{self, Ctx};
use crate::skill::phrases::fill;
use crate::skill::response::{Directive, Reply};
use crate::skill::rooms::{Choice, Player};
use crate::store::{self, EchoHow, Store};

pub use super::provider_words::{
    PROVIDER_LANGUAGES, ProviderLanguage, provider_intents, provider_language,
};

/// A push is "fresh" (the provider's "play audio" is on its way) this long.
pub const FRESH: Duration = Duration::from_secs(30);
/// An answered push is not restarted for the same Echo within this time.
pub const NO_RESTART: Duration = Duration::from_secs(60);
/// The longest the skill waits for a push it caused.
pub const PUSH_WAIT: Duration = Duration::from_secs(3);

/// This Echo, as far as playing on it goes.
pub struct Here<'a> {
    pub echo: &'a Echo,
    pub store: &'a Store,
    /// The public URL (the relay's and the cover's base).
    pub public_url: &'a str,
    /// The SHA-256 of the Echo's deviceId.
    pub device: Option<[u8; 32]>,
    /// The Music Assistant player this Echo is, if known, and how.
    pub player: Option<(String, EchoHow)>,
}

impl<'a> Here<'a> {
    /// Looks the Echo of `device_id` up (the store, else its audio player's token).
    pub async fn new(
        echo: &'a Echo,
        store: &'a Store,
        public_url: &'a str,
        device_id: Option<&str>,
        audio_token: Option<&str>,
    ) -> Here<'a> {
        let device = device_id.map(|d| crate::util::sha256(d.as_bytes()));
        let mut player = None;
        if let Some(h) = device {
            match store.read(move |c| store::echo_player(c, &h)).await {
                Ok(row) => player = row.map(|r| (r.player_id, r.how)),
                Err(e) => tracing::warn!(error = %e, "reading which player this Echo is failed"),
            }
        }
        if player.is_none()
            && let Some(p) = audio_token.and_then(|t| echo.by_audio_token(t))
        {
            player = Some((p.player().to_owned(), EchoHow::Learned));
        }
        Here {
            echo,
            store,
            public_url,
            device,
            player,
        }
    }

    /// The player this Echo is.
    pub fn player_id(&self) -> Option<&str> {
        self.player.as_ref().map(|(p, _)| p.as_str())
    }

    /// True if `player` is this Echo.
    pub fn is(&self, player: &str) -> bool {
        self.player_id() == Some(player)
    }

    /// Records that this Echo is `player`; false if a mapping set on the
    /// add-on's page stands in its way.
    async fn record(&self, player: &str, how: EchoHow) -> bool {
        let Some(h) = self.device else { return false };
        let (p, now) = (player.to_owned(), crate::util::now());
        let r = self
            .store
            .call(move |c| store::set_echo_player(c, &h, &p, how, now))
            .await;
        match r {
            // false: the page's mapping stands (voice and learning leave it).
            Ok(recorded) => {
                let how = how.as_str();
                tracing::info!(
                    player,
                    how,
                    recorded,
                    "which Music Assistant player an Echo is"
                );
                recorded
            }
            Err(e) => {
                // Answered as before (the next "play audio" learns it again).
                tracing::warn!(error = %e, "recording which player an Echo is failed");
                true
            }
        }
    }
}

/// The Echo's audio player plays (or has paused) one of the relay's streams.
pub fn echo_active(ctx: &Ctx<'_>) -> bool {
    ctx.env.audio_player().is_some_and(|a| {
        a.token.as_deref().is_some_and(|t| t.starts_with("ma:"))
            && matches!(
                a.activity.as_deref(),
                Some("PLAYING" | "PAUSED" | "BUFFER_UNDERRUN" | "STOPPED")
            )
    })
}

/// The push "play audio" from this Echo means: its player's, else (learning)
/// the newest fresh one no Echo was answered yet whose player no other Echo
/// is known as. Learned players are recorded.
async fn pushed_for(here: &Here<'_>, visible: &[Player]) -> Option<Pushed> {
    let sees = |player: &str| visible.iter().any(|v| v.id == player);
    let known = here
        .player_id()
        .filter(|p| sees(p))
        .and_then(|p| here.echo.pushed(p));
    let learned_only = !matches!(here.player, Some((_, EchoHow::Voice | EchoHow::Page)));
    let fresh_known = known
        .as_ref()
        .is_some_and(|p| p.answered.is_none() && p.first.elapsed() <= FRESH);
    if fresh_known || !learned_only {
        return known;
    }
    let taken: Vec<String> = here
        .store
        .read(store::list_echo_players)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| Some(r.device_hash) != here.device)
        .map(|r| r.player_id)
        .collect();
    let candidate = here.echo.recent(FRESH).into_iter().find(|p| {
        p.answered.is_none() && sees(p.player()) && !taken.iter().any(|t| t == p.player())
    });
    match candidate {
        Some(c) => {
            if !here.is(c.player()) {
                here.record(c.player(), EchoHow::Learned).await;
            }
            Some(c)
        }
        None => known,
    }
}

/// Whether a launch from this Echo is the provider's "music assistant" (in
/// French its play text is the invocation name alone): a fresh push waits.
pub fn launch_plays(ctx: &Ctx<'_>) -> bool {
    let Some(here) = ctx.here else { return false };
    if here.device.is_none() {
        return false;
    }
    let unanswered_fresh = |p: &Pushed| p.answered.is_none() && p.first.elapsed() <= FRESH;
    match here.player_id() {
        Some(p) => here.echo.pushed(p).is_some_and(|p| unanswered_fresh(&p)),
        None => here.echo.recent(FRESH).iter().any(unanswered_fresh),
    }
}

/// What the skill itself knows is playing (title, artist), for the screen
/// until Music Assistant's metadata push arrives.
pub type Known = Option<(String, Option<String>)>;

/// `AudioPlayer.Play` of `pushed` for this Echo (a fresh relay URL), and
/// the push marked answered to it.
fn play_directive(here: &Here<'_>, pushed: &Pushed) -> Option<Directive> {
    play_directive_known(here, pushed, None)
}

fn play_directive_known(here: &Here<'_>, pushed: &Pushed, known: Known) -> Option<Directive> {
    let mut minted = here.echo.mint(pushed.player())?;
    if minted.meta.title.is_none()
        && let Some((title, artist)) = known
    {
        minted.meta.title = Some(title);
        minted.meta.artist = artist;
    }
    if let Some(d) = here.device {
        here.echo.answered(&pushed.id, d);
    }
    let base = here.public_url.trim_end_matches('/');
    let art = minted.art.map(|a| match a {
        ArtUrl::Relayed(path) => format!("{base}{path}"),
        ArtUrl::Public(url) => url,
    });
    let subtitle = match (&minted.meta.artist, &minted.meta.album) {
        (Some(a), Some(b)) => Some(format!("{a} — {b}")),
        (a, b) => a.clone().or_else(|| b.clone()),
    };
    Some(Directive::Audio(AudioDirective::Play {
        url: format!("{base}{}", minted.stream_path),
        token: minted.audio_token,
        offset_ms: 0,
        meta: AudioMeta {
            title: minted.meta.title,
            subtitle,
            art,
        },
    }))
}

/// An answer that only tells the Echo (no speech) and ends the session.
fn directive_only(d: Option<Directive>) -> Reply {
    Reply {
        directives: d.into_iter().collect(),
        end_session: true,
        ..Reply::default()
    }
}

/// The provider's "play audio" (or its launch): the pushed stream here.
pub async fn play_audio(ctx: &Ctx<'_>) -> Result<Reply, Failure> {
    let say = ctx.say();
    let Some(here) = ctx.here.filter(|h| h.device.is_some()) else {
        return Ok(Reply::say(say.echo_setup));
    };
    // Only a player the linked account sees in Music Assistant is played
    // here (as everywhere else in the skill).
    let visible = perform::players(ctx).await?;
    let Some(pushed) = pushed_for(here, &visible).await else {
        let text = if here.echo.has_pushes() {
            say.echo_nothing
        } else {
            say.echo_setup
        };
        return Ok(Reply::say(text));
    };
    let playing = ctx
        .env
        .audio_player()
        .is_some_and(|a| a.playing(&pushed.audio_token()));
    let just_answered = pushed
        .answered
        .is_some_and(|(at, d)| Some(d) == here.device && at.elapsed() <= NO_RESTART);
    if playing || just_answered {
        // The skill already answered this stream (a "play … here"): no restart.
        return Ok(directive_only(None));
    }
    Ok(directive_only(play_directive(here, &pushed)))
}

/// `reply` to a play on `p` (this Echo), with `AudioPlayer.Play` once the
/// provider's push arrives (waiting at most [`PUSH_WAIT`]). The screen's
/// title: what the skill asked for (`known`), else the provider's metadata
/// push (which follows its first push by about a second: waited for too,
/// within the same bound).
pub async fn with_stream(
    ctx: &Ctx<'_>,
    reply: Reply,
    p: &Player,
    since: Instant,
    known: Known,
) -> Reply {
    let Some(here) = ctx.here else { return reply };
    let until = (since + PUSH_WAIT).min(ctx.ma.deadline() - Duration::from_millis(300));
    let mut pushed = here.echo.wait_stream(&p.id, since, until).await;
    if known.is_none() {
        while let Some(x) = pushed.as_ref().filter(|x| !x.push.has_meta) {
            if Instant::now() + Duration::from_millis(50) >= until {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            pushed = here.echo.pushed(&p.id).filter(|n| n.id == x.id).or(pushed);
        }
    }
    match pushed {
        Some(pushed) => match play_directive_known(here, &pushed, known) {
            Some(d) => reply.with_directive(d),
            None => reply,
        },
        None => {
            tracing::info!(
                player = p.id,
                "no push from Music Assistant in time: the provider's own \"play audio\" will start it"
            );
            reply
        }
    }
}

/// An untyped "play X here" heard as "play {query}" with "X here" as the
/// name: the words after `{query}` in this language's `PlayHereIntent`
/// samples ("here", "on this echo") end it; it is a play here then.
pub fn as_here(ctx: &Ctx<'_>, action: &Action) -> Option<Action> {
    let Action::Play {
        wanted,
        enqueue: false,
        everywhere: false,
    } = action
    else {
        return None;
    };
    if wanted.kind.is_some() || ctx.env.slot("room").is_some() {
        return None;
    }
    let q = crate::skill::matching::normalize(&wanted.query);
    let samples = ctx
        .phrases
        .samples
        .iter()
        .filter(|(i, _)| *i == "PlayHereIntent")
        .flat_map(|(_, s)| s.iter());
    for s in samples {
        let Some((_, after)) = s.split_once("{query}") else {
            continue;
        };
        let tail = crate::skill::matching::normalize(after);
        if tail.is_empty() || tail.contains('{') {
            continue;
        }
        if let Some(head) = q.strip_suffix(&format!(" {tail}")) {
            let mut wanted = wanted.clone();
            wanted.query = head.to_owned();
            return Some(Action::PlayHere { wanted });
        }
    }
    None
}

/// "Play X here": on this Echo's player, or what to set up.
pub async fn play_here(ctx: &Ctx<'_>, action: &Action) -> Result<Reply, Failure> {
    let say = ctx.say();
    let Action::PlayHere { wanted } = action else {
        return Ok(Reply::say(say.fallback));
    };
    let Some(here) = ctx.here.filter(|h| h.echo.enabled() && h.device.is_some()) else {
        return Ok(Reply::say(say.echo_setup));
    };
    let Some(id) = here.player_id() else {
        let text = if here.echo.has_pushes() {
            say.echo_unknown
        } else {
            say.echo_setup
        };
        return Ok(Reply::say(text));
    };
    let all = perform::players(ctx).await?;
    let Some(p) = all.iter().find(|p| p.id == id) else {
        return Ok(Reply::say(say.echo_unknown));
    };
    let play = Action::Play {
        wanted: wanted.clone(),
        enqueue: false,
        everywhere: false,
    };
    crate::skill::play::play_on(ctx, &play, p).await
}

/// "This is the Echo Kitchen": recorded; without a name, the question.
pub async fn this_echo(ctx: &Ctx<'_>, room: Option<&str>) -> Result<Reply, Failure> {
    let say = ctx.say();
    let Some(here) = ctx.here.filter(|h| h.device.is_some()) else {
        return Ok(Reply::say(say.echo_setup));
    };
    let all = perform::players(ctx).await?;
    let Some(room) = room else {
        return Ok(crate::skill::dialog::room_question(ctx, &all, Choice::Ask));
    };
    match perform::choose(ctx, &all, Some(room), false) {
        Choice::Player(p) => {
            if here.record(&p.id, EchoHow::Voice).await {
                Ok(Reply::say(fill(say.echo_is, &[("room", &p.name)])))
            } else {
                Ok(Reply::say(say.echo_on_page))
            }
        }
        other => Ok(crate::skill::dialog::room_question(ctx, &all, other)),
    }
}

/// A control on this Echo's own player `p`, acting on Music Assistant and
/// on the Echo; None for the controls that do not concern the Echo (volume,
/// shuffle, repeat: the usual answer).
pub async fn control(ctx: &Ctx<'_>, p: &Player, c: Control) -> Option<Result<Reply, Failure>> {
    let here = ctx.here.filter(|h| h.is(&p.id))?;
    Some(match c {
        Control::Pause => pause(ctx, p).await,
        Control::Resume => resume(ctx, here, p).await,
        Control::Stop => stop(ctx, here, p).await,
        Control::Next | Control::Previous | Control::StartOver => skip(ctx, p, c).await,
        _ => return None,
    })
}

/// Pause: Music Assistant too unless it shows the player paused already
/// (then it was Music Assistant that had the Echo say "pause").
async fn pause(ctx: &Ctx<'_>, p: &Player) -> Result<Reply, Failure> {
    if p.state == "playing" {
        ctx.ma
            .call(Command::Pause, json!({"player_id": p.id}))
            .await?;
    }
    Ok(directive_only(Some(Directive::Audio(AudioDirective::Stop))))
}

/// Resume: Music Assistant too unless it plays already; the Echo plays the
/// player's stream again (a new relay URL), unless it is playing it.
async fn resume(ctx: &Ctx<'_>, here: &Here<'_>, p: &Player) -> Result<Reply, Failure> {
    if p.state != "playing" {
        ctx.ma
            .call(Command::Play, json!({"player_id": p.id}))
            .await?;
    }
    let Some(pushed) = here.echo.pushed(&p.id) else {
        return Ok(Reply::say(ctx.say().echo_nothing));
    };
    if ctx
        .env
        .audio_player()
        .is_some_and(|a| a.playing(&pushed.audio_token()))
    {
        return Ok(directive_only(None));
    }
    Ok(directive_only(play_directive(here, &pushed)))
}

/// Stop: Music Assistant too unless its player is idle already; the
/// Echo stops and its relayed streams end.
async fn stop(ctx: &Ctx<'_>, here: &Here<'_>, p: &Player) -> Result<Reply, Failure> {
    if matches!(p.state.as_str(), "playing" | "paused") {
        match ctx.ma.call(Command::Stop, json!({"player_id": p.id})).await {
            Ok(_) | Err(Failure::Failed(_)) => {}
            Err(f) => return Err(f),
        }
    }
    here.echo.stop_player(&p.id);
    Ok(directive_only(Some(Directive::Audio(AudioDirective::Stop))))
}

/// Next, previous, start over: Music Assistant restarts its flow and
/// pushes it; the Echo plays the new stream (or, if the push is late, the
/// provider's own "play audio" starts it).
async fn skip(ctx: &Ctx<'_>, p: &Player, c: Control) -> Result<Reply, Failure> {
    let since = Instant::now();
    let (command, args) = match c {
        Control::Next => (Command::Next, json!({"player_id": p.id})),
        Control::Previous => (Command::Previous, json!({"player_id": p.id})),
        _ => (Command::Seek, json!({"player_id": p.id, "position": 0})),
    };
    ctx.ma.call(command, args).await?;
    Ok(with_stream(ctx, directive_only(None), p, since, None).await)
}

/// An `AudioPlayer.*` or `PlaybackController.*` request: no speech ever.
pub async fn event(ctx: &Ctx<'_>, ev: &AudioEvent) -> Result<Reply, Failure> {
    let Some(here) = ctx.here else {
        return Ok(Reply::nothing());
    };
    let control = match ev {
        AudioEvent::Button(Button::Play) => Control::Resume,
        AudioEvent::Button(Button::Pause) => Control::Pause,
        AudioEvent::Button(Button::Next) => Control::Next,
        AudioEvent::Button(Button::Previous) => Control::Previous,
        AudioEvent::Stopped { token, .. } | AudioEvent::Failed { token, .. } => {
            if let AudioEvent::Failed { error, .. } = ev {
                tracing::warn!(
                    error = error.as_deref().unwrap_or("?"),
                    "an Echo could not play the relayed stream"
                );
            }
            return ended(ctx, here, token.as_deref(), Command::Pause).await;
        }
        AudioEvent::Finished { token } => {
            return ended(ctx, here, token.as_deref(), Command::Stop).await;
        }
        AudioEvent::Started { .. } | AudioEvent::NearlyFinished { .. } => {
            return Ok(Reply::nothing());
        }
    };
    let Some(id) = here.player_id() else {
        return Ok(Reply::nothing());
    };
    let all = perform::players(ctx).await?;
    let Some(p) = all.iter().find(|p| p.id == id) else {
        return Ok(Reply::nothing());
    };
    let reply = match control_reply(ctx, p, control).await {
        Some(r) => r?,
        None => return Ok(Reply::nothing()),
    };
    Ok(Reply::audio_only(reply.directives))
}

async fn control_reply(ctx: &Ctx<'_>, p: &Player, c: Control) -> Option<Result<Reply, Failure>> {
    Box::pin(control(ctx, p, c)).await
}

/// The Echo stopped, failed or finished `token`: if that is the stream
/// Music Assistant still plays for the player, the player is paused (or
/// stopped) there too, so both agree. Music Assistant's provider then has
/// the Echo say "pause" (stop): the player's state shows it, nothing loops.
async fn ended(
    ctx: &Ctx<'_>,
    here: &Here<'_>,
    token: Option<&str>,
    command: Command,
) -> Result<Reply, Failure> {
    let Some(pushed) = token.and_then(|t| here.echo.by_audio_token(t)) else {
        return Ok(Reply::nothing());
    };
    let current = here
        .echo
        .pushed(pushed.player())
        .is_some_and(|c| c.id == pushed.id);
    if !current {
        return Ok(Reply::nothing());
    }
    let all = perform::players(ctx).await?;
    let playing = all
        .iter()
        .any(|p| p.id == pushed.player() && p.state == "playing");
    if playing {
        match ctx
            .ma
            .call(command, json!({"player_id": pushed.player()}))
            .await
        {
            Ok(_) | Err(Failure::Failed(_)) => {}
            Err(f) => return Err(f),
        }
    }
    Ok(Reply::nothing())
}
