//! Directory listings on Windows, for `fd_readdir`'s cursor (`dirstream.rs`).

use crate::host::DirEntry as Entry;
use std::io;

/// The host's directory stream on Windows: cap-std's listing
/// (`FindFirstFile`/`FindNextFile`, which hold one batch of entries), over a
/// handle of its own. Windows gives no inode in a listing without opening
/// each file, so entries report inode 0; names that are not valid Unicode
/// cannot be turned into the guest's UTF-8 and are `EILSEQ`.
pub struct DirStream {
    dir: cap_std::fs::Dir,
    entries: cap_std::fs::ReadDir,
}

impl DirStream {
    pub fn open(dir: &cap_std::fs::Dir) -> io::Result<(DirStream, u64)> {
        let dir = dir.try_clone()?;
        let entries = dir.entries()?;
        Ok((DirStream { dir, entries }, 0))
    }

    pub fn rewind(&mut self) -> io::Result<()> {
        self.entries = self.dir.entries()?;
        Ok(())
    }

    /// Windows keeps no fd reserve (handles are bounded by memory).
    pub fn leaves_reserve(&self) -> bool {
        true
    }

    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        let Some(e) = self.entries.next() else { return Ok(None) };
        let e = e?;
        let name = e.file_name().into_string().map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
        let filetype = super::convert::filetype_from_std(e.file_type()?);
        Ok(Some(Entry { name: name.into_bytes(), ino: 0, filetype }))
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    /// A Windows name that is not valid UTF-16 (an unpaired surrogate)
    /// has no UTF-8 form for the guest: listing it is `InvalidData`
    /// (`EILSEQ`), not a name with replacement characters that would name
    /// another file.
    #[test]
    fn a_name_that_is_not_valid_utf16_is_invalid_data() {
        use std::os::windows::ffi::OsStringExt;
        let dir = std::env::temp_dir().join(format!("wasi-rs-dirstream-utf16-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        let bad = std::ffi::OsString::from_wide(&[u16::from(b'a'), 0xD800]);
        if std::fs::write(dir.join(&bad), b"").is_err() {
            eprintln!("this file system takes no unpaired surrogate in a name (Wine); not tried");
            return;
        }
        let handle = cap_std::fs::Dir::open_ambient_dir(&dir, cap_std::ambient_authority()).unwrap();
        let (mut stream, _) = super::DirStream::open(&handle).unwrap();
        let mut seen = Vec::new();
        let err = loop {
            match stream.next_entry() {
                Ok(Some(e)) => seen.push(e.name),
                Ok(None) => panic!("listed without an error: {seen:?}"),
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        drop(stream);
        drop(handle);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
