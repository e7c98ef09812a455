//! The hot syscalls allocate nothing: fd_write and fd_read with a few
//! iovecs, clock_time_get and random_get. A counting global allocator
//! watches them run many times. It counts per thread: the test harness's
//! other threads (and a busy machine's scheduling of them) allocate as
//! they like without failing this test.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use wasi_core::{syscalls::find, Config, Errno, GuestMemory, WasiCtx};

struct Counting;

thread_local! {
    /// Allocations made by this thread. (A const initializer and no
    /// destructor: reading it allocates nothing, even from the allocator.)
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// This thread's allocations so far.
fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every request is passed to the system allocator unchanged; the
// count is a thread-local that allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: `layout` is the caller's, as `GlobalAlloc::alloc` requires.
        unsafe {
            // During a thread's teardown the slot may be gone: nothing to count.
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            System.alloc(layout)
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, that is from `System`, with
        // this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn hot_syscalls_do_not_allocate() {
    // The counter sees this thread's allocations, and only them.
    let before = allocations();
    let boxed = std::hint::black_box(Box::new(7u64));
    assert_eq!(allocations() - before, 1, "the counter sees this thread's allocation");
    drop(boxed);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let theirs = barrier.clone();
    let other = std::thread::spawn(move || {
        theirs.wait();
        for _ in 0..1000 {
            drop(std::hint::black_box(vec![0u8; 64]));
        }
        theirs.wait();
    });
    let before = allocations();
    barrier.wait();
    barrier.wait();
    assert_eq!(allocations(), before, "another thread's 1000 allocations are not counted here");
    other.join().unwrap();
    let devnull = common::null_device();
    let fd = common::raw(&devnull);
    let dir = std::env::temp_dir().join(format!("wasi-core-noalloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f"), vec![7u8; 4096]).unwrap();
    let mut ctx =
        WasiCtx::new(Config { stdio: [fd, fd, fd], preopens: vec![wasi_core::Preopen::new("/", dir.clone())], ..Config::default() })
            .unwrap();
    let mut mem = vec![0u8; 65536];
    // Open "f" (at 3000) as fd 4, for reads from a regular file.
    mem[3000] = b'f';
    let open = find("path_open").unwrap();
    let all = (1u64 << 30) - 1;
    assert_eq!((open.call)(&mut ctx, &mut GuestMemory::new(&mut mem), &[3, 0, 3000, 1, 0, all, all, 0, 300]), Errno::Success);
    // Four iovecs of 16 bytes at 1000.., described at 0..32.
    for i in 0..4u32 {
        mem[(i * 8) as usize..(i * 8 + 4) as usize].copy_from_slice(&(1000 + i * 16).to_le_bytes());
        mem[(i * 8 + 4) as usize..(i * 8 + 8) as usize].copy_from_slice(&16u32.to_le_bytes());
    }
    let calls: [(&str, &[u64]); 7] = [
        ("fd_write", &[1, 0, 4, 100]),
        ("fd_read", &[0, 0, 4, 100]),
        ("fd_pread", &[4, 0, 4, 0, 100]),
        ("fd_read", &[4, 0, 4, 100]),
        ("clock_time_get", &[1, 1, 200]),
        ("clock_time_get", &[0, 1, 200]),
        ("random_get", &[2000, 16]),
    ];
    let syscalls: Vec<_> = calls.iter().map(|(name, args)| (find(name).unwrap(), *args)).collect();
    // Warm up (lazy statics, getrandom's first call).
    for (s, args) in &syscalls {
        assert_eq!((s.call)(&mut ctx, &mut GuestMemory::new(&mut mem), args), Errno::Success, "{}", s.name);
    }
    // Counted per syscall, so that a failure names the one that allocates;
    // on a plain memory, then on the same bytes as a shared memory (whose
    // calls copy through this thread's kept buffer).
    for shared in [false, true] {
        let mut allocated = vec![0usize; syscalls.len()];
        for round in 0..10_001 {
            for (i, (s, args)) in syscalls.iter().enumerate() {
                let before = allocations();
                let mut guest = if shared {
                    // SAFETY: `mem` outlives the call and nothing else touches it.
                    unsafe { GuestMemory::shared(mem.as_mut_ptr(), mem.len()) }
                } else {
                    GuestMemory::new(&mut mem)
                };
                (s.call)(&mut ctx, &mut guest, args);
                // The first round warms the shared path's kept buffer up.
                if round > 0 {
                    allocated[i] += allocations() - before;
                }
            }
        }
        let allocating: Vec<_> =
            calls.iter().zip(&allocated).filter(|(_, n)| **n > 0).map(|((name, args), n)| format!("{name}{args:?}: {n}")).collect();
        assert!(allocating.is_empty(), "the hot syscalls allocated (shared memory: {shared}): {allocating:?}");
    }
    // The context first: Windows removes no directory that is still open.
    drop(ctx);
    drop(devnull);
    std::fs::remove_dir_all(dir).unwrap();
}
