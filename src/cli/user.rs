//! `user`: local accounts (used when no Music Assistant URL is configured).

use std::io::{BufRead as _, IsTerminal as _};

use clap::Subcommand;

use super::invocation::Invocation;
use super::{Failure, JsonFlag, open};
use crate::identity::{self, password};
use crate::store;
use crate::util;

#[derive(Debug, Subcommand)]
pub(super) enum UserCmd {
    /// Add a local user. Prompts twice on a terminal; otherwise reads the
    /// password from the first line of standard input.
    Add { name: String },
    /// List local users.
    List(JsonFlag),
    /// Remove a user and revoke every link made with the account.
    Remove { name: String },
    /// Change a user's password (same input rules as `user add`).
    Passwd { name: String },
}

pub(super) fn read_new_password() -> Result<String, Failure> {
    let pw = if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ")?;
        let b = rpassword::prompt_password("Repeat password: ")?;
        if a != b {
            return Err(Failure::usage("the passwords differ; nothing was changed"));
        }
        a
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned()
    };
    identity::validate_password(&pw).map_err(Failure::usage)?;
    Ok(pw)
}

pub(super) fn user(inv: &Invocation, cmd: UserCmd) -> Result<(), Failure> {
    let store = open(inv.dir())?;
    match cmd {
        UserCmd::Add { name } => {
            identity::validate_username(&name).map_err(Failure::usage)?;
            if store.with(|c| store::get_user(c, &name))?.is_some() {
                return Err(Failure::runtime(format!(
                    "user {name:?} exists; use {} to change the password",
                    inv.quoted(&format!(
                        "user passwd {}",
                        super::invocation::shell_quote(&name)
                    ))
                )));
            }
            let pw = read_new_password()?;
            let hash = password::hash(&pw)
                .map_err(|e| Failure::runtime(format!("hashing failed: {e}")))?;
            if !store.with(|c| store::insert_user(c, &name, &hash, util::now()))? {
                return Err(Failure::runtime(format!("user {name:?} exists")));
            }
            println!("added user {name}");
            Ok(())
        }
        UserCmd::Passwd { name } => {
            if store.with(|c| store::get_user(c, &name))?.is_none() {
                return Err(Failure::runtime(format!(
                    "no user {name:?} (see `user list`)"
                )));
            }
            let pw = read_new_password()?;
            let hash = password::hash(&pw)
                .map_err(|e| Failure::runtime(format!("hashing failed: {e}")))?;
            if !store.with(|c| store::set_user_password(c, &name, &hash))? {
                return Err(Failure::runtime(format!("no user {name:?}")));
            }
            println!(
                "changed the password of {name} (existing links stay valid; `links revoke` ends them)"
            );
            Ok(())
        }
        UserCmd::List(f) => {
            let users = store.with(|c| store::list_users(c))?;
            if f.json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!("no users. Add one with: {}", inv.cmd("user add NAME"));
            } else {
                for u in users {
                    println!("{}  (created {})", u.username, util::fmt_time(u.created_at));
                }
            }
            Ok(())
        }
        UserCmd::Remove { name } => {
            let subject = identity::local_subject(&name);
            match store.with(|c| store::delete_user(c, &name, &subject, util::now()))? {
                Some(n) => {
                    println!("removed user {name}; revoked {n} link(s)");
                    Ok(())
                }
                None => Err(Failure::runtime(format!(
                    "no user {name:?} (see `user list`)"
                ))),
            }
        }
    }
}
