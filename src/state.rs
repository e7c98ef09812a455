//! The native state of one `WASI` object, and the registry in which the
//! import calls find it.
//!
//! Its `bind` function holds the `Rc<State>` in its Node-API `data`, and
//! every JS import function of the object keeps `bind` alive (see
//! `lib/imports.js`); the import calls find the state by its id in the
//! [`Registry`] of their set of natives. When the last of them is
//! collected, `bind`'s finalizer drops the state: its fd table closes, its
//! references are released and its id is retired.
//!
//! The natives are shared by every `WASI` object of a thread (see
//! [`crate::natives`](mod@crate::natives) for why), so each call names its
//! instance with a small integer id: an index into the registry plus a
//! generation, so that an id whose state is gone never reaches a newer
//! state in the same slot. The registry holds only weak references, and a
//! slot is freed when its state is dropped.

use crate::memory_cache::MemoryCache;
use napi::sys;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasi_core::WasiCtx;

/// The live states one set of natives can reach, by the id the import
/// calls pass.
pub type Registry = IdTable<State>;

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
    /// Test hook (the `test-hooks` feature only): the import whose call
    /// panics on purpose, to prove that a panic becomes a JS exception (see
    /// `index.js`, `kTestPanicOn`).
    #[cfg(feature = "test-hooks")]
    pub panic_on: std::cell::Cell<Option<&'static str>>,
}

impl State {
    /// Makes the state and registers it in its thread's table.
    pub fn new(env: sys::napi_env, registry: Rc<Registry>, checked: bool, ctx: WasiCtx, on_exit: sys::napi_ref) -> Rc<State> {
        Rc::new_cyclic(|me| {
            let id = registry.register(me.clone());
            State {
                env,
                registry,
                id,
                inner: RefCell::new(Inner { ctx, memory: None, shared: false }),
                checked,
                on_exit,
                #[cfg(feature = "test-hooks")]
                panic_on: std::cell::Cell::new(None),
            }
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

/// Bits of an id that index the table: up to ~1M live states per thread.
const INDEX_BITS: u32 = 20;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Generations wrap below 2^11, so ids stay below 2^31 (small integers,
/// cheap to pass from JS).
const GENERATION_MASK: u32 = (1 << (31 - INDEX_BITS)) - 1;

struct Slot<T> {
    generation: u32,
    state: Weak<T>,
}

/// Weak references by id (generic, so that it is tested without Node).
pub struct IdTable<T> {
    slots: RefCell<Vec<Slot<T>>>,
    free: RefCell<Vec<u32>>,
}

impl<T> IdTable<T> {
    pub fn new() -> IdTable<T> {
        IdTable { slots: RefCell::new(Vec::new()), free: RefCell::new(Vec::new()) }
    }

    /// Gives `state` an id, or `None` when the table is full.
    pub fn register(&self, state: Weak<T>) -> Option<u32> {
        let mut slots = self.slots.borrow_mut();
        let index = match self.free.borrow_mut().pop() {
            Some(i) => i,
            None if slots.len() <= INDEX_MASK as usize => {
                slots.push(Slot { generation: 0, state: Weak::new() });
                (slots.len() - 1) as u32
            }
            None => return None,
        };
        let slot = &mut slots[index as usize];
        slot.state = state;
        Some((slot.generation << INDEX_BITS) | index)
    }

    /// The live state with this id, if any.
    #[inline]
    pub fn get(&self, id: u32) -> Option<Rc<T>> {
        let slots = self.slots.try_borrow().ok()?;
        let slot = slots.get((id & INDEX_MASK) as usize)?;
        if slot.generation != id >> INDEX_BITS {
            return None;
        }
        slot.state.upgrade()
    }

    /// Frees the slot of a state that is being dropped; its id is never
    /// valid again (until the generation wraps).
    pub fn release(&self, id: u32) {
        let index = id & INDEX_MASK;
        let mut slots = self.slots.borrow_mut();
        let Some(slot) = slots.get_mut(index as usize) else { return };
        if slot.generation != id >> INDEX_BITS {
            return;
        }
        slot.state = Weak::new();
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        self.free.borrow_mut().push(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_gets_its_own_id_and_is_found_by_it() {
        let registry = IdTable::new();
        let (a, b) = (Rc::new("a"), Rc::new("b"));
        let (ia, ib) = (registry.register(Rc::downgrade(&a)).unwrap(), registry.register(Rc::downgrade(&b)).unwrap());
        assert_ne!(ia, ib);
        assert!(Rc::ptr_eq(&registry.get(ia).unwrap(), &a));
        assert!(Rc::ptr_eq(&registry.get(ib).unwrap(), &b));
    }

    #[test]
    fn a_released_id_is_not_found_and_its_slot_gets_a_new_generation() {
        let registry = IdTable::new();
        let a = Rc::new("a");
        let old = registry.register(Rc::downgrade(&a)).unwrap();
        drop(a);
        assert!(registry.get(old).is_none(), "a dropped state is not found even before release");
        registry.release(old);
        let b = Rc::new("b");
        let new = registry.register(Rc::downgrade(&b)).unwrap();
        assert_eq!(new & INDEX_MASK, old & INDEX_MASK, "the slot is reused");
        assert_ne!(new, old);
        assert!(registry.get(old).is_none(), "the old id does not reach the new state");
        registry.release(old);
        assert!(Rc::ptr_eq(&registry.get(new).unwrap(), &b), "releasing a stale id leaves the new one alone");
    }

    #[test]
    fn ids_stay_below_2_to_the_31_and_unknown_ids_are_none() {
        let registry = IdTable::new();
        let a = Rc::new(1);
        let id = registry.register(Rc::downgrade(&a)).unwrap();
        assert!(id < 1 << 31);
        for bogus in [u32::MAX, 0x7fff_ffff, INDEX_MASK, id + (1 << INDEX_BITS)] {
            assert!(registry.get(bogus).is_none(), "{bogus:#x}");
        }
    }

    #[test]
    fn generations_wrap_without_leaving_31_bits() {
        let registry = IdTable::new();
        let a = Rc::new(());
        let mut id = 0;
        for _ in 0..3 * (GENERATION_MASK + 1) {
            id = registry.register(Rc::downgrade(&a)).unwrap();
            assert!(id < 1 << 31);
            registry.release(id);
        }
        assert!(registry.get(id).is_none());
    }
}
