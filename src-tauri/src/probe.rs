//! Start-up measurement for the benchmark (`scripts/bench-app`): the time
//! from the process starting to the first window asking for `app_info`,
//! which the UI does once it has mounted and can take input.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use tauri::{AppHandle, Runtime};

static STARTED: OnceLock<Instant> = OnceLock::new();
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Called first thing in `main`.
pub fn process_started() {
    let _ = STARTED.set(Instant::now());
}

/// With `WENSHU_STARTUP_PROBE` set, prints `interactive_ms=N` to stderr the
/// first time a window is interactive; with the value `exit`, then quits.
pub fn window_interactive<R: Runtime>(app: &AppHandle<R>) {
    let Some(mode) = std::env::var_os("WENSHU_STARTUP_PROBE") else {
        return;
    };
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ms = STARTED
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    eprintln!("interactive_ms={ms:.1} pid={}", std::process::id());
    if mode == "exit" {
        app.exit(0);
    }
}
