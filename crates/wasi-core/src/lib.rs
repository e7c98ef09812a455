//! The WASI preview1 implementation behind wasi-rs, free of Node-API types
//! so that it is tested and fuzzed with plain `cargo test`.
//!
//! - [`memory`]: the only guest-memory access (bounds-checked, typed);
//! - [`errno`]: WASI's errno values;
//! - [`types`]: WASI structs and constants with their guest layouts;
//! - [`fdtable`]: the descriptor table; [`host`]: the host-call layer
//!   (every system call, host errors as errnos, the EINTR and blocking
//!   policies) and the one home of platform code (`host/unix/`,
//!   `host/windows/`);
//! - [`sandbox`]: the `cap-std` capability sandbox, behind one module;
//! - [`random`]: the pool of random bytes behind `random_get`;
//! - [`dirstream`]: the bounded cursor behind `fd_readdir`;
//! - [`ctx`]: one instance's state; [`syscalls`]: one module per family,
//!   and the table the embedders dispatch through.

pub mod ctx;
pub mod dirstream;
pub mod errno;
pub mod fdtable;
pub mod host;
pub mod memory;
pub mod random;
pub mod sandbox;
pub mod syscalls;
pub mod types;

pub use ctx::{Config, Listener, Preopen, Process, SetupError, SocketSpec, WasiCtx};
pub use errno::Errno;
pub use memory::{GuestMemory, SharedLength};
pub use syscalls::{imports, Abi, Param, Syscall, PREVIEW1, UNSTABLE_OVERRIDES};
