// Loading a config file for the tools with the server's own loader (same directives, quoting and
// errors as at start-up), without starting anything.

import { ConfigError, ConfigLoader } from '../config/load';
import { Server } from '../server/server';

export interface Loaded {
  server: Server;
  warnings: string[];
}

/** Throws ConfigError on a bad file. */
export function loadForTools(file: string): Loaded {
  const server = new Server();
  const warnings: string[] = [];
  new ConfigLoader(server.config, { warn: (m) => warnings.push(m) }).loadFile(file);
  return { server, warnings };
}

export { ConfigError };
