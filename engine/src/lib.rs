//! wasi-rs's optional wasmtime engine: a WASI command module runs in
//! wasmtime inside the Node process, on a thread of its own, with the
//! syscalls of `crates/wasi-core` (the same sandbox, fd table and errnos as
//! the V8 engine; see [`link`]).
//!
//! - [`link`]: wasi-core's syscall table as wasmtime host functions;
//! - [`run`]: one run: the engine, its limits, how it ended;
//! - [`threads`]: wasi-threads: a guest's threads, over one shared memory;
//! - [`cache`]: compiled code cached on disk.
//!
//! This file is the Node-API face: `GuestRun` (start a run, abort it),
//! `compile` (fill the cache ahead of time), `version` and
//! `packageVersion`. `lib/engine.js` loads it and drives it.

#[macro_use]
extern crate napi_derive;

pub mod cache;
pub mod link;
pub mod run;
pub mod threads;

use napi::bindgen_prelude::{Buffer, Object};
use napi::{Env, Error, Result, Status};
use run::{Control, Ending, Job, Limits};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wasi_core::{Abi, Config as WasiConfig, Preopen, SocketSpec};

/// The WASI options `index.js` validated, and the run's limits.
#[napi(object)]
pub struct EngineOptions {
    pub args: Vec<String>,
    /// `KEY=value` strings.
    pub env: Vec<String>,
    pub preopens: Vec<EnginePreopen>,
    /// The raw host descriptors (fds; HANDLE values on Windows) that the
    /// WASI object's process holds as its stdio (its `stdio()`), or -1.
    /// The run takes duplicates of its own.
    pub stdio: Vec<i64>,
    /// The raw host descriptors of the WASI object's sockets (its
    /// `hostFds()` after the preopens). The run holds its own duplicates,
    /// as of sockets lent by fd.
    pub sockets: Option<Vec<i64>>,
    pub max_fds: Option<u32>,
    pub enforce_rights: Option<bool>,
    /// `'preview1'` or `'unstable'`.
    pub version: String,
    /// Milliseconds of wall-clock time.
    pub timeout: Option<f64>,
    /// Units of fuel (roughly, wasm instructions).
    pub fuel: Option<f64>,
    /// Bytes of linear memory.
    pub max_memory: Option<f64>,
    /// Elements per table.
    pub max_table_elements: Option<u32>,
    /// Bytes of native stack for wasm.
    pub max_stack: Option<u32>,
    /// The compiled-code cache's directory (absent: no cache).
    pub cache_dir: Option<String>,
    /// Spawned threads alive at once, at most (wasi-threads modules).
    pub max_threads: Option<u32>,
}

/// A preopen: the guest path, the host directory, read-only or not.
#[napi(object)]
pub struct EnginePreopen {
    pub guest: String,
    pub host: String,
    pub read_only: Option<bool>,
}

/// How a run ended, for `lib/engine-run.js`.
#[napi(object)]
pub struct EngineOutcome {
    /// `exit`, `trap`, `timeout`, `abort`, `fuel`, `limit` or `failed`.
    pub kind: String,
    /// The exit status (for `exit`).
    pub status: u32,
    /// What happened (for everything but `exit`).
    pub message: String,
}

impl From<Ending> for EngineOutcome {
    fn from(ending: Ending) -> Self {
        let (kind, status, message) = match ending {
            Ending::Exit(status) => ("exit", status, String::new()),
            Ending::Trap(m) => ("trap", 0, m),
            Ending::TimedOut => ("timeout", 0, String::new()),
            Ending::Aborted => ("abort", 0, String::new()),
            Ending::OutOfFuel => ("fuel", 0, "the guest ran out of fuel".into()),
            Ending::OverLimit(m) => ("limit", 0, m),
            Ending::Failed(m) => ("failed", 0, m),
        };
        EngineOutcome { kind: kind.into(), status, message }
    }
}

/// A whole number from JS, or an `ERR_OUT_OF_RANGE`-style error.
fn whole(value: Option<f64>, name: &str) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= 2f64.powi(53) => Ok(Some(v as u64)),
        Some(v) => Err(Error::new(Status::InvalidArg, format!("{name} must be a whole number >= 0, not {v}"))),
    }
}

