// Connection lifecycle: accept → read → parse → dispatch → one batched write per read.

import type * as net from 'node:net';
import { ProtocolError } from '../protocol/parser';
import { Client } from './client';
import { breakTimingChain, linkTimingChain, processCommand, setBorrowing } from './dispatch';
import type { Server } from './server';

/** Stop reading from a client whose unsent replies exceed this (backpressure, not a limit). */
const READ_PAUSE_BYTES = 4 * 1024 * 1024;
/** Replies built within one read batch are handed to the socket every this many bytes, so
 *  client-output-buffer-limit sees a pipeline of large replies before all of it is built. */
const MID_BATCH_FLUSH_BYTES = 1024 * 1024;
/** The smallest value client-query-buffer-limit accepts. */
const QUERY_LIMIT_MIN = 1024 * 1024;

export function acceptConnection(s: Server, socket: net.Socket, unix: boolean): void {
  if (admitConnection(s, socket, unix)) startClient(s, socket, unix, null, true);
}

/*
 * Plain TCP and Unix sockets all read into one buffer, reused for every read (the `onread`
 * user-buffer mode of net.Socket), instead of Node allocating a zeroed 64 KiB backing store
 * per read, copying it to the size read and leaving both to the GC: at pipelined rates that
 * cost more than parsing the requests. It is safe because a read is handled to its end before
 * the next read of any socket can happen (the main thread delivers them one at a time); what
 * must outlive it is copied first (parser.release, dispatch's ownArgs for commands that keep
 * their arguments). Node offers onread only to sockets it connects itself, so accepted sockets
 * are switched over through the Socket's own fields for it, found by their symbol names;
 * where they are missing (another Node version) sockets keep 'data' events.
 */
const READ_BUF_SIZE = 64 * 1024;
let readBuf: Buffer | null = null;

interface UserBufferFields {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}
/** undefined until the first socket was examined, null when this Node lacks the fields. */
let userBufferFields: UserBufferFields | null | undefined;

function findUserBufferFields(socket: net.Socket): UserBufferFields | null {
  const byName = new Map<string, symbol>();
  for (const sym of Object.getOwnPropertySymbols(socket)) {
    if (sym.description !== undefined) byName.set(sym.description, sym);
  }
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const generator = byName.get('kBufferGen');
  if (buffer === undefined || callback === undefined || generator === undefined) return null;
  return { buffer, callback, generator };
}

/** Switches an accepted socket to the shared read buffer; false = it keeps 'data' events. */
export function useSharedReads(socket: net.Socket, onRead: (nread: number) => void): boolean {
  if (userBufferFields === undefined) userBufferFields = findUserBufferFields(socket);
  const f = userBufferFields;
  if (f === null) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  const handle = (socket as unknown as { _handle: { useUserBuffer?: (b: Uint8Array) => void } | null })
    ._handle;
  if (
    handle === null ||
    typeof handle.useUserBuffer !== 'function' ||
    fields[f.buffer] !== null ||
    fields[f.generator] !== null
  ) {
    return false;
  }
  if (readBuf === null) readBuf = Buffer.alloc(READ_BUF_SIZE);
  fields[f.buffer] = readBuf;
  fields[f.callback] = onRead;
  handle.useUserBuffer(readBuf);
  return true;
}

/** The buffer every shared read lands in (null before the first socket was switched). */
export function sharedReadBuffer(): Buffer | null {
  return readBuf;
}

function onSharedRead(s: Server, c: Client, nread: number): void {
  const buf = readBuf as Buffer;
  setBorrowing(buf.buffer);
  try {
    onData(s, c, buf.subarray(0, nread));
  } finally {
    setBorrowing(null);
    c.parser.release(buf.buffer);
  }
}

/** Counts an accepted socket and runs the accept filters; false = a filter closed it. */
export function admitConnection(s: Server, socket: net.Socket, unix: boolean): boolean {
  s.stats.totalConnections++;
  // security filters (allowlist, lockouts, protected mode) run before a byte is read (for TLS,
  // before the handshake)
  const filters = s.acceptFilters;
  for (let i = 0; i < filters.length; i++) {
    if (!filters[i](socket, unix)) {
      socket.on('error', () => {});
      return false;
    }
  }
  return true;
}

/**
 * Creates the client of an admitted connection: a plain socket, or a tls.TLSSocket once its
 * handshake is done. `user`: already authenticated as this user (by a client certificate).
 */
export function startClient(
  s: Server,
  socket: net.Socket,
  unix: boolean,
  user: string | null,
  sharedReads = false,
): void {
  if (s.clients.size >= s.config.num('maxclients')) {
    s.stats.rejectedConnections++;
    socket.on('error', () => {});
    socket.end('-ERR max number of clients reached\r\n');
    return;
  }
  if (!unix) {
    socket.setNoDelay(true);
    const ka = s.config.num('tcp-keepalive');
    if (ka > 0) socket.setKeepAlive(true, ka * 1000);
  }
  const c = new Client(
    s,
    s.newClientId(),
    socket,
    s.dbs[0],
    s.clock.now(),
    s.config.num('proto-max-bulk-len'),
    user !== null || !s.authRequired(),
  );
  if (user !== null) c.setAuthenticated(user);
  s.clients.set(c.id, c);
  for (const h of s.clientCreatedHooks) h(c);
  if (!sharedReads || !useSharedReads(socket, (nread) => onSharedRead(s, c, nread))) {
    socket.on('data', (chunk: Buffer) => onData(s, c, chunk));
  }
  socket.on('error', () => {
    // reset by peer and the like: 'close' follows
  });
  socket.on('close', () => unlinkClient(s, c));
  socket.on('drain', () => {
    if (socket.isPaused() && !c.closed) socket.resume();
  });
}

