//! One `WASI` object's native life: `create` makes its state from the
//! options `index.js` validated (Node's checks, in Node's order, are made
//! there; these are only the shapes the binding relies on), and hands JS
//! the state's own functions:
//! - `bind` gives the state its memory, and owns the state;
//! - `share` names the state's process for threads on other workers;
//! - `close` empties the process's fd table when a run has ended;
//! - `hostFds` names the host descriptors the process holds (its stdio,
//!   its sockets), for the wasmtime engine, which runs the guest with them.
//!
//! `start()`/`initialize()` call `bind` (through `lib/imports.js`) with the
//! instance memory's current ArrayBuffer, and the import functions call it
//! again when growth has detached that buffer; for a shared or resizable
//! memory it gets instead a helper returning a current view. Until the
//! first call every import throws `ERR_WASI_NOT_STARTED`. Its data is an
//! `Rc<State>`, and every import function keeps `bind` alive, so the state
//! lives exactly as long as any of them. Binding a shared memory makes the
//! object a thread of that memory's WASI process (see
//! [`crate::processes`]).

use crate::errors::{self, guarded, throw_internal, throw_memory_error, throw_napi_failure, throw_process_mismatch};
use crate::memory_cache::MemoryCache;
use crate::napi_util::{self, callback_args, check, CallbackArgs, NapiStatus};
use crate::state::{Registry, State};
use napi::bindgen_prelude::FromNapiValue;
use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{sys, Env, JsValue, Status};
use std::path::PathBuf;
use std::ptr;
use std::rc::Rc;
use wasi_core::{Config, Preopen, SocketSpec, WasiCtx};

/// The options `index.js` has already validated.
#[napi(object)]
pub struct NativeConfig {
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// The preopens, in fd order.
    pub preopens: Vec<NativePreopen>,
    /// Grant `path_open` only the rights asked for (`enforceRights`).
    pub enforce_rights: Option<bool>,
    /// Host fds for stdin, stdout and stderr.
    pub stdio: Vec<i32>,
    /// `'preview1'` or `'unstable'`.
    pub version: String,
    /// Sockets after the preopens: each `{ listen: "host:port" }` or `{ fd }`.
    pub sockets: Vec<NativeSocket>,
    /// The most descriptors the guest may hold (`maxFds`; 0 or absent for
    /// the default).
    pub max_fds: Option<u32>,
    /// A token from another state's `share()`: this state is then one more
    /// thread of that state's process, and the options that make a process
    /// (args, env, preopens, stdio, sockets, maxFds) are not used.
    pub join: Option<String>,
    /// Test hook (only with `WASI_RS_TEST_HOOKS=1`, see `index.js`, and
    /// only in a build with the `test-hooks` feature, which `npm test`
    /// makes and releases leave out): the name of an import whose calls
    /// panic on purpose.
    pub panic_on: Option<String>,
}

