//! `wenshu check SOURCE TRANSLATION` on real .docx files written by the
//! project's own writer, its exit codes and JSON, and the HTML report
//! opened in a real browser (Debian's Chromium, headless).

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use serde_json::Value;
use wenshu_core::documents::{sample, Document, Format, Limits};

use crate::util::{root, wenshu_with_db};

/// Paragraphs of a press release and their correct English, written for this test.
const PAIRS: &[(&str, &str)] = &[
    (
        "運輸署今日（一月二十二日）宣布，撥款約二千四百四十萬元改善區內行人設施。",
        "The Transport Department announced today (January 22) that about $24.4 million would be allocated to improve pedestrian facilities in the district.",
    ),
    (
        "運輸署副署長表示，工程將於上午8時展開，為期三個月。",
        "The Deputy Commissioner for Transport said that the works would start at 8am and last for three months.",
    ),
    (
        "受影響的住戶約有1 300戶，佔全區住戶百分之一點四。",
        "About 1,300 households are affected, or 1.4 per cent of the households in the district.",
    ),
    (
        "查詢請致電2835 1234。",
        "For enquiries, please call 2835 1234.",
    ),
];

/// A real .docx (the sample document's structure: headings, a table,
/// header, footer, footnotes) with each block's text taken from `texts` in turn.
fn docx_with(path: &Path, texts: &[String]) {
    let template = sample::docx(1);
    let doc = Document::from_bytes(&template, Format::Docx, &Limits::default()).unwrap();
    let blocks = doc.blocks().len();
    let filled: Vec<String> = (0..blocks)
        .map(|i| texts[i % texts.len()].clone())
        .collect();
    std::fs::write(path, doc.render(&filled, Format::Docx).unwrap().bytes).unwrap();
}

fn sides() -> (Vec<String>, Vec<String>) {
    (
        PAIRS.iter().map(|(zh, _)| zh.to_string()).collect(),
        PAIRS.iter().map(|(_, en)| en.to_string()).collect(),
    )
}

/// The translation with four errors a reviewer must see: an amount off by
/// a factor of ten, a wrong title, a dropped percentage, Chinese left in.
fn flawed() -> Vec<String> {
    let (_, en) = sides();
    vec![
        en[0].replace("$24.4 million", "$2.44 million"),
        en[1].replace(
            "Deputy Commissioner for Transport",
            "Deputy Director-General of Transport",
        ),
        en[2].replace(", or 1.4 per cent of the households", " of the households"),
        en[3].replace("please call", "please 致電"),
    ]
}

struct Files {
    _dir: tempfile::TempDir,
    db: PathBuf,
    source: PathBuf,
    good: PathBuf,
    bad: PathBuf,
    dir: PathBuf,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (zh, en) = sides();
    let files = Files {
        db: path.join("history.sqlite3"),
        source: path.join("通告 原文.docx"),
        good: path.join("notice.en.docx"),
        bad: path.join("notice.flawed.docx"),
        dir: path,
        _dir: dir,
    };
    docx_with(&files.source, &zh);
    docx_with(&files.good, &en);
    docx_with(&files.bad, &flawed());
    files
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_correct_docx_translation_passes_with_exit_0_and_every_figure_and_name_found() {
    let f = files();
    let out = wenshu_with_db(&f.db)
        .arg("check")
        .arg(&f.source)
        .arg(&f.good)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("nothing to review"), "{stdout}");
    assert!(
        stdout.contains("二千四百四十萬元 kept as $24.4 million"),
        "{stdout}"
    );

