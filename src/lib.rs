//! wasi-rs: the Node-API binding over [`wasi_core`].
//!
//! Its rooms:
//! - [`natives`](mod@natives): the native import functions, made once per
//!   thread, and the hot path of each call (raw Node-API callbacks, no
//!   napi-rs wrapper), which reads its arguments from the call [`frame`];
//! - [`state`]: one `WASI` object's state, and the registry the calls find
//!   it in; [`memory_cache`]: the buffer of the guest's memory a call uses;
//! - [`create`]: makes a state (the natives' `create`) and its functions
//!   (`bind`, `share`, `close`); [`processes`]: the WASI process of each
//!   shared memory;
//! - [`errors`]: the JS errors the binding throws, and the guard that
//!   keeps panics from crossing into Node; [`napi_util`]: the Node-API
//!   status check and small helpers.
//!
//! The cold paths (`natives` and `abi`, below) use `#[napi]`.
//! Everything WASI-specific lives in `crates/wasi-core`; this crate moves
//! values between JS and the core and keeps the JS side from breaking the
//! core's assumptions.
// The binding's modules are private (it is a cdylib): its documentation is
// for its maintainers, built with --document-private-items (npm run lint).
#![allow(rustdoc::private_intra_doc_links, reason = "the binding documents its private modules for its maintainers")]

#[macro_use]
extern crate napi_derive;

mod create;
mod errors;
mod frame;
mod memory_cache;
mod napi_util;
mod natives;
mod processes;
mod state;

use napi::{Env, Status};

/// A new set of native import functions: `{ [syscall]: () => undefined,
/// frame, create }`, with the `wasi_unstable` variants as
/// `unstable_<name>`. `lib/imports.js` takes one set per thread when it
/// loads and shares it between every `WASI` object it makes; the states a
/// set's `create` makes are reachable only through that set.
#[napi]
pub fn natives(env: Env) -> napi::Result<napi::Unknown<'static>> {
    // SAFETY: inside a #[napi] call on env's thread.
    unsafe {
        let object = natives::build_natives(env.raw())
            .map_err(|status| napi::Error::new(Status::GenericFailure, format!("cannot create the WASI import functions ({status})")))?;
        Ok(napi::Unknown::from_raw_unchecked(env.raw(), object))
    }
}

/// One import as the JS generator sees it.
#[napi(object)]
pub struct AbiImport {
    /// The import's field name.
    pub name: String,
    /// The key of its native function in the natives object.
    pub native: String,
    /// `'i32'` or `'i64'` per parameter.
    pub params: Vec<String>,
    /// The parameters' names.
    pub param_names: Vec<String>,
    /// Whether it ends the program (`proc_exit`).
    pub exits: bool,
    /// Whether it takes pointers into guest memory.
    pub uses_memory: bool,
}

/// The contract between this addon and `lib/imports.js`, which
/// `scripts/gen-imports.js` reads: the one source of the import table,
/// the call frame's size, the errno JS returns itself, and the binding's
/// error codes.
#[napi(object)]
pub struct AbiDescription {
    /// 64-bit slots in the call frame (see `frame.rs` for the layout).
    pub frame_slots: u32,
    /// The errno an import returns for a mistyped argument (`EINVAL`).
    pub einval: u32,
    pub preview1: Vec<AbiImport>,
    /// The `wasi_unstable` imports (no `sock_accept`; four have their own
    /// layouts and natives).
    pub unstable: Vec<AbiImport>,
    /// The `code`s of the errors the binding throws.
    pub error_codes: Vec<String>,
}

fn abi_imports(abi: wasi_core::Abi) -> Vec<AbiImport> {
    wasi_core::imports(abi)
        .map(|s| {
            let own = !wasi_core::PREVIEW1.iter().any(|p| std::ptr::eq(p, s));
            AbiImport {
                name: s.name.into(),
                native: if own { format!("{}{}", natives::UNSTABLE_PREFIX, s.name) } else { s.name.into() },
                params: s.params.iter().map(|p| if *p == wasi_core::Param::I64 { "i64" } else { "i32" }.into()).collect(),
                param_names: s.param_names.iter().map(|p| p.to_string()).collect(),
                exits: s.exits,
                uses_memory: s.uses_memory,
            }
        })
        .collect()
}

/// `pipe()`: a new pipe, `[readFd, writeFd]` (close-on-exec), which the
/// caller owns: the two ends of a guest's stdio served from JS.
#[napi]
pub fn pipe() -> napi::Result<Vec<i32>> {
    let ends = wasi_core::host::pipe().map_err(|e| napi::Error::new(Status::GenericFailure, format!("cannot make a pipe: {e}")))?;
    Ok(ends.to_vec())
}

/// Describes the contract with `lib/imports.js` (for its generator and
/// the check that the generated file is current).
#[napi]
pub fn abi() -> AbiDescription {
    AbiDescription {
        frame_slots: frame::FRAME_SLOTS as u32,
        einval: u32::from(wasi_core::Errno::Inval.raw()),
        preview1: abi_imports(wasi_core::Abi::Preview1),
        unstable: abi_imports(wasi_core::Abi::Unstable),
        error_codes: errors::ALL.iter().map(|c| c.to_string()).collect(),
    }
}
