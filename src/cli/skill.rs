//! `skill ...`: the Alexa skill served at /alexa/skill. `skill id
//! add|list|remove` registers the skill ids whose requests are answered
//! (`skill_id.rs`); `serve`'s skill options (`SkillServeArgs`) are there too.
//! `skill model` prints the interaction model of a locale.

use clap::Subcommand;

use super::Failure;
use super::invocation::Invocation;
use super::skill_id::{SkillIdCmd, skill_id};

pub(super) use super::skill_id::{SkillServeArgs, skill_setup};

#[derive(Debug, Subcommand)]
pub(super) enum SkillCmd {
    /// The skill ids this server answers (the developer console shows the
    /// id under the skill's name: amzn1.ask.skill.…).
    #[command(subcommand)]
    Id(SkillIdCmd),
    /// Prints the interaction model for one locale: paste it into the
    /// developer console (CUSTOM > Interaction Model > JSON Editor).
    Model {
        /// en-US, en-GB or de-DE.
        #[arg(long, default_value = "en-US")]
        locale: String,
        /// What people say after "Alexa, ask ..." (two or more lower-case words).
        #[arg(long, default_value = crate::skill::model::DEFAULT_INVOCATION)]
        invocation_name: String,
    },
}

pub(super) fn skill(inv: &Invocation, cmd: SkillCmd) -> Result<(), Failure> {
    match cmd {
        SkillCmd::Id(cmd) => skill_id(inv, cmd),
        SkillCmd::Model {
            locale,
            invocation_name,
        } => {
            // The same bytes as the add-on's page downloads.
            let text = crate::console::model_text(&locale, &invocation_name)
                .map_err(|e| Failure::usage(e.to_string()))?;
            print!("{text}");
            Ok(())
        }
    }
}
