//! The guest's own hold on the embedder's stdio, on Windows: a duplicate of
//! the HANDLE (`DuplicateHandle`), taken when the instance is made, so the
//! guest keeps the stream it was given even if the embedder closes its fd.
//! Unlike on Unix, instances do not share one duplicate: handles are not a
//! scarce resource here.

use crate::host::{HostFd, OwnedFd, RawHostFd};
use std::sync::Arc;

/// A duplicate of the embedder's stdio HANDLE `raw`, or `Ok(None)` if it
/// is not a valid handle (the guest then gets `EBADF` on it); an error if
/// it is one but cannot be duplicated.
pub fn hold_stdio(raw: RawHostFd) -> std::io::Result<Option<Arc<OwnedFd>>> {
    let host = HostFd::new(raw);
    let Some(handle) = host.borrow().ok().and_then(|b| b.as_handle()) else { return Ok(None) };
    let owned = handle.try_clone_to_owned()?;
    Ok(Some(Arc::new(OwnedFd::from_handle(owned))))
}

/// Lent sockets: Node on Windows gives JS no socket descriptors to lend,
/// so `{ fd }` is refused with a message that says what works instead
/// (docs/api.md, Sockets).
pub fn hold_lent_socket(_fd: i32) -> std::io::Result<OwnedFd> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "on Windows, lend sockets with { listen }, not { fd }"))
}

/// Pipes for stdio served from JS: not on Windows yet (Node cannot read a
/// raw pipe HANDLE without blocking a thread of its pool).
pub fn pipe() -> std::io::Result<[i32; 2]> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "streams and callbacks as stdio are not supported on Windows yet"))
}
