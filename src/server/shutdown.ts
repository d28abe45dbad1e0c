// Orderly shutdown: SIGTERM/SIGINT and the SHUTDOWN command.

import * as fs from 'node:fs';
import { closeListeners } from './listeners';
import type { Server } from './server';

export interface ShutdownOptions {
  nosave?: boolean;
  save?: boolean;
  now?: boolean;
}

/** Returns an error message if a hook refused (e.g. the final save failed), else exits. */
export async function shutdown(s: Server, opts: ShutdownOptions = {}): Promise<string | null> {
  if (s.shuttingDown) return null;
  s.log.warning('User requested shutdown...');
  for (const h of s.shutdownHooks) {
    const err = h(opts.nosave === true, opts.save === true);
    if (err !== null) {
      s.log.warning(`Error trying to shut down: ${err}`);
      return err;
    }
  }
  s.shuttingDown = true;
  s.stopCron();
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
  return null;
}
