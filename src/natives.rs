//! The native import functions: raw Node-API callbacks, one per syscall,
//! made once per thread.
//!
//! wasm does not call these directly: each `wasiImport` function is a
//! small JS function (`lib/imports.js`, generated) that checks its
//! arguments' types, writes them with the instance's id into the thread's
//! call [`Frame`], and calls the native function of its syscall with no
//! arguments. The call itself ([`call_import`]) is the hot path: it reads
//! the instance id and the arguments from the frame, finds the instance's
//! state, takes the guest memory (for the calls that take pointers), runs
//! the core syscall and leaves the errno in the frame, with no napi-rs
//! wrapper and no allocation on the way. The natives are made once per thread
//! and shared by every `WASI` object (so that V8 sees one call target per
//! call site); the id names the instance.
//!
//! Each preview1 syscall gets its own monomorphic callback
//! (`fixed_trampoline::<I>` for entry `I` of [`wasi_core::PREVIEW1`]), so
//! reading the arguments is unrolled and the syscall called directly; the
//! few `wasi_unstable` overrides share a generic one that reads the
//! syscall from the function's `data`.
//!
//! Each set of natives has its own registry of states, and its own
//! `create`, the only way to put a state in it. `lib/imports.js` takes a
//! set when it is loaded and keeps it, and the states it creates, in its
//! closure. Other JS in the process may take a set of its own, but the
//! ids it can pass reach only the states it created itself: never another
//! instance's, whose memory the natives trust `lib/imports.js` to have
//! rebound after growth (the frame likewise holds the types it checked).
//!
//! That trust is given to one set per thread: the first one made there,
//! which `lib/native.js` takes in the same step as it loads the addon.
//! Every later set (a second copy of the JS after a module-registry reset,
//! or JS that reached the addon through `require.cache`) is *checked*: its
//! states read the bound buffer afresh on every call, so a buffer that was
//! detached, transferred or shrunk after `bind` is never read through (see
//! [`crate::memory_cache`]).

use crate::errors::{guarded, install_quiet_panic_hook, throw_internal, throw_memory_error, throw_napi_failure, throw_not_started};
use crate::frame::{Frame, FrameView};
use crate::napi_util::{callback_args, check, create_function, set_property, NapiStatus};
use crate::state::{Registry, State};
use napi::sys;
use std::cell::Cell;
use std::ptr;
use std::rc::Rc;
use wasi_core::syscalls::MAX_PARAMS;
use wasi_core::{GuestMemory, Syscall, PREVIEW1, UNSTABLE_OVERRIDES};

/// The prefix of the `wasi_unstable` variants' keys in the natives object.
pub const UNSTABLE_PREFIX: &str = "unstable_";

thread_local! {
    /// Whether this thread has made its trusted set of natives yet.
    static TRUSTED_SET_MADE: Cell<bool> = const { Cell::new(false) };
}

/// What `create` carries: the set's registry, and whether its states
/// check their memory on every call.
struct CreateData {
    registry: Rc<Registry>,
    checked: bool,
}

/// What each native function carries.
pub struct NativeData {
    pub frame: FrameView,
    pub registry: Rc<Registry>,
    pub syscall: &'static Syscall,
    /// Keeps the frame's buffer alive.
    _frame_owner: Rc<Frame>,
}

/// Builds a set of natives: one function per distinct syscall of both
/// ABIs, called with no arguments (they are in the frame), `frame`, the
/// frame's ArrayBuffer, and `create(config, onExit)`, which makes a state
/// these natives can reach (see [`crate::create`]). Returns the status of
/// a Node-API call that failed.
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread.
pub unsafe fn build_natives(env: sys::napi_env) -> Result<sys::napi_value, NapiStatus> {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        install_quiet_panic_hook();
        let registry = Rc::new(Registry::new());
        let checked = TRUSTED_SET_MADE.with(|made| made.replace(true));
        let mut object = ptr::null_mut();
        check(sys::napi_create_object(env, &mut object))?;
        let (frame, frame_buffer) = Frame::new(env)?;
        let frame = Rc::new(frame);
        set_property(env, object, "frame", frame_buffer)?;
        let create = create_function(env, "create", Some(create_trampoline), CreateData { registry: registry.clone(), checked })?;
        set_property(env, object, "create", create)?;
        // Preview1 syscalls under their import names, each with its own
        // trampoline; the wasi_unstable variants as `unstable_<name>`, with the
        // generic one.
        let preview1 = PREVIEW1.iter().zip(FIXED_TRAMPOLINES).map(|(s, t)| (s.name.to_string(), s, t));
        let unstable = UNSTABLE_OVERRIDES.iter().map(|s| (format!("{UNSTABLE_PREFIX}{}", s.name), s, generic_trampoline as Trampoline));
        for (key, syscall, trampoline) in preview1.chain(unstable) {
            let data = NativeData { frame: frame.view(), registry: registry.clone(), syscall, _frame_owner: frame.clone() };
            let f = create_function(env, &key, Some(trampoline), data)?;
            set_property(env, object, &key, f)?;
        }
        Ok(object)
    }
}

/// `create(config, onExit)`: a new state in this set's registry.
unsafe extern "C" fn create_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with a live
    // `info` and the data the function was created with.
    unsafe {
        guarded(env, || {
            let args = match callback_args::<2>(env, info) {
                Ok(args) => args,
                Err(status) => {
                    throw_napi_failure(env, "cannot read create()'s arguments", status);
                    return ptr::null_mut();
                }
            };
            let data = &*(args.data as *const CreateData);
            match crate::create::create_wasi(env, &data.registry, data.checked, args.argv[0], args.argv[1]) {
                Ok(v) => v,
                Err(e) if e.status == napi::Status::PendingException => ptr::null_mut(),
                Err(e) => {
                    napi::JsError::from(e).throw_into(env);
                    ptr::null_mut()
                }
            }
        })
    }
}

