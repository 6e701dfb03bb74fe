use super::*;

fn folders_in(dir: &Path) -> Folders {
    Folders {
        source: std::fs::canonicalize(dir.join("src")).unwrap(),
        out: dir.join("out"),
    }
}

#[test]
fn the_walk_skips_hidden_and_lock_files_reports_unsupported_ones_and_skips_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("sub/.git")).unwrap();
    std::fs::create_dir_all(src.join("out")).unwrap();
    for name in [
        "a.docx",
        "b.MD",
        "sub/c.txt",
        "sub/.hidden.txt",
        "~$a.docx",
        "sub/.git/x.txt",
        "photo.png",
        "out/old.txt",
        "scan.pdf",
    ] {
        std::fs::write(src.join(name), b"x").unwrap();
    }
    let mut folders = folders_in(dir.path());
    folders.out = std::fs::canonicalize(src.join("out")).unwrap();
    let plans = plan_files(&folders);
    let listed: Vec<(&str, bool)> = plans
        .iter()
        .map(|p| (p.rel.as_str(), matches!(p.action, Action::Translate(_))))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("a.docx", true),
            ("b.MD", true),
            ("out", false),
            ("photo.png", false),
            ("scan.pdf", true),
            ("sub/c.txt", true),
        ]
    );
}

#[test]
fn the_output_folder_may_not_be_the_source_or_contain_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut opts = BatchOptions {
        source: src.clone(),
        out: src.clone(),
        target: Lang::En,
        parallel: 1,
        bilingual: false,
        sampling: SamplingParams::greedy(),
        max_tokens: None,
        glossary: Vec::new(),
        base_glossary: true,
        html_reports: false,
        limits: Limits::default(),
        pseudo: false,
    };
    assert!(matches!(folders(&opts), Err(BatchError::OutIsSource(_))));
    opts.out = dir.path().to_path_buf();
    assert!(matches!(
        folders(&opts),
        Err(BatchError::SourceInsideOut { .. })
    ));
    opts.source = dir.path().join("missing");
    assert!(matches!(folders(&opts), Err(BatchError::NoSource(_))));
}

#[test]
fn a_pdf_is_written_as_docx_and_review_copies_sit_beside_the_output() {
    assert_eq!(output_rel("a/b.pdf", Format::Pdf), "a/b.docx");
    assert_eq!(output_rel("a/b.docx", Format::Docx), "a/b.docx");
    assert_eq!(bilingual_rel("a/b.md"), "a/b.bilingual.docx");
}

#[test]
fn segment_keys_change_with_every_input_that_decides_the_translation() {
    let a = segment_key("s", "p@1#h", "text");
    assert_eq!(a, segment_key("s", "p@1#h", "text"));
    assert_ne!(a, segment_key("s2", "p@1#h", "text"));
    assert_ne!(a, segment_key("s", "p@2#h", "text"));
    assert_ne!(a, segment_key("s", "p@1#h", "text."));
}
