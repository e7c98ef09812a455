//! The host calls on Unix: Linux and macOS, over `rustix`. Where the two
//! differ, a `cfg` inside the one function concerned says how (see
//! `file.rs`, `io.rs`, `net.rs`, `entropy.rs`, `stdio.rs`). The modules are
//! those `host/mod.rs` lists, with the same functions as `windows/`.

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
