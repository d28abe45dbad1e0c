// ACL internals, in process: the described rules of any user rebuild exactly the same
// permissions (a property test over random rule sequences), selector argument merging, the
// ACL file parser, the ACL log (grouping, ordering, maximum length), and coverage of the
// command table (every command's keys are known, nothing has movable keys without a key finder).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACL_CATEGORIES } from '../../src/commands/types';
import {
  type Acl,
  type AclUser,
  aclName,
  DENIED_CMD,
  DENIED_KEY,
  keyAccessKnown,
  mergeSelectorArgs,
  type Selector,
} from '../../src/security/acl';
import { Client } from '../../src/server/client';
import { Server } from '../../src/server/server';
import { prng } from '../helpers/random';

function server(): Server {
  const clock = {
    t: 1_700_000_000_000,
    now() {
      return this.t;
    },
  };
  const s = new Server(clock);
  s.log.level = 'nothing';
  return s;
}

function setUser(acl: Acl, name: string, rules: string[]): AclUser {
  const err = acl.setUser(name, rules);
  assert.equal(err, null, `${rules.join(' ')}: ${err}`);
  return acl.get(name) as AclUser;
}

function sameSelector(a: Selector, b: Selector, label: string): void {
  assert.deepEqual([...b.bits], [...a.bits], `${label}: command bits`);
  assert.equal(b.future, a.future, `${label}: +@all`);
  const fa = (s: Selector) => [...(s.firstArgs ?? new Map()).entries()].filter(([, v]) => v.length > 0);
  // first-args only matter (and are only described) for commands that are denied
  const denied = (s: Selector) =>
    fa(s)
      .filter(([id]) => s.bits[id] === 0)
      .sort((x, y) => x[0] - y[0]);
  assert.deepEqual(denied(b), denied(a), `${label}: first args`);
  // as in Redis, a read-write "*" pattern (%RW~*) is written "~*", which reads back as allkeys
  const keys = (s: Selector) =>
    s.allKeys || s.keys.some((k) => k.pattern === '*' && k.flags === 3)
      ? 'allkeys'
      : s.keys.map((k) => [k.pattern, k.flags]);
  assert.deepEqual(keys(b), keys(a), `${label}: keys`);
  assert.equal(b.allChannels, a.allChannels, label);
  assert.deepEqual(b.channels, a.channels, `${label}: channels`);
}

/** The words of an ACL LIST line, a selector "(...)" being one word. */
function splitLine(line: string): string[] {
  const words: string[] = [];
  for (const w of line.split(' ')) {
    const last = words[words.length - 1];
    if (last?.startsWith('(') && !last.endsWith(')')) words[words.length - 1] += ` ${w}`;
    else words.push(w);
  }
  return words;
}

