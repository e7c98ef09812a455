//! wasi-core's syscalls as wasmtime host functions: the one WASI
//! implementation both engines run. Every import of the syscall table
//! (`wasi_core::imports`) becomes a function in wasmtime's linker that
//! decodes its arguments as the table says, lends the call the guest's
//! exported memory, runs the core syscall and returns its errno. Nothing
//! here knows what any syscall does.

use wasi_core::{imports, Abi, Errno, GuestMemory, Param, Syscall, WasiCtx};
use wasmtime::{Caller, Extern, FuncType, Linker, Result, StoreLimits, Val, ValType};

/// What a guest's store holds: its WASI context and its resource limits.
pub struct Guest {
    pub ctx: WasiCtx,
    pub limits: StoreLimits,
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
        linker.func_new(module, syscall.name, ty, move |caller, args, results| call(syscall, caller, args, results))?;
    }
    Ok(())
}

/// One host call: the arguments as the core takes them (i32 as `u32`, i64
/// as `u64`), the exported memory for the calls that take pointers.
fn call(syscall: &'static Syscall, mut caller: Caller<'_, Guest>, args: &[Val], results: &mut [Val]) -> Result<()> {
    let mut raw = [0u64; wasi_core::syscalls::MAX_PARAMS];
    for (slot, arg) in raw.iter_mut().zip(args) {
        *slot = match arg {
            Val::I32(v) => u64::from(*v as u32),
            Val::I64(v) => *v as u64,
            _ => 0,
        };
    }
    let raw = &raw[..syscall.params.len()];
    let errno = if syscall.uses_memory {
        match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => {
                let (bytes, guest) = memory.data_and_store_mut(&mut caller);
                (syscall.call)(&mut guest.ctx, &mut GuestMemory::new(bytes), raw)
            }
            // Checked before the guest starts (run.rs); a module that
            // somehow has none gets what a bad pointer gets.
            _ => Errno::Fault,
        }
    } else {
        (syscall.call)(&mut caller.data_mut().ctx, &mut GuestMemory::new(&mut []), raw)
    };
    if syscall.exits {
        return Err(wasmtime::Error::new(GuestExit(raw[0] as u32)));
    }
    results[0] = Val::I32(i32::from(errno.raw()));
    Ok(())
}
