//! `threads_rs files DIR N`: N threads append lines to one file opened by
//! the main thread (taking turns through a mutex, as Rust code shares a
//! File: unsynchronized appends from many threads are the host file
//! system's business, and Wine does not make them atomic); each also opens
//! a file of its own and hands it back to the main thread through a
//! channel, which reads it. Prints what it
//! checked and exits 0, or says what was wrong and exits 1.
//!
//! `threads_rs work N ROUNDS`: a CPU-bound job split over N threads (one,
//! when built without threads), printing its checksum: the benchmark times
//! it threaded and single-threaded.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{mpsc, Arc, Mutex};

fn fail(msg: String) -> ! {
    eprintln!("threads_rs: {msg}");
    std::process::exit(1)
}

/// Runs `f` on a new thread, or here at once where the build has no
/// threads (wasm32-wasip1, whose `spawn` fails); the result is what the
/// returned function gives.
fn spawn<T: Send + 'static, F: FnOnce() -> T + Send + 'static>(f: F) -> Box<dyn FnOnce() -> T> {
    let job = Arc::new(Mutex::new(Some(f)));
    let theirs = job.clone();
    let take = |job: &Mutex<Option<F>>| job.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| fail("the job ran twice".into()));
    match std::thread::Builder::new().spawn(move || take(&theirs)()) {
        Ok(handle) => Box::new(move || handle.join().unwrap_or_else(|_| fail("a thread panicked".into()))),
        Err(_) => {
            let value = take(&job)();
            Box::new(move || value)
        }
    }
}

fn files(dir: &str, n: usize) {
    const LINES: usize = 50;
    let shared = Arc::new(Mutex::new(
        OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(format!("{dir}/shared.txt"))
            .unwrap_or_else(|e| fail(format!("open shared.txt: {e}"))),
    ));
    let (tx, rx) = mpsc::channel::<(usize, File)>();
    let mut joins = Vec::new();
    for k in 0..n {
        let shared = shared.clone();
        let tx = tx.clone();
        let dir = dir.to_string();
        joins.push(spawn(move || {
            for i in 0..LINES {
                let line = format!("thread {k} line {i}\n");
                let file = shared.lock().unwrap_or_else(|e| e.into_inner());
                (&*file).write_all(line.as_bytes()).unwrap_or_else(|e| fail(format!("write: {e}")));
            }
            let mut own = File::options()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(format!("{dir}/own{k}.txt"))
                .unwrap_or_else(|e| fail(format!("open own{k}.txt: {e}")));
            own.write_all(format!("written by thread {k}").as_bytes()).unwrap_or_else(|e| fail(format!("write own: {e}")));
            tx.send((k, own)).unwrap_or_else(|_| fail("send".into()));
        }));
    }
    drop(tx);
    // Files opened by other threads, read here.
    let mut handed = 0;
    for (k, mut own) in rx {
        own.seek(SeekFrom::Start(0)).unwrap_or_else(|e| fail(format!("seek own{k}: {e}")));
        let mut text = String::new();
        own.read_to_string(&mut text).unwrap_or_else(|e| fail(format!("read own{k}: {e}")));
        if text != format!("written by thread {k}") {
            fail(format!("own{k}.txt reads {text:?}"));
        }
        handed += 1;
    }
    for join in joins {
        join();
    }
    let mut text = String::new();
    let mut f = File::open(format!("{dir}/shared.txt")).unwrap_or_else(|e| fail(format!("reopen: {e}")));
    f.read_to_string(&mut text).unwrap_or_else(|e| fail(format!("read shared: {e}")));
    let mut next = vec![0usize; n];
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let (k, i) = match words.as_slice() {
            ["thread", k, "line", i] => (k.parse::<usize>().unwrap_or(usize::MAX), i.parse::<usize>().unwrap_or(usize::MAX)),
            _ => fail(format!("a torn line: {line:?}")),
        };
        if k >= n || next[k] != i {
            fail(format!("line {line:?} out of order"));
        }
        next[k] += 1;
    }
    if next.iter().any(|&c| c != LINES) {
        fail(format!("lines per thread: {next:?}"));
    }
    println!("{n} threads wrote {} lines to one file; {handed} files opened on other threads were read on the main thread", n * LINES);
}

/// A mixing loop the optimizer cannot fold away.
fn churn(seed: u64, rounds: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn work(n: usize, rounds: u64) {
    let joins: Vec<_> = (0..n as u64).map(|k| spawn(move || churn(k + 1, rounds / n as u64))).collect();
    let sum = joins.into_iter().fold(0u64, |acc, j| acc.wrapping_add(j()));
    println!("{sum:016x}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.get(1).map(String::as_str) {
        Some("files") => files(args.get(2).map_or("/", String::as_str), number(3, 4) as usize),
        Some("work") => work(number(2, 4) as usize, number(3, 100_000_000)),
        _ => fail("usage: threads_rs files DIR N | work N ROUNDS".into()),
    }
}
