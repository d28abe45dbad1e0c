// CONFIG REWRITE: the text transformation (checked against what redis-server 7.0.15 does with
// the same inputs) and the atomic file replacement.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigText } from '../../src/config/load';
import { rewriteConfigFile, rewriteConfigText, SIGNATURE } from '../../src/config/rewrite';
import { sha256 } from '../../src/security/secret';
import { Server } from '../../src/server/server';
import { tmpDir } from '../helpers/servers';

/** A server whose config was loaded from `text`, with `dir` fixed so output is stable. */
function loaded(text: string): Server {
  const s = new Server();
  loadConfigText(s.config, text, 'r.conf');
  return s;
}

function set(s: Server, pairs: [string, string][]): void {
  assert.equal(s.config.setMany(pairs, true), null);
}

describe('CONFIG REWRITE text', () => {
  it('rewrites lines in place, keeps comments and order, removes repeats, appends under the signature', () => {
    const old =
      '# top comment\nport 17395\nbind 127.0.0.1\n\n# maxclients comment\nmaxclients 100\ntimeout 0\n' +
      'hash-max-ziplist-entries 100\nsave 900 1\nsave 300 10\nloglevel notice\nmaxclients 200\n' +
      'rename-command flushall ""\nrequirepass "a b"\ndir /tmp\n';
    const s = loaded(old);
    set(s, [
      ['timeout', '5'],
      ['maxclients', '300'],
      ['hz', '20'],
      ['loglevel', 'warning'],
      ['save', ''],
      ['notify-keyspace-events', 'KEA'],
      ['hash-max-ziplist-entries', '512'],
    ]);
    // the same steps on redis-server 7.0.15 give this (minus its user/latency-tracking lines)
    assert.equal(
      rewriteConfigText(s.config, old),
      '# top comment\nport 17395\nbind 127.0.0.1\n\n# maxclients comment\nmaxclients 300\ntimeout 5\n' +
        'hash-max-listpack-entries 512\nsave ""\n\nloglevel warning\n\nrename-command flushall ""\n' +
        `\ndir "/tmp"\n\n${SIGNATURE}\nrequirepass-sha256 ${sha256('a b').toString('hex')}\n` +
        'hz 20\nnotify-keyspace-events "AKE"\n',
    );
  });

  it('a second rewrite keeps the signature and appends after the file end', () => {
    const old = `port 1\ndir /tmp\nsave ""\n\n${SIGNATURE}\nhz 20\n`;
    const s = loaded(old);
    set(s, [['maxclients', '5']]);
    const out = rewriteConfigText(s.config, old);
    assert.equal(out.split(SIGNATURE).length, 2, 'one signature');
    assert.ok(out.endsWith('hz 20\n\nmaxclients 5\n'), out);
    // as with Redis, the file's final newline becomes one blank line, then nothing changes
    const again = rewriteConfigText(s.config, out);
    assert.equal(again, `${out}\n`);
    assert.equal(rewriteConfigText(s.config, again), again);
  });

  it('save and dir are always written; save at its default takes one line per pair', () => {
    const s = loaded('port 1\nsave 5 5\ndir /tmp\n');
    assert.equal(
      rewriteConfigText(s.config, 'port 1\nsave 5 5\ndir /tmp\n'),
      'port 1\nsave 5 5\ndir "/tmp"\n\n',
    );
    assert.equal(
      rewriteConfigText(s.config, 'port 1\nsave 5 5\n'),
      `port 1\nsave 5 5\n\n${SIGNATURE}\ndir "/tmp"\n`,
    );
    set(s, [['save', '3600 1 300 100 60 10000']]);
    assert.equal(
      rewriteConfigText(s.config, 'port 1\nsave 5 5\ndir /tmp\n'),
      `port 1\nsave 3600 1\ndir "/tmp"\n\n${SIGNATURE}\nsave 300 100\nsave 60 10000\n`,
    );
  });

  it('empty "null" strings lose their line; other strings are quoted', () => {
    const old = 'pidfile ""\nlogfile ""\nunixsocket ""\ndbfilename dump.rdb\ndir /tmp\nsave ""\n';
    const s = loaded(old);
    assert.equal(
      rewriteConfigText(s.config, old),
      '\nlogfile ""\n\ndbfilename "dump.rdb"\ndir "/tmp"\nsave ""\n\n',
    );
  });

  it('values at their default are rewritten where the file has them, not appended', () => {
    const s = loaded('maxclients 10000\n');
    const out = rewriteConfigText(s.config, 'maxclients 10000\n');
    assert.ok(out.startsWith('maxclients 10000\n'));
    assert.ok(!out.includes('timeout'));
  });

  it('memory values use the largest exact unit; client-output-buffer-limit has one line per changed class', () => {
    const s = loaded('');
    set(s, [
      ['maxmemory', '1gb'],
      ['proto-max-bulk-len', '3mb'],
      ['client-query-buffer-limit', '1048577'],
      ['client-output-buffer-limit', 'normal 1mb 1024 5 replica 1g 2k 3'],
      ['slowlog-log-slower-than', '-1'],
    ]);
    const out = rewriteConfigText(s.config, '');
    assert.match(out, /^maxmemory 1gb$/m);
    assert.match(out, /^proto-max-bulk-len 3mb$/m);
    assert.match(out, /^client-query-buffer-limit 1048577$/m);
    assert.match(out, /^client-output-buffer-limit normal 1mb 1kb 5$/m);
    assert.match(out, /^client-output-buffer-limit replica 1000000000 2000 3$/m);
    assert.doesNotMatch(out, /client-output-buffer-limit pubsub/);
    assert.match(out, /^slowlog-log-slower-than -1$/m);
  });

  it('unknown lines are commented out; include, user and unsupported directives are kept', () => {
    const s = loaded('');
    const old = 'bogus-directive 1\nbind "a"b\ninclude /x.conf\nuser default on nopass\nio-threads 4\n';
    assert.equal(
      rewriteConfigText(s.config, old),
      '# ??? bogus-directive 1\n# ??? bind "a"b\ninclude /x.conf\nuser default on nopass\nio-threads 4\n\n' +
        `${SIGNATURE}\ndir "${s.config.str('dir')}"\nsave 3600 1\nsave 300 100\nsave 60 10000\n`,
    );
  });

  it('requirepass is written only as its digest (requirepass-sha256), never in plaintext', () => {
    const s = loaded('');
    set(s, [['requirepass', 'x"y\\z']]);
    const text = rewriteConfigText(s.config, '');
    assert.doesNotMatch(text, /^requirepass /m);
    assert.match(text, new RegExp(`^requirepass-sha256 ${sha256('x"y\\z').toString('hex')}$`, 'm'));
  });

  it('what CONFIG REWRITE writes loads back to the same configuration', () => {
    const s = loaded('bind 127.0.0.1\n');
    set(s, [
      ['requirepass', 'p a\'s"s\n'],
      ['maxmemory', '18446744073709551615'],
      ['notify-keyspace-events', 'AnKE'],
      ['save', '10 1 20 2'],
      ['client-output-buffer-limit', 'pubsub 0 0 0'],
      ['list-max-listpack-size', '-5'],
      ['appendfsync', 'no'],
      ['rdbcompression', 'no'],
    ]);
    const text = rewriteConfigText(s.config, '# hello\n');
    const t = loaded(text);
    for (const d of s.config.table) {
      // requirepass-sha256 only feeds requirepass (compared below through the stored digest)
      if (d.name === 'requirepass-sha256') continue;
      assert.equal(t.config.format(d.name), s.config.format(d.name), d.name);
      if (d.name === 'requirepass' || d.name === 'notify-keyspace-events') {
        assert.equal(t.config.str(d.name), s.config.str(d.name), d.name);
      }
    }
  });
});

