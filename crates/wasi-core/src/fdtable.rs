//! The guest's file descriptor table.
//!
//! Numbers are handed out lowest-free-first, like POSIX: 0-2 are the stdio
//! streams, preopens follow from 3 in the embedder's order. Each slot owns
//! its host resource, except stdio, which borrows the embedder's host fds
//! and never closes them.
//!
//! One table serves every thread of a guest process (see
//! [`crate::ctx::Process`]), behind one lock. The lock is held only to look
//! a descriptor up, insert, remove or replace one, never across I/O that
//! can wait: each slot holds an `Arc<Descriptor>`, a call takes its own
//! clone and drops the lock before it reads, writes, polls or opens. A
//! descriptor closed by another thread meanwhile stays open until the
//! calls that hold it return, so its host fd number is never reused under
//! them. What a descriptor may change after it is made (rights, the
//! non-blocking flag, a file's type once learnt, a directory's listing
//! cursor) is held in atomics or behind the descriptor's own lock.

use crate::dirstream::DirCursor;
use crate::errno::{Errno, WasiResult};
use crate::host;
use crate::host::Blocking;
use crate::host::{AsHost, BorrowedFd, OwnedFd};
use crate::sandbox::{dir_from_file, Dir, File};
use crate::types::{filetype, rights};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};

/// The most descriptors one instance may hold; past it, `EMFILE`.
pub const MAX_FDS: usize = 16_384;

/// How many numbers, from 0, belong to stdio (see [`FdTable::insert`]).
const STDIO_FDS: usize = 3;

/// An open directory.
pub struct DirFd {
    pub dir: Dir,
    /// The guest path, for a preopen.
    pub preopen_name: Option<String>,
    /// Whether this is the host's root preopened as `/`: paths beneath it
    /// may then follow absolute symlinks (see
    /// [`crate::sandbox::expand_absolute_links`]).
    pub host_root: bool,
    /// Where `fd_readdir` is in the listing, opened by its first call
    /// (boxed: most directory descriptors are never listed), with the
    /// count of the host fd it holds. Its own lock: two threads listing one
    /// descriptor take turns.
    pub cursor: Mutex<Option<Listing>>,
}

/// An open listing: the cursor and its share of the process's fd budget.
pub struct Listing {
    pub cursor: Box<DirCursor>,
    _counted: ExtraHostFd,
}

impl Listing {
    /// A listing whose host fd is `counted`.
    pub fn new(cursor: DirCursor, counted: ExtraHostFd) -> Listing {
        Listing { cursor: Box::new(cursor), _counted: counted }
    }
}

/// One host fd a descriptor holds besides its own (a listing's stream),
/// counted against the table's limit until dropped.
pub struct ExtraHostFd(Arc<AtomicUsize>);

impl Drop for ExtraHostFd {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

impl DirFd {
    /// A directory descriptor's state, not listed yet.
    pub fn new(dir: Dir, preopen_name: Option<String>) -> DirFd {
        DirFd { dir, preopen_name, host_root: false, cursor: Mutex::new(None) }
    }

    /// The host's root directory, preopened as `/`.
    pub fn host_root(dir: Dir) -> DirFd {
        DirFd { dir, preopen_name: Some("/".to_owned()), host_root: true, cursor: Mutex::new(None) }
    }

    /// The listing cursor (a thread that panicked while listing leaves it
    /// usable: the cursor re-reads from any cookie).
    pub fn cursor(&self) -> MutexGuard<'_, Option<Listing>> {
        self.cursor.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A file's WASI filetype, learnt at most once (see [`FdTable::classify`]).
pub struct LazyFiletype(AtomicU8);

/// [`LazyFiletype`]'s value until the type is known (no filetype is 255).
const UNKNOWN_FILETYPE: u8 = u8::MAX;

impl LazyFiletype {
    /// Not known yet.
    pub fn unknown() -> LazyFiletype {
        LazyFiletype(AtomicU8::new(UNKNOWN_FILETYPE))
    }

    /// The type, once learnt.
    pub fn get(&self) -> Option<u8> {
        match self.0.load(Relaxed) {
            UNKNOWN_FILETYPE => None,
            ft => Some(ft),
        }
    }

