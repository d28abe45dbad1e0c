// The configuration layer: the loader (quoting, escapes, comments, case, repeats, include,
// errors with line numbers), value parsing (memory units, bool/enum/int bounds) and the
// all-or-nothing CONFIG SET of the Config class.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { redactConfigSet } from '../../src/commands/config';
import { Config, type DirectiveDef, formatMemory, parseMemoryBig, REDACTED } from '../../src/config/config';
import { formatKeyspaceEvents, parseKeyspaceEvents } from '../../src/config/directives';
import {
  argsToConfigText,
  ConfigError,
  ConfigLoader,
  loadConfigFile,
  loadConfigText,
} from '../../src/config/load';
import { REDIS70_DIRECTIVES } from '../../src/config/redis70';
import { digestHex, sha256 } from '../../src/security/secret';
import { Server } from '../../src/server/server';
import { tmpDir } from '../helpers/servers';

function server(): Server {
  return new Server();
}

/** Loads text into a fresh server's config; returns the server and the warnings. */
function load(text: string): { s: Server; warnings: string[] } {
  const s = server();
  const warnings: string[] = [];
  loadConfigText(s.config, text, 'test.conf', { warn: (m) => warnings.push(m) });
  return { s, warnings };
}

function loadError(text: string): ConfigError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail(`expected a config error for ${JSON.stringify(text)}`);
}

