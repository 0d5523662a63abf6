//! Where cluster mode keeps the shared interactions in Redis. Every key is under the link's
//! prefix `p`:
//! - `p:rec:<id>`: hash of one pending interaction: `o` owner, `i` the owner's incarnation, `k`
//!   session key (who may answer, see `wire.rs`), `s` session name (string sessions only), `t`
//!   type, `r` require-session-match, `c` once an answer was claimed and routed. Always with an
//!   expiry (the backstop).
//! - `p:ses:<session>`: hash id -> the record as JSON (the `interaction-request` payload), so
//!   that listing a session is one HVALS.
//! - `p:own:<owner>`: set of the ids of one owner process.
//! - `p:owners`: owners that have records (the reaper's list).
//! - `p:node:<owner>` (liveness: the incarnation token of the connect that holds the instance id,
//!   renewed every heartbeat, expires after ownerTimeoutMs) and `p:node:<owner>:inbox` (the
//!   owner's stream of routed deliveries): the liveness keys of a live process. One live
//!   incarnation per instance id: `lua/hello.lua` takes the id at connect, and every script that
//!   writes for an owner refuses to once another incarnation holds it (`replaced` in
//!   `lua/prelude.lua`).
//! - `p:events`: the events stream, capped (MAXLEN ~) and expiring when idle.
//! - `p:detached:<session>`: a detached session, for its grace period.
//! - `p:gone`: sorted set of the ids the reaper ended (OWNER_GONE), scored by when (ms since the
//!   epoch), so that a late answer learns how they ended: as long as single-process mode
//!   remembers its settlements (its last 10000, 10 minutes: `Config::default()` of the core);
//!   it expires that long after the last reap.
//!
//! The scripts that learn keys only while they run build them the same way
//! (`lua/prelude.lua`).

/// Entries kept in the events stream: enough for a reader that reconnects after a few seconds.
pub const EVENTS_MAXLEN: u32 = 10_000;
/// The events stream disappears this long after its last event.
pub const EVENTS_TTL_MS: u64 = 10 * 60 * 1000;
/// Routed deliveries an owner's inbox stream may hold. Its reader trims what it has read
/// (`lua/trim.lua`), so this cap is only a backstop for an owner that stopped reading.
pub const INBOX_MAXLEN: u32 = 100_000;

/// The keys of one link: its prefix, and this process (owner) in it. The keys every write
/// names are made once.
pub struct Keys {
    pub prefix: String,
    /// This process's instance id: the owner of its records.
    pub me: String,
    /// This connect's token (random per connect): the value of its liveness key and the `i` of
    /// its records, so that a restart with the same instance id is told apart from a live
    /// duplicate, and a replaced incarnation's writes from the new one's.
    pub incarnation: String,
    pub owners: String,
    pub events: String,
    pub gone: String,
    /// `own:`, `node:` and the inbox of this process.
    pub my_own: String,
    pub my_node: String,
    pub my_inbox: String,
}

impl Keys {
    pub fn new(prefix: String, me: String, incarnation: String) -> Self {
        let mut keys = Keys {
            owners: format!("{prefix}:owners"),
            events: format!("{prefix}:events"),
            gone: format!("{prefix}:gone"),
            my_own: String::new(),
            my_node: String::new(),
            my_inbox: String::new(),
            prefix,
            me,
            incarnation,
        };
        keys.my_own = keys.own(&keys.me);
        keys.my_node = keys.node(&keys.me);
        keys.my_inbox = keys.inbox(&keys.me);
        keys
    }

    fn key(&self, kind: &str, name: &str) -> String {
        let mut key = String::with_capacity(self.prefix.len() + kind.len() + name.len() + 2);
        key.push_str(&self.prefix);
        key.push(':');
        key.push_str(kind);
        key.push(':');
        key.push_str(name);
        key
    }

    pub fn rec(&self, id: &str) -> String {
        self.key("rec", id)
    }

    pub fn ses(&self, session: &str) -> String {
        self.key("ses", session)
    }

    pub fn own(&self, owner: &str) -> String {
        self.key("own", owner)
    }

    pub fn node(&self, owner: &str) -> String {
        self.key("node", owner)
    }

    pub fn inbox(&self, owner: &str) -> String {
        let mut key = self.node(owner);
        key.push_str(":inbox");
        key
    }

    pub fn detached(&self, session: &str) -> String {
        self.key("detached", session)
    }
}
