//! The hot path: one import call, from the frame to the core and back.
//!
//! A call reads the instance id and the arguments from the frame, finds
//! the instance's state, takes the guest memory (for the calls that take
//! pointers), runs the core syscall and leaves the errno in the frame.
//! No napi-rs wrapper and no allocation on the way.

use crate::error_codes::{throw_internal, throw_memory_error, throw_not_started};
use crate::napi_util::ok;
use crate::natives::NativeData;
use crate::state::State;
use napi::sys;
use std::ptr;
use wasi_core::syscalls::MAX_PARAMS;
use wasi_core::{GuestMemory, Syscall};

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
        if !ok(sys::napi_get_cb_info(env, info, &mut argc, ptr::null_mut(), ptr::null_mut(), &mut data)) {
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
            if let Some(name) = state.panic_on {
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
                ok(sys::napi_get_cb_info(env, info, &mut argc, &mut value, ptr::null_mut(), ptr::null_mut()))
            }
            // As wasm would pass it: an i32.
            ExitCode::Status(status) => ok(sys::napi_create_int32(env, status as i32, &mut value)),
        };
        if !got {
            return ptr::null_mut();
        }
        let mut handler = ptr::null_mut();
        let mut undefined = ptr::null_mut();
        let mut result = ptr::null_mut();
        if ok(sys::napi_get_reference_value(env, state.on_exit, &mut handler)) && !handler.is_null() {
            sys::napi_get_undefined(env, &mut undefined);
            sys::napi_call_function(env, undefined, handler, 1, &value, &mut result);
        }
        // The handler always throws; if it did not, make sure the guest unwinds.
        throw_internal(env, "proc_exit handler returned");
        ptr::null_mut()
    }
}
