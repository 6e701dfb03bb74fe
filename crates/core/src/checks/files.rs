//! `wenshu check SOURCE TRANSLATION`: any two documents (.txt, .md, .docx,
//! .pdf as text), either direction, the translation from anywhere.

use std::path::{Path, PathBuf};

use super::{check, detect_all, CheckOptions, CheckReport, Glossary, Mode};
use crate::documents::{Document, DocumentError, Limits};
use crate::store::GlossaryEntry;
use crate::text::Lang;

/// Why two files cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckFileError {
    #[error("{}: {source}", path.display())]
    Document {
        path: PathBuf,
        #[source]
        source: DocumentError,
    },
    #[error("{} and {} are both in {lang}; give a document and its translation (one in Chinese, one in English)", source_path.display(), target_path.display())]
    SameLanguage {
        source_path: PathBuf,
        target_path: PathBuf,
        lang: Lang,
    },
}

wenshu_error::coded! {
    CheckFileError {
        Self::SameLanguage { .. } => "check_same_language", usage;
    }
    delegate {
        Self::Document { source, .. } => source,
    }
}

/// A checked pair of files: the report and each side's paragraphs.
pub struct FileCheck {
    pub report: CheckReport,
    pub source: Vec<String>,
    pub target: Vec<String>,
}

fn paragraphs(path: &Path, limits: &Limits) -> Result<Vec<String>, CheckFileError> {
    let doc = Document::read(path, limits).map_err(|source| CheckFileError::Document {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(doc.blocks().iter().map(|b| b.text.clone()).collect())
}

/// Reads both files, detects their languages and checks the translation.
///
/// # Errors
/// A file that cannot be read as a document, or two files in one language.
pub fn check_files(
    source_path: &Path,
    target_path: &Path,
    user_glossary: &[GlossaryEntry],
    base_glossary: bool,
    limits: &Limits,
) -> Result<FileCheck, CheckFileError> {
    let source = paragraphs(source_path, limits)?;
    let target = paragraphs(target_path, limits)?;
    let source_lang = detect_all(&source);
    let target_lang = detect_all(&target);
    let same = match (source_lang, target_lang) {
        (Lang::Mixed, Lang::Mixed) => true,
        (Lang::Mixed, _) | (_, Lang::Mixed) => false,
        (s, t) => s.is_chinese() == t.is_chinese(),
    };
    if same {
        return Err(CheckFileError::SameLanguage {
            source_path: source_path.to_path_buf(),
            target_path: target_path.to_path_buf(),
            lang: source_lang,
        });
    }
    // A mixed side is taken as the language the other side is not.
    let (source_lang, target_lang) = match (source_lang, target_lang) {
        (Lang::Mixed, t) => (
            if t.is_chinese() {
                Lang::En
            } else {
                Lang::ZhHant
            },
            t,
        ),
        (s, Lang::Mixed) => (
            s,
            if s.is_chinese() {
                Lang::En
            } else {
                Lang::ZhHant
            },
        ),
        other => other,
    };
    let glossary = Glossary::shared(user_glossary, base_glossary);
    let report = check(
        &source,
        &target,
        &CheckOptions {
            mode: Mode::Translation,
            source_lang,
            target_lang,
            glossary: Some(&glossary),
        },
    );
    Ok(FileCheck {
        report,
        source,
        target,
    })
}
