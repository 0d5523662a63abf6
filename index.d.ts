// Stand-alone: no @types/node needed (any version, or none). At run time InteractionManager is
// a Node.js EventEmitter; its methods are declared here, typed by event name.

/** Options of a manager; all optional. Durations are milliseconds; 0 disables a duration. */
export interface InteractionManagerOptions {
  /** Default per-interaction timeout (rejects with code `TIMEOUT`). Default 300000; 0 disables. */
  interactionTimeoutMs?: number;
  /** Age past which the periodic sweep rejects an interaction (code `STALE`). Default 600000; 0 disables. */
  staleThresholdMs?: number;
  /** How often the stale sweep runs. Default 300000; 0 disables the periodic sweep. */
  cleanupIntervalMs?: number;
  /** Pending interactions one session may hold (code `TOO_MANY_PENDING` past it). Default 100. */
  maxInteractionsPerSession?: number;
  /** Pending interactions the whole manager may hold (code `TOO_MANY_PENDING` past it). Default 10000. */
  maxPendingTotal?: number;
  /** When true, `resolveInteraction` refuses answers that do not name the interaction's session. Default false. */
  requireSessionMatch?: boolean;
  /**
   * Per session, at most `max` requests in any `windowMs` (code `RATE_LIMITED` past it); requests
   * without a session (`null`, `''`, `undefined`) share one bucket. Default off.
   */
  rateLimit?: { max: number; windowMs: number } | null;
  /**
   * Distinct types with a statistics and metrics row of their own (types longer than 256 bytes
   * never get one); later types are counted under `other`. Default 256.
   */
  maxTypes?: number;
  /**
   * Where the manager writes: `debug` lines for each step, and `warn` for unknown ids and late
   * answers (at most one line per 10 s, counting the rest). Default: `console.warn` for warnings,
   * `util.debuglog('interactions')` for debug lines (`NODE_DEBUG=interactions`; the legacy
   * `DEBUG=interactions` writes them to `console.log`).
   */
  logger?: InteractionLogger | null;
}

