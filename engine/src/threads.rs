//! wasi-threads in the engine: the threads of one guest process.
//!
//! A wasi-threads module imports one shared memory (`env.memory` by
//! convention) and `wasi` `thread-spawn`. Every thread is an instance of
//! the module in a store of its own, on a native thread of its own, over
//! the one shared memory and the one WASI process (`WasiCtx::on`: one fd
//! table, stdio and preopens for all). The main thread runs `_start`;
//! each `thread-spawn` starts one that runs
//! `wasi_thread_start(tid, start_arg)`.
//!
//! The process ends, as the proposal says, when any thread calls
//! `proc_exit`, when `_start` returns, or when any thread traps; and here
//! also on abort or time-out. Ending it ticks the engine's epoch (every
//! thread traps at its next check), makes waiting host calls return, and
//! wakes threads parked in `memory.atomic.wait` (see [`Threads::on_stop`]);
//! the run ends once every thread has.

use crate::link::Guest;
use crate::run::{ending_of, Control, Ending, Limits};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use wasi_core::{Process, WasiCtx};
use wasmtime::{Engine, InstancePre, SharedMemory, Store};

/// `thread-spawn`'s error: a negative errno, EAGAIN (no thread can be
/// started now), as wasi-libc's `pthread_create` reads it.
pub const SPAWN_EAGAIN: i32 = -6;

/// Thread ids are 1..=0x1FFFFFFF (the proposal), handed out in order from
/// 1, as in the V8 engine's run.
const MAX_TID: u32 = 0x1FFF_FFFF;

/// The process's threads and what they share.
pub struct Threads {
    /// The module, linked: each thread instantiates it in its own store.
    pre: InstancePre<Guest>,
    memory: SharedMemory,
    process: Arc<Process>,
    control: Arc<Control>,
    limits: Limits,
    /// Spawned threads alive at once, at most (`maxThreads`).
    max_threads: u32,
    /// The last thread id handed out.
    last_tid: AtomicU32,
    /// Spawned threads started and not yet ended.
    live: AtomicU32,
    /// Whether the main thread may still run wasm. While it or any spawned
    /// thread does after the process ended, the waker
    /// ([`Threads::on_stop`]) keeps waking them.
    main_running: AtomicBool,
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// Whether the waker thread has started ([`Threads::on_stop`]).
    sweeping: AtomicBool,
    /// How the process ended, when one of its threads ended it: the first
    /// of `proc_exit`, a trap, or `_start` returning.
    ending: Mutex<Option<Ending>>,
}

impl Threads {
    pub fn new(
        pre: InstancePre<Guest>,
        memory: SharedMemory,
        process: Arc<Process>,
        control: Arc<Control>,
        limits: Limits,
        max_threads: u32,
    ) -> Arc<Threads> {
        Arc::new(Threads {
            pre,
            memory,
            process,
            control,
            limits,
            max_threads,
            last_tid: AtomicU32::new(0),
            live: AtomicU32::new(0),
            main_running: AtomicBool::new(true),
            handles: Mutex::new(Vec::new()),
            sweeping: AtomicBool::new(false),
            ending: Mutex::new(None),
        })
    }

    /// `thread-spawn(start_arg)`: starts a thread that runs
    /// `wasi_thread_start(tid, start_arg)`; returns its id, or
    /// [`SPAWN_EAGAIN`] when no thread can start (the limit, the ids, the
    /// host, or a process that is ending).
    pub fn spawn(self: &Arc<Self>, start_arg: i32) -> i32 {
        // Under the lock, so that `join_all` never misses a thread: once
        // the process is ending, no thread starts.
        let mut handles = self.handles.lock().unwrap_or_else(|e| e.into_inner());
        if self.control.stopping() {
            return SPAWN_EAGAIN;
        }
        if self.live.fetch_add(1, Ordering::SeqCst) >= self.max_threads {
            self.live.fetch_sub(1, Ordering::SeqCst);
            return SPAWN_EAGAIN;
        }
        let tid = self.last_tid.fetch_add(1, Ordering::SeqCst) + 1;
        if tid > MAX_TID {
            self.live.fetch_sub(1, Ordering::SeqCst);
            return SPAWN_EAGAIN;
        }
        let threads = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name(format!("wasi-rs-engine-{tid}"))
            .stack_size(crate::run::thread_stack(&self.limits))
            .spawn(move || threads.run_thread(tid, start_arg));
        match spawned {
            Ok(handle) => {
                handles.push(handle);
                tid as i32
            }
            Err(_) => {
                self.live.fetch_sub(1, Ordering::SeqCst);
                SPAWN_EAGAIN
            }
        }
    }

    fn run_thread(self: Arc<Self>, tid: u32, start_arg: i32) {
        let ended = match catch_unwind(AssertUnwindSafe(|| self.thread_body(tid, start_arg))) {
            Ok(Ok(())) => None,
            Ok(Err(e)) => ending_of(&e, Ending::Trap),
            Err(_) => Some(Ending::Failed("internal error in the wasmtime engine (a panic)".into())),
        };
        self.live.fetch_sub(1, Ordering::SeqCst);
        if let Some(ending) = ended {
            self.end(ending);
        }
    }

