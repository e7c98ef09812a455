//! A fuzzer for the syscall layer, run by `cargo test` with a fixed
//! budget: every syscall of both ABIs, with arbitrary arguments, against arbitrary guest
//! memory and a scratch preopen that has a symlink leading out of it.
//!
//! It checks that nothing panics, that every result is a valid errno, and
//! that nothing outside the scratch preopen changes.
//!
//! Budget: `WASI_FUZZ_ITERATIONS` (default 200,000 calls, about two seconds);
//! `WASI_FUZZ_SEED` picks the run (default: fixed, so CI is repeatable).
//! Long run: `WASI_FUZZ_ITERATIONS=5000000 WASI_FUZZ_SEED=$RANDOM cargo test
//! --release -p wasi-core --test fuzz -- --nocapture`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use wasi_core::errno::MAX_ERRNO;
use wasi_core::{imports, Abi, Config, GuestMemory, Param, Syscall, WasiCtx};

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MEMORY: usize = 1 << 16;

/// Paths worth trying: inside, escaping, odd.
const PATHS: &[&str] = &[
    "a",
    "b/c",
    "dir",
    "dir/",
    "link_out",
    "link_out/secret",
    "link_in",
    "../outside/secret",
    "/etc/passwd",
    ".",
    "..",
    "",
    "a/../..",
    "dir/../a",
    "loop",
    "x\0y",
    "dir/new",
    "file.txt",
    "file.txt/",
    "very/deep/nested/path",
];

/// An argument biased towards values that reach deep into the syscalls:
/// small fds, pointers to the prepared regions, small lengths; sometimes
/// anything at all.
fn arg(rng: &mut Rng, kind: Param) -> u64 {
    match (kind, rng.below(8)) {
        (Param::I64, 0..=3) => rng.below(1 << 20),
        (Param::I64, 4) => u64::MAX - rng.below(4),
        (Param::I64, _) => rng.next(),
        (Param::I32, 0..=1) => rng.below(6),            // fds (3 is the preopen), flags, small counts
        (Param::I32, 2) => rng.below(32) * 8,           // the iovec region
        (Param::I32, 3) => 0x1000 + rng.below(0x6000),  // in-bounds scratch pointers
        (Param::I32, 4) => 0x8000 + rng.below(64) * 64, // the path region
        (Param::I32, 5) => rng.below(64),               // short lengths
        (Param::I32, 6) => u64::from(u32::MAX) - rng.below(16), // near the top of the address space
        (Param::I32, _) => rng.next() & 0xffff_ffff,
    }
}

/// Fills guest memory: random bytes, with path strings and plausible
/// iovecs laid out where the biased arguments point. Returns the length of
/// the path in each 64-byte slot of the path region.
fn fill_memory(rng: &mut Rng, mem: &mut [u8]) -> [u64; 64] {
    for b in mem.iter_mut() {
        *b = rng.next() as u8;
    }
    let mut lens = [0u64; 64];
    for (slot, len) in lens.iter_mut().enumerate() {
        let p = PATHS[rng.below(PATHS.len() as u64) as usize].as_bytes();
        let at = 0x8000 + slot * 64;
        mem[at..at + p.len()].copy_from_slice(p);
        *len = p.len() as u64;
    }
    // iovecs at 0..256 pointing at 0x1000.. with small lengths.
    for i in 0..32usize {
        let buf = 0x1000 + (rng.below(0x6000) as u32);
        let len = rng.below(256) as u32;
        mem[i * 8..i * 8 + 4].copy_from_slice(&buf.to_le_bytes());
        mem[i * 8 + 4..i * 8 + 8].copy_from_slice(&len.to_le_bytes());
    }
    lens
}

