//! The per-instance pool of random bytes behind `random_get`: the host's
//! `getrandom(2)` output, read ahead a kilobyte at a time.

use crate::errno::WasiResult;

/// The largest request served from the pool.
pub const POOLED_MAX: usize = 64;
/// How many bytes the pool asks the kernel for at a time.
const POOL_BYTES: usize = 1024;

/// Bytes read from `getrandom(2)` ahead of need, each handed out once.
///
/// Programs often ask for a few bytes at a time (16 to seed a hash map,
/// 4 for a random number); one system call for each costs ~350 ns, most of
/// it the kernel's per-call overhead. The pool reads a kilobyte at once and
/// serves small requests from it, as wasmtime serves them from a
/// user-space generator. The bytes are the kernel's own output, never
/// reused: each served byte is zeroed in the pool at once.
#[derive(Default)]
pub struct RandomPool {
    /// `POOL_BYTES` long once first used.
    bytes: Vec<u8>,
    /// Where the unserved bytes start (`bytes.len()` when there are none).
    next: usize,
}

impl RandomPool {
    /// Fills `out` with random bytes.
    pub fn fill(&mut self, out: &mut [u8]) -> WasiResult<()> {
        if out.len() > POOLED_MAX {
            return crate::host::getrandom(out);
        }
        if self.bytes.len() - self.next < out.len() {
            self.bytes.resize(POOL_BYTES, 0);
            self.next = POOL_BYTES; // empty, should the refill fail
            crate::host::getrandom(&mut self.bytes)?;
            self.next = 0;
        }
        let served = &mut self.bytes[self.next..self.next + out.len()];
        out.copy_from_slice(served);
        served.fill(0);
        self.next += out.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn small_requests_come_from_the_pool_and_never_repeat() {
        let mut pool = RandomPool::default();
        let mut seen = HashSet::new();
        // 20,000 requests of 16 bytes span ~300 refills.
        for _ in 0..20_000 {
            let mut out = [0u8; 16];
            pool.fill(&mut out).unwrap();
            assert!(seen.insert(out), "a 16-byte block repeated");
        }
        assert_eq!(pool.bytes.len(), POOL_BYTES);
    }

    #[test]
    fn served_bytes_are_zeroed_in_the_pool_and_odd_sizes_cross_refills() {
        let mut pool = RandomPool::default();
        for len in (0..=POOLED_MAX).cycle().take(500) {
            let mut out = vec![0u8; len];
            pool.fill(&mut out).unwrap();
            assert!(pool.bytes[..pool.next].iter().all(|&b| b == 0), "a served byte was left in the pool");
            if len >= 16 {
                assert!(out.iter().any(|&b| b != 0), "{len} zero bytes are not random");
            }
        }
    }

    #[test]
    fn large_requests_bypass_the_pool() {
        let mut pool = RandomPool::default();
        let mut out = vec![0u8; 100_000];
        pool.fill(&mut out).unwrap();
        assert!(pool.bytes.is_empty());
        // A byte value absent from 100,000 random bytes is essentially impossible.
        let mut counts = [0usize; 256];
        out.iter().for_each(|&b| counts[b as usize] += 1);
        assert!(counts.iter().all(|&c| c > 0));
    }
}
