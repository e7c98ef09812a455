//! One guest run in wasmtime: the engine and its limits, the module
//! (from the compiled-code cache when it can be), the WASI context, and
//! how the run ended.
//!
//! A run has an engine of its own, so that stopping it (an epoch tick,
//! [`Control::stop`]) stops no other guest; the compiled code is shared
//! through the cache on disk instead.

use crate::cache::Cache;
use crate::link::{add_to_linker, module_name, GuestExit, ProcessEnded};
use crate::threads::{guest_store, Threads};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use wasi_core::{Abi, Config as WasiConfig, WasiCtx};
use wasmtime::{Config, Engine, ExternType, Linker, MemoryType, Module, SharedMemory, Trap, WasmBacktrace};

/// The limits of one run (`None`: no limit).
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Wall-clock time.
    pub timeout: Option<Duration>,
    /// Fuel: roughly, wasm instructions.
    pub fuel: Option<u64>,
    /// Bytes of linear memory, per memory.
    pub max_memory: Option<usize>,
    /// Elements per table.
    pub max_table_elements: Option<usize>,
    /// Bytes of native stack wasm may use (wasmtime's default otherwise).
    pub max_stack: Option<usize>,
}

/// What a run is given.
pub struct Job {
    pub bytes: Vec<u8>,
    pub wasi: WasiConfig,
    pub abi: Abi,
    pub limits: Limits,
    pub cache: Option<Cache>,
    /// Spawned threads alive at once, at most (wasi-threads modules).
    pub max_threads: u32,
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// `proc_exit(status)`, or `_start` returned (0).
    Exit(u32),
    /// The guest trapped (stack exhaustion included).
    Trap(String),
    /// Past the time limit.
    TimedOut,
    /// Asked to stop ([`Control::stop`]).
    Aborted,
    /// Out of fuel.
    OutOfFuel,
    /// The module needs more memory (or table) at start than the limits allow.
    OverLimit(String),
    /// The module cannot run at all: not valid, not a WASI command, a bad
    /// import, or the WASI context could not be made.
    Failed(String),
}

/// Why a run is being stopped (0: it is not).
const RUNNING: u8 = 0;
const ABORTED: u8 = 1;
const TIMED_OUT: u8 = 2;
/// One of the guest's threads ended its process (wasi-threads: the other
/// threads are stopped).
const GUEST_ENDED: u8 = 3;

/// The handle by which a run is stopped from outside its thread.
pub struct Control {
    reason: AtomicU8,
    /// The run's engine, once made: a stop ticks its epoch, which traps
    /// the guest at its next function entry or loop back-edge.
    engine: Mutex<Option<Engine>>,
    /// Set when the run has ended, for [`Control::wait_done`].
    done: Mutex<bool>,
    ended: Condvar,
    /// The guest's threads, told of a stop (to wake parked ones); a weak
    /// handle, as they hold this control.
    threads: Mutex<Option<std::sync::Weak<Threads>>>,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control {
            reason: AtomicU8::new(RUNNING),
            engine: Mutex::new(None),
            done: Mutex::new(false),
            ended: Condvar::new(),
            threads: Mutex::new(None),
        })
    }

    /// Stops the run: the guest traps at its next check, and a host call
    /// that waits (a read, a sleep) returns.
    pub fn stop(&self) {
        self.stop_for(ABORTED);
    }

    /// Stops every thread of a guest one of whose threads ended its
    /// process (wasi-threads).
    pub fn stop_for_guest(&self) {
        self.stop_for(GUEST_ENDED);
    }

    fn stop_for(&self, reason: u8) {
        let _ = self.reason.compare_exchange(RUNNING, reason, Ordering::SeqCst, Ordering::SeqCst);
        if let Some(engine) = self.engine.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            engine.increment_epoch();
        }
        let threads = self.threads.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|t| t.upgrade());
        if let Some(threads) = threads {
            threads.on_stop();
        }
    }

    /// Whether the guest's own threads are what stopped the run (not an
    /// abort or a time-out).
    pub fn stopped_by_guest(&self) -> bool {
        self.reason.load(Ordering::SeqCst) == GUEST_ENDED
    }

    /// Whether the run is being stopped, for any reason.
    pub fn stopping(&self) -> bool {
        self.reason.load(Ordering::SeqCst) != RUNNING
    }

    /// Waits until the run has ended, at most `limit` (`None`: for ever).
    /// Returns whether it has.
    pub fn wait_done(&self, limit: Option<Duration>) -> bool {
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        match limit {
            None => *self.ended.wait_while(done, |d| !*d).unwrap_or_else(|e| e.into_inner()),
            Some(t) => *self.ended.wait_timeout_while(done, t, |d| !*d).unwrap_or_else(|e| e.into_inner()).0,
        }
    }

    /// Marks the run as ended (and wakes whoever waits for it).
    pub fn finish(&self) {
        // The engine (and the compiled code it holds) is let go of.
        self.engine.lock().unwrap_or_else(|e| e.into_inner()).take();
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.ended.notify_all();
    }
}