/// What each argument of a syscall means, one letter per parameter, so
/// that half of the calls get arguments that pass the early checks and
/// reach the file system: f = fd, p = path pointer (then l = its length),
/// g = an fd other than the preopen, mostly,
/// i = iovec pointer (then n = count), o = out pointer, b = small flags,
/// d = lookupflags (follow or not), r = rights, t = a time or offset,
/// x = anything.
fn roles(name: &str) -> Option<&'static str> {
    Some(match name {
        "path_open" => "fdplbrrbo",
        "path_create_directory" | "path_remove_directory" | "path_unlink_file" => "fpl",
        "path_filestat_get" => "fdplo",
        "path_filestat_set_times" => "fdplttb",
        "path_link" => "fdplfpl",
        "path_rename" => "fplfpl",
        "path_symlink" => "plfpl",
        "path_readlink" => "fplono",
        "fd_write" | "fd_read" => "fino",
        "fd_pwrite" | "fd_pread" => "finto",
        "fd_readdir" => "fontx",
        "fd_seek" => "ftbo",
        "fd_filestat_get" | "fd_fdstat_get" | "fd_prestat_get" | "fd_tell" => "fo",
        "fd_filestat_set_size" => "ft",
        "fd_filestat_set_times" => "fttb",
        "fd_allocate" => "ftt",
        "fd_advise" => "fttb",
        "fd_sync" | "fd_datasync" => "f",
        // Closing or moving the preopen ends most path calls: rarely.
        "fd_close" => "g",
        "fd_renumber" => "gg",
        "fd_fdstat_set_flags" => "fb",
        _ => return None,
    })
}

fn arg_for_role(rng: &mut Rng, role: u8, path_lens: &[u64; 64], prev: u64) -> u64 {
    match role {
        b'f' => [3, 3, 3, 4, 5, 0, 1, 2][rng.below(8) as usize],
        b'g' => [4, 5, 6, 4, 5, 6, 0, 1, 2, 7, 8, 4, 5, 6, 9, 3][rng.below(16) as usize],
        b'p' => 0x8000 + rng.below(64) * 64,
        b'l' => path_lens[((prev.saturating_sub(0x8000)) / 64).min(63) as usize],
        b'i' => rng.below(28) * 8,
        b'n' => 1 + rng.below(4),
        b'o' => 0x1000 + rng.below(0x6000),
        b'b' => rng.below(16),
        b'd' => rng.below(2) + if rng.below(16) == 0 { 2 } else { 0 },
        b'r' => {
            if rng.below(2) == 0 {
                (1 << 30) - 1
            } else {
                rng.next()
            }
        }
        b't' => rng.below(1 << 16),
        _ => rng.next() & 0xffff_ffff,
    }
}

/// Makes argument pairs meaningful more often: a pointer to a path slot is
/// usually followed by that path's length, a pointer to the iovec region
/// by a small count.
fn pair_up(rng: &mut Rng, params: &[Param], args: &mut [u64], path_lens: &[u64; 64]) {
    for i in 0..args.len().saturating_sub(1) {
        if params[i] != Param::I32 || params[i + 1] != Param::I32 || rng.below(4) == 0 {
            continue;
        }
        let a = args[i];
        if (0x8000..0x9000).contains(&a) && (a - 0x8000).is_multiple_of(64) {
            args[i + 1] = path_lens[((a - 0x8000) / 64) as usize];
        } else if a < 256 && a.is_multiple_of(8) {
            args[i + 1] = 1 + rng.below(4);
        }
    }
}

