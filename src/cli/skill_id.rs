//! `skill id add|list|remove` (the registered skill ids, in the store), and
//! `serve`'s skill options: `--alexa-skill-id` (answered besides the
//! registered ones) and the testing trust (`--skill-test-*`, off by
//! default, for tests only).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::invocation::Invocation;
use super::{Failure, JsonFlag, LOG_TARGET, open};
use crate::skill::{ChainSource, SkillVerifier, Trust, parse_skill_id};
use crate::store;
use crate::util;

#[derive(Debug, Subcommand)]
pub(super) enum SkillIdCmd {
    /// Register a skill id: requests from this skill are answered.
    Add { id: String },
    /// List the registered skill ids.
    List(JsonFlag),
    /// Remove a skill id: its requests are refused from now on.
    Remove { id: String },
}

pub(super) fn skill_id(inv: &Invocation, cmd: SkillIdCmd) -> Result<(), Failure> {
    let dir = inv.dir();
    match cmd {
        SkillIdCmd::Add { id } => {
            let id = parse_skill_id(&id).map_err(Failure::usage)?;
            let store = open(dir)?;
            if store.with(|c| store::add_skill_id(c, &id, util::now()))? {
                println!("registered skill {id}");
            } else {
                println!("skill {id} was already registered");
            }
            Ok(())
        }
        SkillIdCmd::List(f) => {
            let ids = open(dir)?.with(|c| store::list_skill_ids(c))?;
            if f.json {
                let rows: Vec<_> = ids
                    .iter()
                    .map(|(id, at)| serde_json::json!({"id": id, "added_at": at}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if ids.is_empty() {
                println!(
                    "no skill id registered. Add yours with: {}",
                    inv.cmd("skill id add amzn1.ask.skill.<your skill id>")
                );
            } else {
                for (id, at) in ids {
                    println!("{id}  (added {})", util::fmt_time(at));
                }
            }
            Ok(())
        }
        SkillIdCmd::Remove { id } => {
            let id = parse_skill_id(&id).map_err(Failure::usage)?;
            if open(dir)?.with(|c| store::remove_skill_id(c, &id))? {
                println!("removed skill {id}");
                Ok(())
            } else {
                Err(Failure::runtime(format!(
                    "skill {id} is not registered (see `skill id list`)"
                )))
            }
        }
    }
}

/// `serve`'s options for the skill endpoint.
#[derive(Debug, Args)]
pub(super) struct SkillServeArgs {
    /// Answer this Alexa skill besides those registered with `skill id add`
    /// (repeatable or comma-separated; not stored).
    #[arg(
        long = "alexa-skill-id",
        env = "MA_ALEXA_SKILL_ID",
        value_delimiter = ',',
        value_name = "ID"
    )]
    pub(super) alexa_skill_ids: Vec<String>,

    /// FOR TESTING ONLY: trust skill request certificate chains that lead to
    /// these roots (PEM) instead of the public root store, with chains from
    /// --skill-test-chain-dir or --skill-test-chain-origin instead of
    /// s3.amazonaws.com. Never set this on a server Alexa talks to.
    #[arg(long, value_name = "FILE.pem", hide_short_help = true)]
    pub(super) skill_test_trust_roots: Option<PathBuf>,

    /// FOR TESTING ONLY (with --skill-test-trust-roots): read each chain from
    /// DIR/<path after /echo.api/ of its URL>.
    #[arg(long, value_name = "DIR", hide_short_help = true)]
    pub(super) skill_test_chain_dir: Option<PathBuf>,

    /// FOR TESTING ONLY (with --skill-test-trust-roots): fetch each chain
    /// from this https origin (same path) instead of s3.amazonaws.com.
    #[arg(long, value_name = "URL", hide_short_help = true)]
    pub(super) skill_test_chain_origin: Option<String>,
}

/// The verifier and the skill ids `serve` was given (checked; the testing
/// trust announced loudly).
pub(super) fn skill_setup(args: &SkillServeArgs) -> Result<(SkillVerifier, Vec<String>), Failure> {
    let ids = args
        .alexa_skill_ids
        .iter()
        .map(|s| parse_skill_id(s).map_err(|e| Failure::usage(format!("--alexa-skill-id: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let chains = match (&args.skill_test_chain_dir, &args.skill_test_chain_origin) {
        (Some(_), Some(_)) => {
            return Err(Failure::usage(
                "--skill-test-chain-dir and --skill-test-chain-origin exclude each other",
            ));
        }
        (Some(d), None) => Some(ChainSource::Dir(d.clone())),
        (None, Some(o)) => Some(ChainSource::Origin(o.clone())),
        (None, None) => None,
    };
    let Some(roots) = &args.skill_test_trust_roots else {
        if chains.is_some() {
            return Err(Failure::usage(
                "--skill-test-chain-dir/--skill-test-chain-origin need --skill-test-trust-roots",
            ));
        }
        return Ok((SkillVerifier::amazon(), ids));
    };
    let Some(chains) = chains else {
        return Err(Failure::usage(
            "--skill-test-trust-roots needs --skill-test-chain-dir or --skill-test-chain-origin",
        ));
    };
    let roots_pem = std::fs::read(roots).map_err(|e| {
        Failure::usage(format!("--skill-test-trust-roots {}: {e}", roots.display()))
    })?;
    let verifier = SkillVerifier::new(Trust::Testing {
        roots_pem,
        chains: chains.clone(),
    })
    .map_err(|e| Failure::usage(format!("--skill-test-trust-roots {}: {e}", roots.display())))?;
    tracing::warn!(
        target: LOG_TARGET,
        roots = %roots.display(),
        chains = ?chains,
        "TESTING ONLY: skill requests are verified against test roots and test chains, \
         not Amazon's. Alexa's real requests will be refused; never run a real skill like this"
    );
    Ok((verifier, ids))
}
