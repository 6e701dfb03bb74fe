//! The local SQLite store: run history (with full-text search in both
//! Chinese scripts and English) and the glossary.
//!
//! One file in the user's data directory, created owner-only. WAL mode so
//! readers never wait for a writer, a busy timeout so two processes writing
//! at once queue instead of failing, and every run written in one
//! transaction with its search row, so a killed process leaves either the
//! whole run or none of it. Migrations are numbered `.sql` files compiled in
//! and applied in order; `PRAGMA user_version` records how far a file is.
//!
//! The store is synchronous: a shell running an async runtime calls it from
//! `spawn_blocking` (or keeps it on its own thread), never on the runtime.

mod batch;
pub mod export;
mod glossary;
mod mask;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use wenshu_error::{Fix, Setting};

use crate::text::zh;

pub use batch::{JobFile, JobRecord};
pub use glossary::GlossaryEntry;
pub use mask::mask_personal_data;

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_runs", include_str!("migrations/0001_runs.sql")),
    (
        "0002_glossary",
        include_str!("migrations/0002_glossary.sql"),
    ),
    (
        "0003_short_query_index",
        include_str!("migrations/0003_short_query_index.sql"),
    ),
    ("0004_batch", include_str!("migrations/0004_batch.sql")),
    ("0005_checks", include_str!("migrations/0005_checks.sql")),
];

/// Everything that can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the history database {path}: {source}; check the path and its permissions, or choose another database")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the history database {path} is from a newer Wenshu (schema {found}, this build knows {known}); update Wenshu")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("migration {name} failed: {source}")]
    Migration {
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("no run with id {0}; the history list shows the ids")]
    NoSuchRun(i64),
    #[error("no batch job with id {0}; the list of jobs shows the ids")]
    NoSuchJob(i64),
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Glossary(String),
    #[error("cannot export runs as `.{extension}`; name the file .md, .json or .docx")]
    ExportFormat { extension: String },
    #[error("cannot save text as `.{extension}`; name the file .docx, .md or .txt")]
    SaveFormat { extension: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

wenshu_error::coded! {
    StoreError {
        Self::Open { .. } => "store_open", runtime, fix = Fix::choose(Setting::Database);
        Self::Create { .. } => "store_create", runtime, fix = Fix::choose(Setting::Database);
        Self::TooNew { .. } => "store_too_new", usage;
        Self::Migration { .. } => "store_migration", runtime;
        Self::NoSuchRun(_) => "run_not_found", usage, fix = Fix::ListRuns;
        Self::NoSuchJob(_) => "job_not_found", usage, fix = Fix::ListJobs;
        Self::Sql(_) => "store_sql", runtime;
        Self::Corrupt(_) => "store_corrupt", runtime;
        Self::Glossary(_) => "glossary_invalid", usage;
        Self::ExportFormat { .. } => "export_format", usage, fix = Fix::choose(Setting::Output);
        Self::SaveFormat { .. } => "save_format", usage, fix = Fix::choose(Setting::Output);
        Self::Write { .. } => "output_write", runtime, fix = Fix::choose(Setting::Output);
    }
}

impl From<rusqlite::Error> for StoreError {
    /// A value the store cannot read back (an unknown status word, a JSON
    /// column that does not parse) is corruption, not a database failure.
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, reason) => {
                Self::Corrupt(reason.to_string())
            }
            e => Self::Sql(e),
        }
    }
}

/// Gives a string enum (strum's `IntoStaticStr` and `EnumString`) its SQL
/// column form: the same lowercase word the JSON and the UI use. A word the
/// enum does not know is reported as a conversion failure, which the store
/// turns into [`StoreError::Corrupt`].
macro_rules! text_column {
    ($($ty:ty),* $(,)?) => {$(
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                let word: &'static str = self.into();
                Ok(rusqlite::types::ToSqlOutput::from(word))
            }
        }
        impl rusqlite::types::FromSql for $ty {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let word = value.as_str()?;
                word.parse().map_err(|_| {
                    rusqlite::types::FromSqlError::Other(
                        format!("unknown {} `{word}`", stringify!($ty)).into(),
                    )
                })
            }
        }
    )*};
}

