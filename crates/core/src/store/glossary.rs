//! Official terminology: stored pairs of English and Traditional Chinese
//! terms, TSV/CSV import and export, and the check that a translation used
//! the official rendering of every term in its source.

use std::path::Path;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::text::zh;

/// One glossary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryEntry {
    pub id: i64,
    pub en: String,
    pub zh: String,
    pub domain: String,
    pub note: String,
}

/// Whether one term's official rendering reached the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCheck {
    pub source: String,
    pub target: String,
    pub found: bool,
}

/// The glossary check of one translation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryCheck {
    pub terms: Vec<TermCheck>,
}

impl GlossaryCheck {
    /// Terms present in the source whose rendering is missing from the output.
    pub fn missing(&self) -> impl Iterator<Item = &TermCheck> {
        self.terms.iter().filter(|t| !t.found)
    }
}

impl Store {
    /// Adds a term pair (or updates its domain and note if it exists).
    ///
    /// # Errors
    /// Empty terms, or database errors.
    pub fn glossary_add(
        &mut self,
        en: &str,
        zh_term: &str,
        domain: &str,
        note: &str,
    ) -> Result<i64, StoreError> {
        let (en, zh_term) = (en.trim(), zh::to_hk_traditional(zh_term.trim()));
        if en.is_empty() || zh_term.is_empty() {
            return Err(StoreError::Glossary(
                "a glossary entry needs both an English and a Chinese term".into(),
            ));
        }
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO glossary (en, zh, domain, note) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (en, zh) DO UPDATE SET domain = excluded.domain, note = excluded.note",
            params![en, zh_term, domain.trim(), note.trim()],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM glossary WHERE en = ?1 AND zh = ?2",
            params![en, zh_term],
            |r| r.get(0),
        )?;
        bump_version(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Every entry, by English term.
    ///
    /// # Errors
    /// Database errors.
    pub fn glossary_list(&self) -> Result<Vec<GlossaryEntry>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, en, zh, domain, note FROM glossary ORDER BY lower(en), zh",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(GlossaryEntry {
                id: r.get(0)?,
                en: r.get(1)?,
                zh: r.get(2)?,
                domain: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Removes entries by id or by either term; returns how many.
    ///
    /// # Errors
    /// Database errors.
    pub fn glossary_remove(&mut self, key: &str) -> Result<usize, StoreError> {
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = match key.parse::<i64>() {
            Ok(id) => tx.execute("DELETE FROM glossary WHERE id = ?1", [id])?,
            Err(_) => tx.execute(
                "DELETE FROM glossary WHERE lower(en) = lower(?1) OR zh = ?1",
                [key.trim()],
            )?,
        };
        if n > 0 {
            bump_version(&tx)?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Changes whenever the glossary changes (for caches keyed on it).
    ///
    /// # Errors
    /// Database errors.
    pub fn glossary_version(&self) -> Result<u64, StoreError> {
        let v: String = self.conn().query_row(
            "SELECT value FROM meta WHERE key = 'glossary_version'",
            [],
            |r| r.get(0),
        )?;
        Ok(v.parse().unwrap_or(0))
    }

    /// Imports a TSV (`.tsv`, `.txt`) or CSV (`.csv`) file: English, Chinese,
    /// optional domain, optional note; a header row naming `en`/`English` is
    /// skipped. Returns (entries added or updated, rows skipped as blank).
    ///
    /// # Errors
    /// An unreadable file, or a row with fewer than two columns (named by
    /// line number, and nothing is imported).
    pub fn glossary_import(&mut self, path: &Path) -> Result<(usize, usize), StoreError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter_for(path))
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| StoreError::Glossary(format!("cannot read {}: {e}", path.display())))?;
        let mut rows = Vec::new();
        let mut skipped = 0;
        for (index, record) in reader.records().enumerate() {
            let record =
                record.map_err(|e| StoreError::Glossary(format!("{}: {e}", path.display())))?;
            let line = index + 1;
            let field = |i: usize| record.get(i).unwrap_or("").to_string();
            if record.iter().all(|f| f.is_empty()) {
                skipped += 1;
                continue;
            }
            let en = field(0);
            if line == 1 && matches!(en.to_lowercase().as_str(), "en" | "english") {
                continue;
            }
            if record.len() < 2 || field(1).is_empty() || en.is_empty() {
                return Err(StoreError::Glossary(format!(
                    "{} line {line}: expected English and Chinese terms (then optional domain and note), found {:?}; fix the line and import again",
                    path.display(),
                    record.iter().collect::<Vec<_>>()
                )));
            }
            rows.push((en, field(1), field(2), field(3)));
        }
        // All or nothing: a bad file must not leave half a glossary.
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (en, zh_term, domain, note) in &rows {
            tx.execute(
                "INSERT INTO glossary (en, zh, domain, note) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (en, zh) DO UPDATE SET domain = excluded.domain, note = excluded.note",
                params![en, zh::to_hk_traditional(zh_term), domain, note],
            )?;
        }
        bump_version(&tx)?;
        tx.commit()?;
        Ok((rows.len(), skipped))
    }

    /// Writes every entry to a TSV or CSV file (by extension), with a header.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn glossary_export(&self, path: &Path) -> Result<usize, StoreError> {
        let entries = self.glossary_list()?;
        let io =
            |e: csv::Error| StoreError::Glossary(format!("cannot write {}: {e}", path.display()));
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter_for(path))
            .from_path(path)
            .map_err(io)?;
        writer
            .write_record(["en", "zh", "domain", "note"])
            .map_err(io)?;
        for e in &entries {
            writer
                .write_record([&e.en, &e.zh, &e.domain, &e.note])
                .map_err(io)?;
        }
        writer
            .flush()
            .map_err(|e| StoreError::Glossary(format!("cannot write {}: {e}", path.display())))?;
        Ok(entries.len())
    }
}

fn delimiter_for(path: &Path) -> u8 {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => b',',
        _ => b'\t',
    }
}

fn bump_version(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'glossary_version'",
        [],
    )?;
    Ok(())
}