/// One preopen: the guest path, the host directory, and whether the tree
/// is read-only to the guest.
#[napi(object)]
pub struct NativePreopen {
    pub guest: String,
    pub host: String,
    pub read_only: Option<bool>,
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

/// Builds a WASI state in `registry` and returns `{ id, bind, share, listeners }`:
/// the id the import calls pass (meaningful only to the natives of that
/// registry), the function that gives the state the instance's memory (and
/// owns the state), `share()`, which returns a token by which states made
/// on other threads join this state's process (`config.join`), and the
/// listeners bound for `sockets`. `on_exit(code)`
/// is called by `proc_exit` and must throw or exit.
///
/// # Safety
/// Called inside a Node-API callback on `raw`'s thread, with its handles.
pub unsafe fn create_wasi(
    raw: sys::napi_env,
    registry: &Rc<Registry>,
    checked: bool,
    config: sys::napi_value,
    on_exit: sys::napi_value,
) -> napi::Result<sys::napi_value> {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let env = Env::from_raw(raw);
        let config = NativeConfig::from_napi_value(raw, config)?;
        let mut kind = 0;
        if check(sys::napi_typeof(raw, on_exit, &mut kind)).is_err() || kind != sys::ValueType::napi_function {
            return Err(napi::Error::new(Status::InvalidArg, "on_exit must be a function"));
        }
        let preopens = config
            .preopens
            .into_iter()
            .map(|p| Preopen { guest: p.guest, host: PathBuf::from(p.host), read_only: p.read_only.unwrap_or(false) })
            .collect::<Vec<_>>();
        let stdio: [i32; 3] = config.stdio.try_into().map_err(|_| napi::Error::new(Status::InvalidArg, "stdio must list three fds"))?;
        let stdio = stdio.map(wasi_core::host::raw_from_process_fd);
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
        let joined = config.join.is_some();
        let mut ctx = match config.join {
            Some(token) => {
                let process = token.parse::<u64>().ok().and_then(crate::processes::join);
                let Some(process) = process else {
                    return Err(napi::Error::new(Status::InvalidArg, "the WASI process to join has ended"));
                };
                WasiCtx::on(process)
            }
            None => WasiCtx::new(Config {
                args: config.args,
                env: config.env,
                preopens,
                sockets,
                stdio,
                max_fds: config.max_fds.unwrap_or(0) as usize,
                enforce_rights: config.enforce_rights.unwrap_or(false),
            })
            .map_err(|failure| {
                errors::throw(raw, errors::ErrorKind::Error, errors::setup_error_code(&failure), &failure.to_string());
                napi::Error::from_status(Status::PendingException)
            })?,
        };
        // A worker being terminated (or the process exiting) marks the
        // environment as stopping; a guest sleeping in poll_oneoff then wakes.
        ctx.interrupt = Some(Box::new(move || napi_util::env_is_stopping(raw)));
        let listeners: Vec<NativeListener> = ctx
            .listeners()
            .iter()
            .map(|l| NativeListener { fd: l.fd, address: l.addr.ip().to_string(), port: u32::from(l.addr.port()) })
            .collect();
        {
            let mut on_exit_ref = std::ptr::null_mut();
            check(sys::napi_create_reference(raw, on_exit, 1, &mut on_exit_ref)).map_err(|s| failed("cannot hold the exit handler", s))?;
            let state = State::new(raw, registry.clone(), checked, ctx, on_exit_ref);
            set_panic_hook(&state, config.panic_on)?;
            if joined {
                if let Ok(mut inner) = state.inner.try_borrow_mut() {
                    inner.shared = true;
                }
            }
            let Some(id) = state.id() else {
                return Err(napi::Error::new(Status::GenericFailure, "too many live WASI instances on this thread"));
            };
            let mut result = Object::new(&env)?;
            result.set_named_property("id", id)?;
            let functions: [(&str, sys::napi_callback); 4] = [
                ("bind", Some(bind_trampoline)),
                ("share", Some(share_trampoline)),
                ("close", Some(close_trampoline)),
                ("hostFds", Some(host_fds_trampoline)),
            ];
            for (name, callback) in functions {
                let f = napi_util::create_function(raw, name, callback, state.clone())
                    .map_err(|s| failed("cannot create a WASI function", s))?;
                napi_util::set_property(raw, result.raw(), name, f).map_err(|s| failed("cannot create a WASI function", s))?;
            }
            result.set_named_property("listeners", listeners)?;
            Ok(result.raw())
        }
    }
}

/// `close()`: ends the state's process's hold on its descriptors (its fd
/// table is emptied: stdio holds, preopens, files, sockets), as when a
/// process ends; later calls get `EBADF`. `wasi.run()` calls it when the
/// guest has ended, so its pipes see end of file and its host fds are
/// released at once rather than when the object is collected.
unsafe extern "C" fn close_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with the
    // data it was created with (an `Rc<State>`, see `create_wasi`).
    unsafe {
        guarded(env, || {
            let Some((state, _)) = state_of::<0>(env, info, "close") else { return std::ptr::null_mut() };
            let closed = match state.inner.try_borrow() {
                Ok(inner) => inner.ctx.process().fds().close_all(),
                Err(_) => Vec::new(),
            };
            // Dropped here, after the table's lock.
            drop(closed);
            std::ptr::null_mut()
        })
    }
}

/// `hostFds(first, count)`: the raw host descriptors (fds; HANDLE values
/// on Windows, -1 for a SOCKET there) behind the process's fds `first` to
/// `first + count - 1`, or -1 where it holds none: its stdio (0-2) and the
/// sockets after its preopens. They stay valid while the process does: the
/// wasmtime engine takes its own duplicates of them for a run
/// (lib/engine.js).
unsafe extern "C" fn host_fds_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with the
    // data it was created with (an `Rc<State>`, see `create_wasi`).
    unsafe {
        guarded(env, || {
            let Some((state, CallbackArgs { argc, argv, .. })) = state_of::<2>(env, info, "hostFds") else { return ptr::null_mut() };
            let (mut first, mut count) = (0u32, 0u32);
            if argc < 2
                || check(sys::napi_get_value_uint32(env, argv[0], &mut first)).is_err()
                || check(sys::napi_get_value_uint32(env, argv[1], &mut count)).is_err()
                || count > 4096
            {
                throw_internal(env, "hostFds(first, count) takes two small whole numbers");
                return ptr::null_mut();
            }
            let raw: Vec<i64> = match state.inner.try_borrow() {
                Ok(inner) => {
                    let fds = inner.ctx.process().fds();
                    (first..first.saturating_add(count))
                        .map(|fd| fds.get(fd).ok().and_then(|d| d.host_fd().ok().map(|h| wasi_core::host::raw_of(h) as i64)).unwrap_or(-1))
                        .collect()
                }
                Err(_) => vec![-1; count as usize],
            };
            match napi::bindgen_prelude::ToNapiValue::to_napi_value(env, raw) {
                Ok(v) => v,
                Err(e) => {
                    throw_internal(env, &format!("cannot return the host descriptors: {e}"));
                    ptr::null_mut()
                }
            }
        })
    }
}

