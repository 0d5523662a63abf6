//! Cluster mode: this process's side of the interactions shared through Redis. The promises,
//! deadlines and local registry stay in the single-process manager; this keeps Redis in step
//! with it (writer), routes answers between processes (the claim scripts) and brings routed
//! answers and other processes' events back to JS (reader). All I/O runs on a tokio runtime made
//! by the first link's `start` (runtime.rs); JS only queues writes, and calls that need Redis
//! answer later through the same weak threadsafe function as deliveries (`wire.rs`).

mod error;
mod heartbeat;
mod keys;
mod link;
mod liveness;
mod preflight;
mod reader;
pub mod runtime;
mod scripts;
mod wire;
mod writer;

use error::{unavailable, ClusterError};
use keys::Keys;
use link::Link;
use liveness::Hello;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::streams::StreamRangeReply;
use scripts::ClaimOutcome;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};
use writer::Op;

/// What a call's task gives: its reply, or the error whose code is its failure delivery's kind.
type CallResult<T> = std::result::Result<T, ClusterError>;

/// How long one command may wait for a connection or an answer before it fails with
/// REDIS_UNAVAILABLE.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// At connect, how far another incarnation's liveness key may seem to move (the server's clock
/// read in a script, rounded to ms) before it counts as renewed.
const RENEWED_MS: i64 = 5;

#[napi(object)]
pub struct LinkOptions {
    pub redis_url: String,
    pub prefix: String,
    pub instance_id: String,
    /// This connect's token (a random UUID from JS), told apart from any other connect with the
    /// same instance id (`keys.rs`).
    pub incarnation: String,
    pub heartbeat_ms: u32,
    pub owner_timeout_ms: u32,
    /// For `rediss://`: the CA certificate(s) to trust, PEM, instead of the system's store.
    pub tls_ca: Option<Buffer>,
}

/// One process's connection to the shared interactions.
#[napi]
pub struct RedisLink {
    inner: Arc<Inner>,
}

/// What the calls' tasks share with the JS object.
struct Inner {
    link: Arc<Link>,
    client: redis::Client,
    tx: mpsc::UnboundedSender<Op>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Op>>>,
    conn: OnceLock<ConnectionManager>,
    stop: watch::Sender<bool>,
}

