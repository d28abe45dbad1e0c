// Per-connection state. The connection module feeds bytes in; the dispatcher runs commands;
// replies accumulate in `reply` and are flushed once per read batch.

import type * as net from 'node:net';
import type { Command } from '../commands/types';
import { RequestParser } from '../protocol/parser';
import { ReplyWriter } from '../protocol/reply';
import type { Db } from '../store/db';
import type { Server } from './server';

export enum ReplyMode {
  On = 0,
  Off = 1,
  /** this command's reply is dropped */
  Skip = 2,
  /** set by CLIENT REPLY SKIP: the next command's reply is dropped */
  SkipNext = 3,
}

export interface MultiState {
  queue: { cmd: Command; argv: Buffer[] }[];
  /** a queued command was rejected: EXEC answers EXECABORT */
  dirty: boolean;
}

/** Why a client waits, and how to resume it. */
export interface BlockState {
  kind: 'pause' | 'keys' | 'script';
  argv: Buffer[];
  /** ms epoch; 0 = forever */
  deadline: number;
  timer: NodeJS.Timeout | null;
  /** keys waited on, for blocking list/zset/stream commands */
  keys: string[];
  /** Called when the client is unblocked by timeout: writes the timeout reply. */
  onTimeout: (() => void) | null;
}

export class Client {
  readonly parser: RequestParser;
  reply = new ReplyWriter();
  db: Db;
  name = '';
  libName = '';
  libVer = '';
  /** authenticated as `user` */
  authenticated = false;
  user = 'default';
  readonly ctime: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  /** close after the pending replies are written (QUIT, protocol error) */
  closeAfterReply = false;
  closed = false;
  replyMode = ReplyMode.On;
  multi: MultiState | null = null;
  /** keys watched by WATCH: "db\0key" */
  watched: Set<string> | null = null;
  watchDirty = false;
  /** true while EXEC runs the queued commands (blocking commands must not block then) */
  inExec = false;
  /** pub/sub subscriptions */
  channels: Set<string> | null = null;
  patterns: Set<string> | null = null;
  shardChannels: Set<string> | null = null;
  /** CLIENT NO-EVICT */
  noEvict = false;
  /** Unix socket connection */
  readonly unix: boolean;
  readonly addr: string;
  readonly laddr: string;
  /** Total bytes received and sent, for CLIENT LIST/INFO. */
  netIn = 0;
  netOut = 0;
  /** commands processed */
  commands = 0;

  /** Set while the client waits (blocking command, CLIENT PAUSE); input is held meanwhile. */
  blockedOn: BlockState | null = null;

  constructor(
    readonly server: Server,
    readonly id: number,
    readonly socket: net.Socket | null,
    db: Db,
    now: number,
    maxBulkLen: number,
    authenticated: boolean,
  ) {
    this.db = db;
    this.ctime = now;
    this.lastInteraction = now;
    this.authenticated = authenticated;
    this.parser = new RequestParser({ maxBulkLen, unauthenticated: !authenticated });
    const s = socket;
    if (s === null) {
      this.unix = false;
      this.addr = '';
      this.laddr = '';
    } else if (s.remoteAddress === undefined) {
      this.unix = true;
      // accepted Unix sockets have no address of their own: Redis shows the listening path
      this.addr = `${server.config.str('unixsocket')}:0`;
      this.laddr = this.addr;
    } else {
      this.unix = false;
      this.addr = fmtAddr(s.remoteAddress, s.remotePort ?? 0);
      this.laddr = fmtAddr(s.localAddress ?? '', s.localPort ?? 0);
    }
  }

  get subscriptions(): number {
    return (this.channels?.size ?? 0) + (this.patterns?.size ?? 0);
  }

  setAuthenticated(user: string): void {
    this.authenticated = true;
    this.user = user;
    this.parser.limits.unauthenticated = false;
  }
}

function fmtAddr(host: string, port: number): string {
  // as Redis's anetFormatAddr: IPv6 in brackets, "[::1]:6379"
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
