//! Compiled code cached on disk, as wasmtime's CLI caches it: a module is
//! compiled once per engine setting, and later runs load the machine code.
//!
//! - An entry's name is the SHA-256 of the module's bytes and the engine's
//!   settings (wasmtime's compatibility hash, which covers wasmtime's
//!   version, fuel, epochs, the stack limit and the CPU's features).
//! - An entry is written to a temporary file and renamed into place, so a
//!   reader never sees half of one.
//! - An entry holds a checksum of its code (XXH3-128: corruption, not an
//!   adversary, is what it guards against, and it checks 200 MB in a few
//!   tens of ms, where SHA-256 took a tenth of a second), checked before
//!   wasmtime reads it; wasmtime checks its own header (version, settings).
//!   A corrupt or foreign entry is compiled again and rewritten, never
//!   executed.
//!
//! The cache trusts its directory as it trusts the rest of the user's files:
//! a process that can write there can also change the installed packages.

use sha2::{Digest, Sha256};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use wasmtime::{Engine, Module, Result};

/// What an entry ends with: after the compiled code (wasmtime's own
/// format, which wasmtime maps from the file as it is), its checksum and
/// this mark.
const MAGIC: &[u8; 16] = b"wasi-rs-cwasm-3\n";
const TRAILER: usize = 16 + MAGIC.len();

/// The checksum an entry stores of its code.
fn checksum(code: &[u8]) -> [u8; 16] {
    xxhash_rust::xxh3::xxh3_128(code).to_le_bytes()
}

/// A cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// Where a module's code came from, for the caller's statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Loaded from the cache.
    Cached,
    /// Compiled now (and written to the cache, if it could be).
    Compiled,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The module, from the cache when an entry is there and sound;
    /// otherwise compiled and saved.
    pub fn module(&self, engine: &Engine, bytes: &[u8]) -> Result<Module> {
        self.module_from(engine, bytes).map(|(m, _)| m)
    }

    /// [`Cache::module`], and where the code came from.
    pub fn module_from(&self, engine: &Engine, bytes: &[u8]) -> Result<(Module, Source)> {
        let path = self.entry(engine, bytes);
        if let Some(module) = load(engine, &path) {
            return Ok((module, Source::Cached));
        }
        let compiled = engine.precompile_module(bytes)?;
        // SAFETY: the code was compiled just now, by this engine.
        let module = unsafe { Module::deserialize(engine, &compiled)? };
        // A cache that cannot be written (read-only, full) costs only speed.
        let _ = store(&path, &compiled);
        Ok((module, Source::Compiled))
    }

    /// The path of `bytes`'s entry for `engine`'s settings.
    pub fn entry(&self, engine: &Engine, bytes: &[u8]) -> PathBuf {
        let mut settings = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut settings);
        let mut key = Sha256::new();
        key.update(MAGIC);
        key.update(settings.finish().to_le_bytes());
        key.update(Sha256::digest(bytes));
        self.dir.join(format!("{}.cwasm", hex(&key.finalize())))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry at `path`, if there is one and it is sound. The file is
/// mapped, not read: its code is checked in place, and wasmtime maps the
/// same open file, so a warm start copies nothing.
fn load(engine: &Engine, path: &Path) -> Option<Module> {
    let file = fs::File::open(path).ok()?;
    // SAFETY: entries are never changed in place, only replaced whole (a
    // rename), so the mapping's bytes do not change under us; a process
    // that truncated an entry while it is mapped is one the cache trusts
    // (see the module doc).
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    if map.len() < TRAILER || &map[map.len() - MAGIC.len()..] != MAGIC {
        return None;
    }
    let code = map.len() - TRAILER;
    if checksum(&map[..code]) != map[code..code + 16] {
        return None;
    }
    drop(map);
    // SAFETY: the code is what `precompile_module` wrote (its checksum
    // matches), and wasmtime refuses code from another version or with
    // other settings.
    unsafe { Module::deserialize_open_file(engine, file) }.ok()
}

/// Writes an entry: to a temporary file in the same directory, renamed
/// into place.
fn store(path: &Path, code: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{}.{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"), std::process::id()));
    let written = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(code)?;
        file.write_all(&checksum(code))?;
        file.write_all(MAGIC)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"(module (func (export "answer") (result i32) i32.const 42))"#;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wasi-rs-engine-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn answer(engine: &Engine, module: &Module) -> i32 {
        let mut store = wasmtime::Store::new(engine, ());
        let instance = wasmtime::Instance::new(&mut store, module, &[]).unwrap();
        instance.get_typed_func::<(), i32>(&mut store, "answer").unwrap().call(&mut store, ()).unwrap()
    }

    #[test]
    fn a_module_is_compiled_once_then_loaded() {
        let cache = Cache::new(temp_dir("once"));
        let engine = Engine::default();
        let bytes = wat::parse_str(MODULE).unwrap();
        let (m, source) = cache.module_from(&engine, &bytes).unwrap();
        assert_eq!(source, Source::Compiled);
        assert_eq!(answer(&engine, &m), 42);
        let (m, source) = cache.module_from(&engine, &bytes).unwrap();
        assert_eq!(source, Source::Cached);
        assert_eq!(answer(&engine, &m), 42);
    }

    #[test]
    fn other_settings_have_other_entries() {
        let cache = Cache::new(temp_dir("settings"));
        let bytes = wat::parse_str(MODULE).unwrap();
        let plain = Engine::default();
        let fuel = Engine::new(wasmtime::Config::new().consume_fuel(true)).unwrap();
        assert_ne!(cache.entry(&plain, &bytes), cache.entry(&fuel, &bytes));
        assert_eq!(cache.entry(&plain, &bytes), cache.entry(&Engine::default(), &bytes));
    }

    #[test]
    fn a_corrupt_or_foreign_entry_is_compiled_again_never_run() {
        let cache = Cache::new(temp_dir("corrupt"));
        let engine = Engine::default();
        let bytes = wat::parse_str(MODULE).unwrap();
        cache.module(&engine, &bytes).unwrap();
        let path = cache.entry(&engine, &bytes);
        let good = fs::read(&path).unwrap();
        // A flipped byte of code: the checksum no longer matches.
        let mut corrupt = good.clone();
        let middle = corrupt.len() / 2;
        corrupt[middle] ^= 0xff;
        // Another program's file at the same name; and a truncated entry.
        for bad in [corrupt, b"#!/bin/sh\necho owned\n".to_vec(), good[..good.len() - TRAILER - 10].to_vec()] {
            fs::write(&path, &bad).unwrap();
            let (m, source) = cache.module_from(&engine, &bytes).unwrap();
            assert_eq!(source, Source::Compiled);
            assert_eq!(answer(&engine, &m), 42);
            assert_eq!(fs::read(&path).unwrap(), good, "the entry is written again");
        }
    }
}
