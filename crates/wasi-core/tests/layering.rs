//! The layering docs/architecture.md describes, checked on the source:
//! - nothing points back up: each module of the core uses only its own
//!   layer and those below it;
//! - platform code has one home, `host/`: no platform `cfg` and no
//!   `rustix`, `libc` or `windows-sys` anywhere else, in the core or in
//!   the Node-API binding (`src/`);
//! - no module outside the host layer handles `EINTR` itself.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its path relative to `dir` and its
/// text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn binding_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src")
}

/// The lines of `text` without their comments (doc comments name other
/// modules freely), numbered from 1.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(n, line)| (n + 1, line.split("//").next().unwrap()))
}

/// The core's layers, top down; a module may use its own layer and those
/// below.
const LAYERS: &[&[&str]] =
    &[&["syscalls"], &["ctx", "fdtable"], &["sandbox", "dirstream", "random"], &["host"], &["types", "memory", "errno"]];

fn layer_of(module: &str) -> usize {
    LAYERS.iter().position(|layer| layer.contains(&module)).unwrap_or_else(|| panic!("module `{module}` is in no layer of LAYERS"))
}

/// The top-level module a source file belongs to (`host/unix/io.rs` is
/// `host`); `lib.rs` is the crate root, above every layer.
fn module_of(file: &Path) -> Option<String> {
    let first = file.components().next().unwrap().as_os_str().to_str().unwrap();
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

#[test]
fn nothing_points_back_up() {
    for (file, text) in sources(&core_src()) {
        let Some(module) = module_of(&file) else { continue };
        let own = layer_of(&module);
        for (n, code) in code_lines(&text) {
            for (at, _) in code.match_indices("crate::") {
                let used: String = code[at + "crate::".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if used.is_empty() || used == module {
                    continue;
                }
                assert!(layer_of(&used) >= own, "{}:{n}: `{module}` uses `{used}`, a layer above it: {code}", file.display());
            }
        }
    }
}

/// Whether a line of code makes a platform choice: a `cfg` (attribute or
/// macro, `cfg_attr` too) that names a platform.
fn is_platform_cfg(code: &str) -> bool {
    const PLATFORM: [&str; 7] = ["unix", "windows", "target_os", "target_vendor", "target_family", "target_env", "target_arch"];
    code.contains("cfg") && PLATFORM.iter().any(|p| code.contains(p))
}

fn outside_host(file: &Path) -> bool {
    !file.starts_with("host")
}

#[test]
fn platform_code_lives_in_the_host_layer_only() {
    let mut files: Vec<(String, PathBuf, String)> = Vec::new();
    for (file, text) in sources(&core_src()) {
        if outside_host(&file) {
            files.push(("crates/wasi-core/src".into(), file, text));
        }
    }
    for (file, text) in sources(&binding_src()) {
        files.push(("src".into(), file, text));
    }
    assert!(files.iter().any(|(_, f, _)| f == Path::new("sandbox.rs")), "the walk found the core's modules");
    for (root, file, text) in &files {
        for (n, code) in code_lines(text) {
            assert!(!is_platform_cfg(code), "{root}/{}:{n}: a platform `cfg` outside host/: {code}", file.display());
            for crate_name in ["rustix", "libc", "windows_sys"] {
                let named = code.contains(&format!("{crate_name}::")) || code.contains(&format!("use {crate_name}"));
                assert!(!named, "{root}/{}:{n}: `{crate_name}` outside host/: {code}", file.display());
            }
        }
    }
}

#[test]
fn the_platform_check_sees_what_it_forbids() {
    assert!(is_platform_cfg("#[cfg(unix)]"));
    assert!(is_platform_cfg("    #[cfg(all(test, windows))]"));
    assert!(is_platform_cfg("if cfg!(target_os = \"linux\") {"));
    assert!(is_platform_cfg("#[cfg_attr(windows, path = \"x.rs\")]"));
    assert!(!is_platform_cfg("#[cfg(test)]"));
    assert!(!is_platform_cfg("let windows = 3;"));
    assert!(outside_host(Path::new("sandbox.rs")));
    assert!(!outside_host(Path::new("host/unix/io.rs")));
    assert_eq!(module_of(Path::new("host/windows/errno.rs")).as_deref(), Some("host"));
    assert_eq!(module_of(Path::new("lib.rs")), None);
}

#[test]
fn eintr_is_decided_in_the_host_layer_only() {
    for (file, text) in sources(&core_src()) {
        if outside_host(&file) {
            assert!(!text.contains("Errno::INTR"), "{} handles EINTR itself; use host::retry_on_intr", file.display());
        }
    }
}