describe('CONFIG REWRITE file', () => {
  it('replaces the file atomically with mode 0600 and leaves no temporary file', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'r.conf');
    fs.writeFileSync(f, '# mine\nmaxclients 10\n', { mode: 0o644 });
    const s = loaded(fs.readFileSync(f, 'latin1'));
    set(s, [['maxclients', '20']]);
    rewriteConfigFile(s.config, f);
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.ok(fs.readFileSync(f, 'latin1').startsWith('# mine\nmaxclients 20\n'));
    assert.deepEqual(fs.readdirSync(dir), ['r.conf']);
  });

  it('writes through a symlink to its target', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'real'));
    const real = path.join(dir, 'real', 'r.conf');
    fs.writeFileSync(real, 'timeout 1\n');
    const link = path.join(dir, 'link.conf');
    fs.symlinkSync(real, link);
    const s = loaded('timeout 1\n');
    set(s, [['timeout', '2']]);
    rewriteConfigFile(s.config, link);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.ok(fs.readFileSync(real, 'latin1').startsWith('timeout 2\n'));
  });

  it('creates a missing file', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'new.conf');
    const s = loaded('');
    rewriteConfigFile(s.config, f);
    assert.ok(fs.readFileSync(f, 'latin1').startsWith(`${SIGNATURE}\n`));
  });

  it('reports a failure (missing directory) and creates nothing', () => {
    const dir = tmpDir();
    const s = loaded('');
    assert.throws(() => rewriteConfigFile(s.config, path.join(dir, 'missing', 'r.conf')), /ENOENT/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
