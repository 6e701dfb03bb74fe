//! `wenshu check SOURCE TRANSLATION`, and the checks block every task prints
//! on stderr. The report comes from core; this only lays it out.

use std::path::Path;

use serde_json::json;
use wenshu_core::checks::files::check_files;
use wenshu_core::checks::{html, CheckReport, Verdict};
use wenshu_core::documents::Limits;

use crate::args::CheckArgs;
use crate::Failure;

/// `wenshu check`: 0 when nothing is flagged, 1 when something is, 2 on bad input.
pub fn run_check(args: CheckArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let session = crate::session(db, None)?;
    let store = session.open_store()?;
    let glossary = store.glossary_list()?;
    let base = session.settings().glossary.base && !args.no_base_glossary;
    let checked = check_files(
        &args.source,
        &args.translation,
        &glossary,
        base,
        &Limits::default(),
    )?;
    let report = &checked.report;
    if let Some(path) = &args.html {
        let title = format!(
            "{} ⇄ {}",
            args.source
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
            args.translation
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        );
        let page = html::render(&title, report, &checked.source, &checked.target);
        wenshu_core::store::export::write_atomically(path, page.as_bytes())?;
        eprintln!("report written to {}", path.display());
    }
    if args.json {
        let body = json!({
            "source": args.source,
            "translation": args.translation,
            "flagged": report.flagged(),
            "report": report,
        });
        crate::print_json(&body)?;
    } else {
        print_paragraphs(report);
        println!("{}", totals(report));
    }
    Ok(if report.flagged() { 1 } else { 0 })
}

fn label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Found => "found  ",
        Verdict::Changed => "CHANGED",
        Verdict::Missing => "MISSING",
        Verdict::Added => "ADDED  ",
    }
}

/// Every checked item, paragraph by paragraph (stdout).
fn print_paragraphs(report: &CheckReport) {
    let para = |ps: &[usize]| -> String {
        match ps {
            [] => "-".into(),
            [one] => (one + 1).to_string(),
            [first, .., last] => format!("{}-{}", first + 1, last + 1),
        }
    };
    for (r, row) in report.rows.iter().enumerate() {
        let items = report.row_items(r);
        if items.figures.is_empty() && items.terms.is_empty() && items.script.is_empty() {
            continue;
        }
        println!("¶ {} → {}", para(&row.source), para(&row.target));
        for f in items.figures {
            println!("  {}  {}", label(f.verdict), f.message());
        }
        for t in items.terms {
            println!("  {}  {}", label(t.verdict), t.message());
        }
        for s in items.script {
            println!("  SCRIPT   {}", s.message());
        }
    }
}

/// One line of totals.
pub fn totals(report: &CheckReport) -> String {
    format!("checks: {}", report.summary_line())
}

/// After a task: the totals and each flagged item (stderr).
pub fn report_task_checks(report: &CheckReport) {
    eprintln!("{}", totals(report));
    for line in report.flag_messages() {
        eprintln!("  review: {line}");
    }
}
