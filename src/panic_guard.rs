//! Panics never cross into Node: every native callback runs its body
//! under [`guarded`], which turns a panic into an `ERR_WASI_INTERNAL` JS
//! error, and the addon's own panic hook keeps the message for that error
//! instead of printing it (a library must not write to its host's stderr).

use crate::error_codes::throw_internal;
use napi::sys;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

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