/// The state a `bind`/`share`/`close`/`hostFds` function was created with
/// (its data), and the call's first `N` arguments (null past `argc`); None
/// (with the failure thrown) when they cannot be read. `what` names the
/// function in that error.
///
/// # Safety
/// Inside the callback of a function whose data is an `Rc<State>`.
unsafe fn state_of<'a, const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    what: &str,
) -> Option<(&'a Rc<State>, CallbackArgs<N>)> {
    // SAFETY: `env` and `info` are the live callback's (the caller's contract).
    match unsafe { callback_args::<N>(env, info) } {
        Err(status) => {
            // SAFETY: as above.
            unsafe { throw_napi_failure(env, &format!("cannot read {what}()'s arguments"), status) };
            None
        }
        // SAFETY: the data is the `Rc<State>` the function was created
        // with, which lives as long as the function.
        Ok(args) => (!args.data.is_null()).then(|| (unsafe { &*(args.data as *const Rc<State>) }, args)),
    }
}

/// `share()`: a token (a decimal string) naming the state's process, for
/// `config.join` on another thread. The token holds no reference: the
/// process must be kept alive by its states meanwhile.
unsafe extern "C" fn share_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with the
    // data it was created with (an `Rc<State>`, see `create_wasi`).
    unsafe {
        guarded(env, || {
            let Some((state, _)) = state_of::<0>(env, info, "share") else { return std::ptr::null_mut() };
            let token = match state.inner.try_borrow() {
                Ok(inner) => crate::processes::share(inner.ctx.process()),
                Err(_) => None,
            };
            let Some(token) = token else {
                throw_internal(env, "cannot share the WASI process");
                return std::ptr::null_mut();
            };
            let text = token.to_string();
            let mut value = std::ptr::null_mut();
            if let Err(status) = check(sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value)) {
                throw_napi_failure(env, "cannot return the process token", status);
                return std::ptr::null_mut();
            }
            value
        })
    }
}

/// A Node-API failure while making the state, as the error `create` throws.
fn failed(what: &str, status: NapiStatus) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("{what} ({status})"))
}

/// The test hook: makes calls of the import `name` panic on purpose, to
/// prove that a panic becomes a JS exception (only names from the syscall
/// table are kept, as `&'static str`).
#[cfg(feature = "test-hooks")]
fn set_panic_hook(state: &State, name: Option<String>) -> napi::Result<()> {
    let name = name.and_then(|name| wasi_core::PREVIEW1.iter().find(|s| s.name == name).map(|s| s.name));
    state.panic_on.set(name);
    Ok(())
}

/// Without the `test-hooks` feature (a release build) there is no hook to
/// set: asking for one is an error that says so.
#[cfg(not(feature = "test-hooks"))]
fn set_panic_hook(_state: &State, name: Option<String>) -> napi::Result<()> {
    match name {
        None => Ok(()),
        Some(_) => Err(napi::Error::new(
            Status::InvalidArg,
            "this build of wasi-rs has no test hooks: build it with `node scripts/build.js --test-hooks` (as `npm test` does)",
        )),
    }
}

/// `bind(buffer)` / `bind(buffer, viewFn, shared)`: gives the state its
/// memory (see the module doc).
unsafe extern "C" fn bind_trampoline(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this callback on its env's thread, with the
    // data it was created with (an `Rc<State>`, see `create_wasi`).
    unsafe { guarded(env, || bind_memory(env, info)) }
}

unsafe fn bind_memory(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: the operations below are those this function's `# Safety`
    // contract covers; its caller upholds it.
    unsafe {
        let Some((state, CallbackArgs { argc, argv, .. })) = state_of::<3>(env, info, "bind") else { return ptr::null_mut() };
        let mut kind = 0;
        let view_fn = argc >= 2 && check(sys::napi_typeof(env, argv[1], &mut kind)).is_ok() && kind == sys::ValueType::napi_function;
        let shared = argc >= 3 && {
            let mut b = false;
            check(sys::napi_get_value_bool(env, argv[2], &mut b)).is_ok() && b
        };
        let cache = if view_fn {
            MemoryCache::shared(env, argv[0], argv[1], shared, state.checked)
        } else {
            MemoryCache::unshared(env, argv[0], state.checked)
        };
        let cache = match cache {
            Ok(c) => c,
            Err(e) => {
                throw_memory_error(env, e);
                return ptr::null_mut();
            }
        };
        let Ok(mut inner) = state.inner.try_borrow_mut() else {
            throw_internal(env, "re-entrant WASI call");
            return ptr::null_mut();
        };
        if let Some(base) = cache.shared_base() {
            match crate::processes::process_for(base, inner.ctx.process()) {
                Ok(process) => {
                    inner.ctx.join(process);
                    inner.shared = true;
                }
                Err(crate::processes::Mismatch) => {
                    let mut cache = cache;
                    cache.release(env);
                    throw_process_mismatch(env);
                    return ptr::null_mut();
                }
            }
        }
        if let Some(mut old) = inner.memory.replace(cache) {
            old.release(env);
        }
        ptr::null_mut()
    }
}
