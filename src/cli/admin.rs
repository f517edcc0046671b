//! `admin password`: the password of the admin page that `serve
//! --admin-listen` serves (the add-on's page outside Home Assistant).
//! Stored as an Argon2id hash, like local users' passwords; changing or
//! removing it signs every session out.

use clap::Subcommand;

use super::user::read_new_password;
use super::{Failure, open};
use crate::admin::PASSWORD_META;
use crate::identity::password;
use crate::store;

#[derive(Debug, Subcommand)]
pub(super) enum AdminCmd {
    /// Set or change the admin page's password (prompts twice on a
    /// terminal; otherwise reads the first line of standard input).
    Password {
        /// Remove the password instead: the admin page refuses every sign-in.
        #[arg(long)]
        remove: bool,
    },
}

pub(super) fn admin(dir: &std::path::Path, cmd: AdminCmd) -> Result<(), Failure> {
    match cmd {
        AdminCmd::Password { remove: true } => {
            open(dir)?.with(|c| store::set_meta(c, PASSWORD_META, ""))?;
            println!("removed the admin password: the admin page refuses every sign-in");
            Ok(())
        }
        AdminCmd::Password { remove: false } => {
            let pw = read_new_password()?;
            let hash = password::hash(&pw)
                .map_err(|e| Failure::runtime(format!("hashing failed: {e}")))?;
            open(dir)?.with(|c| store::set_meta(c, PASSWORD_META, &hash))?;
            println!(
                "set the admin password (sessions opened with an earlier one have ended); \
                 serve --admin-listen ADDR serves the page"
            );
            Ok(())
        }
    }
}
