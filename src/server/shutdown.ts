// Orderly shutdown: SIGTERM/SIGINT and the SHUTDOWN command.
// Two steps, so SHUTDOWN can answer an error in the same reply batch when a hook refuses
// (e.g. the final save failed): prepareShutdown() runs the hooks synchronously, then
// finishShutdown() closes connections and listeners and exits.

import * as fs from 'node:fs';
import { closeListeners } from './listeners';
import type { Server } from './server';

export interface ShutdownOptions {
  /** don't save even if save points are configured */
  nosave?: boolean;
  /** save even if no save point is configured */
  save?: boolean;
  /** don't wait for replicas (none yet, so it changes nothing) */
  now?: boolean;
  /** exit even if a hook failed (e.g. the final save) */
  force?: boolean;
}

/** Runs the shutdown hooks; returns the refusal of the first failing one, unless forced. */
export function prepareShutdown(s: Server, opts: ShutdownOptions = {}): string | null {
  if (s.shuttingDown) return null;
  s.log.warning('User requested shutdown...');
  for (const h of s.shutdownHooks) {
    const err = h(opts.nosave === true, opts.save === true);
    if (err === null) continue;
    if (opts.force === true) {
      s.log.warning(`Error during shutdown, exiting anyway (FORCE): ${err}`);
      continue;
    }
    s.log.warning(`Error trying to shut down: ${err}`);
    return err;
  }
  return null;
}

/** Closes every connection and listener, removes the pid file and exits with status 0. */
export async function finishShutdown(s: Server): Promise<void> {
  if (s.shuttingDown) return;
  s.shuttingDown = true;
  s.stopCron();
  if (s.pauseTimer) clearTimeout(s.pauseTimer);
  for (const c of s.clients.values()) c.socket?.destroy();
  await closeListeners(s);
  const pidfile = s.config.str('pidfile');
  if (pidfile !== '') {
    try {
      fs.unlinkSync(pidfile);
    } catch {
      // not there
    }
  }
  s.log.warning('redoubt is now ready to exit, bye bye...');
  s.exit(0);
}

/** Returns an error message if a hook refused (e.g. the final save failed), else exits. */
export async function shutdown(s: Server, opts: ShutdownOptions = {}): Promise<string | null> {
  if (s.shuttingDown) return null;
  const err = prepareShutdown(s, opts);
  if (err !== null) return err;
  await finishShutdown(s);
  return null;
}
