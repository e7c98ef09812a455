//! napi's link set-up, and wasmtime's version (from the lock file) for
//! `version()`.
fn main() {
    napi_build::setup();
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasmtime\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WASI_RS_WASMTIME_VERSION={version}");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
