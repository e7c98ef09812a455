//! The per-instance WASI state: arguments, environment and fd table.

use crate::fdtable::{Descriptor, DirFd, FdTable, Kind};
use crate::host::{self, HostFd};
use crate::sandbox::{open_preopen, PreopenError};
use crate::types::rights;
use std::path::PathBuf;

/// What the embedder configures, already validated by the JS layer.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `argv`, program name first.
    pub args: Vec<String>,
    /// `KEY=value` strings.
    pub env: Vec<String>,
    /// Guest name and host directory of each preopen, in fd order from 3.
    pub preopens: Vec<(String, PathBuf)>,
    /// Host fds for the guest's fds 0, 1 and 2.
    pub stdio: [i32; 3],
}

/// A preopen that could not be opened, naming its host path.
#[derive(Debug)]
pub struct PreopenFailure {
    pub guest: String,
    pub host: PathBuf,
    pub error: PreopenError,
}

impl std::fmt::Display for PreopenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot preopen '{}' (for guest path '{}'): {}", self.host.display(), self.guest, self.error)
    }
}

/// One WASI instance's state. Every syscall takes it by `&mut`.
pub struct WasiCtx {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub fds: FdTable,
}

impl WasiCtx {
    /// Builds the state: stdio at fds 0-2, then each preopen.
    pub fn new(config: Config) -> Result<WasiCtx, PreopenFailure> {
        let mut fds = FdTable::default();
        for host in config.stdio {
            let h = HostFd::new(host);
            let base = h.borrow().and_then(host::filetype).map(host::rights_for_filetype).unwrap_or(rights::TTY_BASE);
            fds.insert(Descriptor::new(Kind::Stdio(h), base, 0)).expect("an empty table has room for stdio");
        }
        for (guest, host) in config.preopens {
            let dir = open_preopen(&host).map_err(|error| PreopenFailure { guest: guest.clone(), host: host.clone(), error })?;
            let kind = Kind::Dir(DirFd { dir, preopen_name: Some(guest), listing: None });
            fds.insert(Descriptor::new(kind, rights::DIRECTORY_BASE, rights::DIRECTORY_INHERITING))
            .map_err(|_| PreopenFailure {
                guest: String::new(),
                host,
                error: PreopenError::Open(std::io::Error::from_raw_os_error(rustix::io::Errno::MFILE.raw_os_error())),
            })?;
        }
        Ok(WasiCtx { args: config.args, env: config.env, fds })
    }
}
