'use strict';
// What the host running the tests can do, found out by trying, so that a
// test adapts to the host (or skips, saying why) instead of guessing from
// the platform name.
const fs = require('fs');
const os = require('os');
const path = require('path');

const WINDOWS = process.platform === 'win32';

/** Whether the tests run under Wine (scripts/test-wine.sh says so). */
const WINE = WINDOWS && process.env.WASI_RS_TEST_EMULATOR === 'wine';

/** Whether they run under qemu-user (scripts/test-arm64.sh says so). */
const QEMU = process.env.WASI_RS_TEST_EMULATOR === 'qemu-user';

/**
 * The reason a test that counts open descriptors in /proc/self/fd is
 * skipped here, or false on Linux. (Under Wine it would count Wine's own
 * Unix fds, not the process's handles.)
 */
const NO_PROC_FD = process.platform !== 'linux' && "counts /proc/self/fd, which only Linux has (under Wine it would count Wine's own Unix fds, not handles)";

/** The file system's time unit in ns: NTFS keeps times in 100 ns units. */
const TIME_UNIT_NS = WINDOWS ? 100 : 1;

let symlinks;
/**
 * Whether this host can make symlinks that then exist: Windows needs a
 * privilege (or Developer Mode) for them, and Wine 8 reports success for
 * CreateSymbolicLinkW but makes nothing. Tried once, in a temp dir.
 */
function canSymlink() {
  if (symlinks === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-rs-symlink-probe-'));
    try {
      fs.writeFileSync(path.join(dir, 'target'), '');
      fs.symlinkSync('target', path.join(dir, 'link'), 'file');
      symlinks = fs.readlinkSync(path.join(dir, 'link')) === 'target';
    } catch {
      symlinks = false;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return symlinks;
}

/** The reason a symlink test is skipped here, or false when it can run. */
function noSymlinks() {
  if (canSymlink()) return false;
  return WINE ? 'Wine 8 reports success for CreateSymbolicLinkW but makes no link' : 'this host refuses to create symlinks (Windows needs a privilege or Developer Mode)';
}

module.exports = { WINDOWS, WINE, QEMU, NO_PROC_FD, TIME_UNIT_NS, canSymlink, noSymlinks };