/// Declares a status that is stored in a column and crosses to the UI: the
/// same lowercase word in SQL, JSON and TypeScript (`VariantArray` lists
/// them for the generated contract), and a word the enum does not know
/// read back as corruption.
macro_rules! status_enums {
    ($($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* })*) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
            strum::IntoStaticStr, strum::EnumString, strum::Display, strum::VariantArray,
        )]
        #[serde(rename_all = "lowercase")]
        #[strum(serialize_all = "lowercase")]
        pub enum $name { $($body)* }
        text_column!($name);
    )*};
}

status_enums! {
/// How a stored run ended.
pub enum RunStatus {
    Completed,
    Cancelled,
    Failed,
}

/// Where a batch job stands.
pub enum JobStatus {
    /// A process is working on it (its pid is recorded).
    Running,
    /// Stopped before the end (a crash, a kill, a signal); resumable.
    Interrupted,
    /// Every file reached an end state.
    Completed,
    /// The user cancelled it; resuming starts it again.
    Cancelled,
}

/// Where one file of a batch job stands.
#[derive(Default)]
pub enum FileStatus {
    /// Not finished yet (the run stopped first, or it has not started).
    #[default]
    Pending,
    Done,
    Failed,
    /// Not a document Wenshu translates, or unreadable before any work.
    Skipped,
}
}

/// One run as stored: input, output and full provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Assigned by the store; 0 before insertion.
    pub id: i64,
    /// Unix time in milliseconds.
    pub created_at: i64,
    pub task: String,
    pub doc_type: Option<String>,
    pub source_lang: String,
    pub target_lang: String,
    pub status: RunStatus,
    pub input: String,
    pub output: String,
    pub error: Option<String>,
    pub model_file: String,
    pub model_sha256: String,
    pub prompt_id: String,
    pub prompt_version: u32,
    pub prompt_hash: String,
    /// Every prompt used (JSON array of prompt references).
    pub prompts: serde_json::Value,
    /// What `rerun` needs: target, doc type, tone, limits.
    pub request: serde_json::Value,
    pub sampling: serde_json::Value,
    pub seed: u32,
    pub prompt_tokens: u64,
    pub generated_tokens: u64,
    pub total_ms: f64,
    pub usage: serde_json::Value,
    /// The glossary check of runs stored before check reports existed.
    pub glossary: Option<serde_json::Value>,
    /// The check report (figures, official names, script), as JSON.
    #[serde(default)]
    pub checks: Option<serde_json::Value>,
    pub masked: bool,
}

/// A line of `history list` / search results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub created_at: i64,
    pub task: String,
    pub status: RunStatus,
    pub source_lang: String,
    pub target_lang: String,
    /// The first characters of the input.
    pub preview: String,
}

