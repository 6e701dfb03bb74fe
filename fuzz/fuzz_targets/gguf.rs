//! GGUF model headers: `validate` of crates/core/src/models/gguf/ must give
//! a summary or a `ModelFileError`, never a panic, an abort or a huge
//! allocation, since its whole point is to stand between a damaged file and
//! llama.cpp.
//!
//! The module is compiled straight from its source file rather than through
//! wenshu-core, so that this target does not build llama.cpp (see
//! fuzz/Cargo.toml); it needs nothing else of wenshu-core.
//!
//! `validate` takes a path, so each input is written to one scratch file,
//! unlinked as soon as it is opened (nothing is left behind when libFuzzer
//! exits without running destructors) and reached again as `/dev/fd/N`.
#![no_main]

use std::fs::File;
use std::io::{Seek, Write};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

// Only `validate` is called; the hashing and estimate functions go unused.
#[allow(dead_code)]
#[path = "../../crates/core/src/models/gguf/mod.rs"]
mod gguf;

struct Scratch {
    file: File,
    path: PathBuf,
}

fn scratch() -> &'static Mutex<Scratch> {
    static SCRATCH: OnceLock<Mutex<Scratch>> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let named = std::env::temp_dir().join(format!("wenshu-fuzz-gguf-{}", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&named)
            .expect("scratch file opens");
        std::fs::remove_file(&named).expect("scratch file unlinks");
        let path = PathBuf::from(format!("/dev/fd/{}", file.as_raw_fd()));
        Mutex::new(Scratch { file, path })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut scratch = scratch().lock().unwrap();
    let Scratch { file, path } = &mut *scratch;
    file.set_len(0).unwrap();
    file.rewind().unwrap();
    file.write_all(data).unwrap();
    // On macOS /dev/fd/N shares this descriptor's offset.
    file.rewind().unwrap();
    let _ = gguf::validate(path);
});
