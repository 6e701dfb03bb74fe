//! Exporting stored runs: Markdown for reading, JSON for machines, and .docx
//! for filing with the rest of a case's papers.
//!
//! One format, whichever shell asks ([`render`]):
//! - **Markdown**: each run as [`to_markdown`] writes it (a `# Wenshu run N`
//!   heading, the provenance list, `## Input`, `## Output`, `## Checks`),
//!   runs separated by a line `---` with a blank line on each side; the file
//!   ends with one newline.
//! - **JSON**: `{"runs": [RunRecord, …]}`, pretty-printed, ending with a
//!   newline — the same object `history list --json` prints.
//! - **.docx**: a heading, a provenance table, then the input, output and
//!   checks of each run.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{RunRecord, StoreError};

/// What runs are exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Md,
    Json,
    Docx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [Self::Md, Self::Json, Self::Docx];

    /// The file extension, which is also the name the shells use.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Md => "md",
            Self::Json => "json",
            Self::Docx => "docx",
        }
    }

    /// The format a file name asks for, by its extension.
    ///
    /// # Errors
    /// [`StoreError::ExportFormat`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Self, StoreError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|f| f.extension() == ext)
            .ok_or(StoreError::ExportFormat { extension: ext })
    }
}

/// The bytes of an export of `runs` (see the module's documentation for
/// each format).
///
/// # Errors
/// When the JSON or the .docx cannot be built.
pub fn render(runs: &[RunRecord], format: ExportFormat) -> Result<Vec<u8>, StoreError> {
    match format {
        ExportFormat::Md => {
            let parts: Vec<String> = runs.iter().map(to_markdown).collect();
            // Each part ends with a newline, so the separator adds the
            // blank lines around `---`.
            Ok(parts.join("\n---\n\n").into_bytes())
        }
        ExportFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&serde_json::json!({ "runs": runs }))
                .map_err(|e| StoreError::Corrupt(format!("cannot write the runs as JSON: {e}")))?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        ExportFormat::Docx => docx_bytes(runs),
    }
}

/// A Unix time in milliseconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_time(ms: i64) -> String {
    // Dates are shown in UTC with the offset written out; the desktop app
    // formats them in the user's zone.
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// well-known algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Provenance lines shared by every format.
fn provenance(run: &RunRecord) -> Vec<(String, String)> {
    vec![
        ("Run".into(), run.id.to_string()),
        ("Date".into(), format_time(run.created_at)),
        (
            "Task".into(),
            format!("{} ({} → {})", run.task, run.source_lang, run.target_lang),
        ),
        (
            "Document type".into(),
            run.doc_type.clone().unwrap_or_else(|| "-".into()),
        ),
        ("Status".into(), run.status.to_string()),
        (
            "Model".into(),
            format!("{} (sha256 {})", run.model_file, run.model_sha256),
        ),
        (
            "Prompt".into(),
            format!(
                "{} v{} (sha256 {})",
                run.prompt_id, run.prompt_version, run.prompt_hash
            ),
        ),
        ("Seed".into(), run.seed.to_string()),
        (
            "Tokens".into(),
            format!(
                "{} prompt, {} generated",
                run.prompt_tokens, run.generated_tokens
            ),
        ),
        (
            "Personal data masked".into(),
            if run.masked {
                "yes".into()
            } else {
                "no".into()
            },
        ),
    ]
}

/// A run as Markdown.
pub fn to_markdown(run: &RunRecord) -> String {
    let mut out = format!("# Wenshu run {}\n\n", run.id);
    for (k, v) in provenance(run) {
        out.push_str(&format!("- **{k}:** {v}\n"));
    }
    if let Some(e) = &run.error {
        out.push_str(&format!("- **Error:** {e}\n"));
    }
    out.push_str("\n## Input\n\n");
    out.push_str(run.input.trim());
    out.push_str("\n\n## Output\n\n");
    out.push_str(run.output.trim());
    out.push('\n');
    let checks = check_lines(run);
    if !checks.is_empty() {
        out.push_str("\n## Checks\n\n");
        for line in checks {
            out.push_str(&format!("- {line}\n"));
        }
    }
    out
}

