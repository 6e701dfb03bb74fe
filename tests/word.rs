//! Word files through the real binary: a pseudo-translation (no model)
//! keeps every paragraph's formatting, links, fields and note marks, and a
//! translation by the demo model keeps every link, field and note mark and
//! names the paragraphs whose formatting needs a look.

use std::path::Path;

use wenshu_core::documents::{census, inline, sample, Document, Format, Limits};

use crate::util::{scratch_db, wenshu_with_db};

/// Each block's source read back from `path`, and the file's census.
fn read_back(path: &Path) -> (Vec<String>, wenshu_core::documents::Census) {
    let bytes = std::fs::read(path).unwrap();
    let limits = Limits::default();
    let document = Document::from_bytes(&bytes, Format::Docx, &limits).unwrap();
    let sources = document
        .blocks()
        .iter()
        .map(|b| b.source().to_string())
        .collect();
    (sources, census(&bytes, &limits).unwrap())
}

#[test]
fn a_pseudo_translation_needs_no_model_and_keeps_every_span_link_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("policy paper.docx");
    std::fs::write(&input, sample::docx(2)).unwrap();
    let output = dir.path().join("policy paper.zh.docx");
    let run = wenshu_with_db(&scratch_db())
        // No model is needed, so none is looked for.
        .env("WENSHU_MODEL", dir.path().join("no-such-model.gguf"))
        .args(["translate"])
        .arg(&input)
        .args(["--to", "zh-Hant", "--pseudo", "--json", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["status"], "done");
    assert_eq!(report["formatting_flagged"], serde_json::json!([]));

    let (before, census_before) = read_back(&input);
    let (after, census_after) = read_back(&output);
    assert_eq!(
        census_before, census_after,
        "links, fields, breaks, tabs, note marks kept"
    );
    assert!(
        census_before.hyperlinks > 0
            && census_before.fields > 0
            && census_before.note_references > 0
    );
    assert_eq!(before.len(), after.len());
    let mut mixed = 0;
    for (source, translated) in before.iter().zip(&after) {
        let words = inline::plain(source);
        if !words.chars().any(char::is_alphabetic) {
            assert_eq!(translated, source, "a block without words is kept");
            continue;
        }
        let marked = inline::plain(translated);
        assert!(
            marked.trim_start().starts_with(inline::PSEUDO_OPEN)
                && marked.trim_end().ends_with(inline::PSEUDO_CLOSE),
            "{translated:?} is not marked"
        );
        assert!(
            marked.chars().count() > words.chars().count(),
            "{translated:?} is not lengthened"
        );
        let ids = |s: &str| {
            let spec = inline::Spec::of(s);
            (spec.tags.len(), spec.atoms)
        };
        assert_eq!(ids(source), ids(translated), "tags of {source:?}");
        mixed += usize::from(!inline::Spec::of(source).tags.is_empty());
    }
    assert!(
        mixed >= 4,
        "the sample has bold lead-ins and a link: {mixed}"
    );
}

#[test]
fn a_pseudo_batch_marks_every_file_of_a_folder_and_reports_no_formatting_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("來源");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("a.docx"), sample::docx(1)).unwrap();
    std::fs::write(
        src.join("sub/notice.md"),
        "# Notice\n\nThe office closes at **5pm** on Friday.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = wenshu_with_db(&dir.path().join("h.sqlite3"))
        .env("WENSHU_MODEL", dir.path().join("no-such-model.gguf"))
        .args(["batch", "translate"])
        .arg(&src)
        .args(["--to", "en", "--pseudo", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["done"], 2, "{summary}");
    let (after, _) = read_back(&out.join("a.docx"));
    assert!(
        after
            .iter()
            .filter(|s| s.contains(inline::PSEUDO_OPEN))
            .count()
            > 10
    );
    let notice = std::fs::read_to_string(out.join("sub/notice.md")).unwrap();
    assert!(notice.starts_with("# ⟦"), "{notice}");
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().contains("formatting_flagged"),
        "{csv}"
    );
}

#[test]
fn the_demo_model_keeps_every_link_field_and_note_mark_and_names_the_paragraphs_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("memo.docx");
    std::fs::write(&input, sample::docx(1)).unwrap();
    let output = dir.path().join("memo.zh.docx");
    let run = wenshu_with_db(&scratch_db())
        .args(["translate"])
        .arg(&input)
        .args([
            "--to",
            "zh-Hant",
            "--max-tokens",
            "40",
            "--threads",
            "1",
            "--json",
            "-o",
        ])
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let (before, census_before) = read_back(&input);
    let (after, census_after) = read_back(&output);
    assert_eq!(before.len(), after.len());
    // Whatever the model did with the tags, nothing that is not words is lost.
    assert_eq!(census_before.hyperlinks, census_after.hyperlinks);
    assert_eq!(census_before.fields, census_after.fields);
    assert_eq!(census_before.note_references, census_after.note_references);
    assert_eq!(census_before.drawings, census_after.drawings);
    // Each flagged line names a paragraph that has tags, in order, with what happened.
    let flagged: Vec<String> = report["formatting_flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut last = 0;
    for line in &flagged {
        let number: usize = line
            .strip_prefix("paragraph ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        assert!(number > last && number <= before.len(), "{line}");
        assert!(
            inline::has_tags(&before[number - 1]),
            "paragraph {number} has no tags: {line}"
        );
        assert!(
            line.contains("did not come back")
                || line.contains("came back")
                || line.contains("not in the source")
                || line.contains("unpaired"),
            "{line}"
        );
        last = number;
    }
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        stderr.matches("needs a look: paragraph").count(),
        flagged.len(),
        "{stderr}"
    );
}