function onData(s: Server, c: Client, chunk: Buffer): void {
  if (c.closed) return;
  c.netIn += chunk.length;
  s.stats.netInput += chunk.length;
  // lastInteraction moves with complete commands only (processCommand), not with bytes: with
  // `timeout` set, a request trickled in a byte at a time is closed like an idle client
  c.parser.feed(chunk);
  const pending = c.parser.pending();
  // the limit is at least 1mb (its config minimum): skip the config read below that
  if (pending > QUERY_LIMIT_MIN && pending > s.config.num('client-query-buffer-limit')) {
    s.log.warning(`Closing client that reached max query buffer length: id=${c.id} addr=${c.addr}`);
    s.stats.queryLimitDisconnections++;
    closeClient(s, c);
    return;
  }
  processInput(s, c);
  // appendfsync always: replies wait for the group commit of this turn's AOF writes
  if (s.flushGate?.()) s.pendingFlush.add(c);
  else flushClient(s, c);
  if (s.pendingFlush.size > 0) flushPending(s);
}

/** Runs every complete request buffered for the client, unless it is blocked. */
export function processInput(s: Server, c: Client): void {
  breakTimingChain();
  try {
    processBatch(s, c);
  } finally {
    s.clock.end();
    breakTimingChain();
  }
}

function processBatch(s: Server, c: Client): void {
  // one clock read for the batch: the commands of one read arrive at the same time
  let now = -1;
  while (c.blockedOn === null && !c.closeAfterReply && !c.closed) {
    let argv: Buffer[] | null;
    try {
      argv = c.parser.next();
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      c.reply.error(e.reply);
      s.countError(e.reply);
      s.log.verbose(`Protocol error (${e.reply.slice(21)}) from client: id=${c.id} addr=${c.addr}`);
      c.closeAfterReply = true;
      break;
    }
    if (argv === null) break;
    if (now < 0) now = s.clock.begin();
    processCommand(s, c, argv, now);
    linkTimingChain(c);
    if (c.reply.size() > MID_BATCH_FLUSH_BYTES && !s.flushGate?.()) {
      // the chain ends before the flush, so a pending timing run doesn't count the socket write
      breakTimingChain();
      flushClient(s, c);
    }
  }
}

/** Hands the client's pending replies to its socket in one batch. */
export function flushClient(s: Server, c: Client): void {
  const sock = c.socket;
  if (sock === null || c.closed) return;
  const pieces = c.reply.take();
  if (pieces.length > 0) {
    let n = 0;
    if (pieces.length === 1) {
      n = pieces[0].length;
      sock.write(pieces[0]);
    } else {
      sock.cork();
      for (const p of pieces) {
        n += p.length;
        sock.write(p);
      }
      sock.uncork();
    }
    c.netOut += n;
    s.stats.netOutput += n;
    if (!checkOutputLimits(s, c)) return;
    if (sock.writableLength > READ_PAUSE_BYTES && !sock.isPaused()) sock.pause();
  }
  if (c.closeAfterReply) {
    c.closed = true;
    sock.end();
  }
}

/** Flushes clients that received replies from other clients' commands (pub/sub, unblocking). */
export function flushPending(s: Server): void {
  if (s.flushGate?.()) return; // flushed again once the AOF writes are on disk
  for (const c of s.pendingFlush) flushClient(s, c);
  s.pendingFlush.clear();
}

/** Hook for client-output-buffer-limit; returns false when the client was closed. */
export let checkOutputLimits = (_s: Server, _c: Client): boolean => true;

export function setOutputLimitCheck(f: (s: Server, c: Client) => boolean): void {
  checkOutputLimits = f;
}

export function closeClient(s: Server, c: Client): void {
  if (c.closed) return;
  c.closed = true;
  c.socket?.destroy();
  unlinkClient(s, c);
}

/** Hooks run when a client goes away (pub/sub, blocking, WATCH clean-up). */
export const disconnectHooks: ((c: Client) => void)[] = [];

function unlinkClient(s: Server, c: Client): void {
  if (!s.clients.has(c.id)) return;
  c.closed = true;
  s.clients.delete(c.id);
  s.pendingFlush.delete(c);
  s.pausedClients.delete(c);
  if (c.blockedOn?.timer) clearTimeout(c.blockedOn.timer);
  c.blockedOn = null;
  for (const h of disconnectHooks) h(c);
}

/** Resumes a client that was waiting (pause ended, key ready): run its command, then its input. */
export function resumeClient(s: Server, c: Client): void {
  const b = c.blockedOn;
  if (b === null || c.closed) return;
  if (b.timer) clearTimeout(b.timer);
  c.blockedOn = null;
  processCommand(s, c, b.argv);
  processInput(s, c);
  s.pendingFlush.add(c);
}

/** Ends CLIENT PAUSE: every waiting client runs its held command. */
export function unpauseAll(s: Server): void {
  s.pauseUntil = 0;
  if (s.pauseTimer) clearTimeout(s.pauseTimer);
  s.pauseTimer = null;
  const waiting = [...s.pausedClients];
  s.pausedClients.clear();
  for (const c of waiting) resumeClient(s, c);
  flushPending(s);
}
