//! The hot path: each `wasiImport` function is a raw Node-API callback.
//!
//! Each preview1 import gets its own monomorphic trampoline
//! (`fixed_trampoline::<I>` for entry `I` of [`wasi_core::PREVIEW1`]), so
//! the argument decoding is unrolled and the syscall called directly; the
//! few `wasi_unstable` overrides share a generic one that reads the syscall
//! from the function's `data`. The `data` also holds the shared [`State`].
//! A call decodes the arguments as the syscall's wasm signature says (i32 →
//! `u32`, i64 → BigInt → `u64`), takes the cached memory view, runs the core
//! syscall and returns the errno. Panics are caught here and never cross
//! into Node.

use crate::memory_cache::MemoryError;
use crate::napi_util::{create_function, ok, set_property, throw, ErrorKind};
use crate::state::State;
use napi::sys;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::rc::Rc;
use wasi_core::syscalls::MAX_PARAMS;
use wasi_core::{Abi, Errno, GuestMemory, Param, Syscall, PREVIEW1};

/// What each import function carries.
struct ImportData {
    state: Rc<State>,
    syscall: &'static Syscall,
}

unsafe extern "C" fn drop_import_data(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data.cast::<ImportData>()));
}

unsafe extern "C" fn drop_state_share(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data.cast::<Rc<State>>()));
}

/// Builds the `wasiImport` object: one function per import of `abi`.
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread.
pub unsafe fn build_imports(env: sys::napi_env, state: &Rc<State>, abi: Abi) -> Option<sys::napi_value> {
    install_quiet_panic_hook();
    let mut object = ptr::null_mut();
    if !ok(sys::napi_create_object(env, &mut object)) {
        return None;
    }
    for syscall in wasi_core::imports(abi) {
        let data = Box::into_raw(Box::new(ImportData { state: state.clone(), syscall }));
        let trampoline = match PREVIEW1.iter().position(|p| ptr::eq(p, syscall)) {
            Some(i) => FIXED_TRAMPOLINES[i],
            None => generic_trampoline,
        };
        let Some(f) = create_function(env, syscall.name, Some(trampoline), data.cast(), Some(drop_import_data)) else {
            drop(Box::from_raw(data));
            return None;
        };
        if !set_property(env, object, syscall.name, f) {
            return None;
        }
    }
    Some(object)
}

/// Builds `bind(memory)`, which `start()`/`initialize()` call to give the
/// imports the instance's memory. Until then every import throws
/// `ERR_WASI_NOT_STARTED`.
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread.
pub unsafe fn build_bind(env: sys::napi_env, state: &Rc<State>) -> Option<sys::napi_value> {
    let data = Box::into_raw(Box::new(state.clone()));
    let f = create_function(env, "bind", Some(bind_trampoline), data.cast(), Some(drop_state_share));
    if f.is_none() {
        drop(Box::from_raw(data));
    }
    f
}

thread_local! {
    /// Where the last panic on this thread happened, for the JS error.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Replaces the default panic output (a message on the process's stderr)
/// with a note kept for the JS error: a library must not write to its
/// host's stderr. The hook is this addon's own (each cdylib has its std).
fn install_quiet_panic_hook() {
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
unsafe fn guarded(env: sys::napi_env, body: impl FnOnce() -> sys::napi_value) -> sys::napi_value {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(_) => {
            let what = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "unknown panic".into());
            throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", &format!("internal error in wasi-rs: {what}"));
            ptr::null_mut()
        }
    }
}

/// The trampoline for an import whose syscall is only known from `data`.
unsafe extern "C" fn generic_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    guarded(env, || call_import(env, info, None))
}

/// The trampoline for `PREVIEW1[I]`: the syscall is a constant here.
unsafe extern "C" fn fixed_trampoline<const I: usize>(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    guarded(env, || call_import(env, info, Some(&PREVIEW1[I])))
}

type Trampoline = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

macro_rules! fixed_trampolines {
    ($($i:literal)*) => { [$(fixed_trampoline::<$i> as Trampoline),*] };
}

/// One trampoline per preview1 import, by table index.
static FIXED_TRAMPOLINES: [Trampoline; 46] = fixed_trampolines!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45
);

unsafe extern "C" fn bind_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    guarded(env, || bind_memory(env, info))
}

unsafe fn throw_not_started(env: sys::napi_env) -> sys::napi_value {
    throw(env, ErrorKind::Error, "ERR_WASI_NOT_STARTED", "wasi.start() has not been called");
    ptr::null_mut()
}

unsafe fn throw_memory_error(env: sys::napi_env, e: MemoryError) -> sys::napi_value {
    match e {
        MemoryError::NotAnArrayBuffer => throw(
            env,
            ErrorKind::TypeError,
            "ERR_INVALID_ARG_TYPE",
            "The instance's memory cannot be read as bytes",
        ),
        MemoryError::Napi => throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "cannot access the instance's memory"),
    }
    ptr::null_mut()
}

