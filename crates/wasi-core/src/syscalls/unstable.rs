//! The `wasi_unstable` ABI (snapshot 0), for `version: 'unstable'`.
//!
//! It is preview1 with a few different layouts and constants, so only
//! these calls differ; the rest of the table is shared:
//! - `whence` is ordered CUR=0, END=1, SET=2;
//! - `filestat` has a 32-bit `nlink`, so it is 56 bytes, not 64;
//! - a clock `subscription` carries an extra `identifier`, so it is 56
//!   bytes, not 48;
//! - there is no `sock_accept`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::{GuestMemory, GuestType};
use crate::syscalls::poll::{self, Subscription};
use crate::syscalls::{fd, path};
use crate::types::{whence, Filestat};

/// Snapshot 0's `filestat`: `nlink` is a `u32` at offset 20.
struct Filestat0(Filestat);

impl GuestType for Filestat0 {
    const SIZE: u32 = 56;
    fn decode(b: &[u8]) -> Self {
        Filestat0(Filestat {
            dev: u64::decode(&b[0..8]),
            ino: u64::decode(&b[8..16]),
            filetype: b[16],
            nlink: u64::from(u32::decode(&b[20..24])),
            size: u64::decode(&b[24..32]),
            atim: u64::decode(&b[32..40]),
            mtim: u64::decode(&b[40..48]),
            ctim: u64::decode(&b[48..56]),
        })
    }
    fn encode(&self, out: &mut [u8]) {
        let st = &self.0;
        out.fill(0);
        st.dev.encode(&mut out[0..8]);
        st.ino.encode(&mut out[8..16]);
        out[16] = st.filetype;
        (st.nlink.min(u64::from(u32::MAX)) as u32).encode(&mut out[20..24]);
        st.size.encode(&mut out[24..32]);
        st.atim.encode(&mut out[32..40]);
        st.mtim.encode(&mut out[40..48]);
        st.ctim.encode(&mut out[48..56]);
    }
}

/// Snapshot 0's `subscription`: the clock variant starts with a 64-bit
/// `identifier`, shifting its fields by 8 bytes.
struct Subscription0(Subscription);

impl GuestType for Subscription0 {
    const SIZE: u32 = 56;
    fn decode(b: &[u8]) -> Self {
        let tag = b[8];
        let clock = tag == 0;
        Subscription0(Subscription {
            userdata: u64::decode(&b[0..8]),
            tag,
            id_or_fd: if clock { u32::decode(&b[24..28]) } else { u32::decode(&b[16..20]) },
            timeout: if clock { u64::decode(&b[32..40]) } else { 0 },
            flags: if clock { u16::decode(&b[48..50]) } else { 0 },
        })
    }
    fn encode(&self, out: &mut [u8]) {
        let s = &self.0;
        out.fill(0);
        s.userdata.encode(&mut out[0..8]);
        out[8] = s.tag;
        if s.tag == 0 {
            s.id_or_fd.encode(&mut out[24..28]);
            s.timeout.encode(&mut out[32..40]);
            s.flags.encode(&mut out[48..50]);
        } else {
            s.id_or_fd.encode(&mut out[16..20]);
        }
    }
}

/// `fd_seek(fd, offset, whence) -> filesize`, with snapshot 0's `whence`.
pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, offset: u64, whence_: u32, newoffset: u32) -> WasiResult<()> {
    let preview1 = match whence_ {
        0 => whence::CUR,
        1 => whence::END,
        2 => whence::SET,
        _ => return Err(Errno::Inval),
    };
    fd::fd_seek(ctx, mem, fd, offset, u32::from(preview1), newoffset)
}

/// `fd_filestat_get(fd) -> filestat`, in snapshot 0's layout.
pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, buf: u32) -> WasiResult<()> {
    let st = fd::filestat_of_fd(ctx, fd)?;
    mem.write(buf, Filestat0(st))
}

/// `path_filestat_get(fd, flags, path) -> filestat`, in snapshot 0's layout.
pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    buf: u32,
) -> WasiResult<()> {
    let st = path::filestat_of_path(ctx, mem, fd, flags, path, path_len)?;
    mem.write(buf, Filestat0(st))
}

/// `poll_oneoff(in, out, nsubscriptions) -> nevents`, reading snapshot 0's
/// subscriptions (events have the same layout in both ABIs).
pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    subs: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> WasiResult<()> {
    poll::poll_oneoff_as::<Subscription0>(ctx, mem, subs, events, nsubscriptions, nevents, |s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestat0_layout() {
        let st = Filestat { dev: 1, ino: 2, filetype: 4, nlink: 3, size: 5, atim: 6, mtim: 7, ctim: 8 };
        let mut b = [0xAAu8; 56];
        Filestat0(st).encode(&mut b);
        assert_eq!(u32::decode(&b[20..24]), 3);
        assert_eq!(u64::decode(&b[24..32]), 5);
        assert_eq!(u64::decode(&b[48..56]), 8);
        assert_eq!(Filestat0::decode(&b).0, st);
    }

    #[test]
    fn subscription0_clock_fields_follow_the_identifier() {
        let sub = Subscription { userdata: 9, tag: 0, id_or_fd: 1, timeout: 1234, flags: 1 };
        let mut b = [0u8; 56];
        Subscription0(sub).encode(&mut b);
        assert_eq!(u64::decode(&b[32..40]), 1234);
        let back = Subscription0::decode(&b).0;
        assert_eq!((back.userdata, back.id_or_fd, back.timeout, back.flags), (9, 1, 1234, 1));
    }
}
