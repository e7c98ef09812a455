//! Directory listings on Unix, for `fd_readdir`'s cursor (`dirstream.rs`).

use crate::host::DirEntry as Entry;
use std::io;

/// A directory's entries, from a `getdents` stream of its own (its
/// position is independent of any other descriptor of the directory).
pub struct DirStream(rustix::fs::Dir);

impl DirStream {
    /// Opens a stream of its own over `dir`, and returns the directory's inode.
    pub fn open(dir: &cap_std::fs::Dir) -> io::Result<(DirStream, u64)> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(dir, c".", OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        #[allow(clippy::unnecessary_cast, reason = "st_ino is narrower than u64 on some targets")]
        let own_ino = rustix::fs::fstat(&fd)?.st_ino as u64;
        Ok((DirStream(rustix::fs::Dir::new(fd)?), own_ino))
    }

    pub fn rewind(&mut self) -> io::Result<()> {
        self.0.rewind();
        Ok(())
    }

    pub fn leaves_reserve(&self) -> bool {
        self.0.fd().map_or(true, crate::host::fd_has_headroom)
    }

    /// The host's next entry other than `.` and `..` (which the cursor lists itself).
    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        use super::convert::filetype_from_host;
        use rustix::fs::{AtFlags, FileType};
        loop {
            let Some(e) = self.0.read() else { return Ok(None) };
            let e = e?;
            let name = e.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let mut ft = e.file_type();
            if ft == FileType::Unknown {
                // Some file systems leave d_type out: ask the inode.
                let st = rustix::fs::statat(self.0.fd()?, e.file_name(), AtFlags::SYMLINK_NOFOLLOW)?;
                ft = FileType::from_raw_mode(st.st_mode);
            }
            return Ok(Some(Entry { name: name.to_vec(), ino: e.ino(), filetype: filetype_from_host(ft) }));
        }
    }
}
