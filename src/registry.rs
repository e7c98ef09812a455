//! The live WASI states of this thread, by number.
//!
//! The native import functions are shared by every `WASI` object of a
//! thread (see `crate::natives` for why), so each call names its
//! instance with a small integer id: an index into this table plus a
//! generation, so that an id whose state is gone never reaches a newer
//! state in the same slot. The table holds only weak references: a
//! state lives as long as its `bind` function (which the JS import
//! functions keep alive), and its slot is freed when it is dropped.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

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

/// The states of one thread (generic, so that it is tested without Node
/// and knows nothing of the binding's state type).
pub struct Registry<T> {
    slots: RefCell<Vec<Slot<T>>>,
    free: RefCell<Vec<u32>>,
}

impl<T> Registry<T> {
    pub fn new() -> Registry<T> {
        Registry { slots: RefCell::new(Vec::new()), free: RefCell::new(Vec::new()) }
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
        let registry = Registry::new();
        let (a, b) = (Rc::new("a"), Rc::new("b"));
        let (ia, ib) = (registry.register(Rc::downgrade(&a)).unwrap(), registry.register(Rc::downgrade(&b)).unwrap());
        assert_ne!(ia, ib);
        assert!(Rc::ptr_eq(&registry.get(ia).unwrap(), &a));
        assert!(Rc::ptr_eq(&registry.get(ib).unwrap(), &b));
    }

    #[test]
    fn a_released_id_is_not_found_and_its_slot_gets_a_new_generation() {
        let registry = Registry::new();
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
        let registry = Registry::new();
        let a = Rc::new(1);
        let id = registry.register(Rc::downgrade(&a)).unwrap();
        assert!(id < 1 << 31);
        for bogus in [u32::MAX, 0x7fff_ffff, INDEX_MASK, id + (1 << INDEX_BITS)] {
            assert!(registry.get(bogus).is_none(), "{bogus:#x}");
        }
    }

    #[test]
    fn generations_wrap_without_leaving_31_bits() {
        let registry = Registry::new();
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
