//! `skill ...`: the Alexa skill served at /alexa/skill. `skill id
//! add|list|remove` registers the skill ids whose requests are answered
//! (`skill_id.rs`); `serve`'s skill options (`SkillServeArgs`) are there too.
//! `skill model` prints the interaction model of a locale (`skill_model.rs`).

use std::path::Path;

use clap::Subcommand;

use super::Failure;
use super::skill_id::{SkillIdCmd, skill_id};
use super::skill_model::{ModelArgs, model_cmd};

pub(super) use super::skill_id::{SkillServeArgs, skill_setup};

#[derive(Debug, Subcommand)]
pub(super) enum SkillCmd {
    /// The skill ids this server answers (the developer console shows the
    /// id under the skill's name: amzn1.ask.skill.…).
    #[command(subcommand)]
    Id(SkillIdCmd),
    /// Prints the interaction model for one locale: paste it into the
    /// developer console (Build > Interaction Model > JSON Editor).
    Model(ModelArgs),
}

pub(super) fn skill(dir: &Path, cmd: SkillCmd) -> Result<(), Failure> {
    match cmd {
        SkillCmd::Id(cmd) => skill_id(dir, cmd),
        SkillCmd::Model(args) => model_cmd(dir, args),
    }
}