    /// Records the type.
    pub fn set_known(&self, ft: u8) {
        self.0.store(ft, Relaxed);
    }
}

/// What a descriptor refers to.
pub enum Kind {
    /// One of the embedder's stdio streams, held through a duplicate made
    /// when the instance was (see [`host::hold_stdio`]); `None` if the
    /// host fd was closed then. No call may change the stream's state for
    /// the embedder: it is never shut down, made non-blocking or closed.
    Stdio(Option<Arc<OwnedFd>>),
    /// A host socket the embedder lent with `{ fd }`, held through a
    /// duplicate made when the instance was (see [`host::hold_lent_socket`]).
    /// Like stdio it stays the embedder's: closing it in the guest closes
    /// only the duplicate, and no call shuts it down or changes its mode.
    Lent(OwnedFd),
    /// Something opened through `path_open` without `O_DIRECTORY`.
    /// `filetype` is unknown until a call needs it (see
    /// [`FdTable::classify`]); an open/read/close sequence never pays the
    /// `fstat`. Reads on a regular file fill every iovec; on anything else
    /// they stop early.
    File { file: File, filetype: LazyFiletype },
    /// A socket wasi-rs owns: a listener it bound, or a connection the
    /// guest accepted.
    Socket(OwnedFd),
    /// A directory: a preopen or one opened through `path_open`.
    Dir(DirFd),
}

/// One entry of the table: the resource and the rights granted on it.
pub struct Descriptor {
    pub kind: Kind,
    rights_base: AtomicU64,
    rights_inheriting: AtomicU64,
    /// Whether the guest asked for non-blocking I/O (fdflags NONBLOCK).
    nonblock: AtomicBool,
    /// The filetype of a stream whose type was learnt when it was made
    /// (stdio); a file's is in [`Kind::File`].
    filetype: LazyFiletype,
    /// Whether it lies in a read-only preopen's tree (see
    /// [`crate::ctx::Preopen::read_only`]): calls that would change the
    /// tree through it fail with `EPERM`.
    read_only: bool,
}

impl Descriptor {
    /// A descriptor with the given rights, blocking.
    pub fn new(kind: Kind, rights_base: u64, rights_inheriting: u64) -> Self {
        Descriptor {
            kind,
            rights_base: AtomicU64::new(rights_base),
            rights_inheriting: AtomicU64::new(rights_inheriting),
            nonblock: AtomicBool::new(false),
            filetype: LazyFiletype::unknown(),
            read_only: false,
        }
    }

    /// The same, in a read-only tree when `read_only`.
    pub fn in_read_only_tree(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Whether it lies in a read-only preopen's tree.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// `EPERM` if it lies in a read-only tree: for the calls that would
    /// change the tree (create, write, rename, link, unlink, truncate,
    /// set times), whatever rights were granted.
    pub fn require_writable_tree(&self) -> WasiResult<()> {
        if self.read_only {
            Err(Errno::Perm)
        } else {
            Ok(())
        }
    }

    /// The same, of the known filetype `ft` (for a stream the host was
    /// asked about when it was made).
    pub fn with_filetype(self, ft: u8) -> Self {
        self.filetype.set_known(ft);
        self
    }

    /// The same, non-blocking when `nonblock`.
    pub fn with_nonblock(self, nonblock: bool) -> Self {
        self.nonblock.store(nonblock, Relaxed);
        self
    }

    /// The rights granted on the descriptor itself.
    pub fn rights_base(&self) -> u64 {
        self.rights_base.load(Relaxed)
    }

    /// The rights descriptors opened through it may get.
    pub fn rights_inheriting(&self) -> u64 {
        self.rights_inheriting.load(Relaxed)
    }

    /// Drops rights: both sets become what they hold of `base` and
    /// `inheriting` (rights never grow).
    pub fn narrow_rights(&self, base: u64, inheriting: u64) {
        self.rights_base.fetch_and(base, Relaxed);
        self.rights_inheriting.fetch_and(inheriting, Relaxed);
    }

    /// Whether the guest asked for non-blocking I/O.
    pub fn nonblock(&self) -> bool {
        self.nonblock.load(Relaxed)
    }

    /// Records the guest's non-blocking flag.
    pub fn set_nonblock(&self, nonblock: bool) {
        self.nonblock.store(nonblock, Relaxed);
    }

    /// The filetype, when it is known without asking the host: a file
    /// already classified (a directory is [`Kind::Dir`]).
    pub fn known_filetype(&self) -> Option<u8> {
        match &self.kind {
            Kind::File { filetype, .. } => filetype.get(),
            Kind::Dir(_) => Some(filetype::DIRECTORY),
            _ => self.filetype.get(),
        }
    }

    /// Whether this is a file not classified yet.
    pub fn unclassified(&self) -> bool {
        matches!(&self.kind, Kind::File { filetype, .. } if filetype.get().is_none())
    }

    /// Fails with `ENOTCAPABLE` unless every right in `needed` was granted.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.rights_base() & needed == needed {
            Ok(())
        } else {
            Err(Errno::NotCapable)
        }
    }

