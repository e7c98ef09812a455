//! The guest's own hold on the embedder's stdio streams and lent sockets.

use crate::host::HostFd;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::FileType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// The guest's hold on one of the embedder's stdio streams: a duplicate
/// of the host fd taken when the instance is made, so the guest keeps the
/// stream it was given even if the embedder later closes that fd number
/// and it is reused. Instances share the duplicate of a stream while it
/// is the same open file (see `same_open_file`) rather than take three
/// fds each: a service that makes one instance per request holds three
/// duplicates in all, not three per instance until collected.
///
/// `Ok(None)` when the host fd is not open: the guest then gets `EBADF`
/// on it. An error when it is open but cannot be duplicated (the process
/// is out of fds): the embedder is told, rather than the guest finding a
/// closed stdout.
pub fn hold_stdio(raw: i32) -> std::io::Result<Option<Arc<OwnedFd>>> {
    type Held = HashMap<i32, Weak<OwnedFd>>;
    static HELD: Mutex<Option<Held>> = Mutex::new(None);
    let host = HostFd::new(raw);
    let Ok(borrowed) = host.borrow() else { return Ok(None) };
    if rustix::fs::fstat(borrowed).is_err() {
        return Ok(None);
    }
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let held = held.get_or_insert_with(HashMap::new);
    if let Some(dup) = held.get(&raw).and_then(Weak::upgrade) {
        if same_open_file(borrowed, dup.as_fd()) {
            return Ok(Some(dup));
        }
    }
    let dup = Arc::new(rustix::io::fcntl_dupfd_cloexec(borrowed, 3)?);
    held.retain(|_, w| w.strong_count() > 0);
    held.insert(raw, Arc::downgrade(&dup));
    Ok(Some(dup))
}

/// Whether `a` and `b` are one open file description (so one offset and
/// one set of status flags): a duplicate made from the embedder's fd
/// earlier is still that fd's stream. The same file and flags are not
/// enough (the embedder may have closed the fd and opened the file again
/// at that number, with an offset of its own), so the answer is read from
/// the kernel: `O_NONBLOCK`, set on `b` for an instant, shows on `a` only
/// if they share the description. Flipped only on a regular file, where
/// it changes no I/O; on any other stream the identity of the object
/// (device and inode of the pipe, socket or terminal) is enough, since
/// such a stream has no offset of its own.
fn same_open_file(a: BorrowedFd<'_>, b: BorrowedFd<'_>) -> bool {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    let (Ok(sa), Ok(sb)) = (rustix::fs::fstat(a), rustix::fs::fstat(b)) else { return false };
    if (sa.st_dev, sa.st_ino) != (sb.st_dev, sb.st_ino) {
        return false;
    }
    if FileType::from_raw_mode(sa.st_mode) != FileType::RegularFile {
        return true;
    }
    let (Ok(fa), Ok(fb)) = (fcntl_getfl(a), fcntl_getfl(b)) else { return false };
    if fa != fb || fcntl_setfl(b, fb ^ OFlags::NONBLOCK).is_err() {
        return false;
    }
    let seen = fcntl_getfl(a);
    let _ = fcntl_setfl(b, fb);
    seen.is_ok_and(|f| f == fb ^ OFlags::NONBLOCK)
}

/// The guest's hold on a socket the embedder lends (`{ fd }`): a
/// duplicate taken now, so that the guest keeps that socket even if the
/// embedder closes its fd and the number is reused (say, by another
/// tenant's file). Fails unless `raw` is an open socket.
pub fn hold_lent_socket(raw: i32) -> std::io::Result<OwnedFd> {
    let host = HostFd::new(raw);
    let borrowed = host.borrow().map_err(|_| std::io::Error::from(rustix::io::Errno::BADF))?;
    if !super::file::is_socket(borrowed)? {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a socket"));
    }
    Ok(rustix::io::fcntl_dupfd_cloexec(borrowed, 3)?)
}

/// A new pipe, `[read end, write end]` as raw fds the caller owns, both
/// close-on-exec: the embedder's end of a guest's stdio when the embedder
/// serves it from JS (a stream or a callback; see `lib/js-stdio.js`).
pub fn pipe() -> std::io::Result<[i32; 2]> {
    use std::os::fd::IntoRawFd;
    let (r, w) = pipe_owned()?;
    Ok([r.into_raw_fd(), w.into_raw_fd()])
}

fn pipe_owned() -> std::io::Result<(OwnedFd, OwnedFd)> {
    #[cfg(not(target_vendor = "apple"))]
    return Ok(rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?);
    // macOS has no pipe2: close-on-exec is set right after. (A child that
    // another thread spawns in that instant could inherit the ends; the
    // worst it could do is hold a guest's stdio pipe open.)
    #[cfg(target_vendor = "apple")]
    {
        let (r, w) = rustix::pipe::pipe()?;
        for fd in [&r, &w] {
            rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC)?;
        }
        Ok((r, w))
    }
}
