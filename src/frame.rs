//! The call frame: a small ArrayBuffer through which the JS import
//! functions (`lib/imports.js`) pass each call's instance id and arguments
//! to the native functions, and get the errno back.
//!
//! Layout, in 64-bit little-endian slots: slot 0 holds the instance id
//! (bytes 0..4) and the errno (bytes 4..8); argument `k` is in slot
//! `k + 1`, as a u32 (bytes 0..4 of the slot) for an i32 and a u64 for an
//! i64. JS has already checked the arguments' types, so any bit pattern
//! here is a value the syscall must handle (they all do: the core takes
//! arbitrary `u32`/`u64`s).
//!
//! One frame per thread (per natives object). JS fills it right before
//! the call and reads the errno right after; no JS runs in between, and a
//! native function reads all of it before it could run any JS.

use crate::napi_util::{check, NapiStatus};
use napi::sys;
use std::ptr;
use wasi_core::syscalls::MAX_PARAMS;
use wasi_core::{Errno, Param};

/// The frame's 64-bit slots: the id/errno slot and one per parameter.
pub const FRAME_SLOTS: usize = 1 + MAX_PARAMS;
/// The frame's size in bytes.
pub const FRAME_BYTES: usize = 8 * FRAME_SLOTS;

/// A frame owned by the native functions (a strong reference keeps the
/// ArrayBuffer, whose data never moves, alive for as long as they are).
pub struct Frame {
    env: sys::napi_env,
    buffer: sys::napi_ref,
    data: *mut u8,
}

impl Frame {
    /// Makes a frame and returns it with its ArrayBuffer, for JS.
    ///
    /// # Safety
    /// Called inside a Node-API callback on `env`'s thread.
    pub unsafe fn new(env: sys::napi_env) -> Result<(Frame, sys::napi_value), NapiStatus> {
        // SAFETY: the operations below are those this function's `# Safety`
        // contract covers; its caller upholds it.
        unsafe {
            let mut data = ptr::null_mut();
            let mut buffer = ptr::null_mut();
            check(sys::napi_create_arraybuffer(env, FRAME_BYTES, &mut data, &mut buffer))?;
            if data.is_null() {
                return Err(NapiStatus(sys::Status::napi_generic_failure));
            }
            let mut reference = ptr::null_mut();
            check(sys::napi_create_reference(env, buffer, 1, &mut reference))?;
            ptr::write_bytes(data.cast::<u8>(), 0, FRAME_BYTES);
            Ok((Frame { env, buffer: reference, data: data.cast() }, buffer))
        }
    }

    /// A view of the frame, to be kept next to the data that uses it.
    pub fn view(&self) -> FrameView {
        FrameView { data: self.data }
    }
}

/// The frame's memory, valid while its [`Frame`] lives (the natives hold
/// both: the view inline, where a call finds it without another load).
#[derive(Clone, Copy)]
pub struct FrameView {
    data: *mut u8,
}

impl FrameView {
    /// The id of the instance being called.
    #[inline(always)]
    pub fn instance(&self) -> u32 {
        // SAFETY: the buffer is FRAME_BYTES long, and alive.
        unsafe { ptr::read_unaligned(self.data.cast::<u32>()) }
    }

    /// Argument `k` (below `MAX_PARAMS`) as its wasm type says.
    #[inline(always)]
    pub fn arg(&self, k: usize, param: Param) -> u64 {
        debug_assert!(k < MAX_PARAMS);
        // SAFETY: slot k + 1 is inside the buffer (k < MAX_PARAMS).
        unsafe {
            let slot = self.data.add(8 * (k + 1));
            match param {
                Param::I32 => u64::from(ptr::read_unaligned(slot.cast::<u32>())),
                Param::I64 => ptr::read_unaligned(slot.cast::<u64>()),
            }
        }
    }

    /// Leaves the call's errno for JS.
    #[inline(always)]
    pub fn set_errno(&self, errno: Errno) {
        // SAFETY: bytes 4..8 are inside the buffer.
        unsafe { ptr::write_unaligned(self.data.add(4).cast::<u32>(), u32::from(errno.raw())) }
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        // SAFETY: dropped by a native function's finalizer, on the frame's
        // own thread and environment.
        unsafe {
            sys::napi_delete_reference(self.env, self.buffer);
        }
    }
}
