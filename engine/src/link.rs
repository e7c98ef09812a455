//! wasi-core's syscalls as wasmtime host functions: the one WASI
//! implementation both engines run. Every import of the syscall table
//! (`wasi_core::imports`) becomes a function in wasmtime's linker that
//! decodes its arguments as the table says, lends the call the guest's
//! exported memory, runs the core syscall and returns its errno. Nothing
//! here knows what any syscall does.

use crate::threads::Threads;
use std::mem::MaybeUninit;
use std::sync::Arc;
use wasi_core::{imports, Abi, Errno, GuestMemory, Param, SharedLength, Syscall, WasiCtx};
use wasmtime::{Caller, Extern, FuncType, Linker, Memory, Result, SharedMemory, StoreLimits, ValRaw, ValType};

/// What a guest thread's store holds: its WASI context (its handle on the
/// one WASI process), its resource limits, and the memory its calls point
/// into: its exported memory once instantiated (so that a call does not
/// look the export up by name), or the process's shared memory
/// (wasi-threads), with the process's threads.
pub struct Guest {
    pub ctx: WasiCtx,
    pub limits: StoreLimits,
    pub memory: Option<Memory>,
    pub shared: Option<SharedMemory>,
    pub threads: Option<Arc<Threads>>,
}

/// Unwinds a thread whose process another thread has ended (`proc_exit`,
/// a trap, `_start` returning): its next host call does not return.
#[derive(Debug)]
pub struct ProcessEnded;

impl std::fmt::Display for ProcessEnded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("another thread ended the process")
    }
}

impl std::error::Error for ProcessEnded {}

/// A shared memory's current length, for a call that reaches past the
/// length it started with (another thread may have grown it).
struct SharedLen<'a>(&'a SharedMemory);

impl SharedLength for SharedLen<'_> {
    fn current_len(&self) -> usize {
        self.0.data_size()
    }
}

/// `proc_exit`'s status, carried out of the guest as the error that
/// unwinds it.
#[derive(Debug)]
pub struct GuestExit(pub u32);

impl std::fmt::Display for GuestExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the guest exited with status {}", self.0)
    }
}

impl std::error::Error for GuestExit {}

/// The module name of an ABI's imports.
pub fn module_name(abi: Abi) -> &'static str {
    match abi {
        Abi::Preview1 => "wasi_snapshot_preview1",
        Abi::Unstable => "wasi_unstable",
    }
}

/// Defines every import of `abi` in `linker`.
pub fn add_to_linker(linker: &mut Linker<Guest>, abi: Abi) -> Result<()> {
    let module = module_name(abi);
    for syscall in imports(abi) {
        let params = syscall.params.iter().map(|p| match p {
            Param::I32 => ValType::I32,
            Param::I64 => ValType::I64,
        });
        // Every import returns its errno, but proc_exit, which returns
        // nothing (it does not return).
        let results: &[ValType] = if syscall.exits { &[] } else { &[ValType::I32] };
        let ty = FuncType::new(linker.engine(), params, results.iter().cloned());
        // SAFETY: `call` reads exactly the parameters of `ty`, each as its
        // type (`Param::I32` as `u32`, `Param::I64` as `u64`), and writes
        // the one i32 result `ty` has (none for proc_exit, which unwinds).
        unsafe { linker.func_new_unchecked(module, syscall.name, ty, move |caller, values| call(syscall, caller, values))? };
    }
    // wasi-threads: `thread-spawn(start_arg) -> tid`, or a negative errno.
    linker.func_wrap("wasi", "thread-spawn", |caller: Caller<'_, Guest>, start_arg: i32| -> i32 {
        match &caller.data().threads {
            Some(threads) => threads.spawn(start_arg),
            None => crate::threads::SPAWN_EAGAIN,
        }
    })?;
    Ok(())
}

/// One host call: the arguments as the core takes them (i32 as `u32`, i64
/// as `u64`), the exported memory for the calls that take pointers. The
/// raw values (no `Val`s, no allocation) hold the arguments on entry and
/// the errno on return.
fn call(syscall: &'static Syscall, mut caller: Caller<'_, Guest>, values: &mut [MaybeUninit<ValRaw>]) -> Result<()> {
    if caller.data().ctx.process().exited().is_some() {
        return Err(wasmtime::Error::new(ProcessEnded));
    }
    let mut raw = [0u64; wasi_core::syscalls::MAX_PARAMS];
    for ((slot, value), param) in raw.iter_mut().zip(values.iter()).zip(syscall.params) {
        // SAFETY: wasmtime initialises the first `params.len()` values with
        // the arguments, of the types the function was defined with.
        let value = unsafe { value.assume_init_ref() };
        *slot = match param {
            Param::I32 => u64::from(value.get_u32()),
            Param::I64 => value.get_u64(),
        };
    }
    let raw = &raw[..syscall.params.len()];
    let errno = if !syscall.uses_memory {
        (syscall.call)(&mut caller.data_mut().ctx, &mut GuestMemory::new(&mut []), raw)
    } else if let Guest { ctx, shared: Some(shared), .. } = caller.data_mut() {
        let data = shared.data();
        let grown = SharedLen(shared);
        // SAFETY: a shared memory's bytes stay allocated where they are
        // while the memory lives (it grows in place, never moves or
        // shrinks), and this store holds the memory for the whole call;
        // other threads may access the bytes meanwhile, which
        // `shared_growable` is for (no reference to them is made).
        // `UnsafeCell<u8>` has `u8`'s layout.
        let mut memory = unsafe { GuestMemory::shared_growable(data.as_ptr() as *mut u8, data.len(), &grown) };
        (syscall.call)(ctx, &mut memory, raw)
    } else {
        let memory = caller.data().memory.or_else(|| match caller.get_export("memory") {
            Some(Extern::Memory(m)) => Some(m),
            _ => None,
        });
        match memory {
            Some(memory) => {
                let (bytes, guest) = memory.data_and_store_mut(&mut caller);
                (syscall.call)(&mut guest.ctx, &mut GuestMemory::new(bytes), raw)
            }
            // Checked before the guest starts (run.rs); a module that
            // somehow has none gets what a bad pointer gets.
            None => Errno::Fault,
        }
    };
    if syscall.exits {
        // The first thread to exit sets the process's status.
        let status = caller.data().ctx.process().exit(raw[0] as u32);
        return Err(wasmtime::Error::new(GuestExit(status)));
    }
    values[0] = MaybeUninit::new(ValRaw::i32(i32::from(errno.raw())));
    Ok(())
}
