'use strict';
// stdio served from JS (a wasi-rs extension): besides an fd, `stdin` may be
// a string, a Buffer (any ArrayBuffer view, or an ArrayBuffer) or a
// Readable stream, and `stdout`/`stderr` a Writable stream or a callback
// `(chunk: Buffer) => void`. Each such stream is a pipe: the guest holds
// one end as its fd 0, 1 or 2, and this thread pumps the other while
// `wasi.run()` runs the guest in workers. A stream's backpressure reaches
// the guest through the pipe: a full pipe makes its fd_write wait (and a
// teardown still ends that wait). `start()` runs the guest on this very
// thread, which then cannot pump: it refuses such stdio.
const fs = require('fs');
const net = require('net');

const NAMES = ['stdin', 'stdout', 'stderr'];

/** What kind of JS stdio `value` is for fd `index`, or undefined if none
 * (then it must be an fd). */
function kindOf(index, value) {
  if (value === null || value === undefined || typeof value === 'number') return undefined;
  if (index === 0) {
    if (typeof value === 'string' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'data';
    if (typeof value === 'object' && typeof value.pipe === 'function' && typeof value.on === 'function') return 'readable';
    return undefined;
  }
  if (typeof value === 'function') return 'callback';
  if (typeof value === 'object' && typeof value.write === 'function' && typeof value.on === 'function') return 'writable';
  return undefined;
}

/** The bytes of a 'data' stdin. */
function bytesOf(value) {
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * One guest stdio stream served from JS: a pipe whose guest end (`guestFd`)
 * goes to the guest's fd table, and whose other end this keeps for the pump.
 */
class JsStdio {
  constructor(index, kind, target, [readFd, writeFd]) {
    this.index = index;
    this.name = NAMES[index];
    this.kind = kind;
    this.target = target;
    this.guestFd = index === 0 ? readFd : writeFd;
    this.ownFd = index === 0 ? writeFd : readFd;
    this.socket = undefined;
  }

  /** Closes this thread's copy of the guest's end, once the guest's fd
   * table holds a duplicate of it (so the reader sees end of file when the
   * guest's process lets go of its end). */
  releaseGuestEnd() {
    if (this.guestFd !== undefined) fs.closeSync(this.guestFd);
    this.guestFd = undefined;
  }

  /** Starts pumping. Resolves once an output has been delivered to its
   * end (or the input has been written, or abandoned). */
  start() {
    return new Promise((resolve, reject) => {
      const socket = new net.Socket({ fd: this.ownFd, readable: this.index !== 0, writable: this.index === 0 });
      this.ownFd = undefined;
      this.socket = socket;
      if (this.index === 0) {
        // The guest may end without reading everything: EPIPE then.
        socket.on('error', () => {});
        socket.on('close', resolve);
        if (this.kind === 'data') {
          socket.end(bytesOf(this.target));
        } else {
          this.target.pipe(socket);
          // A source that fails ends the guest's input: it reads end of file.
          this.target.on('error', () => socket.destroy());
        }
        return;
      }
      if (this.kind === 'callback') {
        socket.on('data', (chunk) => {
          try {
            this.target(chunk);
          } catch (err) {
            socket.destroy();
            reject(err);
          }
        });
        socket.on('end', resolve);
      } else {
        // As readable.pipe() does: the target is ended with the output
        // (never process.stdout or process.stderr).
        socket.pipe(this.target);
        socket.on('end', resolve);
        // A target that goes away first (an HTTP client that hung up) is a
        // reader that closed its end: the guest's next write gets EPIPE,
        // and nothing waits for output that no one will take.
        const gone = () => {
          socket.destroy();
          resolve();
        };
        this.target.on('close', gone);
        this.target.on('error', gone);
      }
      socket.on('error', reject);
    });
  }

  /** Stops feeding stdin (the guest has ended). */
  stop() {
    if (this.index !== 0 || !this.socket) return;
    if (this.kind === 'readable') this.target.unpipe(this.socket);
    this.socket.destroy();
  }

  /** Closes what is left of the pipe (an object that never ran). */
  dispose() {
    for (const fd of [this.guestFd, this.ownFd]) {
      if (fd !== undefined) fs.close(fd, () => {});
    }
    this.guestFd = this.ownFd = undefined;
  }
}

/** Closes the pipes of objects collected without running. */
const unrun = new FinalizationRegistry((list) => {
  for (const s of list) s.dispose();
});

module.exports = { kindOf, JsStdio, unrun, NAMES };
