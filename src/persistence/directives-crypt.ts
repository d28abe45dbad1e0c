// Directives of encryption at rest (ours, not Redis's), appended to the config table.

import type { DirectiveDef } from '../config/config';

export function cryptDirectives(): DirectiveDef[] {
  return [
    // a file holding the 32-byte key (raw or 64 hex digits); empty: files are written in clear.
    // Read once at start-up (a running server never switches keys: use `redoubt rekey`).
    { name: 'encryption-key-file', type: 'string', default: '', immutable: true, emptyIsNull: true },
  ];
}
