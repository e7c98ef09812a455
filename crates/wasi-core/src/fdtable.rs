//! The guest's file descriptor table.
//!
//! Numbers are handed out lowest-free-first, like POSIX: 0-2 are the stdio
//! streams, preopens follow from 3 in the embedder's order. Each slot owns
//! its host resource, except stdio, which borrows the embedder's host fds
//! and never closes them.

use crate::errno::{Errno, WasiResult};
use crate::host::HostFd;
use crate::sandbox::Dir;

/// The most descriptors one instance may hold; past it, `EMFILE`.
pub const MAX_FDS: usize = 16_384;

/// What a descriptor refers to.
pub enum Kind {
    /// A host fd the embedder handed in (stdin/stdout/stderr options).
    /// Borrowed: closing it in the guest leaves the host fd open.
    Stdio(HostFd),
    /// A directory: a preopen (with its guest name) or one opened by path.
    Dir { dir: Dir, preopen_name: Option<String> },
}

/// One entry of the table: the resource and the rights granted on it.
pub struct Descriptor {
    pub kind: Kind,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl Descriptor {
    /// Fails with `ENOTCAPABLE` unless every right in `needed` was granted.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::NotCapable)
        }
    }
}

/// The table itself.
#[derive(Default)]
pub struct FdTable {
    slots: Vec<Option<Descriptor>>,
}

impl FdTable {
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
        if let Some(i) = self.slots.iter().position(Option::is_none) {
            self.slots[i] = Some(d);
            return Ok(i as u32);
        }
        if self.slots.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        self.slots.push(Some(d));
        Ok((self.slots.len() - 1) as u32)
    }

    /// Removes and returns the descriptor at `fd`, or `EBADF`.
    pub fn remove(&mut self, fd: u32) -> WasiResult<Descriptor> {
        let d = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::Badf)?;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(d)
    }

    /// Moves the descriptor at `from` to `to`, closing what was at `to`.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let d = self.remove(from)?;
        self.slots[to as usize] = Some(d);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(fd: i32) -> Descriptor {
        Descriptor { kind: Kind::Stdio(HostFd::new(fd)), rights_base: 0, rights_inheriting: 0 }
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
            Kind::Stdio(h) => assert_eq!(h.raw(), 10),
            _ => panic!("wrong kind"),
        }
    }
}