/// The history database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Where the database lives unless `--db` / `WENSHU_DB` say otherwise.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("WENSHU_DB") {
        return PathBuf::from(path);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("wenshu")
        .join("history.sqlite3")
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    ///
    /// # Errors
    /// When the file cannot be created or opened, is from a newer version,
    /// or a migration fails.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Create {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        create_owner_only(path)?;
        // Several processes may open a new file at the same moment; switching
        // it to WAL and creating the schema take locks that SQLite reports as
        // busy without always consulting the busy handler, so retry here.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let conn = Connection::open(path).map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
            let mut store = Self {
                conn,
                path: path.to_path_buf(),
            };
            match store.configure().and_then(|()| store.migrate()) {
                Ok(()) => return Ok(store),
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        // A second writer waits up to 10 s for the lock instead of failing.
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            self.conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migration { name, source })?;
            if *name == "0003_short_query_index" {
                // The index holds a form of the text only Rust can compute
                // (OpenCC), so existing runs are indexed here.
                backfill_short_query_index(&tx)
                    .map_err(|source| StoreError::Migration { name, source })?;
            }
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a run; returns its id. The run and its search row are written
    /// in one transaction.
    ///
    /// # Errors
    /// Database errors (after the busy timeout).
    pub fn insert_run(&mut self, run: &RunRecord) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO runs (created_at, task, doc_type, source_lang, target_lang, status, input, output,
                error, model_file, model_sha256, prompt_id, prompt_version, prompt_hash, prompts_json,
                request_json, sampling_json, seed, prompt_tokens, generated_tokens, total_ms, usage_json,
                glossary_json, masked, checks_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                ?20, ?21, ?22, ?23, ?24, ?25)",
            params![
                run.created_at,
                run.task,
                run.doc_type,
                run.source_lang,
                run.target_lang,
                run.status,
                run.input,
                run.output,
                run.error,
                run.model_file,
                run.model_sha256,
                run.prompt_id,
                run.prompt_version,
                run.prompt_hash,
                run.prompts.to_string(),
                run.request.to_string(),
                run.sampling.to_string(),
                run.seed,
                run.prompt_tokens as i64,
                run.generated_tokens as i64,
                run.total_ms,
                run.usage.to_string(),
                run.glossary.as_ref().map(|g| g.to_string()),
                run.masked,
                run.checks.as_ref().map(|c| c.to_string()),
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO runs_fts (rowid, input_norm, output_norm) VALUES (?1, ?2, ?3)",
            params![id, search_key(&run.input), search_key(&run.output)],
        )?;
        tx.execute(
            "INSERT INTO runs_chars (rowid, input_chars, output_chars) VALUES (?1, ?2, ?3)",
            params![
                id,
                spaced(&search_key(&run.input)),
                spaced(&search_key(&run.output))
            ],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Runs newest first, `limit` per page.
    ///
    /// # Errors
    /// Database errors.
    pub fn list(&self, limit: usize, offset: usize) -> Result<Vec<RunSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, task, status, source_lang, target_lang, substr(input, 1, 60)
             FROM runs ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit as i64, offset as i64], summary_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of stored runs.
    ///
    /// # Errors
    /// Database errors.
    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Runs whose input or output contains `query`, newest first. Either
    /// Chinese script finds both; English is case-insensitive. Queries of
    /// three or more characters use the trigram index; one or two Chinese
    /// characters (房屋, 稅) use a one-character-per-token index, and one or
    /// two letters match word prefixes.
    ///
    /// # Errors
    /// Database errors.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<RunSummary>, StoreError> {
        let key = search_key(query.trim());
        if key.is_empty() {
            return Ok(Vec::new());
        }
        // Newest first is taken as highest id first: ids grow with insertion
        // time, and the search index can walk rowids backwards and stop at
        // `limit` instead of sorting every match.
        let ids: Vec<i64> = if key.chars().count() >= 3 {
            let phrase = format!("\"{}\"", key.replace('"', "\"\""));
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![phrase, limit as i64], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        } else if let Some(query) = short_query(&key) {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid FROM runs_chars WHERE runs_chars MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![query, limit as i64], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        } else {
            // Short mixed-script queries (rare) scan with LIKE.
            let pattern = format!(
                "%{}%",
                key.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid FROM runs_fts
                 WHERE input_norm LIKE ?1 ESCAPE '\\' OR output_norm LIKE ?1 ESCAPE '\\'
                 ORDER BY rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![pattern, limit as i64], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, task, status, source_lang, target_lang, substr(input, 1, 60)
             FROM runs WHERE id = ?1",
        )?;
        for id in ids {
            if let Some(row) = stmt.query_row([id], summary_row).optional()? {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// One run in full.
    ///
    /// # Errors
    /// [`StoreError::NoSuchRun`] when the id is unknown.
    pub fn get(&self, id: i64) -> Result<RunRecord, StoreError> {
        self.conn
            .query_row("SELECT * FROM runs WHERE id = ?1", [id], record_row)
            .optional()?
            .ok_or(StoreError::NoSuchRun(id))
    }

    /// Deletes runs by id; returns how many existed.
    ///
    /// # Errors
    /// Database errors.
    pub fn delete(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        for id in ids {
            n += tx.execute("DELETE FROM runs WHERE id = ?1", [id])?;
            tx.execute("DELETE FROM runs_fts WHERE rowid = ?1", [id])?;
            tx.execute("DELETE FROM runs_chars WHERE rowid = ?1", [id])?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Deletes runs older than `days` days (0 keeps everything); the
    /// retention setting, applied when a program opens the store.
    ///
    /// # Errors
    /// Database errors.
    pub fn apply_retention(&mut self, days: u32) -> Result<usize, StoreError> {
        if days == 0 {
            return Ok(0);
        }
        self.purge_before(now_ms() - i64::from(days) * 86_400_000)
    }

    /// Deletes runs created before `cutoff_ms`; returns how many.
    ///
    /// # Errors
    /// Database errors.
    pub fn purge_before(&mut self, cutoff_ms: i64) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM runs_fts WHERE rowid IN (SELECT id FROM runs WHERE created_at < ?1)",
            [cutoff_ms],
        )?;
        tx.execute(
            "DELETE FROM runs_chars WHERE rowid IN (SELECT id FROM runs WHERE created_at < ?1)",
            [cutoff_ms],
        )?;
        let n = tx.execute("DELETE FROM runs WHERE created_at < ?1", [cutoff_ms])?;
        tx.commit()?;
        Ok(n)
    }

    /// `PRAGMA integrity_check` plus a check that every run has its search
    /// row and no search row is orphaned. Returns the problems found.
    ///
    /// # Errors
    /// Database errors.
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if integrity != "ok" {
            problems.push(format!("integrity_check: {integrity}"));
        }
        let missing: i64 = self.conn.query_row(
            "SELECT count(*) FROM runs WHERE id NOT IN (SELECT rowid FROM runs_fts)",
            [],
            |r| r.get(0),
        )?;
        let orphans: i64 = self.conn.query_row(
            "SELECT count(*) FROM runs_fts WHERE rowid NOT IN (SELECT id FROM runs)",
            [],
            |r| r.get(0),
        )?;
        let runs: i64 = self
            .conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))?;
        let chars: i64 = self
            .conn
            .query_row("SELECT count(*) FROM runs_chars", [], |r| r.get(0))?;
        if chars != runs {
            problems.push(format!(
                "{runs} run(s) but {chars} short-query index row(s)"
            ));
        }
        if missing > 0 {
            problems.push(format!("{missing} run(s) without a search row"));
        }
        if orphans > 0 {
            problems.push(format!("{orphans} search row(s) without a run"));
        }
        Ok(problems)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// The form text is indexed and searched in: Simplified script (so either
/// script finds both), lower case.
pub fn search_key(text: &str) -> String {
    zh::to_simplified(text).to_lowercase()
}

fn backfill_short_query_index(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut select = tx.prepare("SELECT id, input, output FROM runs")?;
    let mut insert = tx
        .prepare("INSERT INTO runs_chars (rowid, input_chars, output_chars) VALUES (?1, ?2, ?3)")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let (id, input, output): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        insert.execute(params![
            id,
            spaced(&search_key(&input)),
            spaced(&search_key(&output))
        ])?;
    }
    Ok(())
}

