// The server: configuration, databases, the command table, clients, statistics and the cron.
// Networking lives in listeners.ts/connection.ts, command execution in dispatch.ts.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import { allCommandGroups } from '../commands';
import { CommandTable } from '../commands/table';
import { Config } from '../config/config';
import { buildDirectives } from '../config/directives';
import { Logger } from '../log';
import { cryptDirectives } from '../persistence/directives-crypt';
import { Acl } from '../security/acl';
import { securityDirectives } from '../security/directives';
import { tlsDirectives } from '../security/directives-tls';
import { type Guard, installGuard } from '../security/guard';
import { installLimits } from '../security/limits';
import { type Clock, Db, RequestClock, systemClock } from '../store/db';
import { installEviction } from '../store/evict';
import { activeExpireCycle } from '../store/expire';
import type { Client } from './client';
import { flushPending } from './connection';
import { serverInitHooks } from './hooks';

export const REDIS_VERSION = '7.0.15';
export const REDOUBT_VERSION = '0.1.0';

export interface Stats {
  totalConnections: number;
  totalCommands: number;
  rejectedConnections: number;
  expiredKeys: number;
  evictedKeys: number;
  /** clients closed by client-output-buffer-limit / client-query-buffer-limit */
  outputLimitDisconnections: number;
  queryLimitDisconnections: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  netInput: number;
  netOutput: number;
  errorReplies: number;
  /** per error code (first word of the message) */
  errorCodes: Map<string, number>;
  /** instantaneous ops/sec, sampled by the cron */
  opsSamples: number[];
  lastOpsCount: number;
  lastOpsTime: number;
}

export class Server {
  readonly log = new Logger();
  readonly config: Config;
  readonly commands: CommandTable;
  dbs: Db[] = [];
  readonly clients = new Map<number, Client>();
  private nextClientId = 1;
  readonly startTime: number;
  readonly redisVersion = REDIS_VERSION;
  readonly runId: string;
  /** changes since the last save */
  dirty = 0;
  lastSave: number;
  configFile = '';
  stats: Stats = newStats();
  /** clients with replies written outside their own read handler (pub/sub, unblocking) */
  readonly pendingFlush = new Set<Client>();
  listeners: net.Server[] = [];
  /** the TCP port actually bound (differs from the config when port 0 is never used for TCP) */
  actualPort = 0;
  shuttingDown = false;
  /** CLIENT PAUSE: ms epoch until which clients are paused, and whether only writes are */
  pauseUntil = 0;
  pauseWritesOnly = false;
  pauseTimer: NodeJS.Timeout | null = null;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpireEnabled = true;
  /** clients waiting for CLIENT PAUSE to end */
  readonly pausedClients = new Set<Client>();
  private cronTimer: NodeJS.Timeout | null = null;
  cronLoops = 0;
  /** Run for every key modification (WATCH, client tracking). Keep them cheap. */
  readonly keyModifiedHooks: ((db: Db, key: string) => void)[] = [];
  /** Run before a database is emptied or swapped. */
  readonly dbClearedHooks: ((db: Db) => void)[] = [];
  /** Run on every accepted socket before anything is read; false = the filter closed it. */
  readonly acceptFilters: ((socket: net.Socket, unix: boolean) => boolean)[] = [];
  /** Run when a client has been created for an accepted connection. */
  readonly clientCreatedHooks: ((c: Client) => void)[] = [];
  /** Keyspace notifications; installed by the pub/sub layer when notify-keyspace-events is set. */
  notifier: ((type: string, event: string, key: string, dbid: number) => void) | null = null;
  /** Called after every command; persistence and blocking operations hook in here. */
  readonly afterCommandHooks: ((c: Client) => void)[] = [];
  /** Called by the shutdown sequence before exit; returns false to refuse (SHUTDOWN fails). */
  readonly shutdownHooks: ((nosave: boolean, save: boolean) => string | null)[] = [];
  /**
   * Set by the AOF layer: true = replies must wait (appendfsync always: they are flushed once
   * the turn's writes are on disk, via flushPending).
   */
  flushGate: (() => boolean) | null = null;
  /** Commands are being replayed from the AOF: nothing counts as already expired. */
  replaying = false;
  /** Set by the AOF layer: CONFIG SET appendonly (returns an error or undefined). */
  appendonlyApply: ((on: boolean) => string | undefined) | null = null;
  /** Set by main: closes listeners and exits the process. */
  exit: (code: number) => void = (code) => process.exit(code);

  readonly clock: RequestClock;

  constructor(clock: Clock = systemClock) {
    this.clock = new RequestClock(clock);
    this.startTime = clock.now();
    this.lastSave = Math.floor(this.startTime / 1000);
    this.runId = randomHex(40);
    this.config = new Config([
      ...buildDirectives(this),
      ...securityDirectives(),
      ...tlsDirectives(this),
      ...cryptDirectives(),
    ]);
    this.commands = new CommandTable(allCommandGroups);
    this.resizeDbs(this.config.num('databases'));
    this.guard = installGuard(this);
    this.acl = new Acl(this);
    for (const h of serverInitHooks) h(this);
    installLimits(this);
    installEviction(this);
  }

