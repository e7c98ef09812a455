//! napi's link set-up, and two versions the add-on reports:
//! - wasmtime's, from the lock file, for `version()`;
//! - wasi-rs's, from the repository's `package.json` (the one source of the
//!   package version), for `packageVersion()`: `lib/engine.js` loads only
//!   an engine built for its own release, since the options the two
//!   add-ons pass each other are not a stable interface.
fn main() {
    napi_build::setup();
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let wasmtime = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasmtime\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WASI_RS_WASMTIME_VERSION={wasmtime}");
    println!("cargo:rerun-if-changed=Cargo.lock");

    let manifest = std::fs::read_to_string("../package.json").expect("engine/../package.json, wasi-rs's manifest");
    let package = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"version\": \""))
        .and_then(|v| v.split('"').next())
        .expect("a \"version\" line in package.json");
    println!("cargo:rustc-env=WASI_RS_PACKAGE_VERSION={package}");
    println!("cargo:rerun-if-changed=../package.json");
}
