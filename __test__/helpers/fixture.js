'use strict';
// A sandbox fixture on the host: a preopen directory beside an "outside"
// directory holding a secret, with symlinks of every kind in the preopen.
const fs = require('fs');
const path = require('path');
const { tempDir } = require('./run');
const { canSymlink } = require('./host');

function makeSandbox() {
  const root = tempDir('wasi-rs-sandbox-');
  const outside = path.join(root, 'outside');
  const sandbox = path.join(root, 'sandbox');
  fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET\n');
  fs.mkdirSync(path.join(sandbox, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(sandbox, 'file.txt'), 'inside\n');
  fs.writeFileSync(path.join(sandbox, 'sub', 'inner.txt'), 'inner\n');
  const links = {
    'sub/up_link': '../file.txt',
    inside_rel: 'sub/inner.txt',
    chain: 'inside_rel',
    subdir_link: 'sub',
    link_abs: path.join(outside, 'secret.txt'),
    link_rel_out: '../outside/secret.txt',
    link_dir_out: '../outside',
    link_dir_abs: outside,
    'sub/deep_out': '../../outside/secret.txt',
    link_abs_dangling: path.join(outside, 'new.txt'),
    loop1: 'loop2',
    loop2: 'loop1',
    self_loop: 'self_loop',
  };
  // Where the host makes no symlinks (helpers/host.js), the links are left
  // out, and the tests that need them skip, saying why.
  if (canSymlink()) for (const [link, target] of Object.entries(links)) fs.symlinkSync(target, path.join(sandbox, link));
  return { root, outside, sandbox };
}

/**
 * Every path under `dir` with its type and content: symlink targets, file
 * contents, link counts, and (with `times`) modification times.
 */
function snapshot(dir, { times = true } = {}) {
  const out = {};
  const walk = (d) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      const when = times ? ` mtime=${st.mtimeMs}` : '';
      if (st.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir${when}`;
        walk(p);
      } else out[rel] = `file ${fs.readFileSync(p).toString('base64')} nlink=${st.nlink}${when}`;
    }
  };
  walk(dir);
  return out;
}

module.exports = { makeSandbox, snapshot };