    /// The host fd behind the descriptor, whatever its kind.
    pub fn host_fd(&self) -> WasiResult<BorrowedFd<'_>> {
        match &self.kind {
            Kind::Stdio(h) => h.as_ref().map(|fd| fd.as_host()).ok_or(Errno::Badf),
            Kind::Lent(s) => Ok(s.as_host()),
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
        match (&self.kind, self.nonblock()) {
            (_, false) => Blocking::Wait,
            (Kind::Stdio(_) | Kind::Lent(_), true) => Blocking::Emulated,
            (_, true) => Blocking::NonBlocking,
        }
    }

    /// Whether this is one of the embedder's streams (stdio or a lent
    /// socket), whose state no call may change for the embedder.
    pub fn is_embedders(&self) -> bool {
        matches!(self.kind, Kind::Stdio(_) | Kind::Lent(_))
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

/// A directory descriptor a call holds while it works in the directory
/// (the table's lock is not held meanwhile).
pub struct DirHandle(Arc<Descriptor>);

impl std::ops::Deref for DirHandle {
    type Target = Dir;
    fn deref(&self) -> &Dir {
        match &self.0.kind {
            Kind::Dir(d) => &d.dir,
            _ => unreachable!("a DirHandle is made only for a directory"),
        }
    }
}

impl DirHandle {
    /// The descriptor itself (its rights).
    pub fn descriptor(&self) -> &Descriptor {
        &self.0
    }

    /// Whether paths beneath it follow absolute symlinks from the host's
    /// root (the host's `/` preopened as `/`).
    pub fn follows_absolute_links(&self) -> bool {
        matches!(&self.0.kind, Kind::Dir(d) if d.host_root)
    }
}

/// The table itself.
pub struct FdTable {
    slots: Vec<Option<Arc<Descriptor>>>,
    /// How many slots hold a descriptor.
    held: usize,
    /// How many host fds the descriptors hold besides their own (open
    /// listings): they count against `max` too, so that a guest's fds
    /// never cost more host fds than its limit.
    extra: Arc<AtomicUsize>,
    /// The most host fds its descriptors hold; past it, `EMFILE`.
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
        FdTable { slots: Vec::new(), held: 0, extra: Arc::new(AtomicUsize::new(0)), max }
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

    /// Counts one more host fd held besides a descriptor's own (a listing
    /// about to be opened), or `EMFILE` if the limit leaves no room.
    pub fn count_extra(&self) -> WasiResult<ExtraHostFd> {
        if self.held + self.extra.load(Relaxed) >= self.max {
            return Err(Errno::Mfile);
        }
        self.extra.fetch_add(1, Relaxed);
        Ok(ExtraHostFd(self.extra.clone()))
    }

    /// The descriptor at `fd` (the caller's own hold on it), or `EBADF`.
    #[inline]
    pub fn get(&self, fd: u32) -> WasiResult<Arc<Descriptor>> {
        self.slots.get(fd as usize).and_then(Option::as_ref).cloned().ok_or(Errno::Badf)
    }

    /// Puts `d` in the lowest free slot from 3 on and returns its number.
    /// Numbers 0-2 are stdio's: they are filled once, when the table is
    /// made, and a number the guest vacated there (by `fd_close` or
    /// `fd_renumber`) is never handed out again, as in wasmtime: a program
    /// that moves its stdout away and then opens files must not find its
    /// next file at 1. (`fd_renumber` onto a stdio number still open
    /// replaces it, as it replaces any open descriptor.)
    pub fn insert(&mut self, d: Descriptor) -> WasiResult<u32> {
        if self.held + self.extra.load(Relaxed) >= self.max {
            return Err(Errno::Mfile);
        }
        self.held += 1;
        let d = Some(Arc::new(d));
        if let Some(i) = self.slots.iter().skip(STDIO_FDS).position(Option::is_none) {
            self.slots[STDIO_FDS + i] = d;
            return Ok((STDIO_FDS + i) as u32);
        }
        self.slots.push(d);
        Ok((self.slots.len() - 1) as u32)
    }

    /// Empties the table (the process has ended): returns every descriptor
    /// for the caller to drop after releasing the table, which closes each
    /// host resource once no call in flight holds it.
    pub fn close_all(&mut self) -> Vec<Arc<Descriptor>> {
        self.held = 0;
        self.slots.drain(..).flatten().collect()
    }

    /// Removes and returns the descriptor at `fd`, or `EBADF`. The caller
    /// drops it (closing the host resource once no call holds it) after
    /// releasing the table.
    pub fn remove(&mut self, fd: u32) -> WasiResult<Arc<Descriptor>> {
        let d = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::Badf)?;
        self.held -= 1;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(d)
    }

    /// Puts `d` where `fd` is, returning the descriptor it replaces.
    pub fn replace(&mut self, fd: u32, d: Descriptor) -> WasiResult<Arc<Descriptor>> {
        let slot = self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::Badf)?;
        Ok(std::mem::replace(slot, Arc::new(d)))
    }

