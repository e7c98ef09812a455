//! The state shared by one `WASI` object's import functions.
//!
//! Every import function (and the `bind` function) holds an `Rc<State>` in
//! its Node-API `data`; the finalizer of each function drops its share, so
//! the state, its fd table and its references are freed with the last one.

use crate::memory_cache::MemoryCache;
use napi::sys;
use std::cell::RefCell;
use wasi_core::WasiCtx;

/// What a syscall needs: the WASI context and the instance's memory
/// (`None` until `start()`/`initialize()` binds it).
pub struct Inner {
    pub ctx: WasiCtx,
    pub memory: Option<MemoryCache>,
}

/// One WASI object's native state.
pub struct State {
    /// The environment (thread) the state lives in; used only to release
    /// references when the state is dropped by a finalizer.
    env: sys::napi_env,
    pub inner: RefCell<Inner>,
    /// The JS function `proc_exit` calls to unwind the guest.
    pub on_exit: sys::napi_ref,
    /// Test hook: the import whose call panics on purpose, to prove that a
    /// panic becomes a JS exception (see `index.js`, `kTestPanicOn`).
    pub panic_on: Option<&'static str>,
}

impl State {
    pub fn new(env: sys::napi_env, ctx: WasiCtx, on_exit: sys::napi_ref, panic_on: Option<&'static str>) -> State {
        State { env, inner: RefCell::new(Inner { ctx, memory: None }), on_exit, panic_on }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: finalizers run on the state's own thread with its env,
        // including during environment teardown.
        unsafe {
            if let Some(m) = self.inner.get_mut().memory.as_mut() {
                m.release(self.env);
            }
            if !self.on_exit.is_null() {
                sys::napi_delete_reference(self.env, self.on_exit);
            }
        }
    }
}
