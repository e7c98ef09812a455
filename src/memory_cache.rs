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
//! A shared memory (`shared: true`, used by wasi-threads programs), or a
//! resizable buffer, is different: growing it detaches nothing, and
//! Node-API cannot read a SharedArrayBuffer directly. For those, every call
//! asks a JS helper for a fresh `Uint8Array` over the current buffer and
//! reads its data pointer and length, and the core accesses the bytes only
//! by copying (see `GuestMemory::shared`): slower, always current, sound
//! while other threads write.

use crate::napi_util::ok;
use napi::sys;
use std::ptr;
use wasi_core::GuestMemory;

/// Why no memory view could be had.
pub enum MemoryError {
    /// The value given was not an ArrayBuffer (or the helper returned no
    /// typed array).
    NotAnArrayBuffer,
    /// A Node-API call failed (e.g. the environment is shutting down).
    Napi,
}

/// The instance's memory: the buffer whose pointer is used, or the helper
/// that gives a current view of a shared one.
pub struct MemoryCache {
    /// A strong reference to the ArrayBuffer `data` points into (unshared).
    buffer: sys::napi_ref,
    data: *mut u8,
    len: usize,
    /// For a shared or resizable memory: the JS function `() => Uint8Array`.
    view_fn: sys::napi_ref,
}

impl MemoryCache {
    /// Holds `buffer`, an unshared memory's current ArrayBuffer.
    ///
    /// # Safety
    /// `buffer` must be a live handle of `env`, inside a callback.
    pub unsafe fn unshared(env: sys::napi_env, buffer: sys::napi_value) -> Result<MemoryCache, MemoryError> {
        let mut is_ab = false;
        if !ok(sys::napi_is_arraybuffer(env, buffer, &mut is_ab)) || !is_ab {
            return Err(MemoryError::NotAnArrayBuffer);
        }
        let mut data = ptr::null_mut();
        let mut len = 0usize;
        if !ok(sys::napi_get_arraybuffer_info(env, buffer, &mut data, &mut len)) {
            return Err(MemoryError::Napi);
        }
        let mut r = ptr::null_mut();
        if !ok(sys::napi_create_reference(env, buffer, 1, &mut r)) {
            return Err(MemoryError::Napi);
        }
        Ok(MemoryCache { buffer: r, data: data.cast(), len: if data.is_null() { 0 } else { len }, view_fn: ptr::null_mut() })
    }

    /// Holds `view_fn`, the helper that returns a `Uint8Array` over a
    /// shared (or resizable) memory's current buffer.
    ///
    /// # Safety
    /// `view_fn` must be a live function handle of `env`, inside a callback.
    pub unsafe fn shared(env: sys::napi_env, view_fn: sys::napi_value) -> Result<MemoryCache, MemoryError> {
        let mut r = ptr::null_mut();
        if !ok(sys::napi_create_reference(env, view_fn, 1, &mut r)) {
            return Err(MemoryError::Napi);
        }
        let mut cache = MemoryCache { buffer: ptr::null_mut(), data: ptr::null_mut(), len: 0, view_fn: r };
        if let Err(e) = cache.view_shared(env) {
            cache.release(env);
            return Err(e);
        }
        Ok(cache)
    }

    /// Reads the current pointer and length of a shared memory through
    /// the JS helper.
    unsafe fn view_shared(&mut self, env: sys::napi_env) -> Result<(), MemoryError> {
        let (mut helper, mut undefined, mut view) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        if !ok(sys::napi_get_reference_value(env, self.view_fn, &mut helper))
            || helper.is_null()
            || !ok(sys::napi_get_undefined(env, &mut undefined))
            || !ok(sys::napi_call_function(env, undefined, helper, 0, ptr::null(), &mut view))
        {
            return Err(MemoryError::Napi);
        }
        let mut is_typed = false;
        if !ok(sys::napi_is_typedarray(env, view, &mut is_typed)) || !is_typed {
            return Err(MemoryError::NotAnArrayBuffer);
        }
        let (mut kind, mut length, mut data, mut arraybuffer, mut offset) = (0, 0usize, ptr::null_mut(), ptr::null_mut(), 0usize);
        if !ok(sys::napi_get_typedarray_info(env, view, &mut kind, &mut length, &mut data, &mut arraybuffer, &mut offset))
            || kind != sys::TypedarrayType::uint8_array
        {
            return Err(MemoryError::NotAnArrayBuffer);
        }
        self.data = data.cast();
        self.len = if data.is_null() { 0 } else { length };
        Ok(())
    }

    /// The guest memory for one call, valid until JS runs again.
    ///
    /// # Safety
    /// Called on `env`'s thread inside a callback; the result must not be
    /// used after control returns to JS. For an unshared memory, the
    /// caller must have made sure the held buffer is not detached (the JS
    /// import functions do, and rebind when it is).
    pub unsafe fn guest<'a>(&mut self, env: sys::napi_env) -> Result<GuestMemory<'a>, MemoryError> {
        if !self.view_fn.is_null() {
            self.view_shared(env)?;
            // SAFETY: the view's buffer (a SharedArrayBuffer, or a
            // resizable one, which cannot shrink while no JS runs) covers
            // `len` bytes at `data` for this call; other threads may write
            // them, so the core only copies.
            return Ok(GuestMemory::shared(self.data, self.len));
        }
        if self.len == 0 {
            return Ok(GuestMemory::new(&mut []));
        }
        // SAFETY: `buffer` is referenced, attached (checked in JS) and
        // unshared, and wasm waits for this call: nothing else touches it.
        Ok(GuestMemory::new(std::slice::from_raw_parts_mut(self.data, self.len)))
    }

    /// Releases the references.
    ///
    /// # Safety
    /// `env` must be the environment the references were made in.
    pub unsafe fn release(&mut self, env: sys::napi_env) {
        for r in [&mut self.buffer, &mut self.view_fn] {
            if !r.is_null() {
                sys::napi_delete_reference(env, *r);
                *r = ptr::null_mut();
            }
        }
    }
}
