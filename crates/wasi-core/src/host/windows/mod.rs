//! The host calls on Windows: `windows-sys`, and std, cap-std,
//! `io-extras` and `system-interface` where they reach. A host descriptor
//! is a HANDLE or a SOCKET (`fd.rs`). The modules are those `host/mod.rs`
//! lists, with the same functions as `unix/`.

pub mod clock;
pub mod convert;
pub mod dir;
pub mod entropy;
pub mod errno;
pub mod fd;
pub mod file;
pub mod io;
pub mod limits;
pub mod net;
pub mod paths;
pub mod poll;
pub mod stdio;
