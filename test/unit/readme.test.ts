// The README's directive table is generated from the directive table: it must not drift.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Server } from '../../src/server/server';

test('README lists every implemented directive', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const a = readme.indexOf('<!-- directives:start -->');
  const b = readme.indexOf('<!-- directives:end -->');
  assert.ok(a >= 0 && b > a, 'README has the generated directive section');
  const section = readme.slice(a, b);
  const s = new Server();
  const missing = s.config.table.map((d) => d.name).filter((n) => !section.includes(`| \`${n}\` |`));
  assert.deepEqual(missing, [], 'run `node scripts/directives-table.js --write` after adding directives');
});