/// Runs `job` on this thread until the guest ends or is stopped.
pub fn run(job: Job, control: &Arc<Control>) -> Ending {
    // A panic (a bug in the engine or in wasmtime) ends this run with an
    // error, and the run still finishes: whoever waits for it is woken.
    let ending = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_guest(job, control)))
        .unwrap_or_else(|_| Ending::Failed("internal error in the wasmtime engine (a panic)".into()));
    control.finish();
    ending
}

fn engine_config(limits: &Limits) -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true);
    // wasi-threads modules: atomics, and the shared memory they import.
    config.wasm_threads(true);
    config.shared_memory(true);
    config.consume_fuel(limits.fuel.is_some());
    if let Some(stack) = limits.max_stack {
        config.max_wasm_stack(stack);
    }
    config
}

/// The native stack of a thread that runs wasm: room for the wasm stack
/// limit, and for the host calls beneath it.
pub fn thread_stack(limits: &Limits) -> usize {
    limits.max_stack.unwrap_or(512 * 1024) + 8 * 1024 * 1024
}

/// wasmtime's version, as the build's lock file pins it (build.rs).
pub const WASMTIME_VERSION: &str = env!("WASI_RS_WASMTIME_VERSION");

/// An engine with the settings `limits` need (fuel and the stack limit
/// change the compiled code; the other limits do not).
pub fn engine(limits: &Limits) -> Result<Engine, String> {
    Engine::new(&engine_config(limits)).map_err(|e| format!("cannot make the engine: {e}"))
}

