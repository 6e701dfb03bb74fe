//! Documents in (for the editor) and task output saved out.

use std::path::{Path, PathBuf};

use serde::Serialize;
use wenshu_core::documents::{Document, Limits};
use wenshu_core::store::export;

use super::blocking;
use crate::error::ApiError;

/// A document's text for the editor.
#[derive(Debug, Serialize)]
pub struct OpenedDocument {
    pub path: String,
    pub format: String,
    pub text: String,
    pub blocks: usize,
}

/// Reads a .docx/.md/.txt/.pdf into paragraphs (the file is not changed).
///
/// # Errors
/// The document's error: unsupported, unreadable, damaged, too large.
#[tauri::command]
pub async fn open_document(path: PathBuf) -> Result<OpenedDocument, ApiError> {
    blocking(move || {
        let doc = Document::read(&path, &Limits::default())?;
        let paragraphs: Vec<&str> = doc
            .blocks()
            .iter()
            .map(|b| b.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(OpenedDocument {
            path: path.display().to_string(),
            format: doc.format().extension().into(),
            text: paragraphs.join("\n\n"),
            blocks: paragraphs.len(),
        })
    })
    .await
}

/// Saves output text as .docx, .md or .txt (by the extension), atomically.
///
/// # Errors
/// `output_write` with the reason; `save_format` for another extension.
#[tauri::command]
pub async fn save_output(path: PathBuf, text: String) -> Result<(), ApiError> {
    blocking(move || save_text(&path, &text)).await
}

pub fn save_text(path: &Path, text: &str) -> Result<(), ApiError> {
    export::save_text(path, text)
        .map_err(|e| ApiError::from(e).with("path", path.display().to_string()))
}
