//! The guest's linear memory, as seen from a host call.
//!
//! Looking up `memory.buffer` costs ~100 ns, so the buffer's data pointer
//! and length are read once, when the memory is bound, and again only when
//! the buffer has been detached. Any `memory.grow` (from wasm or JS)
//! detaches the old buffer. The check is made in JS (`lib/imports.js`),
//! where V8 inlines it: the import functions keep a view of the buffer, and
//! before every call that takes pointers they look at its length, which
//! reads 0 once detached, and then call `bind` again with the new buffer.
//! So the pointer and length used here are always current, and the hot
//! path makes no Node-API call for the memory.
//!
//! JS hands over the exact `ArrayBuffer` (read with the brand-checked
//! `WebAssembly.Memory.prototype.buffer` getter captured when wasi-rs was
//! loaded, never an ordinary property get), and this cache holds a strong
//! reference to that very buffer: the pointer used is always one whose
//! owner is kept alive, and its length is the one that buffer reports.
//!
//! A shared memory (`shared: true`, used by wasi-threads programs) is
//! different: growing it detaches nothing, and Node-API cannot read a
//! SharedArrayBuffer directly, so JS gives a helper that returns a fresh
//! `Uint8Array` over the current buffer. A shared memory never moves (V8
//! reserves its maximum and grows it in place, since other threads run on
//! it), so its base and length are read once, at bind, and the length is
//! asked again only when an access lies past it (another thread grew the
//! memory): a call on a shared memory costs what one on a plain memory
//! does. The core accesses its bytes only by copying (see
//! `GuestMemory::shared`): sound while other threads write.
//!
//! A resizable buffer (unshared, `memory.toResizableBuffer()`) also
//! detaches nothing; for it every call takes a fresh view through the
//! helper, as growth could in principle move it.
//!
//! All of the above trusts the caller of `bind` to be `lib/imports.js`.
//! A *checked* cache (made for a set of natives other JS could have
//! taken, see `crate::natives`) trusts nothing it was given: on every
//! call it reads the held buffer's pointer and length afresh (a detached
//! or transferred buffer then reads as empty, a shrunk one as its new
//! length), or asks the helper for a fresh view and treats its bytes as
//! shared; and it never names a process.

use crate::napi_util::{check, NapiStatus};
use napi::sys;
use std::cell::Cell;
use std::ptr;
use wasi_core::{GuestMemory, SharedLength};

/// Why no memory view could be had.
pub enum MemoryError {
    /// The value given was not an ArrayBuffer (or the helper returned no
    /// typed array).
    NotAnArrayBuffer,
    /// A Node-API call failed with this status (e.g. the environment is
    /// shutting down).
    Napi(NapiStatus),
}

impl From<NapiStatus> for MemoryError {
    fn from(status: NapiStatus) -> Self {
        MemoryError::Napi(status)
    }
}

/// A null handle where Node-API answered with success: reported as a
/// generic failure.
const NULL_HANDLE: MemoryError = MemoryError::Napi(NapiStatus(sys::Status::napi_generic_failure));

/// The instance's memory: the buffer whose pointer is used, or the helper
/// that gives a current view of a shared one.
pub struct MemoryCache {
    /// A strong reference to the ArrayBuffer `data` points into (for a
    /// shared or resizable memory, the buffer it had when bound, which
    /// keeps the same bytes alive).
    buffer: sys::napi_ref,
    data: *mut u8,
    /// (A cell: the growth check of a shared memory updates it mid-call.)
    len: Cell<usize>,
    /// For a shared or resizable memory: the JS function `() => Uint8Array`.
    view_fn: sys::napi_ref,
    /// Whether `view_fn` is asked on every call (resizable) or only when an
    /// access lies past `len` (shared).
    fresh_each_call: bool,
    /// Whether every call reads the buffer afresh (see the module doc).
    checked: bool,
    /// The environment the references belong to (for the growth check,
    /// which runs inside a call on that environment's thread).
    env: sys::napi_env,
}

