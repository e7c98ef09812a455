//! The guest's file descriptor table.
//!
//! Numbers are handed out lowest-free-first, like POSIX: 0-2 are the stdio
//! streams, preopens follow from 3 in the embedder's order. Each slot owns
//! its host resource, except stdio, which borrows the embedder's host fds
//! and never closes them.

use crate::dirstream::DirCursor;
use crate::errno::{Errno, WasiResult};
use crate::host;
use crate::host::{AsHost, BorrowedFd, OwnedFd};
use crate::host::{Blocking, HostFd};
use crate::sandbox::{dir_from_file, Dir, File};
use crate::types::{filetype, rights};

/// The most descriptors one instance may hold; past it, `EMFILE`.
pub const MAX_FDS: usize = 16_384;

/// An open directory.
pub struct DirFd {
    pub dir: Dir,
    /// The guest path, for a preopen.
    pub preopen_name: Option<String>,
    /// Where `fd_readdir` is in the listing, opened by its first call
    /// (boxed: most directory descriptors are never listed).
    pub cursor: Option<Box<DirCursor>>,
}

/// What a descriptor refers to.
pub enum Kind {
    /// One of the embedder's stdio streams, held through a duplicate made
    /// when the instance was (see [`host::hold_stdio`]); `None` if the
    /// host fd was closed then. No call may change the stream's state for
    /// the embedder: it is never shut down, made non-blocking or closed.
    Stdio(Option<std::sync::Arc<OwnedFd>>),
    /// A host socket the embedder lent with `{ fd }`. Closing it in the
    /// guest leaves the host fd open.
    Borrowed(HostFd),
    /// Something opened through `path_open` without `O_DIRECTORY`.
    /// `filetype` is `None` until a call needs it (see
    /// [`FdTable::classify`]); an open/read/close sequence never pays the
    /// `fstat`. Reads on a regular file fill every iovec; on anything else
    /// they stop early.
    File { file: File, filetype: Option<u8> },
    /// A socket wasi-rs owns: a listener it bound, or a connection the
    /// guest accepted.
    Socket(OwnedFd),
    /// A directory: a preopen or one opened through `path_open`.
    Dir(DirFd),
}

/// One entry of the table: the resource and the rights granted on it.
pub struct Descriptor {
    pub kind: Kind,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// Whether the guest asked for non-blocking I/O (fdflags NONBLOCK).
    pub nonblock: bool,
}

impl Descriptor {
    /// A descriptor with the given rights, blocking.
    pub fn new(kind: Kind, rights_base: u64, rights_inheriting: u64) -> Self {
        Descriptor { kind, rights_base, rights_inheriting, nonblock: false }
    }

    /// Fails with `ENOTCAPABLE` unless every right in `needed` was granted.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::NotCapable)
        }
    }

    /// The host fd behind the descriptor, whatever its kind.
    pub fn host_fd(&self) -> WasiResult<BorrowedFd<'_>> {
        match &self.kind {
            Kind::Stdio(h) => h.as_ref().map(|fd| fd.as_host()).ok_or(Errno::Badf),
            Kind::Borrowed(h) => h.borrow(),
            Kind::File { file, .. } => Ok(file.as_host()),
            Kind::Socket(s) => Ok(s.as_host()),
            Kind::Dir(d) => Ok(d.dir.as_host()),
        }
    }

    /// The host fd of a stream (stdio, file or socket) after checking
    /// `needed`. A directory is not a stream: `EBADF`, as wasmtime answers
    /// (and what programs written against preview1 hosts expect).
    pub fn stream(&self, needed: u64) -> WasiResult<BorrowedFd<'_>> {
        match &self.kind {
            Kind::Dir(_) => Err(Errno::Badf),
            _ => {
                self.require(needed)?;
                self.host_fd()
            }
        }
    }

    /// Whether I/O on this descriptor should wait out `EAGAIN`.
    pub fn blocking(&self) -> Blocking {
        match (&self.kind, self.nonblock) {
            (_, false) => Blocking::Wait,
            (Kind::Stdio(_) | Kind::Borrowed(_), true) => Blocking::Emulated,
            (_, true) => Blocking::NonBlocking,
        }
    }

    /// Whether this is one of the embedder's stdio streams.
    pub fn is_stdio(&self) -> bool {
        matches!(self.kind, Kind::Stdio(_))
    }

    /// The directory, after checking `needed`; `ENOTDIR` for anything else.
    pub fn dir(&self, needed: u64) -> WasiResult<&Dir> {
        match &self.kind {
            Kind::Dir(d) => {
                self.require(needed)?;
                Ok(&d.dir)
            }
            _ => Err(Errno::NotDir),
        }
    }
}

/// The table itself.
pub struct FdTable {
    slots: Vec<Option<Descriptor>>,
    /// How many slots hold a descriptor.
    held: usize,
    /// The most descriptors it holds; past it, `EMFILE`.
    max: usize,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable::with_limit(MAX_FDS)
    }
}

impl FdTable {
    /// An empty table that holds at most `max` descriptors.
    pub fn with_limit(max: usize) -> Self {
        FdTable { slots: Vec::new(), held: 0, max }
    }

