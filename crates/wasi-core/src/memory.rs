//! Guest-memory access: the only code that turns guest pointers into bytes.
//!
//! A guest pointer is an unsigned 32-bit offset into the module's linear
//! memory. Every access checks `offset + size <= memory.len()` without
//! overflow and fails with `EFAULT` otherwise, so no syscall can read or
//! write outside the guest's memory, whatever the guest passes.
//!
//! Values are little-endian and may be unaligned (the spec does not promise
//! alignment of caller-supplied pointers, so we accept any).

use crate::errno::{Errno, WasiResult};
use std::borrow::Cow;
use std::io::IoSlice;

/// The guest's linear memory for the duration of one host call.
///
/// An unshared memory is exclusively ours during the call (wasm is single
/// threaded and waits for the import to return), so it is an ordinary
/// `&mut [u8]`. A shared memory (`shared: true`, wasi-threads) may be
/// written by other threads at any moment, so no Rust reference to its
/// bytes is ever made: every access copies through raw pointers, as
/// wasmtime's wiggle does for shared memories. Host calls that need a
/// buffer (`read(2)`, `write(2)`) then work on a host-side copy and only
/// the bytes the host produced are copied back.
pub struct GuestMemory<'a> {
    bytes: Bytes<'a>,
}

enum Bytes<'a> {
    Exclusive(&'a mut [u8]),
    /// `len` bytes at `base`, valid for the call; other threads may read
    /// and write them meanwhile. Another thread may also have grown the
    /// memory since `len` was read: an access past `len` first asks
    /// `grown` for the current length (the base of a shared memory never
    /// moves; it only grows).
    Shared {
        base: *mut u8,
        len: std::cell::Cell<usize>,
        grown: Option<&'a dyn SharedLength>,
        _life: std::marker::PhantomData<&'a ()>,
    },
}

/// Tells the current length of a shared memory that other threads may
/// grow (its embedder knows how to ask).
pub trait SharedLength {
    /// The memory's length now, in bytes (0 if it cannot be told).
    fn current_len(&self) -> usize;
}

/// The most bytes one call moves through a host-side copy of a shared
/// memory. Larger transfers are short (as `read(2)` and `write(2)` may
/// be), so a guest cannot make the host allocate gigabytes at once.
pub const SHARED_CHUNK: usize = 16 << 20;

/// The most bytes of host-side copy each thread keeps between calls (see
/// [`with_scratch`]); larger copies get a buffer of their own.
const KEPT_SCRATCH: usize = 64 << 10;

thread_local! {
    /// This thread's buffer for copies of shared memory, reused so that a
    /// call on a shared memory allocates no more than one on a plain one.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on a host-side buffer of `len` bytes (contents unspecified
/// but initialized): this thread's kept buffer when it is free and the
/// size fits, else a new one.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if len <= KEPT_SCRATCH {
        let kept = SCRATCH.try_with(|cell| {
            let Ok(mut buf) = cell.try_borrow_mut() else { return None };
            if buf.len() < len {
                buf.resize(len, 0);
            }
            Some(std::mem::take(&mut *buf))
        });
        if let Ok(Some(mut buf)) = kept {
            let r = f(&mut buf[..len]);
            let _ = SCRATCH.try_with(|cell| {
                if let Ok(mut slot) = cell.try_borrow_mut() {
                    *slot = buf;
                }
            });
            return r;
        }
    }
    f(&mut vec![0u8; len])
}

/// The largest [`GuestType`] (`filestat`).
const MAX_GUEST_SIZE: usize = 64;

/// The most one call may report moving: counts are `u32` in the ABI, so a
/// call stops there and reports a true (short) count.
pub const MAX_TRANSFER: usize = u32::MAX as usize;

/// A value with a fixed little-endian layout in guest memory
/// (the Rust side of a WASI `struct` or integer type).
pub trait GuestType: Sized {
    /// The size of the value in guest memory, in bytes.
    const SIZE: u32;
    /// Decodes the value from exactly `SIZE` bytes.
    fn decode(bytes: &[u8]) -> Self;
    /// Encodes the value into exactly `SIZE` bytes.
    fn encode(&self, out: &mut [u8]);
}

