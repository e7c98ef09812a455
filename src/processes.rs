//! Which WASI process a shared memory belongs to.
//!
//! Every `WASI` object bound to one shared `WebAssembly.Memory` is a thread
//! of one guest process, whichever worker it lives in: the first one bound
//! makes the process (its fd table, preopens, arguments and environment),
//! and the others join it. A shared memory is known here by its base
//! address, which is the same in every worker and never moves; the table
//! holds only weak references, so a process lives exactly as long as one
//! of its threads' states, each of which keeps the memory (and so its
//! address) alive.
//!
//! A process can also be joined by a token (`share`/`join`): the threads
//! `wasi.run()` starts in workers join the process of the `WASI` object it
//! was called on this way, whatever memory the module has. A token is 64
//! random bits, known only to the code that asked for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use wasi_core::Process;

/// The processes of the shared memories bound so far, by base address.
static PROCESSES: Mutex<Option<HashMap<usize, Weak<Process>>>> = Mutex::new(None);

/// The processes shared by token.
static TOKENS: Mutex<Option<HashMap<u64, Weak<Process>>>> = Mutex::new(None);

/// A token by which other threads can join `process` (the same one for as
/// long as the process lives); `None` if the host gave no random bytes.
pub fn share(process: &Arc<Process>) -> Option<u64> {
    let mut guard = TOKENS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let table = guard.get_or_insert_with(HashMap::new);
    table.retain(|_, p| p.strong_count() > 0);
    if let Some((&token, _)) = table.iter().find(|(_, p)| p.as_ptr() == Arc::as_ptr(process)) {
        return Some(token);
    }
    let mut bytes = [0u8; 8];
    wasi_core::host::getrandom(&mut bytes).ok()?;
    let token = u64::from_le_bytes(bytes);
    if table.contains_key(&token) {
        return None;
    }
    table.insert(token, Arc::downgrade(process));
    Some(token)
}

/// The live process a token names, if any.
pub fn join(token: u64) -> Option<Arc<Process>> {
    let guard = TOKENS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    guard.as_ref()?.get(&token)?.upgrade()
}

/// Why a `WASI` object could not join the process of its memory.
pub struct Mismatch;

/// The process for a shared memory at `base`: the one its first `WASI`
/// object made, or `own` if this is the first. A joining object must have
/// been given the same preopens (the sandbox of a process never changes
/// with the thread that asks); its other options are the process's.
pub fn process_for(base: usize, own: &Arc<Process>) -> Result<Arc<Process>, Mismatch> {
    let mut guard = PROCESSES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let table = guard.get_or_insert_with(HashMap::new);
    if let Some(existing) = table.get(&base).and_then(Weak::upgrade) {
        if Arc::ptr_eq(&existing, own) {
            return Ok(existing);
        }
        if existing.preopens != own.preopens {
            return Err(Mismatch);
        }
        return Ok(existing);
    }
    // Forget the processes whose memories are gone before adding this one.
    table.retain(|_, p| p.strong_count() > 0);
    table.insert(base, Arc::downgrade(own));
    Ok(own.clone())
}
