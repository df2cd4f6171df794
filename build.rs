//! Links libgcc's unwinder statically on Linux with glibc, so the dynamic loader does not map
//! libgcc_s.so.1 at every start (see the comment in `main`).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let feature = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    if target_os != "linux" || target_env != "gnu" || feature.split(',').any(|f| f == "crt-static")
    {
        return;
    }
    // `verify` is one process per deploy-hook call. Rust's std links libgcc_s.so.1 for its
    // unwinder, and loading it costs more than all of verify's own SQL: ld.so maps it and
    // binds its symbols, and its constructor asks the CPU its features with CPUID, a trap
    // to the hypervisor on a VM (0.15 ms of CPU per process here). libgcc_eh.a is the same
    // unwinder as an archive (what `gcc -static-libgcc` links); taken whole, it defines
    // every `_Unwind_*` symbol before std's `-lgcc_s` is reached, so the linker's
    // --as-needed drops libgcc_s. A compiler without it just leaves things as they were.
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let Ok(out) = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
    else {
        return;
    };
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let archive = std::path::Path::new(&path);
    if !out.status.success() || !archive.is_absolute() || !archive.is_file() {
        return;
    }
    if let Some(dir) = archive.parent() {
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=static:+whole-archive=gcc_eh");
    }
}
