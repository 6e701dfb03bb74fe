//! Documents in and out, and batch translation of folders, through the real
//! binary and the demo model: mirrored trees, reports with one line per bad
//! file, resuming after SIGKILL, review copies, and sources never touched.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wenshu_core::documents::{sample, BlockKind, Document, Format, Limits};
use wenshu_core::store::Store;

use crate::util::{demo_model, sample as sample_text, scratch_home, simplified_chars};

/// Every file under `dir` (not following links) with its sha256.
fn tree_hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_file() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, hex::encode(Sha256::digest(&bytes)));
            }
        }
    }
    out
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;

fn body(paragraphs: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>"#
    )
    .into_bytes()
}

/// One of each kind of bad input the issue lists, written into `src`.
fn write_bad_inputs(src: &Path) {
    let good = sample::docx(1);
    std::fs::write(src.join("truncated.docx"), &good[..good.len() / 2]).unwrap();
    // 64 MiB of zeros as the main part: deflates to a few tens of KiB.
    let zeros = vec![b'0'; 64 << 20];
    std::fs::write(
        src.join("bomb.docx"),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", &zeros),
        ]),
    )
    .unwrap();
    let entity = br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#;
    std::fs::write(
        src.join("entities.docx"),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", entity),
        ]),
    )
    .unwrap();
    let para = body("<w:p><w:r><w:t>The office opens at 9am.</w:t></w:r></w:p>");
    std::fs::write(
        src.join("climbing.docx"),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", &para),
            ("../../evil.sh", b"echo owned"),
        ]),
    )
    .unwrap();
    // An Office-encrypted file: an OLE compound file holding EncryptedPackage.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(512, 0);
    for unit in "EncryptedPackage".encode_utf16() {
        ole.extend_from_slice(&unit.to_le_bytes());
    }
    ole.resize(4096, 0);
    std::fs::write(src.join("protected.docx"), ole).unwrap();
    let mut binary = Vec::new();
    for i in 0..4096u32 {
        binary.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
    }
    std::fs::write(src.join("binary.txt"), binary).unwrap();
    std::fs::write(src.join("empty.md"), b"").unwrap();
    // 100 MB, sparse: refused from its size, never read.
    let big = std::fs::File::create(src.join("huge.txt")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    std::fs::create_dir_all(src.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", src.join("loop/back")).unwrap();
    std::fs::write(src.join("locked.txt"), "The hall is closed.").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        src.join("locked.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::write(src.join("~$lock.docx"), b"lock").unwrap();
    std::fs::write(src.join(".hidden.txt"), b"secret").unwrap();
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// The binary, run so that file permissions apply even when the tests run
/// as root (CI does): root without CAP_DAC_OVERRIDE/READ_SEARCH is refused
/// like anyone else.
fn wenshu_cmd(db: &Path) -> Std {
    let bin = assert_cmd::cargo::cargo_bin("wenshu");
    let mut cmd = if is_root() {
        let mut c = Std::new("setpriv");
        c.args([
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
        ])
        .arg(&bin);
        c
    } else {
        Std::new(&bin)
    };
    cmd.env_remove("RUST_LOG")
        .env("WENSHU_MODEL", demo_model())
        .env("WENSHU_DB", db)
        .env("WENSHU_HOME", scratch_home())
        .current_dir(crate::util::root());
    cmd
}

fn batch_args(src: &Path, out: &Path, to: &str) -> Vec<String> {
    vec![
        "batch".into(),
        "translate".into(),
        src.display().to_string(),
        "--to".into(),
        to.into(),
        "--out".into(),
        out.display().to_string(),
        "--max-tokens".into(),
        "24".into(),
        "--temperature".into(),
        "0.7".into(),
        "--seed".into(),
        "7".into(),
        "--parallel".into(),
        "4".into(),
        // Tests run side by side on two cores; llama.cpp's threads spin while
        // they wait, so two processes with two threads each crawl.
        "--threads".into(),
        "1".into(),
    ]
}

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("report.json"))
        .expect("report.json is JSON")
}

fn line<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no report line for {path}: {report:#}"))
}

#[test]
fn a_folder_with_every_kind_of_bad_file_is_translated_around_them_with_a_line_for_each() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("notices")).unwrap();
    std::fs::write(src.join("report.docx"), sample::docx(1)).unwrap();
    std::fs::write(src.join("notices/notice.txt"), sample_text("notice.en.txt")).unwrap();
    std::fs::write(
        src.join("guide.md"),
        "# Opening hours\n\nThe centre opens at 9am on 4 January 2027.\n\n```sh\nkeep --me 1\n```\n\nRead [the notice](https://example.invalid/n) first.\n",
    )
    .unwrap();
    std::fs::write(
        src.join("notices/scan.pdf"),
        sample::pdf(&["The pool closes on 4 January 2027.", "It reopens in April."]),
    )
    .unwrap();
    write_bad_inputs(&src);
    // The output folder lives inside the source folder: allowed, never walked.
    let out = src.join("translated");
    let before = tree_hashes(&src);
    let db = dir.path().join("h.sqlite3");
    let mut args = batch_args(&src, &out, "zh-Hant");
    args.push("--bilingual".into());
    args.push("--html".into());
    let status = wenshu_cmd(&db)
        .args(&args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "files failed, so the exit status is 1"
    );

    let report = report(&out);
    let expect = [
        ("truncated.docx", "failed", "truncated"),
        ("bomb.docx", "failed", "zip_bomb"),
        ("entities.docx", "failed", "xml_doctype"),
        ("climbing.docx", "failed", "unsafe_entry_name"),
        ("protected.docx", "failed", "password_protected"),
        ("binary.txt", "failed", "binary"),
        ("empty.md", "failed", "empty"),
        ("huge.txt", "failed", "too_large"),
        ("locked.txt", "failed", "io"),
        ("translated", "skipped", "output_folder"),
    ];
    for (path, status, code) in expect {
        let l = line(&report, path);
        assert_eq!(l["status"], status, "{path}: {l:#}");
        assert_eq!(l["error_code"], code, "{path}: {l:#}");
        assert!(!l["error"].as_str().unwrap_or("").is_empty());
    }
    let looped = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["error_code"] == "symlink_loop")
        .expect("the symlink loop has a report line");
    assert!(looped["path"].as_str().unwrap().starts_with("loop/back"));
    for hidden in ["~$lock.docx", ".hidden.txt"] {
        assert!(report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["path"] != hidden));
    }
    for good in ["report.docx", "notices/notice.txt", "guide.md"] {
        let l = line(&report, good);
        assert_eq!(l["status"], "done", "{good}");
        assert!(out.join(good).is_file(), "{good} was written");
        // Each file's figures and names were checked as a whole document,
        // and the reviewer's page sits next to the output.
        assert!(l["figures"].as_u64().unwrap() > 0, "{good}: {l:#}");
        assert!(
            l["figures_flagged"].is_array()
                && l["terms_missing"].is_array()
                && l["script_flagged"].is_array()
        );
        let html = l["check_report"]
            .as_str()
            .unwrap_or_else(|| panic!("{good}: no check report: {l:#}"));
        let page = std::fs::read_to_string(out.join(html)).unwrap();
        assert!(page.contains("<mark class="), "{html}");
    }
    // The sample notice's figures (dates, times, amounts) are all in the
    // source, so whatever the demo model wrote, each flag names one.
    let notice = line(&report, "notices/notice.txt");
    for flag in notice["figures_flagged"].as_array().unwrap() {
        let flag = flag.as_str().unwrap();
        assert!(
            flag.contains(" became ")
                || flag.ends_with(" is missing")
                || flag.ends_with(" is not in the source"),
            "{flag}"
        );
    }
    // A PDF is read as text and written as .docx, one paragraph per block.
    let scan = line(&report, "notices/scan.pdf");
    assert_eq!(scan["status"], "done");
    assert_eq!(scan["output"], "notices/scan.docx");
    let scan_doc = Document::read(&out.join("notices/scan.docx"), &Limits::default()).unwrap();
    assert_eq!(scan_doc.blocks().len(), 2);
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("figures,figures_flagged,terms,terms_missing,script_flagged,formatting_flagged,check_report"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + report["files"].as_array().unwrap().len()
    );
    assert!(!out.join("evil.sh").exists() && !dir.path().join("evil.sh").exists());

    // Sources untouched (the output folder inside them aside).
    let mut after = tree_hashes(&src);
    after.retain(|k, _| !k.starts_with("translated"));
    assert_eq!(before, after, "a source file changed");

    // The .docx came back with the same blocks and kinds, in zh-Hant.
    let limits = Limits::default();
    let source_doc = Document::read(&src.join("report.docx"), &limits).unwrap();
    let translated = Document::read(&out.join("report.docx"), &limits).unwrap();
    let kinds = |d: &Document| {
        d.blocks()
            .iter()
            .map(|b| b.kind)
            .collect::<Vec<BlockKind>>()
    };
    assert_eq!(kinds(&source_doc), kinds(&translated));
    for block in translated.blocks() {
        assert!(
            simplified_chars(&block.text).is_empty(),
            "Simplified in {:?}",
            block.text
        );
    }
    // Markdown: code and link targets byte for byte.
    let guide = std::fs::read_to_string(out.join("guide.md")).unwrap();
    assert!(guide.contains("```sh\nkeep --me 1\n```"));
    assert!(guide.contains("](https://example.invalid/n)"));
    // Review copy: a two-column table with a row per block.
    let review = Document::read(&out.join("report.bilingual.docx"), &limits).unwrap();
    assert_eq!(review.format(), Format::Docx);
    let cells = review
        .blocks()
        .iter()
        .filter(|b| b.kind == BlockKind::TableCell)
        .count();
    assert!(
        cells >= 2 * source_doc.blocks().len(),
        "{cells} cells for {} blocks",
        source_doc.blocks().len()
    );
}

