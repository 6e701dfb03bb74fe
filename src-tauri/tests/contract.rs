//! The UI's contract with the shell, generated from the Rust types: every
//! error code a command can reject with, and the string enums that cross
//! the boundary, written to `ui/src/api/generated.ts`. The test fails when
//! the committed file is not what the Rust types give (run it with
//! `WENSHU_BLESS=1` to rewrite it); the UI's own tests then fail for any
//! code without a zh-Hant and an English text.

// A test binary: its helpers may panic like its tests (clippy.toml
// allows `unwrap` in `#[test]` functions only).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde::Serialize;

fn union<T: Serialize>(name: &str, doc: &str, values: &[T]) -> String {
    let names: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).expect("an enum serialises as a string"))
        .collect();
    let constant = name
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c]
            } else {
                vec![c.to_ascii_uppercase()]
            }
        })
        .collect::<String>()
        .trim_start_matches('_')
        .to_string();
    let plural = if constant.ends_with('S') { "ES" } else { "S" };
    format!(
        "/** {doc} */\nexport const {constant}{plural} = [{}] as const;\nexport type {name} = (typeof {constant}{plural})[number];\n",
        names.join(", ")
    )
}

fn generated() -> String {
    use strum::VariantArray;
    use wenshu_core::settings::{Theme, UiLang};
    use wenshu_core::store::export::ExportFormat;
    use wenshu_core::store::{FileStatus, JobStatus, RunStatus};
    use wenshu_core::tasks::{DocType, Status, TaskKind};
    use wenshu_core::text::Lang;
    let codes: Vec<&str> = wenshu_desktop::error::all_codes();
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/tests/contract.rs; do not edit.\n\
         // `WENSHU_BLESS=1 cargo test -p wenshu-desktop --test contract` rewrites it.\n\n",
    );
    for part in [
        union(
            "ErrorCode",
            "Every code a command can reject with (core's and the shell's).",
            &codes,
        ),
        union("Lang", "A language Wenshu reads or writes.", &Lang::ALL),
        union("TaskKind", "The four verbs.", &TaskKind::ALL),
        union(
            "DocType",
            "Kinds of official document a draft can be.",
            &DocType::ALL,
        ),
        union("TaskStatus", "How a task ended.", &Status::ALL),
        union(
            "ExportFormat",
            "What runs are exported as.",
            &ExportFormat::ALL,
        ),
        union(
            "JobStatus",
            "Where a batch job stands.",
            JobStatus::VARIANTS,
        ),
        union(
            "FileStatus",
            "Where one file of a batch job stands.",
            FileStatus::VARIANTS,
        ),
        union("RunStatus", "How a stored run ended.", RunStatus::VARIANTS),
        union(
            "UiLang",
            "The language of the app's own words.",
            UiLang::VARIANTS,
        ),
        union("Theme", "Light, dark or the desktop's.", Theme::VARIANTS),
    ] {
        out.push_str(&part);
        out.push('\n');
    }
    out
}

#[test]
fn the_uis_codes_and_enums_are_the_ones_the_rust_types_give() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/generated.ts");
    let fresh = generated();
    if std::env::var_os("WENSHU_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is not what the Rust types give; rerun with WENSHU_BLESS=1 and commit it",
        path.display()
    );
}

#[test]
fn every_code_is_listed_once_and_includes_the_window_s_own() {
    let codes = wenshu_desktop::error::all_codes();
    let mut sorted = codes.clone();
    sorted.dedup();
    assert_eq!(codes, sorted);
    for code in [
        "open_failed",
        "batch_not_running",
        "zip_bomb",
        "input_empty",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
    for gone in ["empty_input", "draft_needs_type", "save_failed"] {
        assert!(!codes.contains(&gone), "{gone} is sent by nothing now");
    }
}