describe('config loader: lines and quoting', () => {
  it("the issue's requirepass line yields the exact password (through the loader)", () => {
    const { s } = load(`requirepass "\\\\:d!&!:Y<p'TXBI0\\"ys96rfH]lxaA7|E"\n`);
    // only the digest is kept: it must be the digest of exactly this password
    assert.equal(
      digestHex(s.config.str('requirepass')),
      sha256(`\\:d!&!:Y<p'TXBI0"ys96rfH]lxaA7|E`).toString('hex'),
    );
  });

  it('the same line read from a file yields the same password', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'r.conf');
    fs.writeFileSync(f, `# secret\nrequirepass "\\\\:d!&!:Y<p'TXBI0\\"ys96rfH]lxaA7|E"\n`);
    const s = server();
    loadConfigFile(s.config, f);
    assert.equal(
      digestHex(s.config.str('requirepass')),
      sha256(`\\:d!&!:Y<p'TXBI0"ys96rfH]lxaA7|E`).toString('hex'),
    );
  });

  it('double-quote escapes: \\n \\r \\t \\b \\a \\\\ \\" \\xHH; single quotes only \\\'', () => {
    const { s } = load(
      'unixsocket "a\\nb\\rc\\td\\be\\af\\\\g\\"h\\x41\\x7e\\xff"\n' + "pidfile 'it\\'s \\n \"raw\"'\n",
    );
    assert.equal(s.config.str('unixsocket'), 'a\nb\rc\td\be\x07f\\g"hA~\xff');
    assert.equal(s.config.str('pidfile'), 'it\'s \\n "raw"');
  });

  it('comments, blank lines, indentation, CRLF line ends and case-insensitive names', () => {
    const { s } = load('# comment\n\n   \n  # indented comment\r\n  MaxClients 77\r\nTIMEOUT 5\n\tHz 20  \n');
    assert.equal(s.config.num('maxclients'), 77);
    assert.equal(s.config.num('timeout'), 5);
    assert.equal(s.config.num('hz'), 20);
  });

  it('a later line of a single-valued directive wins', () => {
    const { s } = load('maxclients 10\nmaxclients 20\n');
    assert.equal(s.config.num('maxclients'), 20);
  });

  it('save: the first line replaces the default, later lines add, save "" clears', () => {
    assert.equal(load('').s.config.format('save'), '3600 1 300 100 60 10000');
    assert.equal(load('save 900 1\nsave 300 10\n').s.config.format('save'), '900 1 300 10');
    assert.equal(load('save 900 1\nsave ""\n').s.config.format('save'), '');
    assert.equal(load('save ""\nsave 60 5\n').s.config.format('save'), '60 5');
    assert.equal(load('save +5 +0\n').s.config.format('save'), '5 0');
  });

  it('the command line continues the file: save on the command line adds to the file', () => {
    const s = server();
    const loader = new ConfigLoader(s.config);
    loader.loadText('save 900 1\n', 'f.conf');
    loader.loadText(argsToConfigText(['--save', '60', '2', '--maxclients', '9']), '');
    assert.equal(s.config.format('save'), '900 1 60 2');
    assert.equal(s.config.num('maxclients'), 9);
  });

  it('argsToConfigText quotes values so that they survive splitting', () => {
    const s = server();
    loadConfigText(s.config, argsToConfigText(['--unixsocket', 'a b"c\\d', '--save', '']), '');
    assert.equal(s.config.str('unixsocket'), 'a b"c\\d');
    assert.equal(s.config.format('save'), '');
  });

  it('client-output-buffer-limit lines repeat, one class each', () => {
    const { s } = load(
      'client-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit pubsub 1mb 1kb 5\n',
    );
    assert.equal(
      s.config.format('client-output-buffer-limit'),
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1024 5',
    );
  });

  it('aliases set the canonical directive', () => {
    const { s } = load('hash-max-ziplist-entries 100\nlua-time-limit 300\nlist-max-ziplist-size -3\n');
    assert.equal(s.config.num('hash-max-listpack-entries'), 100);
    assert.equal(s.config.num('busy-reply-threshold'), 300);
    assert.equal(s.config.num('list-max-listpack-size'), -3);
  });

  it('user lines are kept for the ACL layer; rename-command renames', () => {
    const { s } = load(
      'user alice on >pw ~* +@all\nuser bob off\nrename-command flushall ""\nrename-command get fetch\n',
    );
    assert.deepEqual(s.config.users, [
      ['alice', 'on', '>pw', '~*', '+@all'],
      ['bob', 'off'],
    ]);
    assert.equal(s.commands.get('flushall'), undefined);
    assert.equal(s.commands.get('get'), undefined);
    assert.equal(s.commands.get('fetch')?.def.name, 'get');
  });

  it('directives Redis 7.0 knows but redoubt does not are accepted with one warning each', () => {
    const { warnings } = load('always-show-logo yes\nio-threads 4\nalways-show-logo no\nloadmodule /x.so\n');
    assert.equal(warnings.length, 3);
    assert.match(
      warnings[0],
      /'always-show-logo' \(test\.conf:1\) is known to Redis 7\.0 but not implemented/,
    );
    assert.match(warnings[1], /'io-threads'/);
    assert.match(warnings[2], /'loadmodule'/);
  });

  it('daemonize and supervised are accepted and ignored with a warning', () => {
    const { s, warnings } = load('daemonize yes\nsupervised systemd\n');
    assert.equal(s.config.bool('daemonize'), true);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /daemonize yes' is ignored/);
    assert.match(warnings[1], /supervised systemd' is ignored/);
    assert.deepEqual(load('daemonize no\n').warnings, []);
  });

  it('every Redis 7.0 name is either implemented or known as unsupported', () => {
    const s = server();
    for (const n of REDIS70_DIRECTIVES) {
      assert.ok(s.config.def(n) !== undefined || s.config.unsupported.has(n), n);
    }
  });
});

