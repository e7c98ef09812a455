'use strict';
// TypeScript: wasi-rs is a drop-in for @types/node's `node:wasi`. Code
// written against it (__test__/typescript/dropin.ts) compiles under
// `tsc --strict` as it is and with its import changed to 'wasi-rs', with
// the current @types/node and with Node 20's; wasi-rs's extras
// (__test__/typescript/extras.ts) are typed too.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { tsProject, tsc } = require('./helpers/typescript');
const { canSymlink, WINDOWS } = require('./helpers/host');

const SOURCES = path.join(__dirname, 'typescript');
const project = (files, types) => tsProject(files, types, { noEmit: true });

const SKIP = (WINDOWS && 'TypeScript 7\'s compiler is a native binary installed for the host running npm') || (!canSymlink() && 'needs symlinks');

for (const types of ['node', 'node-20']) {
  test(`code typed against @types/${types === 'node' ? 'node (current)' : 'node 20'}'s node:wasi compiles unchanged against wasi-rs under --strict`, { skip: SKIP }, () => {
    const original = fs.readFileSync(path.join(SOURCES, 'dropin.ts'), 'utf8');
    assert.match(original, /from 'node:wasi'/);
    const againstNode = tsc(project({ 'dropin.ts': original }, types));
    assert.strictEqual(againstNode.status, 0, `the fixture must compile against node:wasi itself:\n${againstNode.output}`);
    const againstUs = tsc(project({ 'dropin.ts': original.replace(/from 'node:wasi'/g, "from 'wasi-rs'") }, types));
    assert.strictEqual(againstUs.status, 0, againstUs.output);
  });
}

test('wasi-rs\'s own extras are typed, and a mistyped one is an error', { skip: SKIP }, () => {
  const extras = fs.readFileSync(path.join(SOURCES, 'extras.ts'), 'utf8');
  assert.strictEqual(tsc(project({ 'extras.ts': extras }, 'node')).status, 0);
  const wrong = extras.replace('maxFds: 64', "maxFds: '64'");
  const r = tsc(project({ 'extras.ts': wrong }, 'node'));
  assert.notStrictEqual(r.status, 0);
  const line = wrong.split('\n').findIndex((l) => l.includes('maxFds')) + 1;
  assert.match(r.output, new RegExp(`extras\\.ts\\(${line},\\d+\\): error TS2322`));
});
