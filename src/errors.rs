//! The JS errors the binding throws, and the guard that keeps panics from
//! crossing into Node.
//!
//! The error `code`s here are the one list of them on the Rust side
//! (`lib/errors.js` builds the ones JS throws, and the generator copies
//! these codes into `lib/imports.js` through the addon's `abi()`). The
//! Node-free core knows no JS error codes.
//!
//! Every native callback runs its body under [`guarded`], which turns a
//! panic into an `ERR_WASI_INTERNAL` JS error; the addon's own panic hook
//! keeps the message for that error instead of printing it (a library must
//! not write to its host's stderr).

use crate::memory_cache::MemoryError;
use crate::napi_util::{check, cstring, NapiStatus};
use napi::sys;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
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
pub unsafe fn throw_memory_error(env: sys::napi_env, e: MemoryError) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        match e {
            MemoryError::NotAnArrayBuffer => {
                throw(env, ErrorKind::TypeError, ERR_INVALID_ARG_TYPE, "The instance's memory cannot be read as bytes")
            }
            MemoryError::Napi(status) => throw_napi_failure(env, "cannot access the instance's memory", status),
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

/// Throws `ERR_WASI_INTERNAL` for a Node-API call that failed with
/// `status`: "`what` (`status`)". A pending exception is left to speak
/// for itself.
///
/// # Safety
/// `env` must be the current environment of a running callback.
pub unsafe fn throw_napi_failure(env: sys::napi_env, what: &str, status: NapiStatus) {
    if !status.is_pending_exception() {
        // SAFETY: this function's contract.
        unsafe { throw_internal(env, &format!("wasi-rs: {what} ({status})")) }
    }
}

/// Which JS error constructor to throw.
#[derive(Clone, Copy)]
pub enum ErrorKind {
    Error,
    TypeError,
}

/// Throws a JS error with a `code` property, unless an exception is
/// already pending (then that one wins and is left untouched).
///
/// # Safety
/// `env` must be the current environment of a running callback.
pub unsafe fn throw(env: sys::napi_env, kind: ErrorKind, code: &str, message: &str) {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let mut pending = false;
        if check(sys::napi_is_exception_pending(env, &mut pending)).is_ok() && pending {
            return;
        }
        let (code, message) = (cstring(code), cstring(message));
        match kind {
            ErrorKind::Error => sys::napi_throw_error(env, code.as_ptr(), message.as_ptr()),
            ErrorKind::TypeError => sys::napi_throw_type_error(env, code.as_ptr(), message.as_ptr()),
        };
    }
}

thread_local! {
    /// Where the last panic on this thread happened, for the JS error.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic output with a note kept for the JS error.
/// The hook is this addon's own (each cdylib has its std).
pub fn install_quiet_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
        }));
    });
}

/// Runs `body`, turning a panic into a JS exception (`ERR_WASI_INTERNAL`).
///
/// # Safety
/// `env` must be the current environment of a running callback.
pub unsafe fn guarded(env: sys::napi_env, body: impl FnOnce() -> sys::napi_value) -> sys::napi_value {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        match catch_unwind(AssertUnwindSafe(body)) {
            Ok(v) => v,
            Err(_) => {
                let what = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "unknown panic".into());
                throw_internal(env, &format!("internal error in wasi-rs: {what}"));
                ptr::null_mut()
            }
        }
    }
}