    fn thread_body(self: &Arc<Self>, tid: u32, start_arg: i32) -> wasmtime::Result<()> {
        let mut store = guest_store(self.pre.module().engine(), WasiCtx::on(Arc::clone(&self.process)), &self.control, &self.limits)?;
        store.data_mut().shared = Some(self.memory.clone());
        store.data_mut().threads = Some(Arc::clone(self));
        if self.control.stopping() {
            return Ok(());
        }
        let instance = self.pre.instantiate(&mut store)?;
        let Ok(start) = instance.get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start") else {
            return Err(wasmtime::Error::msg("the module spawned a thread but exports no wasi_thread_start(i32, i32)"));
        };
        start.call(&mut store, (tid as i32, start_arg))
    }

    /// Ends the process with `ending` (unless it is ending already): every
    /// thread stops, and a thread parked in an atomic wait is woken.
    pub fn end(self: &Arc<Self>, ending: Ending) {
        {
            let mut first = self.ending.lock().unwrap_or_else(|e| e.into_inner());
            if first.is_none() && !self.control.stopping() {
                *first = Some(ending);
            }
        }
        self.control.stop_for_guest();
    }

    /// The main thread's end: `_start` returned or unwound with `result`.
    /// Ends the process, waits for every thread, and says how the process
    /// ended (the first of its threads to end it, or an abort or time-out).
    pub fn finish_main(self: &Arc<Self>, main: Option<Ending>) -> Option<Ending> {
        self.main_running.store(false, Ordering::SeqCst);
        if let Some(ending) = main {
            self.end(ending);
        } else {
            // Stopped by an abort, a time-out or another thread: make sure
            // every thread stops.
            self.control.stop_for_guest();
        }
        self.join_all();
        // A thread's proc_exit sets the process's status before it unwinds
        // that thread, so another thread can stop the process first (a
        // call of the main thread sees the status and unwinds): the status
        // still says how the process ended.
        let recorded = self.ending.lock().unwrap_or_else(|e| e.into_inner()).take();
        recorded.or_else(|| self.process.exited().filter(|_| self.control.stopped_by_guest()).map(Ending::Exit))
    }

    /// Whether a thread (the main one included) may still be in wasm.
    pub fn any_running(&self) -> bool {
        self.main_running.load(Ordering::SeqCst) || self.live.load(Ordering::SeqCst) > 0
    }

    /// Wakes every thread parked in `memory.atomic.wait` (a join, a mutex,
    /// a condition variable): wasmtime wakes a waiter only by a notify at
    /// the address it waits on, which the host does not know, so every
    /// aligned address of the memory is notified, from both ends at once
    /// (stacks and data usually sit low, a heap's newest blocks high),
    /// until no thread runs: a waiter in the middle, the worst place, is
    /// reached about 0.25 s after the stop per 64 MiB of memory. A woken
    /// thread returns to wasm and traps at its next check (the epoch has
    /// ticked).
    fn wake(&self) {
        let (mut low, mut high) = (0u64, (self.memory.data_size() as u64) & !3);
        while low < high && self.any_running() {
            let _ = self.memory.atomic_notify(low, u32::MAX);
            high -= 4;
            let _ = self.memory.atomic_notify(high, u32::MAX);
            low += 4;
        }
    }

    /// Called when the run is stopped, for any reason: a thread of its own
    /// (one per run) wakes parked threads until none runs wasm any more.
    /// Threads that are not parked stop by themselves (the epoch tick, and
    /// host calls that wait return), so it first gives them a moment.
    pub fn on_stop(self: &Arc<Self>) {
        if self.sweeping.swap(true, Ordering::SeqCst) {
            return;
        }
        let threads = Arc::downgrade(self);
        let _ = std::thread::Builder::new().name("wasi-rs-engine-waker".into()).spawn(move || loop {
            std::thread::sleep(Duration::from_millis(20));
            match threads.upgrade() {
                Some(threads) if threads.any_running() => threads.wake(),
                _ => return,
            }
        });
    }

    /// Waits for every spawned thread (none starts once the process is
    /// ending).
    fn join_all(&self) {
        loop {
            let batch = std::mem::take(&mut *self.handles.lock().unwrap_or_else(|e| e.into_inner()));
            if batch.is_empty() {
                return;
            }
            for handle in batch {
                let _ = handle.join();
            }
        }
    }
}

/// A store for one thread of a guest: its WASI context (interrupted when
/// the run is stopped), its limits (memory and tables per store, fuel per
/// thread), and the epoch deadline every stop ticks past.
pub fn guest_store(engine: &Engine, mut ctx: WasiCtx, control: &Arc<Control>, limits: &Limits) -> wasmtime::Result<Store<Guest>> {
    let watcher = Arc::clone(control);
    ctx.interrupt = Some(Box::new(move || watcher.stopping()));
    let mut store_limits = wasmtime::StoreLimitsBuilder::new();
    if let Some(bytes) = limits.max_memory {
        store_limits = store_limits.memory_size(bytes);
    }
    if let Some(elements) = limits.max_table_elements {
        store_limits = store_limits.table_elements(elements);
    }
    let guest = Guest { ctx, limits: store_limits.build(), memory: None, shared: None, threads: None };
    let mut store = Store::new(engine, guest);
    store.limiter(|guest| &mut guest.limits);
    store.set_epoch_deadline(1);
    store.epoch_deadline_trap();
    if let Some(fuel) = limits.fuel {
        store.set_fuel(fuel)?;
    }
    Ok(store)
}