describe('config loader: errors', () => {
  const cases: [string, number, string, string][] = [
    ['foo bar', 1, 'foo bar', 'Bad directive or wrong number of arguments'],
    ['# ok\nport abc', 2, 'port abc', "argument couldn't be parsed into an integer"],
    ['\n\nport 99999', 3, 'port 99999', 'argument must be between 0 and 65535 inclusive'],
    ['port', 1, 'port', 'wrong number of arguments'],
    ['port 1 2', 1, 'port 1 2', 'wrong number of arguments'],
    ['maxmemory 1x', 1, 'maxmemory 1x', 'argument must be a memory value'],
    ['maxmemory -1', 1, 'maxmemory -1', 'argument must be a memory value'],
    ['appendonly maybe', 1, 'appendonly maybe', "argument must be 'yes' or 'no'"],
    [
      'maxmemory-policy foo',
      1,
      'maxmemory-policy foo',
      'argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, ' +
        'allkeys-lru, allkeys-lfu, allkeys-random, noeviction',
    ],
    ["bind 'a'b", 1, "bind 'a'b", 'Unbalanced quotes in configuration line'],
    ['bind "a"b', 1, 'bind "a"b', 'Unbalanced quotes in configuration line'],
    ['unixsocket "abc', 1, 'unixsocket "abc', 'Unbalanced quotes in configuration line'],
    ['save 10', 1, 'save 10', 'Invalid save parameters'],
    ['save abc 10', 1, 'save abc 10', 'Invalid save parameters'],
    ['save 0 1', 1, 'save 0 1', 'Invalid save parameters'],
    ['save 1 -1', 1, 'save 1 -1', 'Invalid save parameters'],
    ['rename-command get set', 1, 'rename-command get set', 'Target command name already exists'],
    ['rename-command nosuch x', 1, 'rename-command nosuch x', 'No such command in rename-command'],
    [
      'client-output-buffer-limit normal 0 0',
      1,
      'client-output-buffer-limit normal 0 0',
      'Wrong number of arguments in buffer limit configuration.',
    ],
    [
      'client-output-buffer-limit foo 0 0 0',
      1,
      'client-output-buffer-limit foo 0 0 0',
      'Invalid client class specified in buffer limit configuration.',
    ],
    ['unixsocketperm 999', 1, 'unixsocketperm 999', "argument couldn't be parsed as an octal number"],
    ['unixsocketperm 1777', 1, 'unixsocketperm 1777', 'argument must be between 0 and 777 inclusive'],
    [
      'loglevel x',
      1,
      'loglevel x',
      'argument(s) must be one of the following: debug, verbose, notice, warning',
    ],
    ['databases 0', 1, 'databases 0', 'argument must be between 1 and 2147483647 inclusive'],
    ['maxclients 0', 1, 'maxclients 0', 'argument must be between 1 and 4294967295 inclusive'],
    [
      'notify-keyspace-events Q',
      1,
      'notify-keyspace-events Q',
      "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    ],
    [
      'enable-debug-command maybe',
      1,
      'enable-debug-command maybe',
      'argument(s) must be one of the following: no, yes, local',
    ],
    [
      'supervised x',
      1,
      'supervised x',
      'argument(s) must be one of the following: upstart, systemd, auto, no',
    ],
    ['appendfilename a/b', 1, 'appendfilename a/b', "appendfilename can't be a path, just a filename"],
    ['appenddirname a/b', 1, 'appenddirname a/b', "appenddirname can't be a path, just a dirname"],
    ['dbfilename a/b', 1, 'dbfilename a/b', "dbfilename can't be a path, just a filename"],
    ['include', 1, 'include', 'wrong number of arguments'],
  ];
  for (const [text, line, shown, reason] of cases) {
    it(`${JSON.stringify(text)} → line ${line}: ${reason}`, () => {
      const e = loadError(text);
      assert.equal(e.line, line);
      assert.equal(e.text, shown);
      assert.equal(e.reason, reason);
      assert.equal(e.file, 'test.conf');
    });
  }

  it("the fatal message has Redis's layout and names the file", () => {
    const e = loadError('# c\nfoo bar');
    assert.equal(
      e.format('1.2.3'),
      "\n*** FATAL CONFIG FILE ERROR (redoubt 1.2.3) ***\nReading the configuration file test.conf, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n",
    );
  });

  it('an error on a secret line never shows the secret', () => {
    const e = loadError('requirepass "hunter2');
    assert.equal(e.text, `requirepass ${REDACTED}`);
    assert.ok(!e.format('x').includes('hunter2'));
    const u = loadError('user "alice >hunter2');
    assert.ok(!u.format('x').includes('hunter2'));
  });

  it('a value error from the command line says so', () => {
    const s = server();
    try {
      loadConfigText(s.config, argsToConfigText(['--port', '1', '--maxclients', 'x']), '');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.line, 2);
      assert.match(
        e.format('v'),
        /Reading the configuration file from the command line, at line 2\n>>> 'maxclients x'/,
      );
    }
  });
});