    /// Puts a descriptor the guest just had the host open (`path_open`,
    /// `sock_accept`) in the table, unless that would leave the process
    /// too few host fds (see [`host::fd_has_headroom`]): then it is closed
    /// again and the guest gets `EMFILE`, as if the process were out.
    pub fn insert_opened(&mut self, d: Descriptor) -> WasiResult<u32> {
        if !host::fd_has_headroom(d.host_fd()?) {
            return Err(Errno::Mfile);
        }
        self.insert(d)
    }

    /// The descriptor at `fd`, or `EBADF`.
    pub fn get(&self, fd: u32) -> WasiResult<&Descriptor> {
        self.slots.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::Badf)
    }

    /// The descriptor at `fd`, mutable, or `EBADF`.
    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Descriptor> {
        self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::Badf)
    }

    /// Puts `d` in the lowest free slot and returns its number.
    pub fn insert(&mut self, d: Descriptor) -> WasiResult<u32> {
        if self.held >= self.max {
            return Err(Errno::Mfile);
        }
        self.held += 1;
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some(d);
            return Ok(i as u32);
        }
        self.slots.push(Some(d));
        Ok((self.slots.len() - 1) as u32)
    }

    /// Removes and returns the descriptor at `fd`, or `EBADF`.
    pub fn remove(&mut self, fd: u32) -> WasiResult<Descriptor> {
        let d = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::Badf)?;
        self.held -= 1;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(d)
    }

    /// Finds out what a descriptor opened without `O_DIRECTORY` is, if that
    /// is not known yet: a directory becomes a directory descriptor,
    /// anything else records its filetype, and the rights narrow to what
    /// that type allows. Calls that depend on the type call this first.
    pub fn classify(&mut self, fd: u32) -> WasiResult<()> {
        let d = self.get_mut(fd)?;
        let Kind::File { file, filetype: None } = &d.kind else { return Ok(()) };
        let ft = host::filetype(file.as_host())?;
        if ft == filetype::DIRECTORY {
            let placeholder = Kind::Borrowed(HostFd::new(-1));
            let Kind::File { file, .. } = std::mem::replace(&mut d.kind, placeholder) else { unreachable!("checked above") };
            d.kind = Kind::Dir(DirFd { dir: dir_from_file(file), preopen_name: None, cursor: None });
            d.rights_base &= rights::DIRECTORY_BASE;
        } else {
            if let Kind::File { filetype, .. } = &mut d.kind {
                *filetype = Some(ft);
            }
            d.rights_base &= host::rights_for_filetype(ft);
        }
        Ok(())
    }

    /// The directory at `fd` after checking `needed` rights (classifying the
    /// descriptor first); `ENOTDIR` for anything else.
    pub fn dir(&mut self, fd: u32, needed: u64) -> WasiResult<&Dir> {
        self.classify(fd)?;
        self.get(fd)?.dir(needed)
    }

    /// Moves the descriptor at `from` to `to`, closing what was at `to`.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let d = self.remove(from)?;
        // `to` was checked above and is not `from`, so it still holds a
        // descriptor, which this drops (and with it its host resource).
        self.slots[to as usize] = Some(d);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(fd: host::RawHostFd) -> Descriptor {
        Descriptor::new(Kind::Borrowed(HostFd::new(fd)), 0, 0)
    }

    #[test]
    fn lowest_free_slot_is_reused() {
        let mut t = FdTable::default();
        for i in 0..4 {
            assert_eq!(t.insert(stdio(i)).unwrap(), i as u32);
        }
        t.remove(1).unwrap();
        assert_eq!(t.get(1).err(), Some(Errno::Badf));
        assert_eq!(t.insert(stdio(9)).unwrap(), 1);
    }

    #[test]
    fn bad_fds_are_ebadf() {
        let mut t = FdTable::default();
        assert_eq!(t.get(u32::MAX).err(), Some(Errno::Badf));
        assert_eq!(t.remove(0).err(), Some(Errno::Badf));
        t.insert(stdio(0)).unwrap();
        assert_eq!(t.renumber(0, 5).err(), Some(Errno::Badf));
    }

    #[test]
    fn renumber_moves_and_replaces() {
        let mut t = FdTable::default();
        t.insert(stdio(10)).unwrap();
        t.insert(stdio(11)).unwrap();
        t.renumber(0, 1).unwrap();
        assert!(t.get(0).is_err());
        match &t.get(1).unwrap().kind {
            Kind::Borrowed(h) => assert_eq!(h.raw(), 10),
            _ => panic!("wrong kind"),
        }
    }

    #[test]
    fn the_table_is_bounded() {
        let mut t = FdTable::default();
        for _ in 0..MAX_FDS {
            t.insert(stdio(0)).unwrap();
        }
        assert_eq!(t.insert(stdio(0)).err(), Some(Errno::Mfile));
    }

    #[test]
    fn rights_are_checked() {
        let d = Descriptor::new(Kind::Borrowed(HostFd::new(1)), crate::types::rights::FD_WRITE, 0);
        assert!(d.stream(crate::types::rights::FD_WRITE).is_ok());
        assert_eq!(d.stream(crate::types::rights::FD_READ).err(), Some(Errno::NotCapable));
        assert_eq!(d.dir(0).err(), Some(Errno::NotDir));
    }
}