/// The trampoline for an import whose syscall is only known from `data`.
unsafe extern "C" fn generic_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with a live
    // `info` whose data is a `NativeData` (see `build_natives`).
    unsafe { guarded(env, || call_import(env, info, None)) }
}

/// The trampoline for `PREVIEW1[I]`: the syscall is a constant here.
unsafe extern "C" fn fixed_trampoline<const I: usize>(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with a live
    // `info` whose data is a `NativeData` (see `build_natives`).
    unsafe { guarded(env, || call_import(env, info, Some(&PREVIEW1[I]))) }
}

type Trampoline = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

macro_rules! fixed_trampolines {
    ($($i:literal)*) => { [$(fixed_trampoline::<$i> as Trampoline),*] };
}

/// One trampoline per preview1 import, by table index.
static FIXED_TRAMPOLINES: [Trampoline; 46] = fixed_trampolines!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45
);

/// Runs one import call, whose instance and arguments are in the frame.
/// `known` is the syscall when the trampoline is monomorphic; otherwise it
/// comes from the function's data.
///
/// # Safety
/// Called by a native's trampoline, inside its callback.
#[inline(always)]
pub unsafe fn call_import(env: sys::napi_env, info: sys::napi_callback_info, known: Option<&'static Syscall>) -> sys::napi_value {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let mut argc = 0usize;
        let mut data = ptr::null_mut();
        if let Err(status) = check(sys::napi_get_cb_info(env, info, &mut argc, ptr::null_mut(), ptr::null_mut(), &mut data)) {
            throw_napi_failure(env, "cannot read an import call", status);
            return ptr::null_mut();
        }
        let native = &*(data as *const NativeData);
        let syscall = known.unwrap_or(native.syscall);
        let frame = native.frame;
        let Some(state) = native.registry.get(frame.instance()).filter(|s| s.belongs_to(env)) else {
            throw_internal(env, "wasi-rs: no live WASI instance has this id");
            return ptr::null_mut();
        };
        let mut args = [0u64; MAX_PARAMS];
        for (k, (slot, &param)) in args.iter_mut().zip(syscall.params).enumerate() {
            *slot = frame.arg(k, param);
        }
        // `Err(status)`: another thread of the process has exited.
        let outcome: Result<_, u32> = 'call: {
            let Ok(mut inner) = state.inner.try_borrow_mut() else {
                throw_internal(env, "re-entrant WASI call");
                return ptr::null_mut();
            };
            let inner = &mut *inner;
            // A thread of a shared process: once any thread has called
            // proc_exit, every other thread's next call ends that thread too,
            // with the same status.
            if inner.shared {
                if let Some(status) = inner.ctx.process().exited() {
                    break 'call Err(status);
                }
                if syscall.exits {
                    inner.ctx.process().exit(args[0] as u32);
                }
            }
            let Some(memory) = inner.memory.as_mut() else {
                throw_not_started(env);
                return ptr::null_mut();
            };
            // Calls that take no pointer skip the memory lookup (which, for a
            // shared memory, calls into JS). For an unshared one, the JS import
            // function has already rebound a detached buffer.
            let mut guest = if syscall.uses_memory {
                match memory.guest(env) {
                    Ok(g) => g,
                    Err(e) => {
                        throw_memory_error(env, e);
                        return ptr::null_mut();
                    }
                }
            } else {
                GuestMemory::new(&mut [])
            };
            #[cfg(feature = "test-hooks")]
            if let Some(name) = state.panic_on.get() {
                if name == syscall.name {
                    panic!("forced panic in {name} (test hook)");
                }
            }
            Ok((syscall.call)(&mut inner.ctx, &mut guest, &args[..syscall.params.len()]))
        };
        // The state is released before any JS runs again (the exit handler).
        let errno = match outcome {
            Ok(errno) => errno,
            Err(status) => return call_on_exit(env, &state, ExitCode::Status(status)),
        };
        if syscall.exits {
            return call_on_exit(env, &state, ExitCode::Argument(info));
        }
        frame.set_errno(errno);
        ptr::null_mut()
    }
}

/// The status the exit handler is given.
enum ExitCode {
    /// `proc_exit`'s argument, as wasm gave it (JS passes it along as well
    /// as in the frame).
    Argument(sys::napi_callback_info),
    /// The status another thread of the process exited with.
    Status(u32),
}

/// Hands the exit status to the JS exit handler, which throws (to unwind
/// the guest) or ends the process.
unsafe fn call_on_exit(env: sys::napi_env, state: &State, code: ExitCode) -> sys::napi_value {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let mut value = ptr::null_mut();
        let got = match code {
            ExitCode::Argument(info) => {
                let mut argc = 1usize;
                check(sys::napi_get_cb_info(env, info, &mut argc, &mut value, ptr::null_mut(), ptr::null_mut()))
            }
            // As wasm would pass it: an i32.
            ExitCode::Status(status) => check(sys::napi_create_int32(env, status as i32, &mut value)),
        };
        if let Err(status) = got {
            throw_napi_failure(env, "cannot pass the exit status on", status);
            return ptr::null_mut();
        }
        let mut handler = ptr::null_mut();
        let mut undefined = ptr::null_mut();
        let mut result = ptr::null_mut();
        if check(sys::napi_get_reference_value(env, state.on_exit, &mut handler)).is_ok() && !handler.is_null() {
            sys::napi_get_undefined(env, &mut undefined);
            sys::napi_call_function(env, undefined, handler, 1, &value, &mut result);
        }
        // The handler always throws; if it did not, make sure the guest unwinds.
        throw_internal(env, "proc_exit handler returned");
        ptr::null_mut()
    }
}