describe('config loader: include', () => {
  it('includes a file in place (relative to the including file) and later lines override', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'inc.conf'), 'maxclients 50\ntimeout 7\n');
    fs.writeFileSync(path.join(dir, 'main.conf'), 'maxclients 10\ninclude sub/inc.conf\ntimeout 9\n');
    const s = server();
    loadConfigFile(s.config, path.join(dir, 'main.conf'));
    assert.equal(s.config.num('maxclients'), 50);
    assert.equal(s.config.num('timeout'), 9);
  });

  it('the same file may be included twice, but not from itself', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'i.conf'), 'save 10 1\n');
    fs.writeFileSync(path.join(dir, 'm.conf'), `include ${dir}/i.conf\ninclude ${dir}/i.conf\n`);
    const s = server();
    loadConfigFile(s.config, path.join(dir, 'm.conf'));
    assert.equal(s.config.format('save'), '10 1 10 1');
  });

  it('detects include loops and names the chain', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.conf'), 'timeout 1\ninclude b.conf\n');
    fs.writeFileSync(path.join(dir, 'b.conf'), '# b\ninclude a.conf\n');
    const s = server();
    try {
      loadConfigFile(s.config, path.join(dir, 'a.conf'));
      assert.fail('expected an include loop error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.match(e.reason, /^include loop: .*a\.conf -> .*b\.conf -> .*a\.conf$/);
      assert.equal(e.line, 2);
      assert.equal(e.text, 'include a.conf');
    }
  });

  it('a missing include is a fatal error naming the including line', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.conf'), '\ninclude /nonexistent/x.conf\n');
    try {
      loadConfigFile(server().config, path.join(dir, 'a.conf'));
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.line, 2);
      assert.equal(
        e.reason,
        "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory",
      );
    }
  });

  it('errors inside an included file name that file and its line', () => {
    const dir = tmpDir();
    const inc = path.join(dir, 'inc.conf');
    fs.writeFileSync(inc, '# one\n# two\nbogus 1\n');
    fs.writeFileSync(path.join(dir, 'a.conf'), `include ${inc}\n`);
    try {
      loadConfigFile(server().config, path.join(dir, 'a.conf'));
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.file, inc);
      assert.equal(e.line, 3);
    }
  });

  it('a glob in the last component includes the matches in name order', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.writeFileSync(path.join(dir, 'conf.d', '20-b.conf'), 'maxclients 20\n');
    fs.writeFileSync(path.join(dir, 'conf.d', '10-a.conf'), 'maxclients 10\ntimeout 3\n');
    fs.writeFileSync(path.join(dir, 'conf.d', 'skip.txt'), 'bogus\n');
    fs.writeFileSync(path.join(dir, 'm.conf'), 'include conf.d/*.conf\n');
    const s = server();
    loadConfigFile(s.config, path.join(dir, 'm.conf'));
    assert.equal(s.config.num('maxclients'), 20);
    assert.equal(s.config.num('timeout'), 3);
  });
});