/// Decodes argument `i` of `syscall` as its wasm type says: a Number for
/// i32 (taken modulo 2^32, so negative i32s are high addresses) and a
/// BigInt for i64. Anything else is `None`.
#[inline(always)]
unsafe fn decode_arg(env: sys::napi_env, syscall: &Syscall, i: usize, value: sys::napi_value) -> Option<u64> {
    match syscall.params[i] {
        Param::I32 => {
            let mut v = 0u32;
            ok(sys::napi_get_value_uint32(env, value, &mut v)).then_some(u64::from(v))
        }
        Param::I64 => {
            let mut v = 0u64;
            let mut lossless = false;
            ok(sys::napi_get_value_bigint_uint64(env, value, &mut v, &mut lossless)).then_some(v)
        }
    }
}

/// Returns an errno to JS.
unsafe fn errno_value(env: sys::napi_env, errno: Errno) -> sys::napi_value {
    let mut result = ptr::null_mut();
    sys::napi_create_uint32(env, u32::from(errno.raw()), &mut result);
    result
}

/// Runs one import call. `known` is the syscall when the trampoline is
/// monomorphic; otherwise it comes from the function's data.
#[inline(always)]
unsafe fn call_import(env: sys::napi_env, info: sys::napi_callback_info, known: Option<&'static Syscall>) -> sys::napi_value {
    // Ask only for the arguments the syscall takes (missing ones come back
    // as undefined, which decodes as EINVAL).
    let mut argc = known.map_or(MAX_PARAMS, |s| s.params.len());
    let mut argv = [ptr::null_mut(); MAX_PARAMS];
    let mut data = ptr::null_mut();
    if !ok(sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data)) {
        return ptr::null_mut();
    }
    let import = &*(data as *const ImportData);
    let syscall = known.unwrap_or(import.syscall);
    // Arguments first, as Node does: a missing or mistyped one is EINVAL
    // whether or not the instance has started.
    let mut args = [0u64; MAX_PARAMS];
    for (i, slot) in args.iter_mut().enumerate().take(syscall.params.len()) {
        match decode_arg(env, syscall, i, argv[i]) {
            Some(v) => *slot = v,
            None => return errno_value(env, Errno::Inval),
        }
    }
    let errno = {
        let Ok(mut inner) = import.state.inner.try_borrow_mut() else {
            throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "re-entrant WASI call");
            return ptr::null_mut();
        };
        let inner = &mut *inner;
        let Some(memory) = inner.memory.as_mut() else {
            return throw_not_started(env);
        };
        // Calls that take no pointer skip the memory lookup (~8 ns).
        let bytes: &mut [u8] = if syscall.uses_memory {
            match memory.bytes(env) {
                Ok(b) => b,
                Err(e) => return throw_memory_error(env, e),
            }
        } else {
            &mut []
        };
        if let Some(name) = import.state.panic_on {
            if name == syscall.name {
                panic!("forced panic in {name} (test hook)");
            }
        }
        (syscall.call)(&mut inner.ctx, &mut GuestMemory::new(bytes), &args[..syscall.params.len()])
    };
    // The state is released before any JS runs again (the exit handler).
    if syscall.exits {
        return call_on_exit(env, &import.state, argv[0]);
    }
    errno_value(env, errno)
}

/// Hands `proc_exit`'s argument to the JS exit handler, which throws (to
/// unwind the guest) or ends the process.
unsafe fn call_on_exit(env: sys::napi_env, state: &State, code: sys::napi_value) -> sys::napi_value {
    let mut handler = ptr::null_mut();
    let mut undefined = ptr::null_mut();
    let mut result = ptr::null_mut();
    if ok(sys::napi_get_reference_value(env, state.on_exit, &mut handler)) && !handler.is_null() {
        sys::napi_get_undefined(env, &mut undefined);
        sys::napi_call_function(env, undefined, handler, 1, &code, &mut result);
    }
    // The handler always throws; if it did not, make sure the guest unwinds.
    throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "proc_exit handler returned");
    ptr::null_mut()
}

unsafe fn bind_memory(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // bind(memory, sharedView?): the helper is passed for shared memories.
    let mut argc = 2usize;
    let mut argv = [ptr::null_mut(); 2];
    let mut data = ptr::null_mut();
    if !ok(sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data)) {
        return ptr::null_mut();
    }
    let state = &*(data as *const Rc<State>);
    let mut kind = 0;
    let shared_view = if argc >= 2 && ok(sys::napi_typeof(env, argv[1], &mut kind)) && kind == sys::ValueType::napi_function {
        argv[1]
    } else {
        ptr::null_mut()
    };
    let cache = match crate::memory_cache::MemoryCache::new(env, argv[0], shared_view) {
        Ok(c) => c,
        Err(e) => return throw_memory_error(env, e),
    };
    let Ok(mut inner) = state.inner.try_borrow_mut() else {
        throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "re-entrant WASI call");
        return ptr::null_mut();
    };
    if let Some(mut old) = inner.memory.replace(cache) {
        old.release(env);
    }
    ptr::null_mut()
}