fn run_guest(job: Job, control: &Arc<Control>) -> Ending {
    let engine = match engine(&job.limits) {
        Ok(e) => e,
        Err(e) => return Ending::Failed(e),
    };
    *control.engine.lock().unwrap_or_else(|e| e.into_inner()) = Some(engine.clone());
    // The time limit counts from here, compilation included (a compile is
    // not interrupted: the run ends as soon as it is done). The timer's
    // thread ends with the run (`Control::finish` wakes it).
    if let Some(timeout) = job.limits.timeout {
        if let Err(e) = start_timer(Arc::clone(control), timeout) {
            return Ending::Failed(format!("cannot start the time limit's thread: {e}"));
        }
    }
    if control.stopping() {
        return stopped(control);
    }
    let module = match &job.cache {
        Some(cache) => cache.module(&engine, &job.bytes),
        None => Module::new(&engine, &job.bytes),
    };
    let module = match module {
        Ok(m) => m,
        Err(e) => return Ending::Failed(format!("not a valid WebAssembly module: {}", first_line(&e))),
    };
    if let Some(problem) = unrunnable(&module) {
        return Ending::Failed(problem);
    }
    let ctx = match WasiCtx::new(job.wasi) {
        Ok(ctx) => ctx,
        Err(e) => return Ending::Failed(e.to_string()),
    };
    let process = Arc::clone(ctx.process());
    let mut store = match guest_store(&engine, ctx, control, &job.limits) {
        Ok(store) => store,
        Err(e) => return Ending::Failed(format!("cannot set the fuel: {e}")),
    };
    let mut linker = Linker::new(&engine);
    if let Err(e) = add_to_linker(&mut linker, job.abi) {
        return Ending::Failed(format!("cannot link WASI: {e}"));
    }
    // A wasi-threads module: its shared memory, made here (capped at the
    // memory limit) and given to every thread's instance.
    let shared = match shared_memory_of(&module, &engine, &job.limits) {
        Ok(shared) => shared,
        Err(ending) => return ending,
    };
    if let Some((module_name, name, shared)) = &shared {
        if let Err(e) = linker.define(&store, module_name, name, shared.clone()) {
            return Ending::Failed(format!("cannot link the shared memory: {e}"));
        }
    }
    // Linking first, so that what fails after it, in instantiation, is a
    // memory or table bigger at start than the limits allow.
    let pre = match linker.instantiate_pre(&module) {
        Ok(pre) => pre,
        Err(e) => return Ending::Failed(first_line(&e)),
    };
    let threads = shared.map(|(_, _, shared)| {
        let threads = Threads::new(pre.clone(), shared.clone(), process, Arc::clone(control), job.limits.clone(), job.max_threads);
        *control.threads.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::downgrade(&threads));
        store.data_mut().shared = Some(shared);
        store.data_mut().threads = Some(Arc::clone(&threads));
        threads
    });
    // A stop asked for before the store's deadline was set (while the
    // module compiled) ticked an epoch this store never saw: it is looked
    // at now. One asked for after this look ticks past the deadline.
    // (`stop_for` sets the reason before it ticks.)
    if control.stopping() {
        return stopped(control);
    }
    let instance = match pre.instantiate(&mut store) {
        Ok(i) => i,
        Err(e) => return ended_by(e, control, true),
    };
    let memory = instance.get_memory(&mut store, "memory");
    store.data_mut().memory = memory;
    let start = match instance.get_typed_func::<(), ()>(&mut store, "_start") {
        Ok(f) => f,
        Err(e) => return Ending::Failed(format!("_start: {e}")),
    };
    let result = start.call(&mut store, ());
    match threads {
        None => match result {
            Ok(()) => Ending::Exit(0),
            Err(e) => ended_by(e, control, false),
        },
        // The process ends with its main thread: the first of its threads
        // to end it says how, once all have stopped.
        Some(threads) => {
            let main = match result {
                Ok(()) => Some(Ending::Exit(0)),
                Err(e) => ending_of(&e, Ending::Trap),
            };
            drop(store);
            threads.finish_main(main).unwrap_or_else(|| stopped(control))
        }
    }
}

/// The shared memory a wasi-threads module imports (by convention
/// `env.memory`; any name serves), with the name it imports it by, made
/// with its maximum lowered to the memory limit; `None` for a module that
/// imports none; the ending when it needs more at start than allowed.
fn shared_memory_of(module: &Module, engine: &Engine, limits: &Limits) -> Result<Option<(String, String, SharedMemory)>, Ending> {
    let Some((module_name, name, ty)) = module.imports().find_map(|i| match i.ty() {
        ExternType::Memory(ty) if ty.is_shared() => Some((i.module().to_string(), i.name().to_string(), ty)),
        _ => None,
    }) else {
        return Ok(None);
    };
    let page = ty.page_size();
    let declared = ty.maximum().unwrap_or(u64::from(u32::MAX) * 65536 / page);
    let maximum = match limits.max_memory {
        Some(bytes) => declared.min(bytes as u64 / page),
        None => declared,
    };
    if ty.minimum() > maximum {
        return Err(Ending::OverLimit(format!(
            "the module's shared memory needs {} pages at start; the memory limit allows {maximum}",
            ty.minimum()
        )));
    }
    let capped = MemoryType::shared(ty.minimum() as u32, maximum as u32);
    let memory = SharedMemory::new(engine, capped).map_err(|e| Ending::OverLimit(first_line(&e)))?;
    Ok(Some((module_name, name, memory)))
}