/** Anything with these three methods: `console`, a pino or winston logger. */
export interface InteractionLogger {
  debug(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  error(...args: unknown[]): unknown;
}

export type InteractionType = 'permission' | 'plan-approval' | 'ask-user' | (string & {});

export interface InteractionRequest<D = unknown, M = Record<string, unknown>> {
  type: InteractionType;
  /** The assistant session; null or undefined when it has none yet. */
  sessionId?: string | null;
  data?: D;
  /** May carry `abortSignal`: aborting it rejects the interaction with code `ABORTED`. */
  metadata?: M & { abortSignal?: AbortSignalLike };
  /** Per-request timeout overriding `interactionTimeoutMs`; 0 disables. */
  timeoutMs?: number;
  /** The longest this interaction may wait in total, however often it is touched; 0 or absent: no cap. */
  maxTotalMs?: number;
  /** Same meaning as `metadata.abortSignal`; wins when both are given. */
  signal?: AbortSignalLike;
}

/** What the manager uses of an `AbortSignal` (Node's and the DOM's both fit). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A pending interaction as events and `getPendingInteractions` show it. */
export interface PendingInteraction<D = unknown, M = Record<string, unknown>> {
  id: string;
  type: InteractionType;
  sessionId: string | null | undefined;
  /** The very object the requester passed. */
  data: D;
  /** The very object the requester passed. */
  metadata: M;
  /** `Date.now()` at the request. */
  requestedAt: number;
}

export type RejectionCode =
  | 'REJECTED'
  | 'SESSION_REMOVED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'STALE'
  | 'SHUTDOWN'
  | 'TOO_MANY_PENDING'
  | 'RATE_LIMITED';

/** Every rejection of a requested interaction's Promise is one of these. */
export class InteractionError extends Error {
  constructor(message: string, code: RejectionCode, interactionId?: string, retryAfterMs?: number);
  readonly name: 'InteractionError';
  readonly code: RejectionCode;
  /** Absent when the request was refused before it got an id. */
  readonly interactionId?: string;
  /** With `RATE_LIMITED`: how long until the session may request again. */
  readonly retryAfterMs?: number;
  /**
   * For `REJECTED` because an `interaction-request` listener threw: that error. For an error made
   * by the native fallback (the error could not be made in JS): what making it threw.
   */
  readonly cause?: unknown;
  /** Every listener error of that request, when more than one listener threw. */
  readonly listenerErrors?: unknown[];
}

export interface InteractionResolvedEvent {
  interactionId: string;
  sessionId: string | null | undefined;
  resolvedAt: number;
}

export interface InteractionRejectedEvent {
  interactionId: string;
  sessionId: string | null | undefined;
  rejectedAt: number;
  /** The rejection's message: the legacy text, or the reason given to `rejectInteraction`. */
  reason: string;
  /** `OWNER_GONE` only in cluster mode: the owner process died (on the other processes), or fenced itself (on every process, its own too). */
  code: Exclude<RejectionCode, 'TOO_MANY_PENDING' | 'RATE_LIMITED'> | 'OWNER_GONE';
}

export type SettleCode = 'RESOLVED' | Exclude<RejectionCode, 'TOO_MANY_PENDING' | 'RATE_LIMITED'>;

export type AnswerResult =
  | { success: true }
  | { success: false; error: 'SESSION_MISMATCH' }
  /** `settledAs`/`settledAt` (a `Date.now()` time) when the id settled recently (last 10k, 10 min). */
  | { success: false; error: 'invalid_or_decided'; settledAs?: SettleCode; settledAt?: number };

export interface TypeStatistics {
  total: number;
  resolved: number;
  rejected: number;
}

/** The legacy shape: a row per type, plus `pendingCount` and `sessionCount`. */
export type Statistics = { [type: string]: TypeStatistics } & { pendingCount: number; sessionCount: number };

/** What `getMetricsSnapshot()` returns. Per-type maps are keyed by type (types past `maxTypes` under `other`). */
export interface MetricsSnapshot {
  pending: Record<string, number>;
  sessions: number;
  detachedSessions: number;
  rateLimitWindows: number;
  oldestPendingAgeSeconds: number;
  /** Settlements by type, then by how they ended (shutdown included). */
  settled: Record<string, Record<SettleCode, number>>;
  /** How long interactions waited until settled: cumulative buckets (`le` in seconds, the last `Infinity`), sum in seconds, count. */
  wait: Record<string, { buckets: { le: number; count: number }[]; sum: number; count: number }>;
}

export interface InteractionManagerEvents {
  'interaction-request': [interaction: PendingInteraction];
  'interaction-resolved': [event: InteractionResolvedEvent];
  'interaction-rejected': [event: InteractionRejectedEvent];
}

/** Written out (not `keyof`), so that a misspelt name's error lists the events. */
export type InteractionEventName = 'interaction-request' | 'interaction-resolved' | 'interaction-rejected';
type Listener<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'> = (...args: InteractionManagerEvents[E]) => void;

/**
 * EventEmitter's methods (both managers are Node.js EventEmitters at run time), typed by event
 * name; merged into each manager class below.
 */
interface InteractionEmitter {
  on<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  addListener<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  once<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  prependListener<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  prependOnceListener<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  off<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  removeListener<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, listener: Listener<E>): this;
  removeAllListeners(event?: InteractionEventName): this;
  emit<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E, ...args: InteractionManagerEvents[E]): boolean;
  listeners<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E): Listener<E>[];
  rawListeners<E extends 'interaction-request' | 'interaction-resolved' | 'interaction-rejected'>(event: E): Listener<E>[];
  listenerCount(event: InteractionEventName): number;
  eventNames(): InteractionEventName[];
  setMaxListeners(n: number): this;
  getMaxListeners(): number;
}

