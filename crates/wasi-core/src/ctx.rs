//! The WASI state: what a guest process shares between its threads
//! ([`Process`]: arguments, environment, the fd table, its exit status),
//! and what each thread keeps for itself ([`WasiCtx`]: a handle on the
//! process, a random pool, the embedder's interrupt check).

use crate::errno::Errno;
use crate::fdtable::{Descriptor, DirFd, FdTable, Kind, SharedFdTable};
use crate::host;
use crate::host::AsHost;
use crate::random::RandomPool;
use crate::sandbox::{open_preopen, PreopenError};
use crate::types::rights;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, MutexGuard};

/// A socket the embedder grants the guest.
#[derive(Clone, Debug)]
pub enum SocketSpec {
    /// Bind a TCP listener to this address (`"127.0.0.1:8080"`, port 0
    /// for any free port), as wasmtime's `--tcplisten` does.
    Listen(String),
    /// A host socket fd the embedder lends; it stays the embedder's.
    Fd(i32),
}

/// A host directory the guest is given, under a guest name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    pub guest: String,
    pub host: PathBuf,
    /// Whether the tree is read-only to the guest: it may read it, but
    /// not create, write, rename, link, unlink, truncate or set times in
    /// it (`EPERM`), whatever rights it asks for.
    pub read_only: bool,
}

impl Preopen {
    /// A read-write preopen of `host` as `guest`.
    pub fn new(guest: impl Into<String>, host: impl Into<PathBuf>) -> Preopen {
        Preopen { guest: guest.into(), host: host.into(), read_only: false }
    }

    /// The same, read-only.
    pub fn read_only(self) -> Preopen {
        Preopen { read_only: true, ..self }
    }
}

/// What the embedder configures, already validated by the JS layer.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `argv`, program name first.
    pub args: Vec<String>,
    /// `KEY=value` strings.
    pub env: Vec<String>,
    /// The preopens, in fd order from 3.
    pub preopens: Vec<Preopen>,
    /// Sockets, in fd order after the preopens.
    pub sockets: Vec<SocketSpec>,
    /// Host fds for the guest's fds 0, 1 and 2.
    pub stdio: [host::RawHostFd; 3],
    /// The most descriptors the guest may hold, stdio and preopens
    /// included (0: [`crate::fdtable::MAX_FDS`]).
    pub max_fds: usize,
    /// Whether `path_open` grants only the rights asked for, within what
    /// the directory may hand down, as Node does (`ENOTCAPABLE` past them).
    /// Off (the default), it grants what the open mode, the file's type
    /// and the preopen's permissions allow, as wasmtime does: programs
    /// written for wasmtime open files with rights 0.
    pub enforce_rights: bool,
}

/// Why an instance could not be set up.
#[derive(Debug)]
pub enum SetupError {
    /// A preopen that could not be opened, naming its host path.
    Preopen { guest: String, host: PathBuf, error: PreopenError },
    /// A socket that could not be bound or is not a socket.
    Socket { spec: String, error: std::io::Error },
    /// The descriptor limit leaves no room for stdio, the preopens and
    /// the sockets.
    Limit { max_fds: usize },
    /// A stdio stream (0-2) is open but could not be held (the process is
    /// out of fds).
    Stdio { fd: usize, error: std::io::Error },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::Preopen { guest, host, error } => {
                write!(f, "cannot preopen '{}' (for guest path '{guest}'): {error}", host.display())
            }
            SetupError::Socket { spec, error } => write!(f, "cannot use socket {spec}: {error}"),
            SetupError::Limit { max_fds } => write!(f, "maxFds {max_fds} leaves no room for stdio, the preopens and the sockets"),
            SetupError::Stdio { fd, error } => {
                let name = ["stdin", "stdout", "stderr"].get(*fd).copied().unwrap_or("stdio");
                write!(f, "cannot hold {name} for the guest: {error}")
            }
        }
    }
}

/// A listener as the embedder may want to know it (the port that port 0
/// became).
#[derive(Clone, Copy, Debug)]
pub struct Listener {
    pub fd: u32,
    pub addr: SocketAddr,
}

