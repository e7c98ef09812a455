//! The JS errors the binding throws, with their `code`s: the one list of
//! them on the Rust side (`lib/errors.js` builds the ones JS throws, and
//! the generator copies these codes into `lib/imports.js` through the
//! addon's `abi()`). The Node-free core knows no JS error codes.

use crate::napi_util::{throw, ErrorKind};
use napi::sys;
use wasi_core::SetupError;

/// An import was called before `start()`/`initialize()`.
pub const ERR_WASI_NOT_STARTED: &str = "ERR_WASI_NOT_STARTED";
/// An internal failure of wasi-rs, turned into a JS error.
pub const ERR_WASI_INTERNAL: &str = "ERR_WASI_INTERNAL";
/// A preopen's host path cannot be opened as a directory.
pub const ERR_WASI_PREOPEN: &str = "ERR_WASI_PREOPEN";
/// A `sockets` entry cannot be bound, or is not a socket.
pub const ERR_WASI_SOCKET: &str = "ERR_WASI_SOCKET";
/// A value of the wrong type reached the binding.
pub const ERR_INVALID_ARG_TYPE: &str = "ERR_INVALID_ARG_TYPE";

/// An option's value is out of range (`maxFds` too small for the stdio,
/// preopens and sockets it must hold).
pub const ERR_OUT_OF_RANGE: &str = "ERR_OUT_OF_RANGE";

/// A `WASI` object bound to a shared memory whose process was made with
/// other preopens (see `processes.rs`).
pub const ERR_WASI_PROCESS_MISMATCH: &str = "ERR_WASI_PROCESS_MISMATCH";

/// The host could not give the guest what it was configured with (a
/// stdio stream could not be held: the process is out of fds).
pub const ERR_WASI_HOST_LIMIT: &str = "ERR_WASI_HOST_LIMIT";

/// Every code above, for `abi()`.
pub const ALL: [&str; 8] = [
    ERR_WASI_NOT_STARTED,
    ERR_WASI_INTERNAL,
    ERR_WASI_PREOPEN,
    ERR_WASI_SOCKET,
    ERR_INVALID_ARG_TYPE,
    ERR_OUT_OF_RANGE,
    ERR_WASI_PROCESS_MISMATCH,
    ERR_WASI_HOST_LIMIT,
];

/// The JS error code of a failure to set an instance up.
pub fn setup_error_code(e: &SetupError) -> &'static str {
    match e {
        SetupError::Preopen { .. } => ERR_WASI_PREOPEN,
        SetupError::Socket { .. } => ERR_WASI_SOCKET,
        SetupError::Limit { .. } => ERR_OUT_OF_RANGE,
        SetupError::Stdio { .. } => ERR_WASI_HOST_LIMIT,
    }
}

/// Throws `ERR_WASI_INTERNAL` with `message`.
///
/// # Safety
/// `env` must be the current environment of a running callback.
pub unsafe fn throw_internal(env: sys::napi_env, message: &str) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        throw(env, ErrorKind::Error, ERR_WASI_INTERNAL, message);
    }
}

/// Throws `ERR_WASI_NOT_STARTED`.
///
/// # Safety
/// As [`throw_internal`].
pub unsafe fn throw_not_started(env: sys::napi_env) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        throw(env, ErrorKind::Error, ERR_WASI_NOT_STARTED, "wasi.start() has not been called");
    }
}

/// Throws the error for a memory that cannot be read.
///
/// # Safety
/// As [`throw_internal`].
pub unsafe fn throw_memory_error(env: sys::napi_env, e: crate::memory_cache::MemoryError) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        match e {
            crate::memory_cache::MemoryError::NotAnArrayBuffer => {
                throw(env, ErrorKind::TypeError, ERR_INVALID_ARG_TYPE, "The instance's memory cannot be read as bytes")
            }
            crate::memory_cache::MemoryError::Napi => throw_internal(env, "cannot access the instance's memory"),
        }
    }
}

/// Throws `ERR_WASI_PROCESS_MISMATCH`.
///
/// # Safety
/// As [`throw_internal`].
pub unsafe fn throw_process_mismatch(env: sys::napi_env) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        throw(
        env,
        ErrorKind::Error,
        ERR_WASI_PROCESS_MISMATCH,
        "this shared memory already belongs to a WASI process with other preopens: every WASI object bound to one shared memory must be given the same preopens",
    );
    }
}