/// poll_oneoff may only wait briefly here: clock subscriptions in the
/// region it will read get timeouts of at most 1 ms (absolute ones are
/// made relative), so the fuzzer never sleeps for hours. `abi` picks the
/// layout: preview1's 48-byte subscription or wasi_unstable's 56-byte one.
fn tame_poll(mem: &mut [u8], subs: u64, n: u64, abi: Abi) {
    let (size, timeout, flags) = match abi {
        Abi::Preview1 => (48, 24, 40),
        Abi::Unstable => (56, 32, 48),
    };
    for i in 0..n.min(1024) {
        let at = subs as usize + i as usize * size;
        if at + size > mem.len() {
            break;
        }
        if mem[at + 8] == 0 {
            mem[at + timeout..at + timeout + 8].copy_from_slice(&(1_000_000u64 & subs).to_le_bytes());
            mem[at + flags] &= !1;
        }
    }
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (bool, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                out.insert(p, (true, vec![]));
            } else if meta.file_type().is_symlink() {
                out.insert(p.clone(), (false, fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes()));
            } else {
                out.insert(p.clone(), (false, fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn every_syscall_survives_arbitrary_arguments() {
    let iterations = env_u64("WASI_FUZZ_ITERATIONS", 200_000);
    let seed = env_u64("WASI_FUZZ_SEED", 0x5eed_1234_abcd_0001) | 1;
    let root = std::env::temp_dir().join(format!("wasi-core-fuzz-{}-{seed}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let scratch = root.join("scratch");
    let outside = root.join("outside");
    fs::create_dir_all(scratch.join("dir")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret"), b"do not touch").unwrap();
    fs::write(scratch.join("file.txt"), b"inside").unwrap();
    // Where the host makes no symlinks (Wine 8), the fuzzer runs without.
    let links = [(outside.as_path(), "link_out"), (Path::new("dir"), "link_in"), (Path::new("loop"), "loop")];
    if !links.iter().all(|(target, link)| common::symlink(target, scratch.join(link)).is_ok()) {
        eprintln!("fuzz: this host makes no symlinks; fuzzing without them");
    }
    let outside_before = snapshot(&outside);
    let root_entries_before: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();

    let devnull = common::null_device();
    let fd = common::raw(&devnull);
    let make_ctx = || {
        WasiCtx::new(Config {
            args: vec!["fuzz".into(), "arg".into()],
            env: vec!["K=V".into()],
            preopens: vec![wasi_core::Preopen::new("/", scratch.clone())],
            stdio: [fd, fd, fd],
            ..Config::default()
        })
        .unwrap()
    };
    let mut ctx = make_ctx();
    let mut rng = Rng(seed);
    let mut mem = vec![0u8; MEMORY];
    let mut counts = BTreeMap::new();
    let mut path_lens = [0u64; 64];
    let preview1: Vec<&'static Syscall> = imports(Abi::Preview1).collect();
    let unstable: Vec<&'static Syscall> = imports(Abi::Unstable).collect();
    for i in 0..iterations {
        if i % 256 == 0 {
            path_lens = fill_memory(&mut rng, &mut mem);
        }
        if i % 1000 == 0 {
            ctx = make_ctx(); // fresh fd table now and then (the guest may close everything)
        }
        // Mostly preview1, sometimes the wasi_unstable table (its own layouts).
        let abi = if rng.below(8) == 0 { Abi::Unstable } else { Abi::Preview1 };
        let table = if abi == Abi::Unstable { &unstable } else { &preview1 };
        let s = table[rng.below(table.len() as u64) as usize];
        let mut args: Vec<u64> = s.params.iter().map(|&p| arg(&mut rng, p)).collect();
        match roles(s.name) {
            Some(r) if rng.below(2) == 0 => {
                assert_eq!(r.len(), args.len(), "roles of {}", s.name);
                let mut prev = 0;
                for (slot, role) in args.iter_mut().zip(r.bytes()) {
                    *slot = arg_for_role(&mut rng, role, &path_lens, prev);
                    prev = *slot;
                }
            }
            _ => pair_up(&mut rng, s.params, &mut args, &path_lens),
        }
        if s.name == "poll_oneoff" {
            tame_poll(&mut mem, args[0], args[2], abi);
        }
        let errno = (s.call)(&mut ctx, &mut GuestMemory::new(&mut mem), &args);
        assert!(errno.raw() <= MAX_ERRNO, "{}({args:?}) returned {}", s.name, errno.raw());
        *counts.entry((s.name, errno.raw() == 0)).or_insert(0u32) += 1;
    }
    assert_eq!(snapshot(&outside), outside_before, "something outside the preopen changed");
    let root_entries_after: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(root_entries_after, root_entries_before, "something appeared beside the preopen");
    let succeeded: Vec<_> = counts.iter().filter(|((_, ok), _)| *ok).map(|((name, _), n)| format!("{name}:{n}")).collect();
    eprintln!("fuzz: {iterations} calls, seed {seed:#x}; successful calls by syscall: {}", succeeded.join(" "));
    // The biased arguments must reach past argument checking for the
    // common calls, or the run proves little.
    for name in ["fd_write", "path_open", "clock_time_get", "random_get", "fd_readdir", "path_filestat_get"] {
        assert!(counts.get(&(name, true)).copied().unwrap_or(0) > 0, "{name} never succeeded");
    }
    drop(devnull);
    fs::remove_dir_all(&root).unwrap();
}
