// Error replies, verbatim from Redis 7.0: clients match on these strings.

export const E = {
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInt: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  noKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  invalidDb: 'ERR DB index is out of range',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  nested: 'ERR MULTI calls can not be nested',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  loading: 'LOADING Redis is loading the dataset in memory',
  sameObject: 'ERR source and destination objects are the same',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  wrongArgs: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  notNegative: (what: string) => `ERR ${what} is negative`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${trunc(sub, 128)}'. Try ${cmd.toUpperCase()} HELP.`,
};

export function trunc(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}
