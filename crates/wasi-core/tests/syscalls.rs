//! The core driven as an embedder drives it: through the syscall table,
//! with a plain byte vector as guest memory and a scratch preopen.

mod common;

use std::fs;
use std::path::PathBuf;
use wasi_core::{syscalls::find, Config, Errno, GuestMemory, WasiCtx};

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("wasi-core-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Guest {
    ctx: WasiCtx,
    mem: Vec<u8>,
    _devnull: fs::File,
}

impl Guest {
    fn new(preopen: &Scratch) -> Guest {
        let devnull = common::null_device();
        let fd = common::raw(&devnull);
        let ctx = WasiCtx::new(Config {
            args: vec!["prog".into(), "arg".into()],
            env: vec!["A=1".into()],
            preopens: vec![wasi_core::Preopen::new("/scratch", preopen.0.clone())],
            stdio: [fd, fd, fd],
            ..Config::default()
        })
        .unwrap();
        Guest { ctx, mem: vec![0; 65536], _devnull: devnull }
    }

    fn call(&mut self, name: &str, args: &[u64]) -> Errno {
        let s = find(name).unwrap();
        assert_eq!(s.params.len(), args.len(), "{name} takes {} arguments", s.params.len());
        (s.call)(&mut self.ctx, &mut GuestMemory::new(&mut self.mem), args)
    }

    fn put(&mut self, at: u32, bytes: &[u8]) -> (u64, u64) {
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        (u64::from(at), bytes.len() as u64)
    }

    fn u32_at(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.mem[at as usize..at as usize + 4].try_into().unwrap())
    }
}

const PREOPEN: u64 = 3;
const ALL_RIGHTS: u64 = (1 << 30) - 1;

#[test]
fn args_and_environ_round_trip() {
    let s = Scratch::new("args");
    let mut g = Guest::new(&s);
    assert_eq!(g.call("args_sizes_get", &[0, 4]), Errno::Success);
    assert_eq!((g.u32_at(0), g.u32_at(4)), (2, 9));
    assert_eq!(g.call("args_get", &[100, 200]), Errno::Success);
    assert_eq!(&g.mem[200..209], b"prog\0arg\0");
    assert_eq!(g.u32_at(100), 200);
    assert_eq!(g.u32_at(104), 205);
    assert_eq!(g.call("environ_get", &[100, 65534]), Errno::Fault, "buffer past the end");
}

#[test]
fn create_write_read_and_list_a_file() {
    let s = Scratch::new("rw");
    let mut g = Guest::new(&s);
    let (p, l) = g.put(1000, b"hello.txt");
    let oflags_creat = 1;
    assert_eq!(g.call("path_open", &[PREOPEN, 0, p, l, oflags_creat, ALL_RIGHTS, ALL_RIGHTS, 0, 0]), Errno::Success);
    let fd = u64::from(g.u32_at(0));
    assert_eq!(fd, 4);
    let (data, len) = g.put(2000, b"payload");
    g.mem[3000..3004].copy_from_slice(&(data as u32).to_le_bytes());
    g.mem[3004..3008].copy_from_slice(&(len as u32).to_le_bytes());
    assert_eq!(g.call("fd_write", &[fd, 3000, 1, 8]), Errno::Success);
    assert_eq!(g.u32_at(8), 7);
    assert_eq!(fs::read(s.0.join("hello.txt")).unwrap(), b"payload");
    // Read it back with pread into a fresh buffer.
    g.mem[3000..3004].copy_from_slice(&4000u32.to_le_bytes());
    assert_eq!(g.call("fd_pread", &[fd, 3000, 1, 0, 8]), Errno::Success);
    assert_eq!(&g.mem[4000..4007], b"payload");
    assert_eq!(g.call("fd_close", &[fd]), Errno::Success);
    assert_eq!(g.call("fd_close", &[fd]), Errno::Badf);
    // List the preopen.
    assert_eq!(g.call("fd_readdir", &[PREOPEN, 5000, 1024, 0, 12]), Errno::Success);
    let used = g.u32_at(12) as usize;
    let listing = &g.mem[5000..5000 + used];
    assert!(listing.windows(9).any(|w| w == b"hello.txt"));
    assert!(used < 1024);
}

