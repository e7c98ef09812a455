//! wasmtime-oracle: runs a WASI preview1 command module under wasmtime, the
//! reference runtime for wasi-rs's differential tests.
//!
//! Usage: wasmtime-oracle [--dir HOST::GUEST]... [--env K=V]... prog.wasm [args...]
//! argv[0] of the guest is the first of `args` (the tests pass it
//! explicitly, as they do for wasi-rs). Exits with the guest's exit code,
//! 134 on a trap, 1 on an oracle error.

use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

struct Invocation {
    dirs: Vec<(String, String)>,
    env: Vec<(String, String)>,
    wasm: String,
    args: Vec<String>,
}

/// Errors of the oracle itself, as one line of text.
type Result<T> = std::result::Result<T, String>;

fn fail<E: std::fmt::Debug>(what: impl std::fmt::Display) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e:?}")
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Invocation> {
    let mut inv = Invocation { dirs: vec![], env: vec![], wasm: String::new(), args: vec![] };
    while let Some(a) = argv.next() {
        match a.as_str() {
            "--dir" => {
                let spec = argv.next().ok_or("--dir needs a value")?;
                let (host, guest) = spec.split_once("::").unwrap_or((&spec, &spec));
                inv.dirs.push((host.to_string(), guest.to_string()));
            }
            "--env" => {
                let spec = argv.next().ok_or("--env needs a value")?;
                let (k, v) = spec.split_once('=').ok_or(format!("--env {spec}: expected K=V"))?;
                inv.env.push((k.to_string(), v.to_string()));
            }
            _ => {
                inv.wasm = a;
                inv.args = argv.collect();
                return Ok(inv);
            }
        }
    }
    Err("usage: wasmtime-oracle [--dir HOST::GUEST]... [--env K=V]... prog.wasm [args...]".into())
}

fn run(inv: &Invocation) -> Result<i32> {
    let engine = Engine::default();
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(fail("link WASI"))?;
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(&inv.args);
    for (k, v) in &inv.env {
        builder.env(k, v);
    }
    for (host, guest) in &inv.dirs {
        builder.preopened_dir(host, guest, FsPerms::ReadWrite).map_err(fail(format!("preopen {host}")))?;
    }
    let mut store = Store::new(&engine, builder.build_p1());
    let module = Module::from_file(&engine, &inv.wasm).map_err(fail(format!("load {}", inv.wasm)))?;
    let instance = linker.instantiate(&mut store, &module).map_err(fail("instantiate"))?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(fail("_start"))?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => {
                eprintln!("wasmtime-oracle: trap: {e:#}");
                Ok(134)
            }
        },
    }
}

fn main() {
    let code = parse(std::env::args().skip(1)).and_then(|inv| run(&inv)).unwrap_or_else(|e| {
        eprintln!("wasmtime-oracle: {e}");
        1
    });
    std::process::exit(code);
}
