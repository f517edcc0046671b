//! `skill ...`: the Alexa skill served at /alexa/skill. `skill id
//! add|list|remove` registers the skill ids whose requests are answered
//! (`skill_id.rs`); `serve`'s skill options (`SkillServeArgs`) are there too.

use std::path::Path;

use clap::Subcommand;

use super::Failure;
use super::skill_id::{SkillIdCmd, skill_id};

pub(super) use super::skill_id::{SkillServeArgs, skill_setup};

#[derive(Debug, Subcommand)]
pub(super) enum SkillCmd {
    /// The skill ids this server answers (the developer console shows the
    /// id under the skill's name: amzn1.ask.skill.…).
    #[command(subcommand)]
    Id(SkillIdCmd),
}

pub(super) fn skill(dir: &Path, cmd: SkillCmd) -> Result<(), Failure> {
    match cmd {
        SkillCmd::Id(cmd) => skill_id(dir, cmd),
    }
}