export interface InteractionManager extends InteractionEmitter {}
export class InteractionManager {
  constructor(options?: InteractionManagerOptions);
  /** Always returns a Promise; bad arguments reject it with a TypeError. */
  requestInteraction<R = unknown, D = unknown, M = Record<string, unknown>>(request: InteractionRequest<D, M>): Promise<R>;
  /**
   * `requestingSessionId`, when given (anything but `undefined`), must be exactly (`===`) the
   * interaction's own `sessionId`: `null` answers only what was requested with `sessionId: null`.
   */
  resolveInteraction(interactionId: unknown, response?: unknown, requestingSessionId?: string | null): AnswerResult;
  rejectInteraction(interactionId: unknown, reason?: unknown): AnswerResult;
  /** Keeps the session's interactions pending for `graceMs` (default 30000), then SESSION_REMOVED unless attached. */
  detachSession(sessionId: string, options?: { graceMs?: number }): void;
  /** Cancels the grace of a detached session; true when it was detached. */
  attachSession(sessionId: string): boolean;
  /** Prometheus text exposition (version 0.0.4) of the manager's gauges, counters and wait histogram. */
  getMetrics(): string;
  /** Everything `getMetrics()` shows, as a plain object (`native-interaction-manager/prom-client` reads it). */
  getMetricsSnapshot(): MetricsSnapshot;
  /** Restarts the timeout (the user opened the dialog, is typing), never past `maxTotalMs`. */
  touchInteraction(interactionId: unknown): AnswerResult;
  /** Pending interactions of the given sessions, in that order, then request order. */
  getPendingInteractions(sessionIds: readonly string[], type?: InteractionType | null): PendingInteraction[];
  /** Rejects interactions older than `staleThresholdMs` (code `STALE`): 500 now, the rest in later event-loop turns. */
  cleanupStaleInteractions(): void;
  /** Rejects every pending interaction of the session (code `SESSION_REMOVED`). */
  removeSession(sessionId: string | null | undefined): void;
  getPendingCount(): number;
  getStatistics(): Statistics;
  /** Rejects everything pending (code `SHUTDOWN`) and refuses later requests; idempotent. */
  shutdown(): void;
}

export const DEFAULTS: Readonly<Required<InteractionManagerOptions>>;
/** The process-wide manager, created on first call. */
export function getInteractionManager(): InteractionManager;
/** Shuts the process-wide manager down and forgets it. */
export function resetInteractionManager(): void;
/**
 * Sets the options the process-wide manager will be created with (over the `INTERACTION_*`
 * environment variables); throws once it exists (until `resetInteractionManager()`).
 */
export function configureInteractionManager(options: InteractionManagerOptions): void;

/**
 * Cluster mode's errors: Redis cannot be reached now, it refused a command (a bug), or (from
 * `connect`) another live process has this `instanceId`.
 */
export type ClusterErrorCode = 'REDIS_UNAVAILABLE' | 'REDIS_ERROR' | 'INSTANCE_ID_IN_USE';

/** What cluster mode's `connect` and `getPendingInteractions` reject with (at run time also an `InteractionError`). */
export class ClusterError extends Error {
  constructor(message: string, code: ClusterErrorCode);
  readonly name: 'ClusterError';
  readonly code: ClusterErrorCode;
}

/** `ClusterInteractionManager.connect` options: where Redis is, and every `InteractionManager` option. */
export interface ClusterOptions extends InteractionManagerOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://` (TLS). */
  redisUrl: string;
  /** Key prefix shared by the processes of one cluster. Default `'interactions'`. */
  prefix?: string;
  /**
   * This process's id (no `:`). Default: a random UUID. One live process per id: a restart with
   * the same id reaps the previous one's interactions (`OWNER_GONE`) at connect, after waiting
   * up to `ownerTimeoutMs` for its liveness to lapse; a live one's makes `connect` reject
   * (`INSTANCE_ID_IN_USE`).
   */
  instanceId?: string;
  /** How often this process renews its liveness and reaps dead owners. Default 1000. */
  heartbeatMs?: number;
  /** After this long without a heartbeat, a process's interactions end with `OWNER_GONE`. Default 5000. */
  ownerTimeoutMs?: number;
  /** For `rediss://`: the CA certificate(s), PEM, to check the server against instead of the system's store. */
  tls?: { ca: string | Uint8Array };
  /**
   * The largest payload that may cross processes, in UTF-8 bytes: the JSON of `{ data, metadata }`
   * of a request, of a response, or a reject reason. Larger ones reject with a TypeError naming
   * the limit, before anything is registered or sent. Default 1048576 (1 MiB).
   */
  maxPayloadBytes?: number;
}