/// One guest process: what every thread of it shares. A `WASI` object on
/// an unshared memory is a process of its own; the objects bound to one
/// shared memory (the threads of a wasi-threads program, the workers of a
/// napi-rs package) are one process, whose threads each hold a
/// [`WasiCtx`] on it. Everything here is immutable after set-up, atomic,
/// or behind the fd table's lock (see [`crate::fdtable`]).
pub struct Process {
    pub args: Vec<String>,
    pub env: Vec<String>,
    fds: SharedFdTable,
    /// The listeners bound for `SocketSpec::Listen`, in order.
    pub listeners: Vec<Listener>,
    /// The preopens as configured: a thread that joins the process must
    /// have been given the same sandbox.
    pub preopens: Vec<Preopen>,
    /// See [`Config::enforce_rights`].
    pub enforce_rights: bool,
    /// The status passed to `proc_exit` by any thread, once one did
    /// ([`NOT_EXITED`] until then).
    exit_status: AtomicI64,
}

/// [`Process::exit_status`] while no thread has called `proc_exit`.
const NOT_EXITED: i64 = -1;

impl Process {
    /// Locks the fd table for a look-up or a change (never across I/O
    /// that waits: see [`crate::fdtable`]).
    #[inline]
    pub fn fds(&self) -> MutexGuard<'_, FdTable> {
        self.fds.lock()
    }

    /// Records that a thread ended the process with `status`; the first
    /// status recorded wins. Returns the status in force.
    pub fn exit(&self, status: u32) -> u32 {
        match self.exit_status.compare_exchange(NOT_EXITED, i64::from(status), Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => status,
            Err(first) => first as u32,
        }
    }

    /// The status a thread ended the process with, if one did: every other
    /// thread's next call ends that thread too.
    #[inline]
    pub fn exited(&self) -> Option<u32> {
        match self.exit_status.load(Ordering::Acquire) {
            NOT_EXITED => None,
            status => Some(status as u32),
        }
    }
}

/// One thread's handle on its WASI process. Every syscall takes it by
/// `&mut`; what it holds of its own is per thread.
pub struct WasiCtx {
    process: Arc<Process>,
    /// Random bytes for `random_get` (per thread: no lock on that path).
    pub random: RandomPool,
    /// Asked by long waits (`poll_oneoff`) every [`INTERRUPT_CHECK_MS`]
    /// whether the embedder is going away (a worker terminated, the
    /// process exiting); if so the wait ends with `EINTR` at once instead
    /// of holding the teardown for as long as the guest asked to sleep.
    pub interrupt: Option<Box<dyn Fn() -> bool>>,
}

/// How often a long wait asks [`WasiCtx::interrupt`].
pub const INTERRUPT_CHECK_MS: u64 = 50;

