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
use std::io::IoSlice;

/// The guest's linear memory for the duration of one host call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

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
    /// Wraps the guest's linear memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    /// The size of the guest memory in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// The `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    /// The `len` bytes at `ptr`, writable.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// Reads a `T` at `ptr`.
    pub fn read<T: GuestType>(&self, ptr: u32) -> WasiResult<T> {
        Ok(T::decode(self.slice(ptr, T::SIZE)?))
    }

    /// Writes a `T` at `ptr`.
    pub fn write<T: GuestType>(&mut self, ptr: u32, value: T) -> WasiResult<()> {
        value.encode(self.slice_mut(ptr, T::SIZE)?);
        Ok(())
    }

    /// The `count` elements of a guest array of `T` starting at `ptr`,
    /// checked as a whole before anything is decoded.
    pub fn read_array<T: GuestType>(&self, ptr: u32, count: u32) -> WasiResult<ArrayIter<'_, T>> {
        let total = count.checked_mul(T::SIZE).ok_or(Errno::Fault)?;
        let bytes = self.slice(ptr, total)?;
        Ok(ArrayIter { bytes, _t: std::marker::PhantomData })
    }

    /// A UTF-8 string of `len` bytes at `ptr` (paths and names).
    /// Invalid UTF-8 gives `EILSEQ`.
    pub fn read_str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// Gathers a `ciovec` array into host I/O slices and passes them to `f`
    /// (for `writev`-style calls). Every buffer is bounds-checked first;
    /// small arrays need no allocation.
    pub fn with_ciovecs<R>(&self, iovs: u32, count: u32, f: impl FnOnce(&[IoSlice<'_>]) -> WasiResult<R>) -> WasiResult<R> {
        if count > MAX_IOVECS {
            return Err(Errno::Inval);
        }
        let vecs = self.read_array::<IoVec>(iovs, count)?;
        if count as usize <= INLINE_IOVECS {
            let mut inline: [IoSlice<'_>; INLINE_IOVECS] = [IoSlice::new(&[]); INLINE_IOVECS];
            for (slot, v) in inline.iter_mut().zip(vecs) {
                *slot = IoSlice::new(self.slice(v.buf, v.len)?);
            }
            f(&inline[..count as usize])
        } else {
            let slices = vecs.map(|v| self.slice(v.buf, v.len).map(IoSlice::new)).collect::<WasiResult<Vec<_>>>()?;
            f(&slices)
        }
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
            self.range(v.buf, v.len)?;
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

/// An iterator over a bounds-checked guest array.
pub struct ArrayIter<'m, T> {
    bytes: &'m [u8],
    _t: std::marker::PhantomData<T>,
}

impl<T: GuestType> Iterator for ArrayIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.bytes.len() < T::SIZE as usize {
            return None;
        }
        let (head, rest) = self.bytes.split_at(T::SIZE as usize);
        self.bytes = rest;
        Some(T::decode(head))
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
        assert_eq!(m.slice(4, 4).unwrap(), &[4, 3, 2, 1]);
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
        assert_eq!(m.slice(u32::MAX, 2).err(), Some(Errno::Fault));
        assert_eq!(m.slice(16, 0).unwrap().len(), 0);
        assert_eq!(m.slice(17, 0).err(), Some(Errno::Fault));
        assert!(m.read_array::<IoVec>(0, u32::MAX).is_err());
    }

    #[test]
    fn ciovecs_are_checked_before_use() {
        let mut buf = vec![0u8; 64];
        {
            let mut m = GuestMemory::new(&mut buf);
            m.write(0, IoVec { buf: 32, len: 4 }).unwrap();
            m.write(8, IoVec { buf: 60, len: 8 }).unwrap(); // runs past the end
            m.slice_mut(32, 4).unwrap().copy_from_slice(b"abcd");
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
}
