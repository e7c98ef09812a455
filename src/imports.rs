//! The hot path: the native import functions, raw Node-API callbacks.
//!
//! wasm does not call these directly: each `wasiImport` function is a
//! small JS function (`lib/imports.js`, generated) that checks its
//! arguments' types, writes them with the instance's id into the thread's
//! call [`Frame`], and calls the native function of its syscall with no
//! arguments. In Node 20 (V8 11.x) that is cheaper than wasm calling a
//! Node-API function itself: V8 calls one from optimized JS inline, but
//! from wasm only through its generic C++ API-call path, and the frame
//! spares one Node-API call per argument and one for the result. The
//! natives are made once per thread and shared by every `WASI` object
//! (so that V8 sees one call target per call site); the id names the
//! instance, which the thread's [`Registry`] turns into its state.
//!
//! Each preview1 syscall gets its own monomorphic callback
//! (`fixed_trampoline::<I>` for entry `I` of [`wasi_core::PREVIEW1`]), so
//! reading the arguments is unrolled and the syscall called directly; the
//! few `wasi_unstable` overrides share a generic one that reads the
//! syscall from the function's `data`. A call reads the frame, takes the
//! cached memory view, runs the core syscall and leaves the errno in the
//! frame. Panics are caught here and never cross into Node.
//!
//! The natives are private to the package (`lib/imports.js` is their only
//! caller), which keeps two promises: the frame holds the types it
//! checked, and a memory-taking call never runs on a detached buffer.

use crate::frame::{Frame, FrameView};
use crate::memory_cache::MemoryError;
use crate::napi_util::{create_function, ok, set_property, throw, ErrorKind};
use crate::registry::Registry;
use crate::state::State;
use napi::sys;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::rc::Rc;
use wasi_core::syscalls::MAX_PARAMS;
use wasi_core::{GuestMemory, Syscall, PREVIEW1, UNSTABLE_OVERRIDES};

/// What each native function carries.
struct NativeData {
    frame: FrameView,
    registry: Rc<Registry>,
    syscall: &'static Syscall,
    /// Keeps the frame's buffer alive.
    _frame_owner: Rc<Frame>,
}

unsafe extern "C" fn drop_native_data(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data.cast::<NativeData>()));
}

unsafe extern "C" fn drop_state_share(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data.cast::<Rc<State>>()));
}

/// Builds the natives object: one function per distinct syscall of both
/// ABIs, called with no arguments (they are in the frame), and `frame`,
/// the frame's ArrayBuffer.
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread.
pub unsafe fn build_natives(env: sys::napi_env) -> Option<sys::napi_value> {
    install_quiet_panic_hook();
    let registry = crate::registry::current();
    let mut object = ptr::null_mut();
    if !ok(sys::napi_create_object(env, &mut object)) {
        return None;
    }
    let (frame, frame_buffer) = Frame::new(env)?;
    let frame = Rc::new(frame);
    if !set_property(env, object, "frame", frame_buffer) {
        return None;
    }
    // Preview1 syscalls under their import names, each with its own
    // trampoline; the wasi_unstable variants as `unstable_<name>`, with the
    // generic one.
    let preview1 = PREVIEW1.iter().zip(FIXED_TRAMPOLINES).map(|(s, t)| (s.name.to_string(), s, t));
    let unstable = UNSTABLE_OVERRIDES.iter().map(|s| (format!("unstable_{}", s.name), s, generic_trampoline as Trampoline));
    for (key, syscall, trampoline) in preview1.chain(unstable) {
        let data =
            Box::into_raw(Box::new(NativeData { frame: frame.view(), registry: registry.clone(), syscall, _frame_owner: frame.clone() }));
        let Some(f) = create_function(env, &key, Some(trampoline), data.cast(), Some(drop_native_data)) else {
            drop(Box::from_raw(data));
            return None;
        };
        if !set_property(env, object, &key, f) {
            return None;
        }
    }
    Some(object)
}

/// Builds `bind(memory)`, which `start()`/`initialize()` call to give the
/// imports the instance's memory, and the import functions call again
/// when growth has detached its buffer. Until the first call every import
/// throws `ERR_WASI_NOT_STARTED`. `bind` owns the state: the import
/// functions keep it alive.
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
        MemoryError::NotAnArrayBuffer => {
            throw(env, ErrorKind::TypeError, "ERR_INVALID_ARG_TYPE", "The instance's memory cannot be read as bytes")
        }
        MemoryError::Napi => throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "cannot access the instance's memory"),
    }
    ptr::null_mut()
}

/// Runs one import call, whose instance and arguments are in the frame.
/// `known` is the syscall when the trampoline is monomorphic; otherwise it
/// comes from the function's data.
#[inline(always)]
unsafe fn call_import(env: sys::napi_env, info: sys::napi_callback_info, known: Option<&'static Syscall>) -> sys::napi_value {
    let mut argc = 0usize;
    let mut data = ptr::null_mut();
    if !ok(sys::napi_get_cb_info(env, info, &mut argc, ptr::null_mut(), ptr::null_mut(), &mut data)) {
        return ptr::null_mut();
    }
    let native = &*(data as *const NativeData);
    let syscall = known.unwrap_or(native.syscall);
    let frame = native.frame;
    let Some(state) = native.registry.get(frame.instance()).filter(|s| s.belongs_to(env)) else {
        throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "wasi-rs: no live WASI instance has this id");
        return ptr::null_mut();
    };
    let mut args = [0u64; MAX_PARAMS];
    for (k, (slot, &param)) in args.iter_mut().zip(syscall.params).enumerate() {
        *slot = frame.arg(k, param);
    }
    let errno = {
        let Ok(mut inner) = state.inner.try_borrow_mut() else {
            throw(env, ErrorKind::Error, "ERR_WASI_INTERNAL", "re-entrant WASI call");
            return ptr::null_mut();
        };
        let inner = &mut *inner;
        let Some(memory) = inner.memory.as_mut() else {
            return throw_not_started(env);
        };
        // Calls that take no pointer skip the memory lookup (which, for a
        // shared memory, calls into JS). For an unshared one, the JS import
        // function has already rebound a detached buffer.
        let bytes: &mut [u8] = if syscall.uses_memory {
            match memory.bytes(env) {
                Ok(b) => b,
                Err(e) => return throw_memory_error(env, e),
            }
        } else {
            &mut []
        };
        if let Some(name) = state.panic_on {
            if name == syscall.name {
                panic!("forced panic in {name} (test hook)");
            }
        }
        (syscall.call)(&mut inner.ctx, &mut GuestMemory::new(bytes), &args[..syscall.params.len()])
    };
    // The state is released before any JS runs again (the exit handler).
    if syscall.exits {
        return call_on_exit(env, info, &state);
    }
    frame.set_errno(errno);
    ptr::null_mut()
}

/// Hands `proc_exit`'s argument, as wasm gave it (JS passes it along as
/// well as in the frame), to the JS exit handler, which throws (to unwind
/// the guest) or ends the process.
unsafe fn call_on_exit(env: sys::napi_env, info: sys::napi_callback_info, state: &State) -> sys::napi_value {
    let mut argc = 1usize;
    let mut code = ptr::null_mut();
    if !ok(sys::napi_get_cb_info(env, info, &mut argc, &mut code, ptr::null_mut(), ptr::null_mut())) {
        return ptr::null_mut();
    }
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