    let out = wenshu_with_db(&f.db)
        .args(["check", "--json"])
        .arg(&f.source)
        .arg(&f.good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let body = json_of(&out);
    assert_eq!(body["flagged"], false);
    let report = &body["report"];
    assert_eq!(report["version"], 1);
    assert_eq!(report["mode"], "translation");
    assert_eq!(report["source_lang"], "zh-Hant");
    assert_eq!(report["target_lang"], "en");
    assert_eq!(report["counts"]["flagged"], 0);
    let figures = report["figures"].as_array().unwrap();
    assert!(figures.len() >= PAIRS.len() * 2, "{figures:?}");
    assert!(figures.iter().all(|f| f["verdict"] == "found"));
    // Every kind the paragraphs hold, compared by value.
    let kinds: Vec<&str> = figures.iter().filter_map(|f| f["kind"].as_str()).collect();
    for kind in ["date", "money", "time", "number", "percent", "phone"] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let money = figures.iter().find(|f| f["kind"] == "money").unwrap();
    assert_eq!(money["source_value"]["amount"], 24_400_000.0);
    assert_eq!(money["source_value"]["currency"], "HKD");
    assert_eq!(money["target"]["text"], "$24.4 million");
    let terms = report["terms"].as_array().unwrap();
    assert!(
        terms
            .iter()
            .any(|t| t["source_term"] == "運輸署副署長" && t["verdict"] == "found"),
        "{terms:?}"
    );
    // The title is not its department: no check of 運輸署 inside 運輸署副署長.
    let rows_with_department = terms
        .iter()
        .filter(|t| t["source_term"] == "運輸署" && t["source"]["text"] == "運輸署")
        .count();
    assert!(rows_with_department > 0);
    assert!(terms
        .iter()
        .all(|t| t["source"]["text"] != "運輸署副署長" || t["source_term"] == "運輸署副署長"));
}

#[test]
fn a_flawed_translation_exits_1_and_names_each_problem_with_both_values() {
    let f = files();
    let out = wenshu_with_db(&f.db)
        .args(["check", "--json"])
        .arg(&f.source)
        .arg(&f.bad)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = json_of(&out);
    assert_eq!(body["flagged"], true);
    let report = &body["report"];
    let figures = report["figures"].as_array().unwrap();
    let changed = figures
        .iter()
        .find(|f| f["verdict"] == "changed")
        .expect("a changed figure");
    assert_eq!(changed["source"]["text"], "二千四百四十萬元");
    assert_eq!(changed["target"]["text"], "$2.44 million");
    assert_eq!(changed["target_value"]["amount"], 2_440_000.0);
    assert!(figures
        .iter()
        .any(|f| f["verdict"] == "missing" && f["source"]["text"] == "百分之一點四"));
    let terms = report["terms"].as_array().unwrap();
    assert!(terms
        .iter()
        .any(|t| t["verdict"] == "missing"
            && t["target_term"] == "Deputy Commissioner for Transport"));
    let script = report["script"].as_array().unwrap();
    assert!(script
        .iter()
        .any(|s| s["kind"] == "untranslated" && s["mention"]["text"] == "致電"));
    let counts = &report["counts"];
    assert!(counts["flagged"].as_u64().unwrap() >= 4, "{counts}");

    // The text report lists the same, paragraph by paragraph.
    let out = wenshu_with_db(&f.db)
        .arg("check")
        .arg(&f.source)
        .arg(&f.bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("CHANGED  amount 二千四百四十萬元 became $2.44 million"),
        "{stdout}"
    );
    assert!(
        stdout.contains("MISSING  percentage 百分之一點四 is missing"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SCRIPT   Chinese left untranslated: 致電"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("¶ ")), "{stdout}");
}

#[test]
fn bad_check_input_exits_2_and_says_what_is_wrong() {
    let f = files();
    let missing = f.dir.join("nowhere.docx");
    let out = wenshu_with_db(&f.db)
        .arg("check")
        .arg(&f.source)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nowhere.docx"), "{stderr}");

    let out = wenshu_with_db(&f.db)
        .args(["check", "--json"])
        .arg(&f.good)
        .arg(&f.bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "check_same_language");

    let odd = f.dir.join("notes.xyz");
    std::fs::write(&odd, "text").unwrap();
    let out = wenshu_with_db(&f.db)
        .arg("check")
        .arg(&odd)
        .arg(&f.good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.xyz"));
}

#[test]
fn the_html_report_opens_in_a_real_browser_with_every_item_highlighted() {
    let f = files();
    let html = f.dir.join("report.html");
    let out = wenshu_with_db(&f.db)
        .args(["check", "--html"])
        .arg(&html)
        .arg(&f.source)
        .arg(&f.bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script"), "no scripts in the report");
    assert!(!page.contains("://"), "nothing fetched from anywhere");

    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect(
            "Debian's chromium is needed for this test; scripts/install-deps --app installs it",
        );
    let shots = root().join("target/check");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ];
    let url = format!("file://{}", html.display());
    let dom = Std::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    // What the browser built from the page, not the file's text.
    for mark in ["found", "changed", "missing", "script"] {
        assert!(
            dom.contains(&format!("<mark class=\"{mark}\"")),
            "no {mark} mark in the DOM"
        );
    }
    assert!(dom.contains("$2.44 million"));
    let status = Std::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--window-size=1280,1600")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(
        png.len() > 20_000,
        "the screenshot is nearly empty: {} bytes",
        png.len()
    );
}
