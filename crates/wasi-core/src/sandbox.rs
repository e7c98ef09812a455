//! The capability sandbox: the only module that touches `cap-std`.
//!
//! A preopen is a [`cap_std::fs::Dir`]; every path a guest names is resolved
//! beneath one by `cap-std`, which refuses `..` past the root, absolute
//! paths and symlinks that lead outside, without races. Keeping it behind
//! this module lets us swap the implementation later.

use std::io;
use std::path::Path;

pub use cap_std::fs::Dir;

/// Why a preopen could not be opened.
#[derive(Debug)]
pub enum PreopenError {
    /// The host path does not exist or cannot be opened.
    Open(io::Error),
    /// The host path exists but is not a directory.
    NotADirectory,
}

impl std::fmt::Display for PreopenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreopenError::Open(e) => write!(f, "{e}"),
            PreopenError::NotADirectory => write!(f, "not a directory"),
        }
    }
}

/// Opens the host directory `host` as a sandbox root. This is the one place
/// where ambient authority is used: the embedder chose the path.
pub fn open_preopen(host: &Path) -> Result<Dir, PreopenError> {
    let meta = std::fs::metadata(host).map_err(PreopenError::Open)?;
    if !meta.is_dir() {
        return Err(PreopenError::NotADirectory);
    }
    Dir::open_ambient_dir(host, cap_std::ambient_authority()).map_err(PreopenError::Open)
}