describe('config values', () => {
  it('memory units: b k kb m mb g gb, any case; k=1000, kb=1024', () => {
    const cases: [string, bigint | null][] = [
      ['0', 0n],
      ['1', 1n],
      ['1b', 1n],
      ['1B', 1n],
      ['1k', 1000n],
      ['1K', 1000n],
      ['1kb', 1024n],
      ['1kB', 1024n],
      ['1m', 1000000n],
      ['1mb', 1048576n],
      ['1g', 1000000000n],
      ['1gb', 1073741824n],
      ['1GB', 1073741824n],
      ['007k', 7000n],
      ['', 0n],
      ['k', 0n],
      ['18446744073709551615', 18446744073709551615n],
      // strtoull saturates, the product wraps modulo 2^64 (Redis 7.0's memtoull)
      ['18446744073709551616', 18446744073709551615n],
      ['99999999999gb', 15140462030378500096n],
      ['1.5mb', null],
      ['+1', null],
      ['-1', null],
      ['-0', null],
      [' 1', null],
      ['1 mb', null],
      ['0x10', null],
      ['1e3', null],
      ['1tb', null],
    ];
    for (const [s, v] of cases) assert.equal(parseMemoryBig(s), v, s);
  });

  it('memory values as CONFIG REWRITE writes them', () => {
    assert.equal(formatMemory(0), '0');
    assert.equal(formatMemory(1000), '1000');
    assert.equal(formatMemory(1024), '1kb');
    assert.equal(formatMemory(2048), '2kb');
    assert.equal(formatMemory(3 * 1024 * 1024), '3mb');
    assert.equal(formatMemory(1024 ** 3), '1gb');
    assert.equal(formatMemory(1024 ** 3 + 1024), '1048577kb');
  });

  it('memory bounds are checked in 64 bits and shown exactly', () => {
    const s = server();
    assert.equal(s.config.set('maxmemory', ['18446744073709551615']), null);
    assert.equal(s.config.format('maxmemory'), '18446744073709551615');
    assert.equal(
      s.config.set('hash-max-listpack-value', ['9223372036854775808']),
      'argument must be between 0 and 9223372036854775807 inclusive',
    );
    assert.equal(s.config.set('hash-max-listpack-value', ['9223372036854775807']), null);
    assert.equal(s.config.format('hash-max-listpack-value'), '9223372036854775807');
    assert.equal(
      s.config.set('proto-max-bulk-len', ['1k']),
      'argument must be between 1048576 and 9223372036854775807 inclusive',
    );
  });

  it('integers: string2ll rules and bounds', () => {
    const s = server();
    for (const bad of ['01', '+1', ' 1', '-0', '', '1k', '1.0', 'abc', '9223372036854775808']) {
      assert.equal(s.config.set('timeout', [bad]), "argument couldn't be parsed into an integer", bad);
    }
    assert.equal(s.config.set('timeout', ['-1']), 'argument must be between 0 and 2147483647 inclusive');
    assert.equal(
      s.config.set('timeout', ['2147483648']),
      'argument must be between 0 and 2147483647 inclusive',
    );
    assert.equal(s.config.set('timeout', ['2147483647']), null);
    assert.equal(s.config.num('timeout'), 2147483647);
    assert.equal(s.config.set('slowlog-log-slower-than', ['-1']), null);
    assert.equal(
      s.config.set('slowlog-log-slower-than', ['-2']),
      'argument must be between -1 and 9223372036854775807 inclusive',
    );
    assert.equal(s.config.set('slowlog-max-len', ['9223372036854775807']), null);
    assert.equal(s.config.format('slowlog-max-len'), '9223372036854775807');
    assert.equal(s.config.set('active-expire-effort', ['11']), 'argument must be between 1 and 10 inclusive');
    assert.equal(s.config.set('list-max-listpack-size', ['-2147483648']), null);
  });

  it('hz is clamped to 1..500 as Redis does', () => {
    const s = server();
    assert.equal(s.config.set('hz', ['1000']), null);
    assert.equal(s.config.format('hz'), '500');
    assert.equal(s.config.set('hz', ['0']), null);
    assert.equal(s.config.format('hz'), '1');
    assert.equal(s.config.set('hz', ['-1']), 'argument must be between 0 and 2147483647 inclusive');
  });

  it('booleans and enums are case-insensitive and shown in canonical case', () => {
    const s = server();
    assert.equal(s.config.set('appendonly', ['YES']), null);
    assert.equal(s.config.format('appendonly'), 'yes');
    assert.equal(s.config.set('appendonly', ['No']), null);
    assert.equal(s.config.format('appendonly'), 'no');
    assert.equal(s.config.set('appendonly', ['1']), "argument must be 'yes' or 'no'");
    assert.equal(s.config.set('appendfsync', ['Always']), null);
    assert.equal(s.config.format('appendfsync'), 'always');
    assert.equal(s.config.set('loglevel', ['WARNING']), null);
    assert.equal(s.config.format('loglevel'), 'warning');
    assert.equal(s.log.level, 'warning');
    assert.equal(s.config.set('enable-protected-configs', ['LOCAL']), null);
    assert.equal(s.config.format('enable-protected-configs'), 'local');
  });

  it('octal unixsocketperm', () => {
    const s = server();
    assert.equal(s.config.set('unixsocketperm', ['0700']), null);
    assert.equal(s.config.num('unixsocketperm'), 0o700);
    assert.equal(s.config.format('unixsocketperm'), '700');
    assert.equal(s.config.set('unixsocketperm', ['-1']), 'argument must be between 0 and 777 inclusive');
    assert.equal(s.config.set('unixsocketperm', ['8']), "argument couldn't be parsed as an octal number");
  });

  it('notify-keyspace-events: canonical order, A for all classes', () => {
    const shown = (v: string) => {
      const s = server();
      assert.equal(s.config.set('notify-keyspace-events', [v]), null, v);
      return s.config.format('notify-keyspace-events');
    };
    assert.equal(shown('KEA'), 'AKE');
    assert.equal(shown('Ex'), 'xE');
    assert.equal(shown('gK'), 'gK');
    assert.equal(shown('$lshzxetdK'), '$lshzxetdK');
    assert.equal(shown('Kg$lshzxetd'), 'AK');
    assert.equal(shown('mn'), 'nm');
    assert.equal(shown(''), '');
    // Redis 7.0 shows "A" for "An" but keeps n in effect: the stored text keeps it
    assert.equal(shown('An'), 'A');
    const s = server();
    s.config.set('notify-keyspace-events', ['nAKE']);
    assert.equal(s.config.str('notify-keyspace-events'), 'AnKE');
    assert.equal(parseKeyspaceEvents('X'), null);
    assert.equal(formatKeyspaceEvents(parseKeyspaceEvents('Em') ?? 0), 'Em');
  });

  it('secrets: CONFIG GET shows "" when unset and a marker when set', () => {
    const s = server();
    assert.equal(s.config.format('requirepass'), '');
    s.config.set('requirepass', ['hunter2']);
    assert.equal(s.config.format('requirepass'), REDACTED);
    assert.ok(!s.config.str('requirepass').includes('hunter2'), 'the plaintext is not kept');
    assert.equal(digestHex(s.config.str('requirepass')), sha256('hunter2').toString('hex'));
  });

  it('CONFIG SET arguments shown to others have secret values redacted', () => {
    const s = server();
    const argv = ['config', 'SET', 'timeout', '5', 'RequirePass', 'hunter2'].map((x) => Buffer.from(x));
    assert.deepEqual(
      redactConfigSet(s, argv).map((b) => b.toString()),
      ['config', 'SET', 'timeout', '5', 'RequirePass', REDACTED],
    );
    const get = ['CONFIG', 'GET', 'requirepass'].map((x) => Buffer.from(x));
    assert.equal(redactConfigSet(s, get), get);
  });

  it('the default dir is ./data, resolved to an absolute path', () => {
    const s = server();
    assert.equal(s.config.str('dir'), path.resolve('data'));
    assert.equal(s.config.format('bind'), '127.0.0.1 -::1');
  });
});