#[test]
fn escapes_are_enotcapable_and_touch_nothing() {
    let s = Scratch::new("escape");
    let outside = s.0.join("outside");
    let inside = s.0.join("inside");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(&inside).unwrap();
    fs::write(outside.join("secret"), b"x").unwrap();
    let links = common::symlink(&outside, inside.join("out")).is_ok();
    if !links {
        eprintln!("escapes_are_enotcapable_and_touch_nothing: this host makes no symlinks; the symlink escapes are not tried");
    }
    let devnull = common::null_device();
    let fd = common::raw(&devnull);
    let mut g = Guest {
        ctx: WasiCtx::new(Config {
            preopens: vec![wasi_core::Preopen::new("/", inside.clone())],
            stdio: [fd, fd, fd],
            ..Config::default()
        })
        .unwrap(),
        mem: vec![0; 65536],
        _devnull: devnull,
    };
    for path in ["../outside/secret", "out/secret", "/etc/passwd", "out"] {
        if !links && path.starts_with("out") {
            continue;
        }
        let (p, l) = g.put(1000, path.as_bytes());
        let e = g.call("path_open", &[PREOPEN, 1, p, l, 0, ALL_RIGHTS, ALL_RIGHTS, 0, 0]);
        assert_eq!(e, Errno::NotCapable, "{path}");
    }
    let (p, l) = g.put(1000, if links { &b"out/new"[..] } else { &b"../outside/new"[..] });
    assert_eq!(g.call("path_create_directory", &[PREOPEN, p, l]), Errno::NotCapable);
    assert!(!outside.join("new").exists());
}

#[test]
fn bad_descriptors_and_pointers_never_panic() {
    let s = Scratch::new("bad");
    let mut g = Guest::new(&s);
    assert_eq!(g.call("fd_write", &[99, 0, 1, 0]), Errno::Badf);
    assert_eq!(g.call("fd_write", &[1, 65530, 1, 0]), Errno::Fault);
    assert_eq!(g.call("fd_readdir", &[PREOPEN, 65000, 4096, 0, 0]), Errno::Fault);
    assert_eq!(g.call("path_open", &[PREOPEN, 0, 65535, 10, 0, 0, 0, 0, 0]), Errno::Fault);
    assert_eq!(g.call("path_open", &[PREOPEN, 0, 0, 5000, 0, 0, 0, 0, 0]), Errno::NameTooLong);
    assert_eq!(g.call("poll_oneoff", &[0, 0, 0, 0]), Errno::Inval);
    assert_eq!(g.call("fd_prestat_dir_name", &[PREOPEN, 0, 3]), Errno::NameTooLong);
    assert_eq!(g.call("sock_shutdown", &[PREOPEN, 3]), Errno::NotSock);
    assert_eq!(g.call("sock_recv", &[77, 0, 0, 0, 0, 0]), Errno::Badf);
}

#[test]
fn poll_oneoff_sleeps_until_a_relative_clock_deadline() {
    let s = Scratch::new("poll");
    let mut g = Guest::new(&s);
    // One monotonic clock subscription, 30 ms, userdata 7.
    let mut sub = [0u8; 48];
    sub[0..8].copy_from_slice(&7u64.to_le_bytes());
    sub[8] = 0; // clock
    sub[16..20].copy_from_slice(&1u32.to_le_bytes());
    sub[24..32].copy_from_slice(&30_000_000u64.to_le_bytes());
    g.put(0, &sub);
    let t0 = std::time::Instant::now();
    assert_eq!(g.call("poll_oneoff", &[0, 100, 1, 200]), Errno::Success);
    assert!(t0.elapsed() >= std::time::Duration::from_millis(29));
    assert_eq!(g.u32_at(200), 1);
    assert_eq!(u64::from_le_bytes(g.mem[100..108].try_into().unwrap()), 7);
    assert_eq!(g.mem[110], 0, "a clock event");
}

/// The binding hands calls marked memoryless an empty memory: a call that
/// did read or write guest memory would fail with `EFAULT` here.
#[test]
fn calls_marked_memoryless_never_touch_memory() {
    use wasi_core::{imports, Abi};
    let devnull = common::null_device();
    let fd = common::raw(&devnull);
    let mut ctx = WasiCtx::new(Config { stdio: [fd, fd, fd], ..Default::default() }).unwrap();
    for s in imports(Abi::Preview1).chain(imports(Abi::Unstable)).filter(|s| !s.uses_memory) {
        for fd_arg in [0u64, 1, 2, 99] {
            let args: Vec<u64> = s.params.iter().enumerate().map(|(i, _)| if i == 0 { fd_arg } else { 0 }).collect();
            let errno = (s.call)(&mut ctx, &mut GuestMemory::new(&mut []), &args);
            assert_ne!(errno, Errno::Fault, "{} touched memory", s.name);
        }
    }
}