/// The run's check report as lines: the totals, then each flagged item.
fn check_lines(run: &RunRecord) -> Vec<String> {
    // Runs stored before the checks existed have none; a report another
    // version wrote in another shape is left out of the export, not guessed at.
    let Some(report) = run
        .checks
        .as_ref()
        .and_then(|c| serde_json::from_value::<crate::checks::CheckReport>(c.clone()).ok())
    else {
        return Vec::new();
    };
    let mut lines = vec![report.summary_line()];
    lines.extend(
        report
            .flag_messages()
            .into_iter()
            .map(|m| format!("review: {m}")),
    );
    lines
}

/// Several runs as one .docx: a heading, a provenance table and the input
/// and output paragraphs for each.
fn docx_bytes(runs: &[RunRecord]) -> Result<Vec<u8>, StoreError> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let mut doc = Docx::new();
    for run in runs {
        doc = doc.add_paragraph(
            Paragraph::new().add_run(
                Run::new()
                    .add_text(format!("Wenshu run {}", run.id))
                    .bold()
                    .size(32),
            ),
        );
        let rows = provenance(run)
            .into_iter()
            .map(|(k, v)| {
                TableRow::new(vec![
                    TableCell::new()
                        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(k).bold())),
                    TableCell::new()
                        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(v))),
                ])
            })
            .collect();
        doc = doc.add_table(Table::new(rows));
        for (title, text) in [("Input", &run.input), ("Output", &run.output)] {
            doc = doc.add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(title).bold().size(26)),
            );
            for para in crate::text::paragraphs(text) {
                doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(para)));
            }
        }
        let checks = check_lines(run);
        if !checks.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new().add_run(Run::new().add_text("Checks").bold().size(26)),
            );
            for line in checks {
                doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(line)));
            }
        }
    }
    pack_docx(doc)
}

/// Saves a task's output text in the format its name asks for: `.docx`
/// (one Word paragraph per paragraph), `.md` or `.txt` (the text with one
/// final newline), atomically.
///
/// # Errors
/// `save_format` for another extension; `output_write`.
pub fn save_text(path: &Path, text: &str) -> Result<(), StoreError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "docx" => write_text_docx(text, path),
        "md" | "txt" => {
            let mut body = text.trim_end().to_string();
            body.push('\n');
            write_atomically(path, body.as_bytes())
        }
        _ => Err(StoreError::SaveFormat { extension: ext }),
    }
}

/// Plain text as a .docx, one Word paragraph per paragraph of `text`
/// (paragraphs are separated by blank lines), written atomically.
///
/// # Errors
/// When the file cannot be built or written.
pub fn write_text_docx(text: &str, path: &Path) -> Result<(), StoreError> {
    use docx_rs::{Docx, Paragraph, Run};
    let mut doc = Docx::new();
    for para in crate::text::paragraphs(text) {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(para)));
    }
    save_docx(doc, path)
}

/// Packs a built document and writes it atomically.
fn save_docx(doc: docx_rs::Docx, path: &Path) -> Result<(), StoreError> {
    write_atomically(path, &pack_docx(doc)?)
}

fn pack_docx(doc: docx_rs::Docx) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    doc.build()
        .pack(std::io::Cursor::new(&mut bytes))
        .map_err(|e| StoreError::Corrupt(format!("cannot build the .docx: {e}")))?;
    Ok(bytes)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, so a crash never leaves half a file.
///
/// # Errors
/// When the directory is not writable.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| StoreError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_milliseconds_are_shown_as_a_utc_date() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(1_795_000_000_000), "2026-11-18 11:06:40 UTC");
    }
}
