//! What connect checks before this process joins the cluster, so that what would break cluster
//! mode's guarantees is named at once instead of found out later (answers told success that
//! never settle):
//! - every command the link uses must be permitted to this Redis user (`lua/preflight.lua`):
//!   connect fails with `REDIS_ERROR` naming the missing ones;
//! - `maxmemory-policy` should be `noeviction`: any other policy may evict records, liveness
//!   keys or streams (all of them carry an expiry, so the `volatile-*` policies too), which a
//!   warning says; so does one when the policy cannot be read.

use super::error::{unavailable, ClusterError};
use super::link::Link;
use redis::aio::ConnectionManager;
use redis::{ErrorKind, RedisError, ServerErrorKind};
use std::collections::HashMap;

/// Loads the scripts and checks; answers the warnings for the host's logger.
pub async fn run(conn: &mut ConnectionManager, link: &Link) -> Result<Vec<String>, ClusterError> {
    let prefix = &link.keys.prefix;
    let mut warnings = Vec::new();
    link.scripts
        .load(conn)
        .await
        .map_err(|e| refused_or(e, "SCRIPT LOAD", prefix))?;
    let answer: Vec<String> = link
        .scripts
        .invoke(conn, &link.scripts.preflight(&link.keys))
        .await
        .map_err(|e| refused_or(e, "EVALSHA", prefix))?;
    match answer.split_first() {
        Some((checked, refused)) if checked == "checked" => {
            if !refused.is_empty() {
                return Err(ClusterError::Refused(missing(refused, prefix)));
            }
        }
        _ => warnings.push(
            "the permissions of this Redis user could not be checked (redis.acl_check_cmd needs Redis 7.0); a command it may not run fails later, as REDIS_ERROR or a logged script error".to_owned(),
        ),
    }
    let policy = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory-policy")
        .query_async::<HashMap<String, String>>(conn)
        .await;
    let why = match policy {
        Ok(found) => match found.get("maxmemory-policy") {
            Some(p) if p == "noeviction" => None,
            Some(p) => {
                warnings.push(format!(
                    "maxmemory-policy is {p}, not noeviction: when Redis is full it may evict the interactions' records, liveness keys or streams (all carry an expiry), and answers or events are then lost; set maxmemory-policy noeviction"
                ));
                None
            }
            None => Some("CONFIG GET maxmemory-policy answered nothing".to_owned()),
        },
        Err(e) if unavailable(&e) => return Err(e.into()),
        Err(e) => Some(format!("CONFIG GET maxmemory-policy: {e}")),
    };
    if let Some(why) = why {
        warnings.push(format!(
            "maxmemory-policy could not be checked ({why}); cluster mode needs noeviction, or Redis may evict what it keeps there"
        ));
    }
    Ok(warnings)
}

/// A refusal of `command` itself (NOPERM) names it; any other failure is itself.
fn refused_or(e: RedisError, command: &str, prefix: &str) -> ClusterError {
    if e.kind() == ErrorKind::Server(ServerErrorKind::NoPerm) {
        ClusterError::Refused(missing(&[command.to_owned()], prefix))
    } else {
        e.into()
    }
}

fn missing(commands: &[String], prefix: &str) -> String {
    let rules: Vec<String> = commands
        .iter()
        .map(|c| format!("+{}", c.to_lowercase().replace(' ', "|")))
        .collect();
    format!(
        "this Redis user may not run {} (with keys under \"{prefix}:\"), which cluster mode uses; connect as a user that may (ACL SETUSER <user> {} ~{prefix}:*)",
        commands.join(", "),
        rules.join(" ")
    )
}