    /// Finds out what a descriptor opened without `O_DIRECTORY` is, if that
    /// is not known yet: a directory becomes a directory descriptor,
    /// anything else records its filetype, and the rights narrow to what
    /// that type allows. Calls that depend on the type call this first.
    /// (One `fstat` under the table's lock: it does not wait.)
    pub fn classify(&mut self, fd: u32) -> WasiResult<()> {
        let d = self.get(fd)?;
        let Kind::File { file, filetype } = &d.kind else { return Ok(()) };
        if filetype.get().is_some() {
            return Ok(());
        }
        let ft = host::filetype(file.as_host())?;
        if ft == filetype::DIRECTORY {
            // Another thread may be using the file meanwhile: the directory
            // gets its own handle on the same open directory.
            let dir = dir_from_file(file.try_clone()?);
            let new = Descriptor::new(Kind::Dir(DirFd::new(dir, None)), d.rights_base() & rights::DIRECTORY_BASE, d.rights_inheriting())
                .with_nonblock(d.nonblock())
                .in_read_only_tree(d.read_only());
            drop(self.replace(fd, new)?);
        } else {
            filetype.set_known(ft);
            let terminal = ft == filetype::CHARACTER_DEVICE && host::is_terminal(file.as_host());
            d.narrow_rights(host::rights_for_filetype(ft, terminal), u64::MAX);
        }
        Ok(())
    }

    /// The directory at `fd` after checking `needed` rights (classifying the
    /// descriptor first); `ENOTDIR` for anything else.
    pub fn dir(&mut self, fd: u32, needed: u64) -> WasiResult<DirHandle> {
        self.classify(fd)?;
        let d = self.get(fd)?;
        d.dir(needed)?;
        Ok(DirHandle(d))
    }

    /// Moves the descriptor at `from` to `to`, returning what was at `to`
    /// (for the caller to drop after releasing the table).
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<Option<Arc<Descriptor>>> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(None);
        }
        let d = self.remove(from)?;
        // `to` was checked above and is not `from`, so it still holds a
        // descriptor, which this hands back.
        Ok(self.slots[to as usize].replace(d))
    }
}

/// The table as the threads of one process share it.
pub struct SharedFdTable(Mutex<FdTable>);

impl SharedFdTable {
    pub fn new(table: FdTable) -> SharedFdTable {
        SharedFdTable(Mutex::new(table))
    }

    /// Locks the table for a look-up or a change. A thread that panicked
    /// holding it left it consistent (every change is one assignment), so
    /// a poisoned lock is used as it is.
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, FdTable> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// A closed stdio stream, told apart from others by its rights.
    fn stdio(tag: u64) -> Descriptor {
        Descriptor::new(Kind::Stdio(None), tag, 0)
    }

    #[test]
    fn lowest_free_slot_from_3_is_reused() {
        let mut t = FdTable::default();
        for i in 0..5 {
            assert_eq!(t.insert(stdio(i)).unwrap(), i as u32);
        }
        t.remove(3).unwrap();
        assert_eq!(t.get(3).err(), Some(Errno::Badf));
        assert_eq!(t.insert(stdio(9)).unwrap(), 3);
    }

    #[test]
    fn a_vacated_stdio_number_is_never_handed_out() {
        let mut t = FdTable::default();
        for i in 0..4 {
            t.insert(stdio(i)).unwrap();
        }
        t.remove(1).unwrap();
        assert_eq!(t.insert(stdio(9)).unwrap(), 4);
        // A renumber onto a stdio number still open replaces it.
        drop(t.renumber(4, 2).unwrap());
        assert_eq!(t.get(2).unwrap().rights_base(), 9);
        assert_eq!(t.insert(stdio(10)).unwrap(), 4);
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
        let replaced = t.renumber(0, 1).unwrap().expect("fd 1 was replaced");
        assert_eq!(replaced.rights_base(), 11);
        assert!(t.get(0).is_err());
        assert_eq!(t.get(1).unwrap().rights_base(), 10);
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
        let d = Descriptor::new(Kind::Stdio(None), crate::types::rights::FD_WRITE, 0);
        assert_eq!(d.stream(crate::types::rights::FD_WRITE).err(), Some(Errno::Badf));
        assert_eq!(d.stream(crate::types::rights::FD_READ).err(), Some(Errno::NotCapable));
        assert_eq!(d.dir(0).err(), Some(Errno::NotDir));
    }
}
