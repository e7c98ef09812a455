//! The native state of one `WASI` object.
//!
//! Its `bind` function holds the `Rc<State>` in its Node-API `data`, and
//! every JS import function of the object keeps `bind` alive (see
//! `lib/imports.js`); the import calls find the state by its id in the
//! thread's [`Registry`]. When the last of them is collected, `bind`'s
//! finalizer drops the state: its fd table closes, its references are
//! released and its id is retired.

use crate::memory_cache::MemoryCache;
use napi::sys;
use std::cell::RefCell;
use std::rc::Rc;
use wasi_core::WasiCtx;

/// The live states one set of natives can reach, by the id the import
/// calls pass.
pub type Registry = crate::registry::Registry<State>;

/// What a syscall needs: the WASI context and the instance's memory
/// (`None` until `start()`/`initialize()` binds it).
pub struct Inner {
    pub ctx: WasiCtx,
    pub memory: Option<MemoryCache>,
    /// Whether the memory is shared, so that the object is one thread of
    /// a process others may share: a `proc_exit` on any thread then ends
    /// every thread's next call too.
    pub shared: bool,
}

/// One WASI object's native state.
pub struct State {
    /// The environment (thread) the state lives in: calls from another
    /// environment are refused, and the references are released in it
    /// when the state is dropped by a finalizer.
    env: sys::napi_env,
    /// The table that names this state, and its id there (`None` when the
    /// table was full).
    registry: Rc<Registry>,
    id: Option<u32>,
    pub inner: RefCell<Inner>,
    /// Whether the memory is checked on every call: a state made by a
    /// set of natives other than the thread's first (see
    /// [`crate::natives`](mod@crate::natives)).
    pub checked: bool,
    /// The JS function `proc_exit` calls to unwind the guest.
    pub on_exit: sys::napi_ref,
    /// Test hook: the import whose call panics on purpose, to prove that a
    /// panic becomes a JS exception (see `index.js`, `kTestPanicOn`).
    pub panic_on: Option<&'static str>,
}

impl State {
    /// Makes the state and registers it in its thread's table.
    pub fn new(
        env: sys::napi_env,
        registry: Rc<Registry>,
        checked: bool,
        ctx: WasiCtx,
        on_exit: sys::napi_ref,
        panic_on: Option<&'static str>,
    ) -> Rc<State> {
        Rc::new_cyclic(|me| {
            let id = registry.register(me.clone());
            State { env, registry, id, inner: RefCell::new(Inner { ctx, memory: None, shared: false }), checked, on_exit, panic_on }
        })
    }

    /// The id the import calls pass, or `None` if the thread's table was
    /// full.
    pub fn id(&self) -> Option<u32> {
        self.id
    }

    /// Whether this state belongs to the environment `env` (an id from
    /// another environment on the same thread must not reach it).
    #[inline]
    pub fn belongs_to(&self, env: sys::napi_env) -> bool {
        self.env == env
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.registry.release(id);
        }
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