impl MemoryCache {
    /// Holds `buffer`, an unshared memory's current ArrayBuffer.
    ///
    /// # Safety
    /// `buffer` must be a live handle of `env`, inside a callback.
    pub unsafe fn unshared(env: sys::napi_env, buffer: sys::napi_value, checked: bool) -> Result<MemoryCache, MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            let mut is_ab = false;
            if check(sys::napi_is_arraybuffer(env, buffer, &mut is_ab)).is_err() || !is_ab {
                return Err(MemoryError::NotAnArrayBuffer);
            }
            let (data, len) = arraybuffer_bytes(env, buffer)?;
            let mut r = ptr::null_mut();
            check(sys::napi_create_reference(env, buffer, 1, &mut r))?;
            Ok(MemoryCache { buffer: r, data, len: Cell::new(len), view_fn: ptr::null_mut(), fresh_each_call: false, checked, env })
        }
    }

    /// Holds `buffer`, a shared (`shared`) or resizable memory's buffer,
    /// and `view_fn`, the helper that returns a `Uint8Array` over its
    /// current buffer.
    ///
    /// # Safety
    /// `buffer` and `view_fn` must be live handles of `env` (an object and
    /// a function), inside a callback.
    pub unsafe fn shared(
        env: sys::napi_env,
        buffer: sys::napi_value,
        view_fn: sys::napi_value,
        shared: bool,
        checked: bool,
    ) -> Result<MemoryCache, MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            // The buffer, strongly: it keeps the memory's bytes where they are
            // for as long as this state lives, so their address (which names
            // the WASI process, see processes.rs) is never another memory's.
            let mut is_object = 0;
            if check(sys::napi_typeof(env, buffer, &mut is_object)).is_err() || is_object != sys::ValueType::napi_object {
                return Err(MemoryError::NotAnArrayBuffer);
            }
            let mut held = ptr::null_mut();
            check(sys::napi_create_reference(env, buffer, 1, &mut held))?;
            // A weak reference: the helper closes over the scope of the
            // object's import functions and of `bind`, which owns this state,
            // so a strong one would keep the state (and, for a shared memory,
            // its whole WASI process) alive for ever. The helper lives as long
            // as any import function, and only they call into the state.
            let mut r = ptr::null_mut();
            if let Err(status) = check(sys::napi_create_reference(env, view_fn, 0, &mut r)) {
                sys::napi_delete_reference(env, held);
                return Err(status.into());
            }
            let mut cache = MemoryCache {
                buffer: held,
                data: ptr::null_mut(),
                len: Cell::new(0),
                view_fn: r,
                fresh_each_call: !shared || checked,
                checked,
                env,
            };
            if let Err(e) = cache.view_shared(env) {
                cache.release(env);
                return Err(e);
            }
            Ok(cache)
        }
    }

    /// The base of a shared memory: the same on every thread that shares
    /// it, for as long as any of them holds it (`None` for an unshared
    /// or resizable one).
    pub fn shared_base(&self) -> Option<usize> {
        (!self.view_fn.is_null() && !self.fresh_each_call && !self.checked && !self.data.is_null()).then_some(self.data as usize)
    }

    /// The current length of a shared memory, asked of the JS helper (0
    /// if that fails, or if the memory is no longer at the base it had).
    unsafe fn current_shared_len(&self) -> usize {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            match self.current_view(self.env) {
                Ok((data, len)) if data == self.data => {
                    // Kept for the next calls: a memory never shrinks.
                    self.len.set(self.len.get().max(len));
                    len
                }
                _ => 0,
            }
        }
    }

    /// Reads the current pointer and length of a shared memory through
    /// the JS helper.
    unsafe fn view_shared(&mut self, env: sys::napi_env) -> Result<(), MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            let (data, len) = self.current_view(env)?;
            self.data = data;
            self.len.set(len);
            Ok(())
        }
    }

    /// Asks the JS helper for a view of the memory's current buffer.
    unsafe fn current_view(&self, env: sys::napi_env) -> Result<(*mut u8, usize), MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            let (mut helper, mut undefined, mut view) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
            check(sys::napi_get_reference_value(env, self.view_fn, &mut helper))?;
            if helper.is_null() {
                return Err(NULL_HANDLE);
            }
            check(sys::napi_get_undefined(env, &mut undefined))?;
            check(sys::napi_call_function(env, undefined, helper, 0, ptr::null(), &mut view))?;
            let mut is_typed = false;
            if check(sys::napi_is_typedarray(env, view, &mut is_typed)).is_err() || !is_typed {
                return Err(MemoryError::NotAnArrayBuffer);
            }
            let (mut kind, mut length, mut data, mut arraybuffer, mut offset) = (0, 0usize, ptr::null_mut(), ptr::null_mut(), 0usize);
            if check(sys::napi_get_typedarray_info(env, view, &mut kind, &mut length, &mut data, &mut arraybuffer, &mut offset)).is_err()
                || kind != sys::TypedarrayType::uint8_array
            {
                return Err(MemoryError::NotAnArrayBuffer);
            }
            Ok((data.cast(), if data.is_null() { 0 } else { length }))
        }
    }

    /// The guest memory for one call, valid until JS runs again.
    ///
    /// # Safety
    /// Called on `env`'s thread inside a callback; the result must not be
    /// used after control returns to JS. For an unshared memory, the
    /// caller must have made sure the held buffer is not detached (the JS
    /// import functions do, and rebind when it is).
    pub unsafe fn guest<'a>(&'a mut self, env: sys::napi_env) -> Result<GuestMemory<'a>, MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            if !self.view_fn.is_null() {
                if self.fresh_each_call {
                    self.view_shared(env)?;
                    // SAFETY: the view's buffer (a resizable one, which cannot
                    // shrink while no JS runs) covers `len` bytes at `data`
                    // for this call.
                    return Ok(GuestMemory::shared(self.data, self.len.get()));
                }
                // SAFETY: a shared WebAssembly memory covers at least the
                // `len` bytes at `data` read at bind, and never moves or
                // shrinks while the helper (and so the memory) is referenced;
                // other threads may write them, so the core only copies. A
                // longer length is asked only when an access needs it.
                let (data, len) = (self.data, self.len.get());
                return Ok(GuestMemory::shared_growable(data, len, self));
            }
            if self.checked {
                self.read_held_buffer(env)?;
            }
            if self.len.get() == 0 {
                return Ok(GuestMemory::new(&mut []));
            }
            // SAFETY: `buffer` is referenced, attached (checked in JS) and
            // unshared, and wasm waits for this call: nothing else touches it.
            Ok(GuestMemory::new(std::slice::from_raw_parts_mut(self.data, self.len.get())))
        }
    }

    /// Reads the held (unshared) buffer's pointer and length again: for a
    /// detached buffer, none.
    unsafe fn read_held_buffer(&mut self, env: sys::napi_env) -> Result<(), MemoryError> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            let mut buffer = ptr::null_mut();
            check(sys::napi_get_reference_value(env, self.buffer, &mut buffer))?;
            if buffer.is_null() {
                return Err(NULL_HANDLE);
            }
            let (data, len) = arraybuffer_bytes(env, buffer)?;
            self.data = data;
            self.len.set(len);
            Ok(())
        }
    }

    /// Releases the references (and so the memory).
    ///
    /// # Safety
    /// `env` must be the environment the references were made in.
    pub unsafe fn release(&mut self, env: sys::napi_env) {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            for r in [&mut self.buffer, &mut self.view_fn] {
                if !r.is_null() {
                    sys::napi_delete_reference(env, *r);
                    *r = ptr::null_mut();
                }
            }
        }
    }
}

/// An ArrayBuffer's data pointer and length (0 when it is detached).
///
/// # Safety
/// `buffer` must be a live handle of `env` to an ArrayBuffer, inside a
/// callback.
unsafe fn arraybuffer_bytes(env: sys::napi_env, buffer: sys::napi_value) -> Result<(*mut u8, usize), MemoryError> {
    let (mut data, mut len) = (ptr::null_mut(), 0usize);
    // SAFETY: the caller's contract.
    check(unsafe { sys::napi_get_arraybuffer_info(env, buffer, &mut data, &mut len) })?;
    Ok((data.cast(), if data.is_null() { 0 } else { len }))
}

/// The growth check of a shared memory (see [`MemoryCache::guest`]).
impl SharedLength for MemoryCache {
    fn current_len(&self) -> usize {
        // SAFETY: asked only during a call on the cache's own thread and
        // environment (the GuestMemory that asks lives no longer).
        unsafe { self.current_shared_len() }
    }
}
