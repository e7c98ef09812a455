//! Small, safe-ish helpers over raw Node-API calls used by the binding.

use napi::sys;
use std::ffi::CString;
use std::ptr;

/// Whether a Node-API call succeeded.
pub fn ok(status: sys::napi_status) -> bool {
    status == sys::Status::napi_ok
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).expect("NULs were replaced")
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
        if ok(sys::napi_is_exception_pending(env, &mut pending)) && pending {
            return;
        }
        let (code, message) = (cstring(code), cstring(message));
        match kind {
            ErrorKind::Error => sys::napi_throw_error(env, code.as_ptr(), message.as_ptr()),
            ErrorKind::TypeError => sys::napi_throw_type_error(env, code.as_ptr(), message.as_ptr()),
        };
    }
}

/// Creates a JS function backed by `cb`, whose Node-API `data` points at
/// `data`, boxed; when the function is collected, its finalizer drops the
/// box. (If the function was made but the finalizer could not be added,
/// the box is leaked rather than freed under a live function.)
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread; `cb` must read its
/// data as a `T`.
pub unsafe fn create_function<T>(env: sys::napi_env, name: &str, cb: sys::napi_callback, data: T) -> Option<sys::napi_value> {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        unsafe extern "C" fn drop_boxed<T>(_env: sys::napi_env, data: *mut std::ffi::c_void, _hint: *mut std::ffi::c_void) {
            // SAFETY: Node-API calls this callback on its env's thread, with a live
            // `info` and the data the function was created with.
            unsafe {
                drop(Box::from_raw(data.cast::<T>()));
            }
        }
        let data = Box::into_raw(Box::new(data));
        let mut f = ptr::null_mut();
        if !ok(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, cb, data.cast(), &mut f)) {
            drop(Box::from_raw(data));
            return None;
        }
        if !ok(sys::napi_add_finalizer(env, f, data.cast(), Some(drop_boxed::<T>), ptr::null_mut(), ptr::null_mut())) {
            return None;
        }
        Some(f)
    }
}

/// Sets `object[name] = value`.
///
/// # Safety
/// All handles must belong to `env`'s current scope.
pub unsafe fn set_property(env: sys::napi_env, object: sys::napi_value, name: &str, value: sys::napi_value) -> bool {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let name = cstring(name);
        ok(sys::napi_set_named_property(env, object, name.as_ptr(), value))
    }
}

/// Whether `env` can no longer run JS: its worker is being terminated or
/// the process is exiting (Node marks the environment as stopping from
/// the thread that tears it down). Asks with `napi_coerce_to_bool` on a
/// boolean, which runs no JS and fails only in that state (or with an
/// exception pending, when the call is unwinding anyway).
///
/// # Safety
/// `env` must be the current environment of a running callback.
pub unsafe fn env_is_stopping(env: sys::napi_env) -> bool {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let mut value = ptr::null_mut();
        let mut result = ptr::null_mut();
        !ok(sys::napi_get_boolean(env, true, &mut value)) || !ok(sys::napi_coerce_to_bool(env, value, &mut result))
    }
}