fn is_busy(e: &StoreError) -> bool {
    let sql = match e {
        StoreError::Sql(e)
        | StoreError::Migration { source: e, .. }
        | StoreError::Open { source: e, .. } => e,
        _ => return false,
    };
    matches!(
        sql.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// The search form with every Han character set apart by spaces, for the
/// one-token-per-character index.
fn spaced(key: &str) -> String {
    let mut out = String::with_capacity(key.len() * 2);
    for c in key.chars() {
        if crate::text::lang::is_han(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// An FTS5 query for a one- or two-character search key: a phrase of Han
/// characters, or a prefix of an alphanumeric word. `None` for anything else.
fn short_query(key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    if chars.iter().all(|&c| crate::text::lang::is_han(c)) {
        let phrase: Vec<String> = chars.iter().map(char::to_string).collect();
        return Some(format!("\"{}\"", phrase.join(" ")));
    }
    if chars
        .iter()
        .all(|c| c.is_alphanumeric() && !crate::text::lang::is_han(*c))
    {
        return Some(format!("\"{key}\" *"));
    }
    None
}

fn create_owner_only(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // History holds drafts of official documents: owner-only.
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn summary_row(row: &Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: row.get(0)?,
        created_at: row.get(1)?,
        task: row.get(2)?,
        status: row.get(3)?,
        source_lang: row.get(4)?,
        target_lang: row.get(5)?,
        preview: row.get::<_, String>(6)?.replace('\n', " "),
    })
}

fn json_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

fn json_col(row: &Row<'_>, name: &str) -> rusqlite::Result<serde_json::Value> {
    let text: String = row.get(name)?;
    serde_json::from_str(&text).map_err(json_error)
}

/// A JSON column that older rows (before its migration) leave NULL.
fn json_col_opt<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    name: &str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(name)?;
    text.map(|t| serde_json::from_str(&t).map_err(json_error))
        .transpose()
}

fn record_row(row: &Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: row.get("id")?,
        created_at: row.get("created_at")?,
        task: row.get("task")?,
        doc_type: row.get("doc_type")?,
        source_lang: row.get("source_lang")?,
        target_lang: row.get("target_lang")?,
        status: row.get("status")?,
        input: row.get("input")?,
        output: row.get("output")?,
        error: row.get("error")?,
        model_file: row.get("model_file")?,
        model_sha256: row.get("model_sha256")?,
        prompt_id: row.get("prompt_id")?,
        prompt_version: row.get("prompt_version")?,
        prompt_hash: row.get("prompt_hash")?,
        prompts: json_col(row, "prompts_json")?,
        request: json_col(row, "request_json")?,
        sampling: json_col(row, "sampling_json")?,
        seed: row.get("seed")?,
        prompt_tokens: row.get::<_, i64>("prompt_tokens")? as u64,
        generated_tokens: row.get::<_, i64>("generated_tokens")? as u64,
        total_ms: row.get("total_ms")?,
        usage: json_col(row, "usage_json")?,
        glossary: json_col_opt(row, "glossary_json")?,
        checks: json_col_opt(row, "checks_json")?,
        masked: row.get("masked")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::history::generated_run;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/history.sqlite3")).unwrap();
        (dir, store)
    }

    fn run_with(input: &str, output: &str) -> RunRecord {
        let mut run = generated_run(7, 0);
        run.input = input.into();
        run.output = output.into();
        run
    }

    #[test]
    fn a_stored_run_comes_back_field_for_field() {
        let (_dir, mut store) = store();
        let mut run = generated_run(1, 3);
        run.glossary = Some(serde_json::json!({ "terms": [] }));
        let id = store.insert_run(&run).unwrap();
        run.id = id;
        assert_eq!(store.get(id).unwrap(), run);
        assert!(matches!(store.get(id + 1), Err(StoreError::NoSuchRun(_))));
    }

    #[test]
    fn search_finds_traditional_text_from_simplified_and_english_queries() {
        let (_dir, mut store) = store();
        let a = store
            .insert_run(&run_with(
                "運輸署將加密巴士班次。",
                "The Transport Department will add buses.",
            ))
            .unwrap();
        let b = store
            .insert_run(&run_with("衞生署提醒市民接種疫苗。", "Get vaccinated."))
            .unwrap();
        let ids = |q: &str| {
            store
                .search(q, 10)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("运输署"), vec![a]);
        assert_eq!(ids("運輸署"), vec![a]);
        assert_eq!(ids("transport department"), vec![a]);
        assert_eq!(ids("疫苗"), vec![b], "two-character query");
        assert_eq!(ids("苗"), vec![b], "one-character query");
        assert_eq!(ids("巴士班次"), vec![a]);
        assert!(ids("颱風").is_empty());
        assert!(ids("  ").is_empty());
    }

    #[test]
    fn search_and_list_return_newest_first() {
        let (_dir, mut store) = store();
        let first = store
            .insert_run(&run_with("房屋署公佈輪候時間。", "x"))
            .unwrap();
        let second = store
            .insert_run(&run_with("房屋署公佈新屋邨。", "y"))
            .unwrap();
        let found: Vec<i64> = store
            .search("房屋署", 10)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(found, vec![second, first]);
        let listed: Vec<i64> = store.list(10, 0).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(listed[0], second);
    }

    #[test]
    fn purge_deletes_old_runs_and_nothing_else() {
        let (_dir, mut store) = store();
        for age in [1, 10, 89, 91, 200, 400] {
            store.insert_run(&generated_run(age as u64, age)).unwrap();
        }
        let cutoff = now_ms() - 90 * 86_400_000;
        let deleted = store.purge_before(cutoff).unwrap();
        assert_eq!(deleted, 3);
        assert_eq!(store.count().unwrap(), 3);
        assert!(store
            .list(10, 0)
            .unwrap()
            .iter()
            .all(|r| r.created_at >= cutoff));
        assert!(
            store.check().unwrap().is_empty(),
            "search rows follow the runs"
        );
    }

    #[test]
    fn delete_removes_the_run_and_its_search_row() {
        let (_dir, mut store) = store();
        let id = store
            .insert_run(&run_with("立法會會議", "LegCo meeting"))
            .unwrap();
        assert_eq!(store.delete(&[id, 999]).unwrap(), 1);
        assert!(store.search("立法會", 10).unwrap().is_empty());
        assert!(store.check().unwrap().is_empty());
    }

    #[test]
    fn the_database_file_is_owner_only_and_reopening_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut store = Store::open(&path).unwrap();
        store.insert_run(&generated_run(3, 0)).unwrap();
        drop(store);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.count().unwrap(), 1);
        let version: i64 = store
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn upgrading_a_database_from_before_the_short_query_index_indexes_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            // Build the schema as the first two migrations left it, with a run.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0].1).unwrap();
            conn.execute_batch(MIGRATIONS[1].1).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            let run = run_with("稅務局提醒市民報稅。", "File your tax return.");
            conn.execute(
                "INSERT INTO runs (created_at, task, source_lang, target_lang, status, input, output,
                    model_file, model_sha256, prompt_id, prompt_version, prompt_hash, prompts_json,
                    request_json, sampling_json, seed, prompt_tokens, generated_tokens, total_ms, usage_json)
                 VALUES (1, 'translate', 'zh-Hant', 'en', 'completed', ?1, ?2, 'm', 's', 'p', 1, 'h',
                    '[]', '{}', '{}', 1, 1, 1, 1.0, '{}')",
                params![run.input, run.output],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO runs_fts (rowid, input_norm, output_norm) VALUES (1, ?1, ?2)",
                params![search_key(&run.input), search_key(&run.output)],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.search("稅", 10).unwrap().len(), 1);
        assert!(store.check().unwrap().is_empty());
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn glossary_import_export_round_trip_and_a_bad_line_imports_nothing() {
        let (dir, mut store) = store();
        let tsv = dir.path().join("terms.tsv");
        std::fs::write(&tsv, "en\tzh\tdomain\tnote\taliases_en\taliases_zh\tmode\tkind\nHousing Department\t房屋署\thousing\t\tHD\t\tcheck\t\n\t\t\t\nLegislative Council\t立法會\t\t\tLegCo\t\t\t\n").unwrap();
        assert_eq!(store.glossary_import(&tsv).unwrap(), (2, 1));
        let listed = store.glossary_list().unwrap();
        let hd = listed
            .iter()
            .find(|e| e.en == "Housing Department")
            .unwrap();
        assert_eq!(hd.aliases_en, vec!["HD".to_string()]);
        assert_eq!(hd.mode, crate::checks::terms::TermMode::Check);
        let legco = listed
            .iter()
            .find(|e| e.en == "Legislative Council")
            .unwrap();
        assert_eq!(legco.mode, crate::checks::terms::TermMode::Enforce);
        let v1 = store.glossary_version().unwrap();
        let csv_path = dir.path().join("out.csv");
        assert_eq!(store.glossary_export(&csv_path).unwrap(), 2);
        let text = std::fs::read_to_string(&csv_path).unwrap();
        assert!(
            text.starts_with("en,zh,domain,note,aliases_en,aliases_zh,mode,kind\n")
                && text.contains("Housing Department,房屋署,housing,,HD,,check,body"),
            "{text}"
        );
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "Transport Department,運輸署\nonly-one-column\n").unwrap();
        let err = store.glossary_import(&bad).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let bad_mode = dir.path().join("bad-mode.csv");
        std::fs::write(&bad_mode, "Transport Department,運輸署,,,,,always\n").unwrap();
        let err = store.glossary_import(&bad_mode).unwrap_err();
        assert!(err.to_string().contains("mode `always`"), "{err}");
        assert_eq!(
            store.glossary_list().unwrap().len(),
            2,
            "nothing from the bad file"
        );
        assert_eq!(store.glossary_remove("housing department").unwrap(), 1);
        assert!(store.glossary_version().unwrap() > v1);
    }
}
