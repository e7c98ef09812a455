//! Coverage-guided fuzzing of the syscall layer: the input picks a
//! sequence of syscalls and their arguments, and the guest memory they
//! run against. Same checks as `tests/fuzz.rs`: no panic, valid errnos,
//! nothing outside the scratch preopen touched.
//!
//! Run: `cd crates/wasi-core/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run syscalls -- -max_total_time=600`
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::OnceLock;
use wasi_core::errno::MAX_ERRNO;
use wasi_core::{imports, Abi, Config, GuestMemory, Param, WasiCtx};

const MEMORY: usize = 1 << 16;

struct Fixture {
    scratch: PathBuf,
    outside: PathBuf,
    devnull: std::fs::File,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("wasi-core-cargo-fuzz-{}", std::process::id()));
        let scratch = root.join("scratch");
        let outside = root.join("outside");
        std::fs::create_dir_all(scratch.join("dir")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret"), b"do not touch").unwrap();
        std::fs::write(scratch.join("file.txt"), b"inside").unwrap();
        let _ = std::os::unix::fs::symlink(&outside, scratch.join("link_out"));
        let devnull = std::fs::OpenOptions::new().read(true).write(true).open("/dev/null").unwrap();
        Fixture { scratch, outside, devnull }
    })
}

/// Reads little-endian values off the front of the input.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map(|(b, r)| (*b, r)).unwrap_or((0, &[]));
        self.0 = rest;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | u64::from(self.u32()) << 32
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let fd = f.devnull.as_raw_fd();
    let mut ctx = WasiCtx::new(Config {
        args: vec!["fuzz".into()],
        env: vec!["K=V".into()],
        preopens: vec![wasi_core::Preopen::new("/", f.scratch.clone())],
        stdio: [fd, fd, fd],
        ..Config::default()
    })
    .unwrap();
    // The first half of the input is the guest memory; the rest, the calls.
    let split = data.len().min(MEMORY) / 2;
    let mut mem = vec![0u8; MEMORY];
    mem[..split].copy_from_slice(&data[..split]);
    let mut input = Input(&data[split..]);
    let preview1: Vec<_> = imports(Abi::Preview1).collect();
    let unstable: Vec<_> = imports(Abi::Unstable).collect();
    for _ in 0..16 {
        if input.0.is_empty() {
            break;
        }
        let pick = input.u8();
        let table = if pick & 0x80 != 0 { &unstable } else { &preview1 };
        let s = table[usize::from(pick & 0x7f) % table.len()];
        // poll_oneoff could sleep for as long as the input says: skip it
        // here (tests/fuzz.rs covers it with tamed timeouts).
        if s.name == "poll_oneoff" {
            continue;
        }
        let args: Vec<u64> = s.params.iter().map(|p| if *p == Param::I64 { input.u64() } else { u64::from(input.u32()) }).collect();
        let errno = (s.call)(&mut ctx, &mut GuestMemory::new(&mut mem), &args);
        assert!(errno.raw() <= MAX_ERRNO);
    }
    assert_eq!(std::fs::read(f.outside.join("secret")).unwrap(), b"do not touch");
    assert_eq!(std::fs::read_dir(&f.outside).unwrap().count(), 1, "something appeared outside the preopen");
});