describe('ACL rules', () => {
  it('ACL LIST describes any user so that its rules rebuild the same permissions', () => {
    const s = server();
    const acl = s.acl;
    const rnd = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const names = acl.index.cmds.map(aclName);
    const plain = acl.index.top.filter((c) => c.subcommands === null).map((c) => c.def.name);
    const gen = (): string => {
      const r = rnd();
      if (r < 0.25) return `${pick(['+', '-'])}@${pick(ACL_CATEGORIES)}`;
      if (r < 0.6) return `${pick(['+', '-'])}${pick(names)}`;
      if (r < 0.67) return `+${pick(plain)}|${pick(['0', 'a', 'B'])}`;
      if (r < 0.72) return pick(['+@all', '-@all', 'allcommands', 'nocommands']);
      if (r < 0.8) return `${pick(['~', '%R~', '%W~', '%RW~'])}${pick(['a*', 'b', '*', 'c?'])}`;
      if (r < 0.85) return pick(['resetkeys', 'resetchannels', 'allchannels', `&${pick(['x', 'y*'])}`]);
      if (r < 0.9) return pick(['on', 'off', 'nopass', 'resetpass', `>${pick(['p', 'q'])}`]);
      return `(${pick(['+get ~s', '+@read %R~r*', '-@all +@hash &h', '+@all -@dangerous'])})`;
    };
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      const rules: string[] = [];
      const len = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) rules.push(gen());
      // rules that add a pattern after allkeys/allchannels are refused: start over then
      if (acl.setUser('orig', ['reset', ...rules]) !== null) continue;
      const orig = acl.get('orig') as AclUser;
      const line = acl.describeUser(orig);
      const copy = setUser(acl, 'copy', ['reset', ...splitLine(line)]);
      const label = `rules: ${rules.join(' ')}\nline: ${line}`;
      assert.equal(copy.selectors.length, orig.selectors.length, label);
      for (let i = 0; i < orig.selectors.length; i++)
        sameSelector(orig.selectors[i], copy.selectors[i], label);
      assert.equal(copy.enabled, orig.enabled, label);
      assert.equal(copy.nopass, orig.nopass, label);
      assert.deepEqual(copy.passwords, orig.passwords, label);
      // the description is a fixed point (after "~*" has become allkeys, see above)
      const again = acl.describeUser(copy);
      const copy2 = setUser(acl, 'copy2', ['reset', ...splitLine(again)]);
      assert.equal(acl.describeUser(copy2), again, label);
      acl.deleteUsers(null, ['orig', 'copy', 'copy2']);
      checked++;
    }
    assert.ok(checked > 150, `only ${checked} valid rule sets`);
  });

  it('simple descriptions are the rules as given', () => {
    const acl = server().acl;
    const cases: [string[], string][] = [
      [[], 'off resetchannels -@all'],
      [['+@all'], 'off resetchannels +@all'],
      [['+@all', '-get'], 'off resetchannels +@all -get'],
      [['+@hash'], 'off resetchannels -@all +@hash'],
      [['+config|get', '-@all', '+client', '-client|kill'], 'off resetchannels -@all +client -client|kill'],
      [['+select|0', '+select|1'], 'off resetchannels -@all +select|0 +select|1'],
      [['%R~a', '%W~b', '~c', '&x'], 'off %R~a %W~b ~c resetchannels &x -@all'],
      [['on', '#'.padEnd(65, 'a'), 'allkeys', 'allchannels'], `on #${'a'.repeat(64)} ~* &* -@all`],
      [['(~x +get)', 'nopass'], 'off nopass resetchannels -@all (~x resetchannels -@all +get)'],
    ];
    for (const [rules, want] of cases) {
      acl.deleteUsers(null, ['u']);
      assert.equal(acl.describeUser(setUser(acl, 'u', rules)), want, rules.join(' '));
    }
  });

  it('selector arguments split by the client are joined', () => {
    assert.deepEqual(mergeSelectorArgs(['on', '(+get', '~x)', '>p']), { ok: ['on', '(+get ~x)', '>p'] });
    assert.deepEqual(mergeSelectorArgs(['(', '+get', ')']), { ok: ['( +get )'] });
    assert.deepEqual(mergeSelectorArgs(['(+get)', '()']), { ok: ['(+get)', '()'] });
    assert.deepEqual(mergeSelectorArgs(['on', '(+get', '~x']), { open: 1 });
    // a new "(" while one is open starts over, as Redis
    assert.deepEqual(mergeSelectorArgs(['(+a', '(+b', 'c)']), { ok: ['(+b c)'] });
  });

  it('the first selector allowing the whole command wins; otherwise the furthest denial is reported', () => {
    const s = server();
    const u = setUser(s.acl, 'sx', ['-@all', '+mget', '~a*', '(~b* +mget)']);
    const mget = s.commands.get('mget');
    assert.ok(mget !== undefined);
    const argv = (...a: string[]) => a.map((x) => Buffer.from(x));
    assert.equal(s.acl.check(u, mget, argv('mget', 'a1', 'a2')).code, 0);
    assert.deepEqual(s.acl.check(u, mget, argv('mget', 'a1', 'b1')), { code: DENIED_KEY, idx: 2 });
    assert.deepEqual(s.acl.check(u, mget, argv('mget', 'b1', 'a1')), { code: DENIED_KEY, idx: 2 });
    const get = s.commands.get('get');
    assert.ok(get !== undefined);
    assert.equal(s.acl.check(u, get, argv('get', 'a1')).code, DENIED_CMD);
  });
});

