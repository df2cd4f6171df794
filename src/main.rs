// The C `main` instead of Rust's runtime start: see `tokenctl::entry`. (A test build of
// this file keeps the test harness's own main.)
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
#[unsafe(no_mangle)]
pub extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    tokenctl::entry::start();
    let code = tokenctl::run(std::env::args_os());
    tokenctl::entry::finish();
    code.into()
}
