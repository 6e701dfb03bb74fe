//! Official terminology: stored pairs of English and Traditional Chinese
//! names, with abbreviations, a mode and a kind, and TSV/CSV import and
//! export. Matching, protection and the check live in
//! [`crate::checks::terms`].

use std::path::Path;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::checks::terms::{TermKind, TermMode};
use crate::text::zh;

/// One glossary entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GlossaryEntry {
    pub id: i64,
    pub en: String,
    pub zh: String,
    pub domain: String,
    pub note: String,
    /// English abbreviations and short forms, accepted after the full name.
    #[serde(default)]
    pub aliases_en: Vec<String>,
    /// Chinese short forms (環保署, 食環署), accepted after the full name.
    #[serde(default)]
    pub aliases_zh: Vec<String>,
    #[serde(default)]
    pub mode: TermMode,
    #[serde(default)]
    pub kind: TermKind,
}

impl GlossaryEntry {
    /// An entry with only its two names (enforced, a body).
    pub fn new(en: &str, zh_term: &str) -> Self {
        Self {
            id: 0,
            en: en.into(),
            zh: zh_term.into(),
            domain: String::new(),
            note: String::new(),
            aliases_en: Vec::new(),
            aliases_zh: Vec::new(),
            mode: TermMode::Enforce,
            kind: TermKind::Body,
        }
    }
}

fn join(aliases: &[String]) -> String {
    aliases
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

fn split(aliases: &str) -> Vec<String> {
    aliases
        .split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
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
        let mut entry = GlossaryEntry::new(en, zh_term);
        entry.domain = domain.into();
        entry.note = note.into();
        self.glossary_put(&entry)
    }

    /// Adds an entry, or updates everything but its names if the pair exists.
    ///
    /// # Errors
    /// Empty terms, or database errors.
    pub fn glossary_put(&mut self, entry: &GlossaryEntry) -> Result<i64, StoreError> {
        let (en, zh_term) = (entry.en.trim(), zh::to_hk_traditional(entry.zh.trim()));
        if en.is_empty() || zh_term.is_empty() {
            return Err(StoreError::Glossary(
                "a glossary entry needs both an English and a Chinese term".into(),
            ));
        }
        let aliases_zh: Vec<String> = entry
            .aliases_zh
            .iter()
            .map(|a| zh::to_hk_traditional(a))
            .collect();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        upsert(&tx, en, &zh_term, entry, &aliases_zh)?;
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
            "SELECT id, en, zh, domain, note, aliases_en, aliases_zh, mode, kind FROM glossary ORDER BY lower(en), zh",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(GlossaryEntry {
                id: r.get(0)?,
                en: r.get(1)?,
                zh: r.get(2)?,
                domain: r.get(3)?,
                note: r.get(4)?,
                aliases_en: split(&r.get::<_, String>(5)?),
                aliases_zh: split(&r.get::<_, String>(6)?),
                mode: TermMode::parse(&r.get::<_, String>(7)?).unwrap_or_default(),
                kind: TermKind::parse(&r.get::<_, String>(8)?).unwrap_or_default(),
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
    /// then optional domain, note, English aliases and Chinese aliases
    /// (separated by `|`), mode (`enforce` or `check`) and kind (`body` or
    /// `title`); a header row naming `en`/`English` is skipped. Returns
    /// (entries added or updated, rows skipped as blank).
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
                    "{} line {line}: expected English and Chinese terms (then optional domain and note), found “{}”; fix the line and import again",
                    path.display(),
                    record.iter().collect::<Vec<_>>().join(",")
                )));
            }
            let mode = TermMode::parse(&field(6)).ok_or_else(|| {
                StoreError::Glossary(format!(
                    "{} line {line}: mode `{}` is not `enforce` or `check`; fix the line and import again",
                    path.display(),
                    field(6)
                ))
            })?;
            let kind = TermKind::parse(&field(7)).ok_or_else(|| {
                StoreError::Glossary(format!(
                    "{} line {line}: kind `{}` is not `body` or `title`; fix the line and import again",
                    path.display(),
                    field(7)
                ))
            })?;
            rows.push(GlossaryEntry {
                id: 0,
                en,
                zh: field(1),
                domain: field(2),
                note: field(3),
                aliases_en: split(&field(4)),
                aliases_zh: split(&field(5)),
                mode,
                kind,
            });
        }
        // All or nothing: a bad file must not leave half a glossary.
        let tx = self
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for entry in &rows {
            let aliases_zh: Vec<String> = entry
                .aliases_zh
                .iter()
                .map(|a| zh::to_hk_traditional(a))
                .collect();
            upsert(
                &tx,
                entry.en.trim(),
                &zh::to_hk_traditional(entry.zh.trim()),
                entry,
                &aliases_zh,
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
            .write_record([
                "en",
                "zh",
                "domain",
                "note",
                "aliases_en",
                "aliases_zh",
                "mode",
                "kind",
            ])
            .map_err(io)?;
        for e in &entries {
            writer
                .write_record([
                    e.en.as_str(),
                    &e.zh,
                    &e.domain,
                    &e.note,
                    &join(&e.aliases_en),
                    &join(&e.aliases_zh),
                    e.mode.as_str(),
                    e.kind.as_str(),
                ])
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

fn upsert(
    tx: &rusqlite::Transaction<'_>,
    en: &str,
    zh_term: &str,
    entry: &GlossaryEntry,
    aliases_zh: &[String],
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO glossary (en, zh, domain, note, aliases_en, aliases_zh, mode, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (en, zh) DO UPDATE SET domain = excluded.domain, note = excluded.note,
             aliases_en = excluded.aliases_en, aliases_zh = excluded.aliases_zh,
             mode = excluded.mode, kind = excluded.kind",
        params![
            en,
            zh_term,
            entry.domain.trim(),
            entry.note.trim(),
            join(&entry.aliases_en),
            join(aliases_zh),
            entry.mode.as_str(),
            entry.kind.as_str()
        ],
    )?;
    Ok(())
}

fn bump_version(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'glossary_version'",
        [],
    )?;
    Ok(())
}
