//! The codes of every error core can report, and the trait that gives each
//! error its code, kind and fix ([`Coded`], from `wenshu-error`).
//!
//! [`all_codes`] is what the desktop UI's texts are checked against: each
//! type's list comes from the same match that gives its errors their codes,
//! so the list cannot leave a code out.

pub use wenshu_error::{coded, Coded, Fix, Kind, Setting};

use crate::batch::{child::BatchChildError, BatchError, FileError};
use crate::checks::files::CheckFileError;
use crate::documents::DocumentError;
use crate::engine::EngineError;
use crate::models::{CatalogError, ModelFileError, ModelMissing};
use crate::prompts::PromptError;
use crate::session::SessionError;
use crate::settings::SettingsError;
use crate::store::StoreError;
use crate::tasks::TaskError;
use crate::worker::WorkerError;

/// Every code an error of core or of the documents crate can carry, sorted,
/// each once.
pub fn all_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = [
        DocumentError::CODES,
        CheckFileError::CODES,
        CatalogError::CODES,
        ModelMissing::CODES,
        ModelFileError::CODES,
        PromptError::CODES,
        EngineError::CODES,
        TaskError::CODES,
        StoreError::CODES,
        BatchError::CODES,
        FileError::CODES,
        BatchChildError::CODES,
        SettingsError::CODES,
        SessionError::CODES,
        WorkerError::CODES,
        &[INTERNAL],
    ]
    .concat();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The code of a failure that is a bug, not the user's doing.
pub const INTERNAL: &str = "internal";

/// A code received as text (from a child process) as the code it is;
/// one this build does not know becomes [`INTERNAL`].
pub fn known_code(code: &str) -> &'static str {
    all_codes()
        .into_iter()
        .find(|c| *c == code)
        .unwrap_or(INTERNAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_snake_case_and_listed_once() {
        let codes = all_codes();
        assert!(codes.len() > 60, "{}", codes.len());
        for code in &codes {
            assert!(
                code.starts_with(|c: char| c.is_ascii_lowercase())
                    && code
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{code}"
            );
        }
        assert_eq!(known_code("zip_bomb"), "zip_bomb");
        assert_eq!(known_code("no_such_code"), INTERNAL);
    }
}