describe('ACL file', () => {
  it('parses lines split on single spaces, and reports every problem with its line', () => {
    const acl = server().acl;
    const ok = acl.parseAclFile('  user a on nopass ~* +@all  \r\n\nuser b (+get ~x) >p\n', 'f');
    assert.equal(ok.errors, '');
    assert.deepEqual([...ok.users.keys()], ['a', 'b']);
    assert.equal(acl.describeUser(ok.users.get('b') as AclUser).split(' ')[2], 'resetchannels');
    const bad = acl.parseAclFile(
      '# comment\nuser a on\nuser a off\nuser b on foo bar\nuser c +nosuch +@nosuch\nuser d (+get\nuser\n',
      'f',
    );
    assert.equal(
      bad.errors,
      'f:1 should start with user keyword followed by the username. ' +
        "WARNING: Duplicate user 'a' found on line 3. " +
        'f:4: Syntax error. ' +
        "f:5: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
        "f:5: Error in applying operation '+@nosuch': Unknown command or category name in ACL. " +
        'f:6: Unmatched parenthesis in selector definition. ' +
        'f:7 should start with user keyword followed by the username. ',
    );
    // a password-removal error never names the password
    const secret = acl.parseAclFile('user a <hunter2\n', 'f');
    assert.equal(secret.errors, 'f:1: The password you are trying to remove from the user does not exist. ');
  });
});

describe('ACL log', () => {
  it('groups repeats within 60 s (moved to the head), keeps at most acllog-max-len entries', () => {
    const s = server();
    const clock = s.clock.inner as unknown as { t: number };
    const c = new Client(s, 1, null, s.dbs[0], clock.t, 1 << 20, true);
    const acl = s.acl;
    const cur = { name: 'get', argv: [] };
    acl.addLog(c, 'key', 'toplevel', 'x', 'u', cur);
    acl.addLog(c, 'command', 'toplevel', 'ping', 'u', cur);
    clock.t += 1000;
    acl.addLog(c, 'key', 'toplevel', 'x', 'u', cur);
    assert.deepEqual(
      acl.log.map((e) => [e.object, e.count]),
      [
        ['x', 2],
        ['ping', 1],
      ],
    );
    // a different context or user is another entry
    acl.addLog(c, 'key', 'multi', 'x', 'u', cur);
    acl.addLog(c, 'key', 'toplevel', 'x', 'v', cur);
    assert.equal(acl.log.length, 4);
    // after a minute the same denial starts a new entry
    clock.t += 61_000;
    acl.addLog(c, 'command', 'toplevel', 'ping', 'u', cur);
    assert.deepEqual(
      acl.log.map((e) => [e.object, e.count]),
      [
        ['ping', 1],
        ['x', 1],
        ['x', 1],
        ['x', 2],
        ['ping', 1],
      ],
    );
    assert.equal(s.config.set('acllog-max-len', ['2']), null);
    acl.addLog(c, 'auth', 'toplevel', 'AUTH', 'w', cur);
    assert.deepEqual(
      acl.log.map((e) => e.object),
      ['AUTH', 'ping'],
    );
    assert.match(acl.log[0].cinfo, /^id=1 .* cmd=get user=default /);
  });
});

describe('ACL coverage of the command table', () => {
  it('every command with keys has a known key access; none has movable keys without a key finder', () => {
    const s = server();
    const unknown: string[] = [];
    const unfindable: string[] = [];
    for (const c of s.acl.index.cmds) {
      if (c.def.getKeys === undefined && c.flagNames.includes('movablekeys')) unfindable.push(aclName(c));
      if ((c.firstKey > 0 || c.def.getKeys !== undefined) && !keyAccessKnown(aclName(c)))
        unknown.push(aclName(c));
    }
    assert.deepEqual(unfindable, []);
    assert.deepEqual(unknown, [], 'add these to KEY_ACCESS_TEXT in src/security/acl.ts (Redis key specs)');
  });
});