describe('Config.setMany (CONFIG SET)', () => {
  it('sets several values at once', () => {
    const s = server();
    const err = s.config.setMany(
      [
        ['timeout', '5'],
        ['MAXCLIENTS', '100'],
        ['save', '100 2 10 1'],
      ],
      false,
    );
    assert.equal(err, null);
    assert.equal(s.config.num('timeout'), 5);
    assert.equal(s.config.num('maxclients'), 100);
    assert.equal(s.config.format('save'), '100 2 10 1');
  });

  it('the first problem in argument order wins; the user spelling is echoed for name errors', () => {
    const s = server();
    assert.deepEqual(s.config.setMany([['FOO', '1']], false), { arg: 'FOO', reason: '', unknown: true });
    assert.deepEqual(
      s.config.setMany(
        [
          ['timeout', '7'],
          ['port', 'abc'],
          ['DAEMONIZE', 'yes'],
        ],
        false,
      ),
      { arg: 'port', reason: "can't set immutable config" },
    );
    assert.deepEqual(
      s.config.setMany(
        [
          ['timeout', '1'],
          ['foo', '1'],
          ['daemonize', 'yes'],
        ],
        false,
      ),
      { arg: 'foo', reason: '', unknown: true },
    );
    assert.deepEqual(s.config.setMany([['dir', '/tmp']], false), {
      arg: 'dir',
      reason: "can't set protected config",
    });
    assert.deepEqual(
      s.config.setMany(
        [
          ['hz', '15'],
          ['HZ', '16'],
        ],
        false,
      ),
      { arg: 'HZ', reason: 'duplicate parameter' },
    );
    // a name and its alias are not duplicates (Redis 7.0): the later one wins
    assert.equal(
      s.config.setMany(
        [
          ['hash-max-ziplist-entries', '1'],
          ['hash-max-listpack-entries', '2'],
        ],
        false,
      ),
      null,
    );
    assert.equal(s.config.num('hash-max-listpack-entries'), 2);
    // value errors name the canonical directive
    assert.deepEqual(s.config.setMany([['MaxClients', 'abc']], false), {
      arg: 'maxclients',
      reason: "argument couldn't be parsed into an integer",
    });
    assert.equal(s.config.num('timeout'), 0);
  });

  it('is all or nothing when a value is invalid', () => {
    const s = server();
    const err = s.config.setMany(
      [
        ['timeout', '5'],
        ['maxmemory', '1x'],
      ],
      false,
    );
    assert.deepEqual(err, { arg: 'maxmemory', reason: 'argument must be a memory value' });
    assert.equal(s.config.num('timeout'), 0);
  });

  it('rolls every value back (and re-applies the old ones) when an apply hook fails', () => {
    const applied: string[] = [];
    const table: DirectiveDef[] = [
      {
        name: 'a',
        type: 'int',
        default: '1',
        apply: (v, p) => {
          applied.push(`a:${p}->${v}`);
          return undefined;
        },
      },
      { name: 'b', type: 'string', default: 'x' },
      {
        name: 'c',
        type: 'int',
        default: '0',
        apply: (v) => (v === 13 ? 'unlucky' : undefined),
      },
    ];
    const cfg = new Config(table, []);
    const err = cfg.setMany(
      [
        ['a', '2'],
        ['b', 'y'],
        ['c', '13'],
      ],
      false,
    );
    assert.deepEqual(err, { arg: 'c', reason: 'unlucky' });
    assert.equal(cfg.num('a'), 1);
    assert.equal(cfg.str('b'), 'x');
    assert.equal(cfg.num('c'), 0);
    assert.deepEqual(applied, ['a:1->2', 'a:2->1']);
    assert.equal(cfg.setMany([['c', '14']], false), null);
    assert.equal(cfg.num('c'), 14);
  });

  it('apply hooks run after every value of the command is stored', () => {
    let seen = '';
    const cfg: Config = new Config(
      [
        {
          name: 'x',
          type: 'int',
          default: '0',
          apply: () => {
            seen = `${cfg.num('x')},${cfg.num('y')}`;
            return undefined;
          },
        },
        { name: 'y', type: 'int', default: '0' },
      ],
      [],
    );
    cfg.setMany(
      [
        ['x', '1'],
        ['y', '2'],
      ],
      false,
    );
    assert.equal(seen, '1,2');
  });

  it('protected configs are allowed when permitted; dir must exist at run time', () => {
    const s = server();
    const dir = tmpDir();
    assert.equal(s.config.setMany([['dir', dir]], true), null);
    assert.equal(s.config.str('dir'), dir);
    assert.deepEqual(s.config.setMany([['dir', path.join(dir, 'nope')]], true), {
      arg: 'dir',
      reason: 'No such file or directory',
    });
    assert.deepEqual(s.config.setMany([['dbfilename', 'a/b']], true), {
      arg: 'dbfilename',
      reason: "dbfilename can't be a path, just a filename",
    });
  });

  it('save via CONFIG SET splits on single spaces', () => {
    const s = server();
    for (const bad of ['5  1', ' 5 1', '5a 1', '-1 1', '0 0', '5 -1', '10 1 20']) {
      assert.deepEqual(
        s.config.setMany([['save', bad]], false),
        { arg: 'save', reason: 'Invalid save parameters' },
        bad,
      );
    }
    assert.equal(s.config.setMany([['save', '']], false), null);
    assert.equal(s.config.format('save'), '');
  });

  it('a secret cannot be set to the redaction marker', () => {
    const s = server();
    const err = s.config.setMany([['requirepass', REDACTED]], false);
    assert.equal(err?.arg, 'requirepass');
    assert.equal(s.config.str('requirepass'), '');
  });

  it('file-only and unsupported names are unknown to CONFIG SET', () => {
    const s = server();
    for (const n of ['rename-command', 'user', 'include', 'io-threads', 'masterauth']) {
      assert.deepEqual(s.config.setMany([[n, 'x']], false), { arg: n, reason: '', unknown: true });
    }
  });

  it('duplicate names in the table are refused', () => {
    assert.throws(
      () =>
        new Config(
          [
            { name: 'a', type: 'int', default: '0' },
            { name: 'b', alias: 'a', type: 'int', default: '0' },
          ],
          [],
        ),
      /duplicate config directive a/,
    );
  });
});