  resizeDbs(n: number): void {
    const events = {
      expired: (db: Db, key: string) => this.keyExpired(db, key),
    };
    while (this.dbs.length < n) {
      const db = new Db(this.dbs.length, this.clock, events);
      db.onModified = (d, k) => {
        const hooks = this.keyModifiedHooks;
        for (let i = 0; i < hooks.length; i++) hooks[i](d, k);
      };
      db.onCleared = (d) => {
        for (const h of this.dbClearedHooks) h(d);
      };
      this.dbs.push(db);
    }
    if (this.dbs.length > n) this.dbs.length = n;
  }

  /** A key was evicted under maxmemory (store/evict.ts). */
  keyEvicted(_db: Db, _key: string): void {
    this.stats.evictedKeys++;
  }

  /** Run for every expired key (client tracking). */
  readonly keyExpiredHooks: ((db: Db, key: string) => void)[] = [];

  keyExpired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    this.dirty++;
    for (const h of this.keyExpiredHooks) h(db, key);
    if (this.notifier !== null) this.notifier('x', 'expired', key, db.id);
  }

  readonly guard: Guard;
  /** ACL users (the default user holds requirepass) */
  readonly acl: Acl;

  /** Whether new connections must authenticate: the default user has a password or is off. */
  authRequired(): boolean {
    return this.acl.authRequired();
  }

  /** Creates the data directory (mode 0700) and resolves `dir` to an absolute path. */
  async prepareDataDir(): Promise<void> {
    const dir = path.resolve(this.config.str('dir'));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.config.set('dir', [dir]);
    for (const h of this.dataDirHooks) h(dir);
  }

  /** Checks run on the data directory at start-up (the security layer adds permission checks). */
  readonly dataDirHooks: ((dir: string) => void)[] = [];
  /** Start-up steps after the data directory is ready (loading persistence). */
  readonly startupHooks: (() => Promise<void>)[] = [];

  async startup(): Promise<void> {
    // `databases` may have come from the config file after construction
    this.resizeDbs(this.config.num('databases'));
    for (const h of this.startupHooks) await h();
  }

  /**
   * Loading the dataset (RDB, AOF): runs after the listeners are up, so clients connecting
   * meanwhile get -LOADING instead of waiting on a closed port (startup() hooks, such as the
   * ACL file, run before anything is accepted).
   */
  readonly dataLoadHooks: (() => Promise<void>)[] = [];

  async loadData(): Promise<void> {
    for (const h of this.dataLoadHooks) await h();
  }

  newClientId(): number {
    return this.nextClientId++;
  }

  /** Starts the cron (active expiry, client timeouts, stats). */
  startCron(): void {
    const hz = this.config.num('hz');
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = setInterval(() => this.cron(), Math.max(1, Math.floor(1000 / hz)));
  }

  stopCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
  }

  cron(): void {
    this.cronLoops++;
    const now = this.clock.now();
    const hz = this.config.num('hz');
    // Active expiry: at most 25% of each cron period, as Redis's slow cycle. Off under
    // DEBUG SET-ACTIVE-EXPIRE 0, and while CLIENT PAUSE holds clients (the dataset stays still).
    if (this.activeExpireEnabled && !(this.pauseUntil !== 0 && now < this.pauseUntil)) {
      activeExpireCycle(this, Math.max(1, Math.floor(250 / hz)));
    }
    // Instantaneous ops/sec.
    const dt = now - this.stats.lastOpsTime;
    if (dt >= 100) {
      const ops = ((this.stats.totalCommands - this.stats.lastOpsCount) * 1000) / dt;
      this.stats.opsSamples.push(ops);
      if (this.stats.opsSamples.length > 16) this.stats.opsSamples.shift();
      this.stats.lastOpsCount = this.stats.totalCommands;
      this.stats.lastOpsTime = now;
    }
    // Idle client timeout.
    const timeout = this.config.num('timeout') * 1000;
    if (timeout > 0) {
      for (const c of this.clients.values()) {
        if (c.blockedOn !== null || c.subscriptions > 0) continue;
        if (now - c.lastInteraction > timeout) {
          this.log.verbose('Closing idle client');
          c.socket?.destroy();
        }
      }
    }
    for (const h of this.cronHooks) h(now);
    // replies produced by the cron itself (expiry notifications, unblocked clients)
    if (this.pendingFlush.size > 0) flushPending(this);
  }

  readonly cronHooks: ((now: number) => void)[] = [];

  /** Sum of keys in all databases. */
  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** Records an error reply for INFO errorstats. */
  countError(msg: string): void {
    this.stats.errorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.stats.errorCodes.set(code, (this.stats.errorCodes.get(code) ?? 0) + 1);
  }

  resetStats(): void {
    this.stats = newStats();
    for (const c of this.commands.all) {
      c.calls = 0;
      c.usec = 0;
      c.rejectedCalls = 0;
      c.failedCalls = 0;
      if (c.subcommands) {
        for (const s of c.subcommands.values()) {
          s.calls = 0;
          s.usec = 0;
          s.rejectedCalls = 0;
          s.failedCalls = 0;
        }
      }
    }
  }
}

function newStats(): Stats {
  return {
    totalConnections: 0,
    totalCommands: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    outputLimitDisconnections: 0,
    queryLimitDisconnections: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    netInput: 0,
    netOutput: 0,
    errorReplies: 0,
    errorCodes: new Map(),
    opsSamples: [],
    lastOpsCount: 0,
    lastOpsTime: Date.now(),
  };
}

function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}