/**
 * Cluster answers: today's shapes, plus Redis being unreachable or refusing, an owner that died
 * (`settledAt`, a `Date.now()` time, once the reaper ended it: for the last 10k, 10 min), and an
 * owner that did not acknowledge the answer within `ownerTimeoutMs + heartbeatMs` (not
 * confirmed). `{ success: true }` means the owner's promise got this very answer.
 */
export type ClusterAnswerResult =
  | AnswerResult
  | { success: false; error: 'REDIS_UNAVAILABLE' | 'REDIS_ERROR' }
  | { success: false; error: 'OWNER_UNREACHABLE' }
  | { success: false; error: 'invalid_or_decided'; settledAs: 'OWNER_GONE'; settledAt?: number };

/**
 * Several host processes, one set of interactions, through Redis. The same events as
 * `InteractionManager`, emitted on every process for the interactions of any process; the calls
 * that may reach another process return Promises of today's shapes (the host adds `await`).
 */
export interface ClusterInteractionManager extends InteractionEmitter {}
export class ClusterInteractionManager {
  private constructor();
  /**
   * Connects; rejects with a `ClusterError` of code `REDIS_UNAVAILABLE` if Redis cannot be
   * reached, `INSTANCE_ID_IN_USE` if another live process has this `instanceId`, `REDIS_ERROR`
   * (naming them) if the Redis user may not run commands cluster mode uses; warns through the
   * logger when `maxmemory-policy` is not `noeviction` or cannot be read.
   */
  static connect(options: ClusterOptions): Promise<ClusterInteractionManager>;
  /** This process's id in the cluster. */
  readonly instanceId: string;
  /** As `InteractionManager`; `data`, `metadata` (but `abortSignal`) and the response must be JSON-serialisable and within `maxPayloadBytes`, or the Promise rejects with a TypeError. */
  requestInteraction<R = unknown, D = unknown, M = Record<string, unknown>>(request: InteractionRequest<D, M>): Promise<R>;
  resolveInteraction(interactionId: unknown, response?: unknown, requestingSessionId?: string | null): Promise<ClusterAnswerResult>;
  rejectInteraction(interactionId: unknown, reason?: unknown): Promise<ClusterAnswerResult>;
  touchInteraction(interactionId: unknown): Promise<ClusterAnswerResult>;
  /** Ends the session's interactions on every process (delivered in order, kept through a Redis outage). */
  removeSession(sessionId: string | null | undefined): Promise<void>;
  detachSession(sessionId: string, options?: { graceMs?: number }): Promise<void>;
  attachSession(sessionId: string): Promise<boolean>;
  /** Every process's pending interactions of these sessions; rejects with `REDIS_UNAVAILABLE` while Redis is unreachable. */
  getPendingInteractions(sessionIds: readonly string[], type?: InteractionType | null): Promise<PendingInteraction[]>;
  /** Whether this process reaches Redis now (the gauge `interaction_manager_redis_up`). */
  isRedisUp(): boolean;
  /** This process's metrics, with `interaction_manager_redis_up`. */
  getMetrics(): string;
  getMetricsSnapshot(): MetricsSnapshot & { redisUp: 0 | 1 };
  /** This process's pending interactions. */
  getPendingCount(): number;
  getStatistics(): Statistics;
  cleanupStaleInteractions(): void;
  /** Settles this process's interactions (`SHUTDOWN`), removes their records and disconnects. */
  close(): Promise<void>;
  /** The same as `close()`. */
  shutdown(): Promise<void>;
}