fn segments_logged(db: &Path) -> u64 {
    Store::open(db)
        .ok()
        .and_then(|s| s.segment_log_counts(1).ok())
        .map_or(0, |(n, _)| n)
}

/// Waits (at most five minutes) until job 1 has `n` segments committed.
fn wait_for_segments(db: &Path, n: u64) {
    let started = Instant::now();
    while segments_logged(db) < n && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn batch_resumes_after_a_kill_without_retranslating_done_segments() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(src.join("a.docx"), sample::docx(2)).unwrap();
    std::fs::write(src.join("b/notice.txt"), sample_text("notice.en.txt")).unwrap();
    std::fs::write(
        src.join("b/release.txt"),
        sample_text("press-release.zh-Hant.txt"),
    )
    .unwrap();
    let before = tree_hashes(&src);

    // Reference: one uninterrupted run.
    let ref_db = dir.path().join("ref.sqlite3");
    let ref_out = dir.path().join("ref");
    let status = wenshu_cmd(&ref_db)
        .args(batch_args(&src, &ref_out, "zh-Hant"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let total = segments_logged(&ref_db);
    assert!(total >= 12, "expected a real job, got {total} segments");

    // The same job, killed without warning part-way.
    let db = dir.path().join("h.sqlite3");
    let out = dir.path().join("out");
    let mut child = wenshu_cmd(&db)
        .args(batch_args(&src, &out, "zh-Hant"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_segments(&db, total / 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done_before_kill = segments_logged(&db);
    assert!(
        done_before_kill > 0 && done_before_kill < total,
        "the kill should land mid-job ({done_before_kill} of {total})"
    );
    let status_line = wenshu_cmd(&db)
        .args(["batch", "status", "--json"])
        .output()
        .unwrap();
    let status_json: serde_json::Value = serde_json::from_slice(&status_line.stdout).unwrap();
    assert_eq!(status_json["state"], "interrupted");

    // Run the same command again: it resumes job 1 and finishes.
    let resumed = wenshu_cmd(&db)
        .args(batch_args(&src, &out, "zh-Hant"))
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("resuming job 1"), "{stderr}");

    let (logged, distinct) = Store::open(&db).unwrap().segment_log_counts(1).unwrap();
    assert_eq!(logged, distinct, "a segment was translated twice");
    assert_eq!(
        logged, total,
        "every segment translated exactly once over both runs"
    );
    let mut produced = tree_hashes(&out);
    let mut reference = tree_hashes(&ref_out);
    for t in [&mut produced, &mut reference] {
        t.retain(|k, _| !k.starts_with("report."));
    }
    assert_eq!(
        produced, reference,
        "resumed outputs differ from an uninterrupted run"
    );
    assert_eq!(before, tree_hashes(&src), "a source file changed");
}

#[test]
fn a_single_docx_is_translated_to_a_docx_with_the_same_structure() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("memo.docx");
    std::fs::write(&input, sample::docx(1)).unwrap();
    let output = dir.path().join("memo.zh.docx");
    let db = dir.path().join("h.sqlite3");
    let run = wenshu_cmd(&db)
        .args(["translate"])
        .arg(&input)
        .args(["--to", "zh-Hant", "-o"])
        .arg(&output)
        .args(["--max-tokens", "24", "--threads", "1", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let limits = Limits::default();
    let a = Document::read(&input, &limits).unwrap();
    let b = Document::read(&output, &limits).unwrap();
    assert_eq!(a.blocks().len(), b.blocks().len());
    assert_eq!(report["segments"], a.blocks().len());
    assert_eq!(report["status"], "done");

    // No -o for a .docx: a clear usage error before any model work.
    let missing = wenshu_cmd(&db)
        .args(["translate"])
        .arg(&input)
        .args(["--to", "en"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("-o"));
}

#[test]
fn bad_batch_folders_are_refused_before_the_model_loads() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let db = dir.path().join("h.sqlite3");
    let same = wenshu_cmd(&db)
        .args(batch_args(&src, &src, "en"))
        .output()
        .unwrap();
    assert_eq!(same.status.code(), Some(2));
    let said = String::from_utf8_lossy(&same.stderr);
    assert!(
        said.contains("separate output folder") && said.contains("set --out"),
        "{said}"
    );
    let missing = wenshu_cmd(&db)
        .args(batch_args(
            &dir.path().join("nope"),
            &dir.path().join("o"),
            "en",
        ))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn batch_cancel_from_another_process_stops_the_job_and_a_rerun_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.docx"), sample::docx(1)).unwrap();
    let db = dir.path().join("h.sqlite3");
    let out = dir.path().join("out");
    let mut child = wenshu_cmd(&db)
        .args(batch_args(&src, &out, "zh-Hant"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_segments(&db, 2);
    let cancel = wenshu_cmd(&db)
        .args(["batch", "cancel", "1"])
        .output()
        .unwrap();
    assert_eq!(
        cancel.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cancel.stderr)
    );
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(1), "a cancelled job exits with status 1");
    let report = report(&out);
    assert_eq!(report["summary"]["status"], "cancelled");
    let logged = segments_logged(&db);
    assert!(
        (2..20).contains(&logged),
        "stopped part-way: {logged} segments"
    );

    let rerun = wenshu_cmd(&db)
        .args(batch_args(&src, &out, "zh-Hant"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert_eq!(rerun.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("resuming job 1"), "{stderr}");
    let (n, distinct) = Store::open(&db).unwrap().segment_log_counts(1).unwrap();
    assert_eq!(n, distinct, "a segment was translated twice");
    assert_eq!(report_status(&out), "completed");
}

fn report_status(out: &Path) -> String {
    report(out)["summary"]["status"]
        .as_str()
        .unwrap_or("")
        .to_string()
}
