//! A bounded cursor over a directory's entries, for `fd_readdir`.
//!
//! Preview1's `fd_readdir` takes a cookie: 0 for the start, and each
//! entry's `d_next` for the entry after it. wasi-rs numbers the entries
//! (`.` is 0, `..` is 1, then the host's entries in the order the kernel
//! gives them), so a cookie is an index, as in wasmtime.
//!
//! The cursor keeps the host directory stream open and reads it as the
//! guest pages through it, holding at most one entry it has read but not
//! yet handed over whole (the one that did not fit the guest's buffer,
//! which the guest asks for again with the next call). So memory per open
//! directory is the host stream's buffer (`getdents`'s, which rustix caps
//! at about 24 KiB) and one name, whatever the directory's size. Continuing from
//! where the last call stopped costs nothing extra; a cookie behind the
//! cursor rewinds the stream and skips forward, like `seekdir` over a
//! stream without stable offsets.

pub use crate::host::DirEntry as Entry;
use crate::host::DirStream as Stream;
use crate::types::filetype;
use std::io;

/// Where a guest is in one directory's listing.
pub struct DirCursor {
    /// The cursor's own stream over the directory (its position is
    /// independent of the descriptor the guest holds).
    stream: Stream,
    /// The index of the next entry `stream` yields.
    next: u64,
    /// An entry read but not yet handed over whole, with its index.
    pending: Option<(u64, Entry)>,
    /// The directory's own inode, reported for `.` and `..`.
    own_ino: u64,
}

impl DirCursor {
    /// Opens a cursor at the start of the directory `dir`.
    pub fn open(dir: &cap_std::fs::Dir) -> io::Result<DirCursor> {
        let (stream, own_ino) = Stream::open(dir)?;
        Ok(DirCursor { stream, next: 0, pending: None, own_ino })
    }

    /// Whether the cursor's own host fd leaves the process its reserve
    /// (see [`crate::host::fd_has_headroom`]).
    pub fn leaves_reserve(&self) -> bool {
        self.stream.leaves_reserve()
    }

    /// The index of the entry [`DirCursor::peek`] returns.
    fn position(&self) -> u64 {
        self.pending.as_ref().map_or(self.next, |(i, _)| *i)
    }

    /// Moves to the entry with index `cookie` (past the end is the end).
    pub fn seek(&mut self, cookie: u64) -> io::Result<()> {
        if cookie < self.position() {
            self.stream.rewind()?;
            self.next = 0;
            self.pending = None;
        }
        while self.position() < cookie {
            if self.peek()?.is_none() {
                break;
            }
            self.pending = None;
        }
        Ok(())
    }

    /// The entry at the cursor, with its index, without moving past it.
    pub fn peek(&mut self) -> io::Result<Option<&(u64, Entry)>> {
        if self.pending.is_none() {
            self.pending = self.read_next()?;
        }
        Ok(self.pending.as_ref())
    }

    /// Moves past the entry [`DirCursor::peek`] returned.
    pub fn advance(&mut self) {
        self.pending = None;
    }

    fn read_next(&mut self) -> io::Result<Option<(u64, Entry)>> {
        let index = self.next;
        let entry = match index {
            0 => Some(Entry { name: b".".to_vec(), ino: self.own_ino, filetype: filetype::DIRECTORY }),
            1 => Some(Entry { name: b"..".to_vec(), ino: self.own_ino, filetype: filetype::DIRECTORY }),
            _ => self.stream.next_entry()?,
        };
        Ok(entry.map(|e| {
            self.next += 1;
            (index, e)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cursor: &mut DirCursor) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        while let Some((i, e)) = cursor.peek().unwrap() {
            out.push((*i, String::from_utf8(e.name.clone()).unwrap()));
            cursor.advance();
        }
        out
    }

    #[test]
    fn lists_dot_entries_first_then_everything_once_and_resumes_by_cookie() {
        let dir = std::env::temp_dir().join(format!("wasi-rs-dirstream-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        for i in 0..500 {
            std::fs::write(dir.join(format!("f{i:03}")), b"").unwrap();
        }
        let handle = cap_std::fs::Dir::open_ambient_dir(&dir, cap_std::ambient_authority()).unwrap();
        let mut c = DirCursor::open(&handle).unwrap();
        let all = names(&mut c);
        assert_eq!(all.len(), 502);
        assert_eq!((all[0].1.as_str(), all[1].1.as_str()), (".", ".."));
        let mut sorted: Vec<_> = all[2..].iter().map(|(_, n)| n.clone()).collect();
        sorted.sort();
        assert_eq!(sorted, (0..500).map(|i| format!("f{i:03}")).collect::<Vec<_>>());
        assert!(all.iter().enumerate().all(|(k, (i, _))| *i == k as u64));
        // Back to an earlier cookie (a rewind), and forward to a later one.
        c.seek(300).unwrap();
        assert_eq!(c.peek().unwrap().unwrap().1.name, all[300].1.as_bytes());
        c.seek(7).unwrap();
        assert_eq!(c.peek().unwrap().unwrap().1.name, all[7].1.as_bytes());
        c.seek(10_000).unwrap();
        assert!(c.peek().unwrap().is_none());
        // Windows removes no directory that is still open.
        drop(c);
        drop(handle);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
