#!/usr/bin/env node
// Prints the README's directive table from the compiled directive table, or with --write
// replaces the section between the markers in README.md. A unit test checks they agree.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Server } = require('../dist/src/server/server.js');

const START = '<!-- directives:start -->';
const END = '<!-- directives:end -->';

function table() {
  const s = new Server();
  const rows = ['| Directive | Default | Notes |', '|---|---|---|'];
  const fileOnly = ['include', 'rename-command', 'user'];
  for (const d of s.config.table) {
    const notes = [];
    if (d.alias) notes.push(`alias \`${d.alias}\``);
    if (d.immutable) notes.push('not changeable by CONFIG SET');
    if (d.protected) notes.push('protected config');
    if (d.secret) notes.push('secret: redacted in CONFIG GET, never logged');
    let def = d.secret ? '' : s.config.format(d.name);
    if (d.name === 'dir') def = './data';
    rows.push(
      `| \`${d.name}\` | ${def === '' ? '""' : `\`${def.replace(/\|/g, '\\|')}\``} | ${notes.join('; ')} |`,
    );
  }
  for (const f of fileOnly) rows.push(`| \`${f}\` | | config file only, repeatable |`);
  return rows.join('\n');
}

const text = `${START}\n${table()}\n${END}`;
if (process.argv.includes('--write')) {
  const p = path.join(__dirname, '..', 'README.md');
  const readme = fs.readFileSync(p, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < 0) throw new Error('README has no directive markers');
  fs.writeFileSync(p, readme.slice(0, a) + text + readme.slice(b + END.length));
} else {
  process.stdout.write(`${text}\n`);
}
module.exports = { table, START, END };
