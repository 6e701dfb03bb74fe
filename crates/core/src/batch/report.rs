//! The job report: one line per file, in `report.csv` (for a spreadsheet)
//! and `report.json` (with the job's summary), written atomically to the
//! output folder at the end of every run, interrupted runs included.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wenshu_documents::Format;

use super::BatchError;
use crate::checks::CheckReport;
use crate::store::{FileStatus, JobStatus};

/// The state of one file, as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    pub status: FileStatus,
    pub format: String,
    /// Output path under the output folder.
    pub output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bilingual: Option<String>,
    /// Text blocks in the document.
    pub segments: usize,
    /// Blocks the model translated in this run.
    pub translated: usize,
    /// Blocks taken from the cache (an earlier run, or a repeat in the tree).
    pub cached: usize,
    /// Blocks already in the target language, or with nothing to translate.
    pub kept: usize,
    pub generated_tokens: u64,
    /// Model time spent on this file's segments.
    pub seconds: f64,
    /// Figures checked (those of the source, and those only the translation has).
    #[serde(default)]
    pub figures: usize,
    /// Figures changed, missing or added, one line each.
    #[serde(default)]
    pub figures_flagged: Vec<String>,
    /// Official names found in the source.
    #[serde(default)]
    pub terms: usize,
    /// `source → official rendering` for names whose rendering is missing.
    #[serde(default)]
    pub terms_missing: Vec<String>,
    /// Simplified or non-HK characters, Chinese left in English.
    #[serde(default)]
    pub script_flagged: Vec<String>,
    /// Paragraphs whose inline formatting (bold, links, fields…) did not all
    /// come back through the translation, one line each: where, and what.
    #[serde(default)]
    pub formatting_flagged: Vec<String>,
    /// The reviewer's HTML report under the output folder, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_report: Option<String>,
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Finished in an earlier run of the same job.
    #[serde(default)]
    pub resumed: bool,
}

impl FileReport {
    pub(super) fn new(path: &str, format: Format, output: &str) -> Self {
        Self {
            path: path.into(),
            status: FileStatus::Pending,
            format: format.extension().into(),
            output: output.into(),
            ..Self::default()
        }
    }

    pub(super) fn skipped(path: &str, code: &str, reason: &str) -> Self {
        Self {
            path: path.into(),
            status: FileStatus::Skipped,
            error_code: Some(code.into()),
            error: Some(reason.into()),
            ..Self::default()
        }
    }

    pub(super) fn fail(&mut self, code: &str, message: &str) {
        self.status = FileStatus::Failed;
        self.error_code = Some(code.into());
        self.error = Some(message.into());
        self.output.clear();
    }

    pub(super) fn pending(&self) -> Self {
        Self {
            status: FileStatus::Pending,
            ..self.clone()
        }
    }

    /// Takes the file's check report into the report's columns.
    pub(super) fn set_checks(&mut self, check: &CheckReport) {
        self.figures = check.counts.figures;
        self.figures_flagged = check.figure_flags();
        self.terms = check.counts.terms;
        self.terms_missing = check.missing_terms();
        self.script_flagged = check.script.iter().map(|s| s.message()).collect();
    }

    /// Takes what the document's writer says about inline tags into the report.
    pub(super) fn set_needs_look(
        &mut self,
        document: &wenshu_documents::Document,
        needs_look: &[(usize, Vec<wenshu_documents::inline::Problem>)],
    ) {
        self.formatting_flagged = needs_look
            .iter()
            .map(|(block, problems)| {
                let words = document
                    .blocks()
                    .get(*block)
                    .map_or("", |b| b.text.as_str());
                let mut excerpt: String = words.chars().take(40).collect();
                if words.chars().count() > 40 {
                    excerpt.push('…');
                }
                let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
                format!("paragraph {} (“{excerpt}”): {}", block + 1, what.join("; "))
            })
            .collect();
    }

