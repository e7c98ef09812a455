//! Small helpers over raw Node-API calls: the status check, functions
//! with owned data, properties, and whether the environment is stopping.

use napi::sys;
use std::ffi::CString;
use std::ptr;

/// A Node-API call's failing status, kept so that the error which reports
/// the failure can say which it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NapiStatus(pub sys::napi_status);

impl NapiStatus {
    /// Whether the call failed because a JS exception is pending (which
    /// then is the error to report, not this status).
    pub fn is_pending_exception(self) -> bool {
        self.0 == sys::Status::napi_pending_exception
    }
}

impl std::fmt::Display for NapiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `napi_status`'s values, in order (js_native_api_types.h).
        const NAMES: [&str; 24] = [
            "napi_ok",
            "napi_invalid_arg",
            "napi_object_expected",
            "napi_string_expected",
            "napi_name_expected",
            "napi_function_expected",
            "napi_number_expected",
            "napi_boolean_expected",
            "napi_array_expected",
            "napi_generic_failure",
            "napi_pending_exception",
            "napi_cancelled",
            "napi_escape_called_twice",
            "napi_handle_scope_mismatch",
            "napi_callback_scope_mismatch",
            "napi_queue_full",
            "napi_closing",
            "napi_bigint_expected",
            "napi_date_expected",
            "napi_arraybuffer_expected",
            "napi_detachable_arraybuffer_expected",
            "napi_would_deadlock",
            "napi_no_external_buffers_allowed",
            "napi_cannot_run_js",
        ];
        match usize::try_from(self.0).ok().and_then(|i| NAMES.get(i)) {
            Some(name) => f.write_str(name),
            None => write!(f, "napi_status {}", self.0),
        }
    }
}

/// Checks a Node-API call's status: `Ok`, or the failing status.
#[inline]
pub fn check(status: sys::napi_status) -> Result<(), NapiStatus> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(NapiStatus(status))
    }
}

/// What a callback was called with: its first `N` arguments (null past
/// `argc`) and the data its function was created with.
pub struct CallbackArgs<const N: usize> {
    /// How many arguments JS passed (it may be more or fewer than `N`).
    pub argc: usize,
    pub argv: [sys::napi_value; N],
    pub data: *mut std::ffi::c_void,
}

/// Reads a callback's arguments and data (`napi_get_cb_info`).
///
/// # Safety
/// `env` and `info` are those of the running callback.
pub unsafe fn callback_args<const N: usize>(env: sys::napi_env, info: sys::napi_callback_info) -> Result<CallbackArgs<N>, NapiStatus> {
    let mut args = CallbackArgs { argc: N, argv: [ptr::null_mut(); N], data: ptr::null_mut() };
    // SAFETY: the caller's contract; `argv` has room for `argc` values.
    check(unsafe { sys::napi_get_cb_info(env, info, &mut args.argc, args.argv.as_mut_ptr(), ptr::null_mut(), &mut args.data) })?;
    Ok(args)
}

/// `s` as a C string (a NUL inside becomes a space).
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).expect("NULs were replaced")
}

/// Creates a JS function backed by `cb`, whose Node-API `data` points at
/// `data`, boxed; when the function is collected, its finalizer drops the
/// box. (If the function was made but the finalizer could not be added,
/// the box is leaked rather than freed under a live function.)
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread; `cb` must read its
/// data as a `T`.
pub unsafe fn create_function<T>(env: sys::napi_env, name: &str, cb: sys::napi_callback, data: T) -> Result<sys::napi_value, NapiStatus> {
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
        if let Err(status) = check(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, cb, data.cast(), &mut f)) {
            drop(Box::from_raw(data));
            return Err(status);
        }
        check(sys::napi_add_finalizer(env, f, data.cast(), Some(drop_boxed::<T>), ptr::null_mut(), ptr::null_mut()))?;
        Ok(f)
    }
}

/// Sets `object[name] = value`.
///
/// # Safety
/// All handles must belong to `env`'s current scope.
pub unsafe fn set_property(env: sys::napi_env, object: sys::napi_value, name: &str, value: sys::napi_value) -> Result<(), NapiStatus> {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let name = cstring(name);
        check(sys::napi_set_named_property(env, object, name.as_ptr(), value))
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
        check(sys::napi_get_boolean(env, true, &mut value)).is_err() || check(sys::napi_coerce_to_bool(env, value, &mut result)).is_err()
    }
}
