//! The guest's linear memory, as seen from a host call.
//!
//! Looking up `memory.buffer` costs ~100 ns, so the buffer's data pointer
//! and length are read once, when the memory is bound, and again only when
//! the buffer has been detached. Any `memory.grow` (from wasm or JS)
//! detaches the old buffer. The check is made in JS (`lib/imports.js`),
//! where V8 inlines it: the import functions keep a view of the buffer, and
//! before every call that takes pointers they look at its length, which
//! reads 0 once detached, and then call `bind` again, which builds a new
//! cache here. So the pointer and length used here are always current, and
//! the hot path makes no Node-API call for the memory. The memory object
//! itself is held by a strong reference; it owns the buffer's storage.
//!
//! A shared memory (`shared: true`, used by wasi-threads programs) is
//! different: growing it detaches nothing, and Node-API cannot read a
//! SharedArrayBuffer directly. For those, every call asks a JS helper for a
//! fresh `Uint8Array` over `memory.buffer` and reads its data pointer and
//! length: slower, always current.

use crate::napi_util::ok;
use napi::sys;
use std::ptr;

/// Why no memory view could be had.
pub enum MemoryError {
    /// The memory's `buffer` could not be read as bytes.
    NotAnArrayBuffer,
    /// A Node-API call failed (e.g. the environment is shutting down).
    Napi,
}

/// A strong reference to the instance's `WebAssembly.Memory` and the data
/// pointer and length of its current buffer.
pub struct MemoryCache {
    memory: sys::napi_ref,
    data: *mut u8,
    len: usize,
    /// For a shared memory: the JS function `(memory) => Uint8Array`.
    shared_view: sys::napi_ref,
}

impl MemoryCache {
    /// Holds `memory` (a `WebAssembly.Memory`, already validated in JS).
    ///
    /// # Safety
    /// `memory` must be a live handle of `env`.
    /// `shared_view`, when not null, marks a shared memory: the JS function
    /// that returns a `Uint8Array` over its current buffer.
    pub unsafe fn new(env: sys::napi_env, memory: sys::napi_value, shared_view: sys::napi_value) -> Result<MemoryCache, MemoryError> {
        let mut r = ptr::null_mut();
        if !ok(sys::napi_create_reference(env, memory, 1, &mut r)) {
            return Err(MemoryError::Napi);
        }
        let mut cache = MemoryCache { memory: r, data: ptr::null_mut(), len: 0, shared_view: ptr::null_mut() };
        if let Err(e) = cache.read_buffer(env, shared_view) {
            cache.release(env);
            return Err(e);
        }
        Ok(cache)
    }

    /// Reads the buffer's pointer and length, through `shared_view` (kept
    /// for later calls) for a shared memory.
    unsafe fn read_buffer(&mut self, env: sys::napi_env, shared_view: sys::napi_value) -> Result<(), MemoryError> {
        if shared_view.is_null() {
            return self.read_unshared(env);
        }
        if !ok(sys::napi_create_reference(env, shared_view, 1, &mut self.shared_view)) {
            return Err(MemoryError::Napi);
        }
        self.view_shared(env)
    }

    /// Reads the current pointer and length of a shared memory through
    /// the JS helper.
    unsafe fn view_shared(&mut self, env: sys::napi_env) -> Result<(), MemoryError> {
        let (mut memory, mut helper, mut undefined, mut view) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        if !ok(sys::napi_get_reference_value(env, self.memory, &mut memory))
            || !ok(sys::napi_get_reference_value(env, self.shared_view, &mut helper))
            || !ok(sys::napi_get_undefined(env, &mut undefined))
            || !ok(sys::napi_call_function(env, undefined, helper, 1, &memory, &mut view))
        {
            return Err(MemoryError::Napi);
        }
        let mut kind = 0;
        let mut length = 0usize;
        let mut data = ptr::null_mut();
        let mut arraybuffer = ptr::null_mut();
        let mut offset = 0usize;
        if !ok(sys::napi_get_typedarray_info(env, view, &mut kind, &mut length, &mut data, &mut arraybuffer, &mut offset)) {
            return Err(MemoryError::NotAnArrayBuffer);
        }
        self.data = data.cast();
        self.len = length;
        Ok(())
    }

    /// The guest memory's bytes, valid until JS runs again.
    ///
    /// # Safety
    /// Called on `env`'s thread inside a callback; the slice must not be
    /// used after control returns to JS. For an unshared memory, the
    /// caller must have made sure the cached buffer is not detached (the
    /// JS import functions do, and rebind when it is).
    pub unsafe fn bytes<'a>(&mut self, env: sys::napi_env) -> Result<&'a mut [u8], MemoryError> {
        if !self.shared_view.is_null() {
            self.view_shared(env)?;
            return Ok(if self.len == 0 { &mut [] } else { std::slice::from_raw_parts_mut(self.data, self.len) });
        }
        if self.len == 0 {
            return Ok(&mut []);
        }
        Ok(std::slice::from_raw_parts_mut(self.data, self.len))
    }

    /// Reads `memory.buffer`'s pointer and length.
    unsafe fn read_unshared(&mut self, env: sys::napi_env) -> Result<(), MemoryError> {
        let mut memory = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        if !ok(sys::napi_get_reference_value(env, self.memory, &mut memory))
            || memory.is_null()
            || !ok(sys::napi_get_named_property(env, memory, c"buffer".as_ptr(), &mut buffer))
        {
            return Err(MemoryError::Napi);
        }
        let mut is_ab = false;
        if !ok(sys::napi_is_arraybuffer(env, buffer, &mut is_ab)) || !is_ab {
            return Err(MemoryError::NotAnArrayBuffer);
        }
        let mut data = ptr::null_mut();
        let mut len = 0usize;
        if !ok(sys::napi_get_arraybuffer_info(env, buffer, &mut data, &mut len)) {
            return Err(MemoryError::Napi);
        }
        self.data = data.cast();
        self.len = len;
        Ok(())
    }

    /// Releases the references.
    ///
    /// # Safety
    /// `env` must be the environment the references were made in.
    pub unsafe fn release(&mut self, env: sys::napi_env) {
        for r in [&mut self.memory, &mut self.shared_view] {
            if !r.is_null() {
                sys::napi_delete_reference(env, *r);
                *r = ptr::null_mut();
            }
        }
    }
}