    pub(super) fn absorb(&mut self, warnings: &[String], tokens: u64, ms: f64) {
        for w in warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
        self.generated_tokens += tokens;
        self.seconds += ms / 1000.0;
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        // Serialising can only fail for maps with non-string keys, and a
        // report has none, so `Null` is never stored in practice.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Whether a reviewer should look at this file.
    pub fn needs_review(&self) -> bool {
        self.status != FileStatus::Done
            || !self.figures_flagged.is_empty()
            || !self.terms_missing.is_empty()
            || !self.script_flagged.is_empty()
            || !self.formatting_flagged.is_empty()
            || !self.warnings.is_empty()
    }
}

/// The outcome of one run of a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub job: i64,
    pub resumed: bool,
    /// Completed, interrupted or cancelled.
    pub status: JobStatus,
    pub files: usize,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub pending: usize,
    pub needs_review: usize,
    pub segments: usize,
    pub translated: usize,
    pub cached: usize,
    pub generated_tokens: u64,
    pub seconds: f64,
    pub report_csv: String,
    pub report_json: String,
}

impl Summary {
    pub(super) fn new(
        job: i64,
        resumed: bool,
        status: JobStatus,
        reports: &[FileReport],
        elapsed: Duration,
        out: &Path,
    ) -> Self {
        let count = |s: FileStatus| reports.iter().filter(|r| r.status == s).count();
        let fresh = reports.iter().filter(|r| !r.resumed);
        Self {
            job,
            resumed,
            status,
            files: reports.len(),
            done: count(FileStatus::Done),
            failed: count(FileStatus::Failed),
            skipped: count(FileStatus::Skipped),
            pending: count(FileStatus::Pending),
            needs_review: reports.iter().filter(|r| r.needs_review()).count(),
            segments: reports.iter().map(|r| r.segments).sum(),
            translated: fresh.clone().map(|r| r.translated).sum(),
            cached: fresh.clone().map(|r| r.cached).sum(),
            generated_tokens: fresh.map(|r| r.generated_tokens).sum(),
            seconds: elapsed.as_secs_f64(),
            report_csv: out.join("report.csv").to_string_lossy().into_owned(),
            report_json: out.join("report.json").to_string_lossy().into_owned(),
        }
    }
}

#[derive(Serialize)]
struct CsvRow<'a> {
    path: &'a str,
    status: &'a str,
    output: &'a str,
    segments: usize,
    translated: usize,
    cached: usize,
    kept: usize,
    seconds: String,
    figures: usize,
    figures_flagged: String,
    terms: usize,
    terms_missing: String,
    script_flagged: String,
    formatting_flagged: String,
    check_report: &'a str,
    warnings: String,
    error_code: &'a str,
    error: &'a str,
}

/// Writes `report.csv` and `report.json` into `out`.
///
/// # Errors
/// When a report cannot be written.
pub(super) fn write(
    out: &Path,
    summary: &Summary,
    reports: &[FileReport],
) -> Result<(), BatchError> {
    let err = |path: &Path, reason: String| BatchError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let csv_path = out.join("report.csv");
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in reports {
        writer
            .serialize(CsvRow {
                path: &r.path,
                status: r.status.into(),
                output: &r.output,
                segments: r.segments,
                translated: r.translated,
                cached: r.cached,
                kept: r.kept,
                seconds: format!("{:.1}", r.seconds),
                figures: r.figures,
                figures_flagged: r.figures_flagged.join("; "),
                terms: r.terms,
                terms_missing: r.terms_missing.join("; "),
                script_flagged: r.script_flagged.join("; "),
                formatting_flagged: r.formatting_flagged.join("; "),
                check_report: r.check_report.as_deref().unwrap_or(""),
                warnings: r.warnings.join("; "),
                error_code: r.error_code.as_deref().unwrap_or(""),
                error: r.error.as_deref().unwrap_or(""),
            })
            .map_err(|e| err(&csv_path, e.to_string()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| err(&csv_path, e.to_string()))?;
    crate::store::export::write_atomically(&csv_path, &bytes)
        .map_err(|e| err(&csv_path, e.to_string()))?;
    let json_path = out.join("report.json");
    let json = serde_json::json!({ "summary": summary, "files": reports });
    let text = serde_json::to_string_pretty(&json).map_err(|e| err(&json_path, e.to_string()))?;
    crate::store::export::write_atomically(&json_path, text.as_bytes())
        .map_err(|e| err(&json_path, e.to_string()))?;
    Ok(())
}