impl WasiCtx {
    /// Builds a new process and this thread's handle on it: stdio at fds
    /// 0-2, then each preopen, then each socket.
    pub fn new(config: Config) -> Result<WasiCtx, SetupError> {
        host::refresh_fd_ceiling();
        let max_fds = if config.max_fds == 0 { crate::fdtable::MAX_FDS } else { config.max_fds.min(crate::fdtable::MAX_FDS) };
        let mut fds = FdTable::with_limit(max_fds);
        for (fd, host) in config.stdio.into_iter().enumerate() {
            let held = host::hold_stdio(host).map_err(|error| SetupError::Stdio { fd, error })?;
            let ft = held.as_ref().map_or(Err(Errno::Badf), |fd| host::filetype(fd.as_host()));
            let terminal = held.as_ref().is_some_and(|fd| host::is_terminal(fd.as_host()));
            let base = ft.map_or(rights::TTY_BASE, |ft| host::rights_for_stdio(ft, terminal));
            let mut d = Descriptor::new(Kind::Stdio(held), base, 0);
            if let Ok(ft) = ft {
                d = d.with_filetype(ft);
            }
            fds.insert(d).map_err(|_| SetupError::Limit { max_fds })?;
        }
        for Preopen { guest, host, read_only } in config.preopens.iter().cloned() {
            let dir = match open_preopen(&host) {
                Ok(dir) => dir,
                Err(error) => return Err(SetupError::Preopen { guest, host, error }),
            };
            // The host's root as `/`: absolute symlinks may be followed
            // from it, as they lead nowhere the guest cannot already go.
            let kind = if guest == "/" && crate::sandbox::is_host_root(&host) {
                Kind::Dir(DirFd::host_root(dir))
            } else {
                Kind::Dir(DirFd::new(dir, Some(guest.clone())))
            };
            fds.insert(Descriptor::new(kind, rights::DIRECTORY_BASE, rights::DIRECTORY_INHERITING).in_read_only_tree(read_only))
                .map_err(|_| SetupError::Limit { max_fds })?;
        }
        let mut listeners = Vec::new();
        for spec in config.sockets {
            let (kind, addr) = socket_for(&spec).map_err(|error| SetupError::Socket { spec: describe(&spec), error })?;
            let fd = fds.insert(Descriptor::new(kind, rights::SOCKET_BASE, 0)).map_err(|_| SetupError::Limit { max_fds })?;
            if let Some(addr) = addr {
                listeners.push(Listener { fd, addr });
            }
        }
        let process = Process {
            args: config.args,
            env: config.env,
            fds: SharedFdTable::new(fds),
            listeners,
            preopens: config.preopens,
            enforce_rights: config.enforce_rights,
            exit_status: AtomicI64::new(NOT_EXITED),
        };
        Ok(WasiCtx::on(Arc::new(process)))
    }

    /// A new thread's handle on an existing process.
    pub fn on(process: Arc<Process>) -> WasiCtx {
        WasiCtx { process, random: RandomPool::default(), interrupt: None }
    }

    /// The process this thread belongs to.
    #[inline]
    pub fn process(&self) -> &Arc<Process> {
        &self.process
    }

    /// Makes this thread a thread of `process` instead of the process it
    /// was made with (which is dropped, closing what only it held).
    pub fn join(&mut self, process: Arc<Process>) {
        self.process = process;
    }

    /// Whether a call that waits should give up now: the embedder is going
    /// away ([`WasiCtx::interrupt`]), or another thread ended the process.
    /// Asked every [`INTERRUPT_CHECK_MS`] by every wait (with no
    /// `interrupt`, a wait is never cut short).
    pub fn stop_requested(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|stop| stop()) || self.process.exited().is_some()
    }

    /// Whether waits can be cut short (see [`WasiCtx::stop_requested`]).
    pub fn interruptible(&self) -> bool {
        self.interrupt.is_some()
    }

    /// Locks the process's fd table (see [`Process::fds`]).
    #[inline]
    pub fn fds(&self) -> MutexGuard<'_, FdTable> {
        self.process.fds()
    }

    /// `argv`.
    pub fn args(&self) -> &[String] {
        &self.process.args
    }

    /// `KEY=value` strings.
    pub fn env(&self) -> &[String] {
        &self.process.env
    }

    /// The listeners bound for the process's sockets.
    pub fn listeners(&self) -> &[Listener] {
        &self.process.listeners
    }
}

fn describe(spec: &SocketSpec) -> String {
    match spec {
        SocketSpec::Listen(addr) => format!("listen {addr}"),
        SocketSpec::Fd(fd) => format!("fd {fd}"),
    }
}

/// Binds a listener, or checks that a lent fd is a socket.
fn socket_for(spec: &SocketSpec) -> std::io::Result<(Kind, Option<SocketAddr>)> {
    match spec {
        SocketSpec::Listen(addr) => {
            let listener = std::net::TcpListener::bind(addr.as_str())?;
            let local = listener.local_addr()?;
            Ok((Kind::Socket(listener.into()), Some(local)))
        }
        SocketSpec::Fd(fd) => Ok((Kind::Lent(host::hold_lent_socket(*fd)?), None)),
    }
}
