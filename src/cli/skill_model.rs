//! `skill model`: prints a locale's interaction model (what the developer
//! console's JSON editor takes), with notes on stderr: which language the
//! skill must have for an Echo set to this locale, and with `--library`
//! how many of the user's own names went in (read from Music Assistant
//! with the token of the most recently used link) and when to paste the
//! model again.

use std::path::Path;

use clap::Args;

use super::{Failure, open};
use crate::skill::backend::{Backend, Command};
use crate::skill::intents;
use crate::skill::library::{self, Kind};
use crate::skill::model::{self, LibraryValues};
use crate::store;

/// Items read per kind for the model (most-played first); Amazon's limit on
/// slot values (50,000 in all) cuts the rest.
const MODEL_ITEMS: u64 = 20_000;
/// Items per `library_items` call.
const PAGE: u64 = 500;

#[derive(Debug, Args)]
pub(super) struct ModelArgs {
    /// The locale: en-US, en-GB, en-CA, en-AU, en-IN or de-DE (one model
    /// per language the skill has in the console).
    #[arg(long, default_value = "en-US")]
    locale: String,
    /// What people say after "Alexa, ask ..." (lower-case words, as Amazon
    /// requires; default: "music assistant", for German "musik assistent").
    #[arg(long)]
    invocation_name: Option<String>,
    /// Put the names of your own library (players, artists, albums, songs,
    /// playlists, stations, genres; most-played first, within Amazon's
    /// limits) into the model, read from Music Assistant with the token of
    /// the most recently used link. Paste the model again when the library
    /// changes.
    #[arg(long)]
    library: bool,
    /// Music Assistant's URL for --library (default: the one `serve` uses).
    #[arg(long, env = "MA_URL")]
    music_assistant_url: Option<String>,
}

pub(super) fn model_cmd(dir: &Path, a: ModelArgs) -> Result<(), Failure> {
    let values = if a.library {
        read_library(dir, a.music_assistant_url.as_deref())?
    } else {
        Vec::new()
    };
    let m = model::model_with(&a.locale, a.invocation_name.as_deref(), &values)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let text = serde_json::to_string_pretty(&m).unwrap_or_default();
    println!("{text}");
    eprintln!(
        "note: paste this into the developer console's language {}: an Echo reaches \
         the skill only if the skill has the language the Echo is set to",
        model::console_language(&a.locale)
    );
    if a.library {
        let names: usize = values.iter().map(|(_, v)| v.len()).sum();
        eprintln!(
            "note: {names} names of your library went into the slot values (most-played first, \
             at most {} values in all); paste the model again when you add artists, albums or \
             playlists you want Alexa to hear well",
            model::MAX_SLOT_VALUES
        );
    }
    Ok(())
}

/// The library's names per slot type, read with the most recently used
/// link's Music Assistant token.
fn read_library(dir: &Path, url: Option<&str>) -> Result<LibraryValues, Failure> {
    let store = open(dir)?;
    let url = match url {
        Some(u) => Some(u.to_owned()),
        None => store
            .with(|c| store::get_meta(c, crate::ma::URL_META))?
            .filter(|u| !u.is_empty()),
    };
    let Some(url) = url else {
        return Err(Failure::runtime(
            "--library needs Music Assistant's URL: pass --music-assistant-url (or start serve with it once)",
        ));
    };
    let links = store.with(|c| store::list_links(c))?;
    let link = links
        .iter()
        .filter(|l| l.revoked_at.is_none() && l.ma_token_state.as_deref() == Some("ok"))
        .max_by_key(|l| l.last_used_at)
        .ok_or_else(|| {
            Failure::runtime(
                "--library needs a linked account: link the skill in the Alexa app first",
            )
        })?;
    let id = link.id.clone();
    let up = store
        .with(|c| store::link_upstream(c, &id))?
        .and_then(|u| u.token.map(|t| (u.subject, t)));
    let Some((subject, sealed)) = up else {
        return Err(Failure::runtime("the link holds no Music Assistant token"));
    };
    let timeout = std::time::Duration::from_secs(30);
    let ma = crate::ma::MusicAssistant::open(&url, timeout, i64::MAX, dir)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let token = ma.open_token(&subject, &sealed).ok_or_else(|| {
        Failure::runtime(
            "the link's Music Assistant token cannot be decrypted (was ma-token.key replaced?)",
        )
    })?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the runtime: {e}")))?;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
    rt.block_on(async {
        let backend = Backend::new(ma.client(), &token, &link.scope, deadline);
        names(&backend).await
    })
    .map_err(|f| {
        Failure::runtime(format!(
            "reading the library from Music Assistant at {url} failed: {f:?}"
        ))
    })
}

/// Players, then every kind's names (most-played first), genres, and all
/// of them for "play X".
async fn names(ma: &Backend<'_>) -> Result<LibraryValues, crate::skill::backend::Failure> {
    let players =
        crate::skill::rooms::players(&ma.call(Command::PlayersAll, serde_json::json!({})).await?);
    let mut out: LibraryValues = vec![(
        intents::ROOM_TYPE,
        players.into_iter().map(|p| p.name).collect(),
    )];
    let mut all = library::Library::default();
    for kind in Kind::ALL {
        let mut offset = 0;
        while offset < MODEL_ITEMS {
            let page = library::read(ma, kind, PAGE, offset).await?;
            let n = page.len() as u64;
            all.items.extend(page);
            if n < PAGE {
                break;
            }
            offset += PAGE;
        }
    }
    let of = |k: Kind| all.of(k).map(|i| i.name.clone()).collect::<Vec<_>>();
    let genres: Vec<String> = all.genres().into_iter().map(str::to_owned).collect();
    let mut media = Vec::new();
    for k in [Kind::Artist, Kind::Album, Kind::Playlist, Kind::Radio] {
        media.extend(of(k));
    }
    media.extend(genres.iter().cloned());
    media.extend(of(Kind::Track));
    out.extend([
        (intents::ARTIST_TYPE, of(Kind::Artist)),
        (intents::ALBUM_TYPE, of(Kind::Album)),
        (intents::PLAYLIST_TYPE, of(Kind::Playlist)),
        (intents::STATION_TYPE, of(Kind::Radio)),
        (intents::GENRE_TYPE, genres),
        (intents::SONG_TYPE, of(Kind::Track)),
        (intents::MEDIA_TYPE, media),
    ]);
    Ok(out)
}
