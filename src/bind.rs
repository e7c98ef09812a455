//! `bind`: gives an instance's state its memory, and owns the state.
//!
//! `start()`/`initialize()` call it (through `lib/imports.js`) with the
//! instance memory's current ArrayBuffer, and the import functions call it
//! again when growth has detached that buffer; for a shared or resizable
//! memory it gets instead a helper returning a current view. Until the
//! first call every import throws `ERR_WASI_NOT_STARTED`. The function's
//! data is an `Rc<State>`, and every import function keeps `bind` alive,
//! so the state lives exactly as long as any of them.
//!
//! Binding a shared memory makes the object a thread of that memory's
//! WASI process (see [`crate::processes`]).

use crate::error_codes::{throw_internal, throw_memory_error, throw_process_mismatch};
use crate::memory_cache::MemoryCache;
use crate::napi_util::{create_function, ok};
use crate::panic_guard::guarded;
use crate::state::State;
use napi::sys;
use std::ptr;
use std::rc::Rc;

/// Builds `bind(buffer)` / `bind(buffer, viewFn, shared)` for `state`.
///
/// # Safety
/// Called inside a Node-API callback on `env`'s thread.
pub unsafe fn build_bind(env: sys::napi_env, state: &Rc<State>) -> Option<sys::napi_value> {
    unsafe { create_function(env, "bind", Some(bind_trampoline), state.clone()) }
}

unsafe extern "C" fn bind_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    unsafe { guarded(env, || bind_memory(env, info)) }
}

unsafe fn bind_memory(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let mut argc = 3usize;
        let mut argv = [ptr::null_mut(); 3];
        let mut data = ptr::null_mut();
        if !ok(sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data)) {
            return ptr::null_mut();
        }
        let state = &*(data as *const Rc<State>);
        let mut kind = 0;
        let view_fn = argc >= 2 && ok(sys::napi_typeof(env, argv[1], &mut kind)) && kind == sys::ValueType::napi_function;
        let shared = argc >= 3 && {
            let mut b = false;
            ok(sys::napi_get_value_bool(env, argv[2], &mut b)) && b
        };
        let cache = if view_fn {
            MemoryCache::shared(env, argv[0], argv[1], shared, state.checked)
        } else {
            MemoryCache::unshared(env, argv[0], state.checked)
        };
        let cache = match cache {
            Ok(c) => c,
            Err(e) => {
                throw_memory_error(env, e);
                return ptr::null_mut();
            }
        };
        let Ok(mut inner) = state.inner.try_borrow_mut() else {
            throw_internal(env, "re-entrant WASI call");
            return ptr::null_mut();
        };
        if let Some(base) = cache.shared_base() {
            match crate::processes::process_for(base, inner.ctx.process()) {
                Ok(process) => {
                    inner.ctx.join(process);
                    inner.shared = true;
                }
                Err(crate::processes::Mismatch) => {
                    let mut cache = cache;
                    cache.release(env);
                    throw_process_mismatch(env);
                    return ptr::null_mut();
                }
            }
        }
        if let Some(mut old) = inner.memory.replace(cache) {
            old.release(env);
        }
        ptr::null_mut()
    }
}