macro_rules! guest_int {
    ($($t:ty),*) => {$(
        impl GuestType for $t {
            const SIZE: u32 = std::mem::size_of::<$t>() as u32;
            fn decode(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("size checked by caller"))
            }
            fn encode(&self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
guest_int!(u8, u16, u32, u64, i64);

/// A run of raw bytes (a fixed-size field copied as it is).
impl<const N: usize> GuestType for [u8; N] {
    const SIZE: u32 = N as u32;
    fn decode(bytes: &[u8]) -> Self {
        bytes.try_into().expect("size checked by caller")
    }
    fn encode(&self, out: &mut [u8]) {
        out.copy_from_slice(self);
    }
}

/// One `iovec`/`ciovec`: a guest buffer given by pointer and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoVec {
    /// Guest pointer to the first byte.
    pub buf: u32,
    /// Length in bytes.
    pub len: u32,
}

impl GuestType for IoVec {
    const SIZE: u32 = 8;
    fn decode(bytes: &[u8]) -> Self {
        IoVec { buf: u32::decode(&bytes[0..4]), len: u32::decode(&bytes[4..8]) }
    }
    fn encode(&self, out: &mut [u8]) {
        self.buf.encode(&mut out[0..4]);
        self.len.encode(&mut out[4..8]);
    }
}

/// The most iovecs one call may pass, as POSIX's `IOV_MAX` on Linux.
/// More gives `EINVAL`, exactly as `readv`/`writev` would.
pub const MAX_IOVECS: u32 = 1024;

/// Iovec arrays up to this many entries are gathered on the stack.
const INLINE_IOVECS: usize = 16;

impl<'a> GuestMemory<'a> {
    /// Wraps an unshared linear memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes: Bytes::Exclusive(bytes) }
    }

    /// Wraps a shared linear memory of `len` bytes at `base`.
    ///
    /// # Safety
    /// `base..base + len` must stay allocated, readable and writable for
    /// `'a`. Other threads may access it concurrently (that is the point);
    /// no reference to it is made.
    pub unsafe fn shared(base: *mut u8, len: usize) -> Self {
        if base.is_null() {
            return GuestMemory::new(&mut []);
        }
        GuestMemory { bytes: Bytes::Shared { base, len: std::cell::Cell::new(len), grown: None, _life: std::marker::PhantomData } }
    }

    /// Wraps a shared linear memory of at least `len` bytes at `base`,
    /// which other threads may have grown: an access past `len` asks
    /// `grown` for the current length before it fails with `EFAULT`.
    ///
    /// # Safety
    /// As [`GuestMemory::shared`], for `len` and for every length `grown`
    /// returns: the memory at `base` must never shrink or move while `'a`
    /// lasts (true of a shared WebAssembly memory, which only grows in
    /// place).
    pub unsafe fn shared_growable(base: *mut u8, len: usize, grown: &'a dyn SharedLength) -> Self {
        if base.is_null() {
            return GuestMemory::new(&mut []);
        }
        GuestMemory { bytes: Bytes::Shared { base, len: std::cell::Cell::new(len), grown: Some(grown), _life: std::marker::PhantomData } }
    }

    /// The size of the guest memory in bytes.
    pub fn len(&self) -> usize {
        match &self.bytes {
            Bytes::Exclusive(b) => b.len(),
            Bytes::Shared { len, .. } => len.get(),
        }
    }

    /// Whether the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether other threads may access the memory during a call.
    pub fn is_shared(&self) -> bool {
        matches!(self.bytes, Bytes::Shared { .. })
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.len() && !self.has_grown_to(end) {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// Whether a shared memory has grown to at least `end` bytes since its
    /// length was read (asking its owner); the new length is kept.
    #[cold]
    fn has_grown_to(&self, end: usize) -> bool {
        let Bytes::Shared { len, grown: Some(grown), .. } = &self.bytes else { return false };
        let now = grown.current_len();
        if now > len.get() {
            len.set(now);
        }
        end <= len.get()
    }

    /// Checks that the `len` bytes at `ptr` are inside the memory
    /// (`EFAULT` otherwise), before a call does anything it cannot undo.
    pub fn check(&self, ptr: u32, len: u32) -> WasiResult<()> {
        self.range(ptr, len).map(drop)
    }

    /// Copies the bytes at `ptr` into `out`.
    fn copy_out(&self, ptr: u32, out: &mut [u8]) -> WasiResult<()> {
        let len = u32::try_from(out.len()).map_err(|_| Errno::Fault)?;
        let r = self.range(ptr, len)?;
        match &self.bytes {
            Bytes::Exclusive(b) => out.copy_from_slice(&b[r]),
            // SAFETY: `r` is inside the memory; a raw copy makes no
            // reference to bytes other threads may be writing.
            Bytes::Shared { base, .. } => unsafe { std::ptr::copy_nonoverlapping(base.add(r.start), out.as_mut_ptr(), out.len()) },
        }
        Ok(())
    }

    /// Copies `data` into the memory at `ptr`.
    pub fn copy_in(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        let r = self.range(ptr, len)?;
        match &mut self.bytes {
            Bytes::Exclusive(b) => b[r].copy_from_slice(data),
            // SAFETY: as in `copy_out`.
            Bytes::Shared { base, .. } => unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), base.add(r.start), data.len()) },
        }
        Ok(())
    }

    /// Reads a `T` at `ptr`.
    pub fn read<T: GuestType>(&self, ptr: u32) -> WasiResult<T> {
        const { assert!(T::SIZE as usize <= MAX_GUEST_SIZE) };
        if let Bytes::Exclusive(b) = &self.bytes {
            return Ok(T::decode(&b[self.range(ptr, T::SIZE)?]));
        }
        let mut buf = [0u8; MAX_GUEST_SIZE];
        let buf = &mut buf[..T::SIZE as usize];
        self.copy_out(ptr, buf)?;
        Ok(T::decode(buf))
    }

    /// Writes a `T` at `ptr`.
    pub fn write<T: GuestType>(&mut self, ptr: u32, value: T) -> WasiResult<()> {
        const { assert!(T::SIZE as usize <= MAX_GUEST_SIZE) };
        let r = self.range(ptr, T::SIZE)?;
        if let Bytes::Exclusive(b) = &mut self.bytes {
            value.encode(&mut b[r]);
            return Ok(());
        }
        let mut buf = [0u8; MAX_GUEST_SIZE];
        let buf = &mut buf[..T::SIZE as usize];
        value.encode(buf);
        self.copy_in(ptr, buf)
    }

    /// The `count` elements of a guest array of `T` starting at `ptr`,
    /// checked as a whole before anything is decoded.
    pub fn read_array<T: GuestType>(&self, ptr: u32, count: u32) -> WasiResult<ArrayIter<'_, 'a, T>> {
        let total = count.checked_mul(T::SIZE).ok_or(Errno::Fault)?;
        self.check(ptr, total)?;
        Ok(ArrayIter { mem: self, next: ptr, left: count, _t: std::marker::PhantomData })
    }

    /// A UTF-8 string of `len` bytes at `ptr` (paths and names), borrowed
    /// from an unshared memory, copied from a shared one. Invalid UTF-8
    /// gives `EILSEQ`.
    pub fn read_str(&self, ptr: u32, len: u32) -> WasiResult<Cow<'_, str>> {
        let r = self.range(ptr, len)?;
        match &self.bytes {
            Bytes::Exclusive(b) => std::str::from_utf8(&b[r]).map(Cow::Borrowed).map_err(|_| Errno::Ilseq),
            Bytes::Shared { .. } => {
                let mut copy = vec![0u8; r.len()];
                self.copy_out(ptr, &mut copy)?;
                String::from_utf8(copy).map(Cow::Owned).map_err(|_| Errno::Ilseq)
            }
        }
    }

    /// Lets the host fill the `len` bytes at `ptr`: `fill` gets a buffer
    /// and returns how many bytes it produced, which end up in guest
    /// memory. For an unshared memory the buffer is the guest's own bytes;
    /// for a shared one it is a host copy of at most [`SHARED_CHUNK`]
    /// bytes, and only the bytes produced are copied back (so a short
    /// result never overwrites what other threads wrote meanwhile).
    pub fn fill(&mut self, ptr: u32, len: u32, fill: impl FnOnce(&mut [u8]) -> WasiResult<usize>) -> WasiResult<usize> {
        let r = self.range(ptr, len)?;
        if let Bytes::Exclusive(b) = &mut self.bytes {
            return fill(&mut b[r]);
        }
        with_scratch(r.len().min(SHARED_CHUNK), |scratch| {
            let n = fill(scratch)?.min(scratch.len());
            self.copy_in(ptr, &scratch[..n])?;
            Ok(n)
        })
    }

    /// Gathers a `ciovec` array into host I/O slices and passes them to `f`
    /// (for `writev`-style calls). Every buffer is bounds-checked first;
    /// small arrays need no allocation. The slices add up to at most
    /// [`MAX_TRANSFER`] bytes (and [`SHARED_CHUNK`] for a shared memory,
    /// whose bytes are copied first), so the count `f` returns always fits
    /// the ABI's `u32`.
    pub fn with_ciovecs<R>(&self, iovs: u32, count: u32, f: impl FnOnce(&[IoSlice<'_>]) -> WasiResult<R>) -> WasiResult<R> {
        if count > MAX_IOVECS {
            return Err(Errno::Inval);
        }
        let vecs = self.read_array::<IoVec>(iovs, count)?;
        let b = match &self.bytes {
            Bytes::Exclusive(b) => &**b,
            Bytes::Shared { .. } => return self.gather_shared(vecs, f),
        };
        let mut left = MAX_TRANSFER;
        let mut take = |v: IoVec| -> WasiResult<IoSlice<'_>> {
            let r = self.range(v.buf, v.len)?;
            let n = r.len().min(left);
            left -= n;
            Ok(IoSlice::new(&b[r.start..r.start + n]))
        };
        if count as usize <= INLINE_IOVECS {
            let mut inline: [IoSlice<'_>; INLINE_IOVECS] = [IoSlice::new(&[]); INLINE_IOVECS];
            for (slot, v) in inline.iter_mut().zip(vecs) {
                *slot = take(v)?;
            }
            f(&inline[..count as usize])
        } else {
            let slices = vecs.map(take).collect::<WasiResult<Vec<_>>>()?;
            f(&slices)
        }
    }

    /// Copies the buffers of a `ciovec` array of a shared memory into one
    /// host buffer, at most [`SHARED_CHUNK`] bytes, and passes it to `f`.
    /// Every buffer is checked before anything is copied.
    fn gather_shared<R>(&self, vecs: ArrayIter<'_, 'a, IoVec>, f: impl FnOnce(&[IoSlice<'_>]) -> WasiResult<R>) -> WasiResult<R> {
        let mut total = 0usize;
        for v in vecs.clone() {
            self.check(v.buf, v.len)?;
            total = (total + v.len as usize).min(SHARED_CHUNK);
        }
        with_scratch(total, |out| {
            let mut at = 0;
            for v in vecs {
                let n = (v.len as usize).min(total - at);
                self.copy_out(v.buf, &mut out[at..at + n])?;
                at += n;
                if at == total {
                    break;
                }
            }
            f(&[IoSlice::new(out)])
        })
    }

    /// Checks an `iovec` array: at most [`MAX_IOVECS`] entries (else
    /// `EINVAL`), every buffer inside memory (else `EFAULT`). Reports its
    /// first non-empty buffer (stream reads fill only that one: a short read
    /// is always allowed, and one buffer cannot alias another) and how many
    /// are non-empty.
    pub fn scan_iovecs(&self, iovs: u32, count: u32) -> WasiResult<IovecScan> {
        if count > MAX_IOVECS {
            return Err(Errno::Inval);
        }
        let mut scan = IovecScan { first_nonempty: None, nonempty: 0 };
        for v in self.read_array::<IoVec>(iovs, count)? {
            self.check(v.buf, v.len)?;
            if v.len > 0 {
                scan.first_nonempty.get_or_insert(v);
                scan.nonempty += 1;
            }
        }
        Ok(scan)
    }
}

/// What [`GuestMemory::scan_iovecs`] found.
#[derive(Clone, Copy, Debug)]
pub struct IovecScan {
    pub first_nonempty: Option<IoVec>,
    pub nonempty: u32,
}

/// An iterator over a bounds-checked guest array (each element is read
/// when its turn comes).
pub struct ArrayIter<'m, 'a, T> {
    mem: &'m GuestMemory<'a>,
    next: u32,
    left: u32,
    _t: std::marker::PhantomData<T>,
}

impl<T> Clone for ArrayIter<'_, '_, T> {
    fn clone(&self) -> Self {
        ArrayIter { mem: self.mem, next: self.next, left: self.left, _t: std::marker::PhantomData }
    }
}

impl<T: GuestType> Iterator for ArrayIter<'_, '_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        // The whole array was checked when the iterator was made.
        let v = self.mem.read::<T>(self.next).ok()?;
        self.left -= 1;
        self.next = self.next.wrapping_add(T::SIZE);
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_little_endian() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        m.write::<u32>(4, 0x0102_0304).unwrap();
        assert_eq!(m.read::<[u8; 4]>(4).unwrap(), [4, 3, 2, 1]);
        assert_eq!(m.read::<u32>(4).unwrap(), 0x0102_0304);
        m.write::<u64>(8, u64::MAX - 1).unwrap();
        assert_eq!(m.read::<u64>(8).unwrap(), u64::MAX - 1);
    }

    #[test]
    fn out_of_bounds_is_efault_never_a_panic() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        assert_eq!(m.read::<u32>(13), Err(Errno::Fault));
        assert_eq!(m.write::<u64>(9, 1), Err(Errno::Fault));
        assert_eq!(m.check(u32::MAX, 2).err(), Some(Errno::Fault));
        assert_eq!(m.check(16, 0), Ok(()));
        assert_eq!(m.check(17, 0).err(), Some(Errno::Fault));
        assert!(m.read_array::<IoVec>(0, u32::MAX).is_err());
    }

    #[test]
    fn ciovecs_are_checked_before_use() {
        let mut buf = vec![0u8; 64];
        {
            let mut m = GuestMemory::new(&mut buf);
            m.write(0, IoVec { buf: 32, len: 4 }).unwrap();
            m.write(8, IoVec { buf: 60, len: 8 }).unwrap(); // runs past the end
            m.copy_in(32, b"abcd").unwrap();
        }
        let m = GuestMemory::new(&mut buf);
        let total = m.with_ciovecs(0, 1, |s| Ok(s.iter().map(|x| x.len()).sum::<usize>()));
        assert_eq!(total, Ok(4));
        assert_eq!(m.with_ciovecs(0, 2, |_| Ok(())), Err(Errno::Fault));
        assert_eq!(m.with_ciovecs(0, MAX_IOVECS + 1, |_| Ok(())), Err(Errno::Inval));
    }

    #[test]
    fn many_ciovecs_spill_to_the_heap() {
        let mut buf = vec![0u8; 1024];
        {
            let mut m = GuestMemory::new(&mut buf);
            for i in 0..40u32 {
                m.write(i * 8, IoVec { buf: 512 + i, len: 1 }).unwrap();
            }
        }
        let m = GuestMemory::new(&mut buf);
        assert_eq!(m.with_ciovecs(0, 40, |s| Ok(s.len())), Ok(40));
    }

    #[test]
    fn invalid_utf8_is_eilseq() {
        let mut buf = vec![0xffu8; 4];
        let m = GuestMemory::new(&mut buf);
        assert_eq!(m.read_str(0, 2), Err(Errno::Ilseq));
    }

    #[test]
    fn a_call_never_reports_more_than_fits_in_u32() {
        // 1024 iovecs of 4 MiB + 1 over the same bytes: more than 4 GiB.
        let mut buf = vec![0u8; (4 << 20) + 1 + 1024 * 8];
        let data = 1024 * 8;
        {
            let mut m = GuestMemory::new(&mut buf);
            for i in 0..1024u32 {
                m.write(i * 8, IoVec { buf: data, len: (4 << 20) + 1 }).unwrap();
            }
        }
        let m = GuestMemory::new(&mut buf);
        let total = m.with_ciovecs(0, 1024, |s| Ok(s.iter().map(|x| x.len()).sum::<usize>())).unwrap();
        assert_eq!(total, u32::MAX as usize);
    }

    #[test]
    fn a_shared_memory_is_accessed_by_copies() {
        let mut backing = vec![0u8; 64];
        // SAFETY: `backing` outlives `m` and nothing else touches it.
        let mut m = unsafe { GuestMemory::shared(backing.as_mut_ptr(), backing.len()) };
        assert!(m.is_shared());
        m.write::<u32>(0, 0xdead_beef).unwrap();
        assert_eq!(m.read::<u32>(0).unwrap(), 0xdead_beef);
        m.copy_in(8, b"hello").unwrap();
        assert_eq!(m.read_str(8, 5).unwrap(), "hello");
        // A short fill copies back only what was produced.
        m.copy_in(16, &[9u8; 8]).unwrap();
        let n = m.fill(16, 8, |buf| {
            buf[..3].copy_from_slice(b"abc");
            Ok(3)
        });
        assert_eq!(n, Ok(3));
        assert_eq!(m.read::<[u8; 8]>(16).unwrap(), *b"abc\x09\x09\x09\x09\x09");
        m.write(32, IoVec { buf: 8, len: 5 }).unwrap();
        m.write(40, IoVec { buf: 16, len: 3 }).unwrap();
        let gathered = m.with_ciovecs(32, 2, |s| Ok(s.iter().flat_map(|x| x.iter().copied()).collect::<Vec<u8>>())).unwrap();
        assert_eq!(gathered, b"helloabc");
        assert_eq!(m.check(60, 8), Err(Errno::Fault));
        assert_eq!(m.fill(60, 8, |_| Ok(0)), Err(Errno::Fault));
    }

    /// A growth check that says the memory has `now` bytes, counting asks.
    struct Grown {
        now: usize,
        asked: std::cell::Cell<u32>,
    }

    impl SharedLength for Grown {
        fn current_len(&self) -> usize {
            self.asked.set(self.asked.get() + 1);
            self.now
        }
    }

    #[test]
    fn a_shared_memory_grown_by_another_thread_is_seen_when_an_access_needs_it() {
        let mut backing = vec![0u8; 128];
        let grown = Grown { now: 96, asked: std::cell::Cell::new(0) };
        // SAFETY: `backing` (128 bytes) outlives `m` and covers every
        // length `grown` reports.
        let mut m = unsafe { GuestMemory::shared_growable(backing.as_mut_ptr(), 64, &grown) };
        m.write::<u32>(0, 7).unwrap();
        assert_eq!(grown.asked.get(), 0, "an access inside the known length asks nothing");
        m.write::<u32>(80, 9).unwrap();
        assert_eq!((grown.asked.get(), m.len()), (1, 96), "past it, the length is asked once and kept");
        assert_eq!(m.read::<u32>(88).unwrap(), 0);
        assert_eq!(grown.asked.get(), 1);
        assert_eq!(m.check(92, 8), Err(Errno::Fault), "past the grown length too: EFAULT");
        assert_eq!(grown.asked.get(), 2);
    }
}