/// Why a compiled module cannot run as a WASI command here, if it cannot:
/// no `_start`, no exported memory, or an import the engine does not give.
fn unrunnable(module: &Module) -> Option<String> {
    let exports: Vec<_> = module.exports().map(|e| (e.name().to_string(), e.ty())).collect();
    if !exports.iter().any(|(n, t)| n == "_start" && matches!(t, ExternType::Func(_))) {
        return Some("the module has no _start export: it is not a WASI command module".into());
    }
    let mut shared = false;
    for import in module.imports() {
        match import.ty() {
            ExternType::Memory(ty) if ty.is_shared() && !shared => {
                shared = true;
                continue;
            }
            ExternType::Memory(_) => {
                return Some(format!(
                    "the module imports the memory {}::{}: the wasmtime engine gives a module only one imported memory, a shared one (wasi-threads)",
                    import.module(),
                    import.name()
                ));
            }
            _ => {}
        }
        if import.module() == "wasi" && import.name() == "thread-spawn" {
            continue;
        }
        if import.module() != module_name(Abi::Preview1) && import.module() != module_name(Abi::Unstable) {
            return Some(format!("unknown import {}::{}: only WASI imports are provided", import.module(), import.name()));
        }
    }
    if !shared && !exports.iter().any(|(n, t)| n == "memory" && matches!(t, ExternType::Memory(_))) {
        return Some("the module exports no memory: a WASI module must export the memory its calls point into".into());
    }
    None
}

/// How the error that unwound a guest thread ends its run: `None` for a
/// thread stopped because the run is ending already (the epoch tick of a
/// stop, or another thread's exit); `other` makes the ending of an error
/// that is no trap.
pub fn ending_of(e: &wasmtime::Error, other: fn(String) -> Ending) -> Option<Ending> {
    if let Some(GuestExit(status)) = e.downcast_ref::<GuestExit>() {
        return Some(Ending::Exit(*status));
    }
    if e.downcast_ref::<ProcessEnded>().is_some() {
        return None;
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => None,
        Some(Trap::OutOfFuel) => Some(Ending::OutOfFuel),
        Some(trap) => Some(Ending::Trap(trap_message(trap, e))),
        None => Some(other(first_line(e))),
    }
}

/// How the error that ended a single-threaded guest (or its
/// instantiation) ends the run.
fn ended_by(e: wasmtime::Error, control: &Control, instantiating: bool) -> Ending {
    // Instantiation fails without a trap when a memory or table is bigger
    // at start than the limiter allows.
    let other = if instantiating { Ending::OverLimit } else { Ending::Failed };
    ending_of(&e, other).unwrap_or_else(|| stopped(control))
}

fn stopped(control: &Control) -> Ending {
    match control.reason.load(Ordering::SeqCst) {
        TIMED_OUT => Ending::TimedOut,
        // Its thread recorded how; not reached.
        GUEST_ENDED => Ending::Failed("the guest's process ended without a status".into()),
        _ => Ending::Aborted,
    }
}

/// A thread that stops the run when `timeout` passes first.
fn start_timer(control: Arc<Control>, timeout: Duration) -> std::io::Result<()> {
    std::thread::Builder::new().name("wasi-rs-engine-timer".into()).spawn(move || {
        if !control.wait_done(Some(timeout)) {
            control.stop_for(TIMED_OUT);
        }
    })?;
    Ok(())
}

/// What a trap says: its kind and, when wasmtime kept a backtrace, the
/// function it happened in ("wasm trap: wasm `unreachable` instruction
/// executed in main"). The error's own first line is only "error while
/// executing at wasm backtrace:".
pub fn trap_message(trap: &Trap, e: &wasmtime::Error) -> String {
    let at = e.downcast_ref::<WasmBacktrace>().and_then(|bt| bt.frames().first()).map(|frame| match frame.func_name() {
        Some(name) => format!(" in {name}"),
        None => format!(" in function {}", frame.func_index()),
    });
    format!("{trap}{}", at.unwrap_or_default())
}

fn first_line(e: &wasmtime::Error) -> String {
    format!("{e:#}").lines().next().unwrap_or("").to_string()
}