#[napi]
impl RedisLink {
    /// Checks the options and prepares the link; `start` connects. `deliver` receives batches
    /// (see wire.rs) through a weak threadsafe function.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: LinkOptions, deliver: Function<'_, Vec<String>, ()>) -> Result<Self> {
        // rustls needs its crypto chosen once per process; a second install is refused, harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = options.redis_url.as_str();
        let client = match options.tls_ca {
            Some(ca) => redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.to_vec()),
                },
            ),
            None => redis::Client::open(url),
        }
        .map_err(|e| Error::new(Status::InvalidArg, format!("redisUrl: {e}")))?;
        let deliver = deliver
            .build_threadsafe_function::<Vec<String>>()
            .weak::<true>()
            .callee_handled::<false>()
            .build()?;
        let link = Link::new(
            Keys::new(options.prefix, options.instance_id, options.incarnation),
            Duration::from_millis(options.heartbeat_ms.max(1).into()),
            Duration::from_millis(options.owner_timeout_ms.max(1).into()),
            deliver,
        );
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(RedisLink {
            inner: Arc::new(Inner {
                link: Arc::new(link),
                client,
                tx,
                rx: Mutex::new(Some(rx)),
                conn: OnceLock::new(),
                stop: watch::channel(false).0,
            }),
        })
    }

    /// Runs `work` on the runtime; its result comes back to JS as a delivery, after every
    /// delivery queued before it: `[REPLY, call, value]`, or `[code, call, message]` when it
    /// failed (a panic too), `code` being its `ClusterError`'s (see `wire.rs`). A method's own
    /// error (cluster mode's runtime would not start) is thrown with that code as `err.code`.
    fn spawn<F, Fut>(&self, call: u32, work: F) -> Result<(), &'static str>
    where
        F: FnOnce(Arc<Inner>) -> Fut,
        Fut: std::future::Future<Output = CallResult<String>> + Send + 'static,
    {
        let rt = runtime::get().map_err(ClusterError::Runtime)?;
        let task = rt.spawn(work(self.inner.clone()));
        let link = self.inner.link.clone();
        rt.spawn(async move {
            let delivery = match task.await {
                Ok(Ok(value)) => wire::reply(call, value),
                Ok(Err(e)) => wire::failure(call, &e),
                Err(e) => wire::failure(call, &ClusterError::Crashed(e.to_string())),
            };
            link.tell(delivery);
        });
        Ok(())
    }

    /// Connects, checks what cluster mode needs and loads the scripts (`preflight.rs`), takes the
    /// instance id (`Inner::take_id`: may wait up to ownerTimeoutMs plus a heartbeat) and starts
    /// the reader and writer. Answers the preflight's warnings, a line each, for the host's
    /// logger; fails with `REDIS_ERROR` naming the commands this Redis user may not run, or
    /// INSTANCE_ID_IN_USE when another live process holds the id.
    #[napi(catch_unwind)]
    pub fn start(&self, call: u32) -> Result<(), &'static str> {
        self.spawn(call, |inner| async move {
            inner.start().await.map(|warnings| warnings.join("\n"))
        })
    }

    #[napi(catch_unwind)]
    pub fn is_up(&self) -> bool {
        self.inner.link.is_up()
    }

    /// Whether this process can still prove to the others that it is alive: a heartbeat that
    /// Redis took was sent less than the lease (`Link::lease`) ago. When not, JS fences it.
    #[napi(catch_unwind)]
    pub fn lease_valid(&self) -> bool {
        self.inner.link.lease_valid()
    }

    /// JS ended this process's interactions OWNER_GONE: a lease that ran out is dealt with.
    #[napi(catch_unwind)]
    pub fn fenced(&self) {
        self.inner.link.fenced()
    }

    /// Queues this turn's writes, in order: `text` holds every field of every write back to back,
    /// `lengths` their lengths in UTF-16 units (see `wire.rs` for the layout). The JS thread
    /// only copies the text; splitting and decoding happen on the writer task.
    #[napi(catch_unwind)]
    pub fn write(&self, text: Utf16String, lengths: Uint32Array) {
        let batch = wire::Batch {
            text,
            lengths: lengths.to_vec(),
        };
        let _ = self.inner.tx.send(Op::Batch(batch));
    }

    /// The atomic claim of an answer (`lua/claim.lua`): answers a `ClaimOutcome`. `asker`: the
    /// answerer's session key (`SESSION_KEY_*`); `kind`: the answer's delivery kind. Strings are
    /// taken exactly (`wire::exact`), as every string argument below: one that is not
    /// well-formed throws, never converted.
    #[napi(catch_unwind)]
    pub fn claim(
        &self,
        call: u32,
        id: Utf16String,
        asker: Utf16String,
        kind: Utf16String,
        value: Utf16String,
    ) -> Result<(), &'static str> {
        let id = exact(&id, "id")?;
        let asker = exact(&asker, "asker")?;
        let kind = exact(&kind, "kind")?;
        let value = exact(&value, "value")?;
        self.spawn(call, |inner| async move {
            let cmd = inner
                .link
                .scripts
                .claim(&inner.link.keys, &id, &asker, &kind, &value);
            inner.outcome(cmd).await
        })
    }

    /// Routes a touch to the owner: answers `ClaimOutcome` `Routed`, `Local` (the caller's
    /// own) or `Unknown`.
    #[napi(catch_unwind)]
    pub fn touch(&self, call: u32, id: Utf16String) -> Result<(), &'static str> {
        let id = exact(&id, "id")?;
        self.spawn(call, |inner| async move {
            inner
                .outcome(inner.link.scripts.touch(&inner.link.keys, &id))
                .await
        })
    }

    /// Cancels the session's grace everywhere: `1` when it was detached.
    #[napi(catch_unwind)]
    pub fn attach(&self, call: u32, session: Utf16String) -> Result<(), &'static str> {
        let session = exact(&session, "session")?;
        self.spawn(call, |inner| async move {
            let cmd = inner
                .link
                .scripts
                .session_state(&inner.link.keys, &session, None);
            let was: i64 = inner.run(cmd).await?;
            Ok(if was > 0 { "1" } else { "0" }.to_owned())
        })
    }

    /// The pending records of these sessions (of any process), as one JSON array in the order
    /// they were published, on Redis's clock.
    #[napi(catch_unwind)]
    pub fn list(&self, call: u32, sessions: Vec<Utf16String>) -> Result<(), &'static str> {
        let sessions = sessions
            .iter()
            .map(|s| exact(s, "session"))
            .collect::<CallResult<Vec<_>>>()?;
        self.spawn(call, |inner| async move {
            let cmd = inner.link.scripts.list(&inner.link.keys, &sessions);
            let records: Vec<String> = inner.run(cmd).await?;
            Ok(wire::listing(records))
        })
    }

    /// Writes what is queued, removes this process's liveness keys, stops the tasks.
    #[napi(catch_unwind)]
    pub fn close(&self, call: u32) -> Result<(), &'static str> {
        self.spawn(call, |inner| async move {
            let (done, wait) = oneshot::channel();
            if inner.tx.send(Op::Close(done)).is_ok() && inner.conn.get().is_some() {
                let _ = tokio::time::timeout(COMMAND_TIMEOUT * 2, wait).await;
            }
            let _ = inner.stop.send(true);
            Ok(String::new())
        })
    }
}

/// A string argument exactly as JS gave it, or the error that refuses it.
fn exact(units: &[u16], what: &'static str) -> CallResult<String> {
    wire::exact(units).ok_or(ClusterError::NotWellFormed(what))
}

