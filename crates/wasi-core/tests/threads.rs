//! One WASI process on several threads, as the Node binding runs the
//! threads of a wasi-threads program: each thread holds its own `WasiCtx`
//! on one shared `Process` (fd table and all).

mod common;

use wasi_core::{Config, WasiCtx};

// The blocking-read test and its helpers are Unix only (see below).
#[cfg(unix)]
use std::{io::Write, sync::mpsc, time::Duration};
#[cfg(unix)]
use wasi_core::{syscalls::find, Errno, GuestMemory};

#[cfg(unix)]
fn call(ctx: &mut WasiCtx, mem: &mut [u8], name: &str, args: &[u64]) -> Errno {
    (find(name).unwrap().call)(ctx, &mut GuestMemory::new(mem), args)
}

#[cfg(unix)]
fn u32_at(mem: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(mem[at..at + 4].try_into().unwrap())
}

#[cfg(unix)]
fn iovec(mem: &mut [u8], at: usize, buf: u32, len: u32) {
    mem[at..at + 4].copy_from_slice(&buf.to_le_bytes());
    mem[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
}

// A thread blocked in a read holds the descriptor it reads, not the
// table: the other threads open, write and close meanwhile, and may even
// close the very fd it reads, which stays open under it until it returns.
// (Unix only: under Wine a blocking pipe read is not what this checks.)
#[cfg(unix)]
#[test]
fn a_read_blocked_on_one_thread_holds_no_lock_the_others_need() {
    let dir = std::env::temp_dir().join(format!("wasi-core-threads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (reader, mut writer) = std::io::pipe().unwrap();
    let devnull = common::null_device();
    let null = common::raw(&devnull);
    let stdin = std::os::fd::AsRawFd::as_raw_fd(&reader);
    let mut main = WasiCtx::new(Config {
        preopens: vec![wasi_core::Preopen::new("/d", dir.clone())],
        stdio: [stdin, null, null],
        ..Config::default()
    })
    .unwrap();
    let process = main.process().clone();
    let (tx, rx) = mpsc::channel();
    let blocked = std::thread::spawn(move || {
        let mut ctx = WasiCtx::on(process);
        let mut mem = vec![0u8; 4096];
        iovec(&mut mem, 0, 100, 16);
        let errno = call(&mut ctx, &mut mem, "fd_read", &[0, 0, 1, 50]);
        let n = u32_at(&mem, 50) as usize;
        tx.send((errno, mem[100..100 + n].to_vec())).unwrap();
    });
    // Give the reader time to block (the checks below hold either way).
    std::thread::sleep(Duration::from_millis(50));
    let mut mem = vec![0u8; 4096];
    mem[1000..1005].copy_from_slice(b"f.txt");
    assert_eq!(call(&mut main, &mut mem, "path_open", &[3, 0, 1000, 5, 1, (1 << 30) - 1, 0, 0, 0]), Errno::Success);
    let fd = u64::from(u32_at(&mem, 0));
    assert_eq!(fd, 4);
    mem[2000..2002].copy_from_slice(b"ok");
    iovec(&mut mem, 16, 2000, 2);
    assert_eq!(call(&mut main, &mut mem, "fd_write", &[fd, 16, 1, 24]), Errno::Success);
    assert_eq!(call(&mut main, &mut mem, "fd_close", &[fd]), Errno::Success);
    assert_eq!(std::fs::read(dir.join("f.txt")).unwrap(), b"ok");
    assert!(rx.try_recv().is_err(), "the read has no data yet");
    // Close the fd being read: the table forgets it; the read goes on.
    assert_eq!(call(&mut main, &mut mem, "fd_close", &[0]), Errno::Success);
    writer.write_all(b"hello").unwrap();
    let (errno, data) = rx.recv_timeout(Duration::from_secs(60)).expect("the blocked read returns once data comes");
    blocked.join().unwrap();
    assert_eq!((errno, data.as_slice()), (Errno::Success, &b"hello"[..]));
    iovec(&mut mem, 0, 100, 16);
    assert_eq!(call(&mut main, &mut mem, "fd_read", &[0, 0, 1, 50]), Errno::Badf, "fd 0 is closed for every thread");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn descriptors_are_numbered_once_for_the_whole_process() {
    let devnull = common::null_device();
    let null = common::raw(&devnull);
    let first = WasiCtx::new(Config { stdio: [null, null, null], ..Config::default() }).unwrap();
    let process = first.process().clone();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let process = process.clone();
            std::thread::spawn(move || {
                let ctx = WasiCtx::on(process);
                (0..50)
                    .map(|_| ctx.fds().insert(wasi_core::fdtable::Descriptor::new(wasi_core::fdtable::Kind::Stdio(None), 0, 0)).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<u32> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, (3..203).collect::<Vec<u32>>(), "200 inserts from 4 threads: every number once, none of stdio's");
}

#[test]
fn proc_exit_on_one_thread_is_seen_by_every_thread() {
    let devnull = common::null_device();
    let null = common::raw(&devnull);
    let mut one = WasiCtx::new(Config { stdio: [null, null, null], ..Config::default() }).unwrap();
    one.interrupt = Some(Box::new(|| false));
    let two = WasiCtx::on(one.process().clone());
    assert!(!one.stop_requested());
    assert_eq!(two.process().exit(3), 3);
    assert_eq!(one.process().exit(9), 3, "the first status wins");
    assert_eq!(one.process().exited(), Some(3));
    assert!(one.stop_requested(), "a thread waiting in the host is told to stop");
}