fn job(bytes: Vec<u8>, o: EngineOptions) -> Result<Job> {
    let abi = match o.version.as_str() {
        "preview1" => Abi::Preview1,
        "unstable" => Abi::Unstable,
        v => return Err(Error::new(Status::InvalidArg, format!("unknown WASI version {v}"))),
    };
    let stdio: [i64; 3] = o.stdio.try_into().map_err(|_| Error::new(Status::InvalidArg, "stdio must list three descriptors"))?;
    let mut sockets = Vec::new();
    for raw in o.sockets.unwrap_or_default() {
        // -1: a socket the process holds but cannot name by a number
        // (a SOCKET on Windows, where sockets are not lent by fd).
        let fd = i32::try_from(raw).ok().filter(|fd| *fd >= 0);
        let fd =
            fd.ok_or_else(|| Error::new(Status::InvalidArg, "the wasmtime engine cannot take this object's sockets on this platform yet"))?;
        sockets.push(SocketSpec::Fd(fd));
    }
    let preopens = o
        .preopens
        .into_iter()
        .map(|p| Preopen { guest: p.guest, host: PathBuf::from(p.host), read_only: p.read_only.unwrap_or(false) })
        .collect();
    let wasi = WasiConfig {
        args: o.args,
        env: o.env,
        preopens,
        sockets,
        stdio: stdio.map(|raw| raw as wasi_core::host::RawHostFd),
        max_fds: o.max_fds.unwrap_or(0) as usize,
        enforce_rights: o.enforce_rights.unwrap_or(false),
    };
    let limits = Limits {
        timeout: whole(o.timeout, "timeout")?.map(Duration::from_millis),
        fuel: whole(o.fuel, "fuel")?,
        max_memory: whole(o.max_memory, "maxMemory")?.map(|b| b as usize),
        max_table_elements: o.max_table_elements.map(|n| n as usize),
        max_stack: o.max_stack.map(|n| n as usize),
    };
    let max_threads = o.max_threads.unwrap_or(64);
    Ok(Job { bytes, wasi, abi, limits, cache: o.cache_dir.map(cache::Cache::new), max_threads })
}

/// One run of a guest in the engine.
#[napi]
pub struct GuestRun {
    control: Arc<Control>,
    /// Whether `start` has been called: a run starts once.
    started: std::sync::atomic::AtomicBool,
}

/// A cleanup hook's handle, sent to the guest's thread and back to the JS
/// thread, where alone it is used.
struct HookHandle(napi::CleanupEnvHook<Arc<Control>>);

// SAFETY: the handle is an opaque pointer that only the JS thread uses
// (in the resolver, which runs there); the guest's thread only carries it.
unsafe impl Send for HookHandle {}

#[napi]
impl GuestRun {
    #[napi(constructor)]
    pub fn new() -> Self {
        GuestRun { control: Control::new(), started: std::sync::atomic::AtomicBool::new(false) }
    }

    /// Starts the guest on a thread of its own; the promise resolves with
    /// an `EngineOutcome`. A run whose Node environment is torn down (a
    /// worker terminated, the process exiting) is stopped, and waited for.
    #[napi]
    pub fn start<'env>(&self, env: &'env Env, module: Buffer, options: EngineOptions) -> Result<Object<'env>> {
        let job = job(module.to_vec(), options)?;
        if self.started.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::new(Status::InvalidArg, "this run has already started: make a new GuestRun"));
        }
        let (deferred, promise) = env.create_deferred::<EngineOutcome, _>()?;
        let hook = env.add_env_cleanup_hook(Arc::clone(&self.control), |control| {
            control.stop();
            control.wait_done(None);
        })?;
        let hook = HookHandle(hook);
        let control = Arc::clone(&self.control);
        let stack = run::thread_stack(&job.limits);
        let spawned = std::thread::Builder::new().name("wasi-rs-engine".into()).stack_size(stack).spawn(move || {
            let ending = run::run(job, &control);
            let hook = hook;
            deferred.resolve(move |env| {
                let _ = env.remove_env_cleanup_hook(hook.0);
                Ok(EngineOutcome::from(ending))
            });
        });
        if let Err(e) = spawned {
            // No run: the cleanup hook (left registered) finds it ended.
            self.control.finish();
            return Err(Error::new(Status::GenericFailure, format!("cannot start the engine's thread: {e}")));
        }
        Ok(promise)
    }

    /// Stops the run: the guest traps at its next check, and a host call
    /// that waits returns. The promise then resolves with `abort`.
    #[napi]
    pub fn abort(&self) {
        self.control.stop();
    }
}

impl Default for GuestRun {
    fn default() -> Self {
        GuestRun::new()
    }
}

/// Compiles `module` into the cache at `cache_dir` (for the engine's
/// default settings with `fuel` or not), ahead of any run. Returns
/// whether it was compiled now (false: it was cached already).
#[napi]
pub fn compile(module: Buffer, cache_dir: String, fuel: Option<bool>, max_stack: Option<u32>) -> Result<bool> {
    let limits = Limits { fuel: fuel.unwrap_or(false).then_some(1), max_stack: max_stack.map(|n| n as usize), ..Limits::default() };
    let engine = run::engine(&limits).map_err(|e| Error::new(Status::GenericFailure, e))?;
    let (_, source) = cache::Cache::new(cache_dir)
        .module_from(&engine, &module)
        .map_err(|e| Error::new(Status::InvalidArg, format!("not a valid WebAssembly module: {e}")))?;
    Ok(source == cache::Source::Compiled)
}

/// wasmtime's version, as the engine reports it.
#[napi]
pub fn version() -> String {
    run::WASMTIME_VERSION.to_string()
}

/// The wasi-rs release this add-on was built for (`package.json`'s version):
/// `lib/engine.js` refuses an engine of another release.
#[napi]
pub fn package_version() -> String {
    env!("WASI_RS_PACKAGE_VERSION").to_string()
}