impl Inner {
    async fn start(&self) -> CallResult<Vec<String>> {
        let rx = self.rx.lock().ok().and_then(|mut r| r.take());
        let Some(rx) = rx else {
            return Err(ClusterError::AlreadyStarted);
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1);
        let mut conn =
            ConnectionManager::new_with_config(self.client.clone(), config.clone()).await?;
        let link = &self.link;
        let k = &link.keys;
        let warnings = preflight::run(&mut conn, link).await?;
        // The take of the id is sent after this: the lease it starts is no longer than that.
        let taking = Instant::now();
        self.take_id(&mut conn).await?;
        link.renewed(taking);
        let beats = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        let last: StreamRangeReply = redis::cmd("XREVRANGE")
            .arg(&k.events)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut conn)
            .await?;
        let cursor = reader::Cursor {
            inbox: "0-0".into(),
            events: last
                .ids
                .first()
                .map_or_else(|| "0-0".into(), |e| e.id.clone()),
        };
        let _ = self.conn.set(conn.clone());
        link.start_up();
        tokio::spawn(writer::run(link.clone(), conn, rx));
        tokio::spawn(heartbeat::run(link.clone(), beats, self.stop.subscribe()));
        tokio::spawn(reader::run(
            link.clone(),
            self.client.clone(),
            cursor,
            self.stop.subscribe(),
        ));
        Ok(warnings)
    }

    /// Takes this process's instance id for its incarnation (`lua/hello.lua`), which reaps what a
    /// previous incarnation left. When another incarnation's liveness key is there, it is
    /// watched: if it expires (a previous incarnation that died without close), the id is taken;
    /// if it is renewed (a live process's heartbeat moves its expiry forward) or another connect
    /// takes it meanwhile, INSTANCE_ID_IN_USE. A live holder is found within about one of its
    /// heartbeats; a dead one's key lives at most its ownerTimeoutMs. This waits at most this
    /// process's ownerTimeoutMs plus a heartbeat and a second; a key that outlives that is taken
    /// as in use.
    async fn take_id(&self, conn: &mut ConnectionManager) -> CallResult<()> {
        let link = &self.link;
        let k = &link.keys;
        let poll =
            (link.heartbeat / 4).clamp(Duration::from_millis(10), Duration::from_millis(100));
        let give_up = Instant::now() + link.owner_timeout + link.heartbeat + Duration::from_secs(1);
        let in_use = |why: &str| {
            Err(ClusterError::InstanceIdInUse(format!(
                "instanceId {:?} is in use by another live process ({why}); give each process its own instanceId",
                k.me
            )))
        };
        let mut first: Option<(String, i64)> = None;
        loop {
            let cmd = link
                .scripts
                .hello(k, link.owner_timeout, scripts::epoch_ms());
            let (holder, expires_at) = match link.scripts.invoke::<Hello>(conn, &cmd).await? {
                Hello::Taken => return Ok(()),
                Hello::Held {
                    holder,
                    expires_at: Some(at),
                } => (holder, at),
                Hello::Held { .. } => return in_use("its liveness key has no expiry"),
            };
            match &first {
                None => first = Some((holder, expires_at)),
                Some((h, _)) if *h != holder => {
                    return in_use("another connect took it while this one waited")
                }
                Some((_, at)) if expires_at > at + RENEWED_MS => {
                    return in_use("its liveness key was renewed while this connect waited")
                }
                Some(_) => {}
            }
            if Instant::now() >= give_up {
                return in_use("its liveness key did not expire within ownerTimeoutMs");
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Runs one script call; an outage also marks the link down.
    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> CallResult<T> {
        let mut conn = self.conn.get().cloned().ok_or(ClusterError::Closed)?;
        if *self.stop.borrow() {
            return Err(ClusterError::Closed);
        }
        self.link
            .scripts
            .invoke(&mut conn, &cmd)
            .await
            .map_err(|e| {
                if unavailable(&e) {
                    self.link.set_down(&e.to_string());
                }
                ClusterError::from(e)
            })
    }

    /// A claim's or a touch's answer, as the number of its `ClaimOutcome` for JS, then
    /// `:<ms since the epoch>` when the script said when the interaction ended (`{-3, when}`).
    async fn outcome(&self, cmd: redis::Cmd) -> CallResult<String> {
        let (n, when) = match self.run::<redis::Value>(cmd).await? {
            redis::Value::Array(items) => match items.as_slice() {
                [redis::Value::Int(n), redis::Value::Int(at)] => (*n, Some(*at)),
                _ => (0, None),
            },
            redis::Value::Int(n) => (n, None),
            _ => (0, None),
        };
        let outcome = ClaimOutcome::from_script(n) as i32;
        Ok(match when {
            Some(at) => format!("{outcome}:{at}"),
            None => outcome.to_string(),
        })
    }
}
