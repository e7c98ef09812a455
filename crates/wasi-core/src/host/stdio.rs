//! The guest's own hold on the embedder's stdio streams and lent sockets.

use super::HostFd;
use rustix::fd::OwnedFd;
use rustix::fs::FileType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// The guest's hold on one of the embedder's stdio streams: a duplicate
/// of the host fd taken when the instance is made, so the guest keeps the
/// stream it was given even if the embedder later closes that fd number
/// and it is reused. Instances of one process share the duplicate of a
/// stream (keyed by the fd number and the open object's identity) rather
/// than take three fds each. `None` when the host fd is closed: the guest
/// then gets `EBADF` on it.
pub fn hold_stdio(raw: i32) -> Option<Arc<OwnedFd>> {
    type Held = HashMap<i32, ((u64, u64), Weak<OwnedFd>)>;
    static HELD: Mutex<Option<Held>> = Mutex::new(None);
    let host = HostFd::new(raw);
    let borrowed = host.borrow().ok()?;
    let st = rustix::fs::fstat(borrowed).ok()?;
    let identity = (st.st_dev as u64, st.st_ino as u64);
    // A regular file's offset belongs to its open file description, which
    // the identity cannot tell apart: those are never shared.
    let shareable = FileType::from_raw_mode(st.st_mode) != FileType::RegularFile;
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let held = held.get_or_insert_with(HashMap::new);
    if shareable {
        if let Some((id, weak)) = held.get(&raw) {
            if *id == identity {
                if let Some(fd) = weak.upgrade() {
                    return Some(fd);
                }
            }
        }
    }
    let dup = Arc::new(rustix::io::fcntl_dupfd_cloexec(borrowed, 3).ok()?);
    if shareable {
        held.retain(|_, (_, w)| w.strong_count() > 0);
        held.insert(raw, (identity, Arc::downgrade(&dup)));
    }
    Some(dup)
}

/// The guest's hold on a socket the embedder lends (`{ fd }`): a
/// duplicate taken now, so that the guest keeps that socket even if the
/// embedder closes its fd and the number is reused (say, by another
/// tenant's file). Fails unless `raw` is an open socket.
pub fn hold_lent_socket(raw: i32) -> std::io::Result<OwnedFd> {
    let host = HostFd::new(raw);
    let borrowed = host.borrow().map_err(|_| std::io::Error::from(rustix::io::Errno::BADF))?;
    if !super::is_socket(borrowed)? {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a socket"));
    }
    Ok(rustix::io::fcntl_dupfd_cloexec(borrowed, 3)?)
}
