//! wasi-rs: the Node-API binding over [`wasi_core`].
//!
//! - [`imports`]: the hot path, raw Node-API callbacks per syscall;
//! - [`memory_cache`]: the cached view of the guest's memory;
//! - [`state`]: one `WASI` object's reference-counted state;
//! - [`registry`]: the thread's live states, by the id the calls pass;
//! - `natives` and `createWasi` (below): the cold paths, via `#[napi]`.
//!
//! Everything WASI-specific lives in `crates/wasi-core`; this crate only
//! moves values between JS and the core.

#[macro_use]
extern crate napi_derive;

mod frame;
mod imports;
mod memory_cache;
mod napi_util;
mod registry;
mod state;

use napi::{Env, JsFunction, JsObject, NapiRaw, NapiValue, Status};
use std::path::PathBuf;
use wasi_core::{Config, SocketSpec, WasiCtx};

/// The options `index.js` has already validated.
#[napi(object)]
pub struct NativeConfig {
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// `[guestPath, hostPath]` pairs, in fd order.
    pub preopens: Vec<Vec<String>>,
    /// Host fds for stdin, stdout and stderr.
    pub stdio: Vec<i32>,
    /// `'preview1'` or `'unstable'`.
    pub version: String,
    /// Sockets after the preopens: each `{ listen: "host:port" }` or `{ fd }`.
    pub sockets: Vec<NativeSocket>,
    /// Test hook: the name of an import whose calls panic on purpose.
    pub panic_on: Option<String>,
}

/// One socket option entry (exactly one field is set; checked in JS).
#[napi(object)]
pub struct NativeSocket {
    pub listen: Option<String>,
    pub fd: Option<i32>,
}

/// A listener wasi-rs bound, as JS sees it.
#[napi(object)]
pub struct NativeListener {
    pub fd: u32,
    pub address: String,
    pub port: u32,
}

/// The native import functions of this thread, made once and shared by
/// every `WASI` object: `{ [syscall]: (id, ...args) => errno }`, with the
/// `wasi_unstable` variants as `unstable_<name>`. `lib/imports.js` wraps
/// them into each object's `wasiImport`.
#[napi]
pub fn natives(env: Env) -> napi::Result<napi::JsUnknown> {
    // SAFETY: inside a #[napi] call on env's thread.
    unsafe {
        let object = imports::build_natives(env.raw())
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "cannot create the WASI import functions"))?;
        Ok(napi::JsUnknown::from_raw_unchecked(env.raw(), object))
    }
}

/// Builds a WASI state and returns `{ id, bind, listeners }`: the id the
/// import calls pass, the function that gives the state the instance's
/// memory (and owns the state), and the listeners bound for `sockets`.
/// `on_exit(code)` is called by `proc_exit` and must throw or exit.
#[napi(js_name = "createWasi")]
pub fn create_wasi(env: Env, config: NativeConfig, on_exit: JsFunction) -> napi::Result<JsObject> {
    let preopens = config
        .preopens
        .into_iter()
        .map(|pair| match <[String; 2]>::try_from(pair) {
            Ok([guest, host]) => Ok((guest, PathBuf::from(host))),
            Err(_) => Err(napi::Error::new(Status::InvalidArg, "a preopen must be a [guest, host] pair")),
        })
        .collect::<napi::Result<Vec<_>>>()?;
    let stdio: [i32; 3] = config.stdio.try_into().map_err(|_| napi::Error::new(Status::InvalidArg, "stdio must list three fds"))?;
    // The ABI only changes which import functions JS wraps (lib/imports.js).
    if !matches!(config.version.as_str(), "preview1" | "unstable") {
        return Err(napi::Error::new(Status::InvalidArg, format!("unknown WASI version {}", config.version)));
    }
    let sockets = config
        .sockets
        .into_iter()
        .map(|s| match (s.listen, s.fd) {
            (Some(addr), None) => Ok(SocketSpec::Listen(addr)),
            (None, Some(fd)) => Ok(SocketSpec::Fd(fd)),
            _ => Err(napi::Error::new(Status::InvalidArg, "a socket is { listen } or { fd }")),
        })
        .collect::<napi::Result<Vec<_>>>()?;
    let ctx = WasiCtx::new(Config { args: config.args, env: config.env, preopens, sockets, stdio }).map_err(|failure| {
        // SAFETY: we are inside a #[napi] call on env's thread.
        unsafe {
            napi_util::throw(env.raw(), napi_util::ErrorKind::Error, failure.code(), &failure.to_string());
        }
        napi::Error::from_status(Status::PendingException)
    })?;
    let listeners: Vec<NativeListener> = ctx
        .listeners
        .iter()
        .map(|l| NativeListener { fd: l.fd, address: l.addr.ip().to_string(), port: u32::from(l.addr.port()) })
        .collect();
    // SAFETY: all raw calls below happen on env's thread during this call.
    unsafe {
        let raw = env.raw();
        let mut on_exit_ref = std::ptr::null_mut();
        if !napi_util::ok(napi::sys::napi_create_reference(raw, on_exit.raw(), 1, &mut on_exit_ref)) {
            return Err(napi::Error::from_status(Status::GenericFailure));
        }
        // Only names from the table are kept, as &'static str.
        let panic_on = config.panic_on.and_then(|name| wasi_core::PREVIEW1.iter().find(|s| s.name == name).map(|s| s.name));
        let state = state::State::new(raw, ctx, on_exit_ref, panic_on);
        let Some(id) = state.id() else {
            return Err(napi::Error::new(Status::GenericFailure, "too many live WASI instances on this thread"));
        };
        let Some(bind) = imports::build_bind(raw, &state) else {
            return Err(napi::Error::new(Status::GenericFailure, "cannot create the WASI bind function"));
        };
        let mut result = env.create_object()?;
        result.set_named_property("id", id)?;
        napi_util::set_property(raw, result.raw(), "bind", bind);
        result.set_named_property("listeners", listeners)?;
        Ok(result)
    }
}
