//! The job report: one line per file, in `report.csv` (for a spreadsheet)
//! and `report.json` (with the job's summary), written atomically to the
//! output folder at the end of every run, interrupted runs included.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wenshu_documents::Format;

use super::BatchError;
use crate::store::GlossaryCheck;

/// The state of one file, as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    /// `done`, `failed`, `skipped` or `pending` (the run stopped first).
    pub status: String,
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
    /// Glossary terms found in the source.
    pub glossary_terms: usize,
    /// `source → official rendering` for terms whose rendering is missing.
    pub glossary_missing: Vec<String>,
    /// Numbers in the source that are not in the translation.
    pub numbers_missing: Vec<String>,
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
            status: "pending".into(),
            format: format.extension().into(),
            output: output.into(),
            ..Self::default()
        }
    }

    pub(super) fn skipped(path: &str, code: &str, reason: &str) -> Self {
        Self {
            path: path.into(),
            status: "skipped".into(),
            error_code: Some(code.into()),
            error: Some(reason.into()),
            ..Self::default()
        }
    }

    pub(super) fn fail(&mut self, code: &str, message: &str) {
        self.status = "failed".into();
        self.error_code = Some(code.into());
        self.error = Some(message.into());
        self.output.clear();
    }

    pub(super) fn pending(&self) -> Self {
        Self {
            status: "pending".into(),
            ..self.clone()
        }
    }

    pub(super) fn absorb(
        &mut self,
        glossary: &Option<GlossaryCheck>,
        numbers: &[String],
        warnings: &[String],
        tokens: u64,
        ms: f64,
    ) {
        if let Some(check) = glossary {
            self.glossary_terms += check.terms.len();
            for missing in check.missing() {
                let line = format!("{} → {}", missing.source, missing.target);
                if !self.glossary_missing.contains(&line) {
                    self.glossary_missing.push(line);
                }
            }
        }
        for n in numbers {
            if !self.numbers_missing.contains(n) {
                self.numbers_missing.push(n.clone());
            }
        }
        for w in warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
        self.generated_tokens += tokens;
        self.seconds += ms / 1000.0;
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Whether a reviewer should look at this file.
    pub fn needs_review(&self) -> bool {
        self.status != "done"
            || !self.glossary_missing.is_empty()
            || !self.numbers_missing.is_empty()
            || !self.warnings.is_empty()
    }
}

/// The outcome of one run of a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub job: i64,
    pub resumed: bool,
    /// `completed`, `interrupted` or `cancelled`.
    pub status: String,
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
        status: &str,
        reports: &[FileReport],
        elapsed: Duration,
        out: &Path,
    ) -> Self {
        let count = |s: &str| reports.iter().filter(|r| r.status == s).count();
        let fresh = reports.iter().filter(|r| !r.resumed);
        Self {
            job,
            resumed,
            status: status.into(),
            files: reports.len(),
            done: count("done"),
            failed: count("failed"),
            skipped: count("skipped"),
            pending: count("pending"),
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
    glossary_terms: usize,
    glossary_missing: String,
    numbers_missing: String,
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
                status: &r.status,
                output: &r.output,
                segments: r.segments,
                translated: r.translated,
                cached: r.cached,
                kept: r.kept,
                seconds: format!("{:.1}", r.seconds),
                glossary_terms: r.glossary_terms,
                glossary_missing: r.glossary_missing.join("; "),
                numbers_missing: r.numbers_missing.join("; "),
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
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    crate::store::export::write_atomically(&json_path, text.as_bytes())
        .map_err(|e| err(&json_path, e.to_string()))?;
    Ok(())
}
