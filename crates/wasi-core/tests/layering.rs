//! The layering docs/architecture.md describes, checked on the source: the syscall
//! families speak WASI and call the host layer (`host/`), never `rustix`,
//! `windows-sys` or `libc` directly, and no module outside the host layer
//! handles `EINTR` itself.

use std::fs;
use std::path::Path;

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

#[test]
fn syscalls_make_no_host_calls_of_their_own() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syscalls");
    for (file, text) in sources(&dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            for crate_name in ["rustix::", "windows_sys::", "libc::"] {
                assert!(!code.contains(crate_name), "{file}:{}: `{crate_name}` outside the host layer: {line}", n + 1);
            }
        }
    }
}

#[test]
fn eintr_is_decided_in_the_host_layer_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = sources(&src);
    files.extend(sources(&src.join("syscalls")));
    for (file, text) in files {
        assert!(!text.contains("Errno::INTR"), "{file} handles EINTR itself; use host::retry_on_intr");
    }
}
