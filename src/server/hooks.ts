// Registries filled by modules at load time and run by every Server (no imports here, so
// command modules can register without import cycles).

import type { Server } from './server';

/** Run at the end of the Server constructor. */
export const serverInitHooks: ((s: Server) => void)[] = [];
