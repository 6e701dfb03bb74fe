//! Batch jobs, their files, and the segment cache.
//!
//! A job is found again by its identity (a hash of everything that decides
//! its outputs), so running the same command after a crash resumes it. Each
//! translated segment is cached under a key that covers the model, prompt,
//! glossary, direction, sampling and source text, and logged in the same
//! transaction: the log is how tests prove nothing was translated twice.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{json_error, now_ms, FileStatus, JobStatus, Store, StoreError};

/// One batch job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub identity: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub source_dir: String,
    pub out_dir: String,
    pub target_lang: String,
    pub options: serde_json::Value,
    pub status: JobStatus,
    pub pid: Option<i64>,
    pub files_total: i64,
    pub files_done: i64,
    pub files_failed: i64,
    pub segments_total: i64,
    pub segments_done: i64,
}

/// One file of a job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobFile {
    pub rel_path: String,
    pub status: FileStatus,
    pub output: Option<String>,
    pub report: serde_json::Value,
}

const JOB_COLUMNS: &str =
    "id, identity, created_at, updated_at, source_dir, out_dir, target_lang, \
     options, status, pid, files_total, files_done, files_failed, segments_total, segments_done";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let options: String = row.get(7)?;
    Ok(JobRecord {
        id: row.get(0)?,
        identity: row.get(1)?,
        created_at: row.get(2)?,
        updated_at: row.get(3)?,
        source_dir: row.get(4)?,
        out_dir: row.get(5)?,
        target_lang: row.get(6)?,
        options: serde_json::from_str(&options).map_err(json_error)?,
        status: row.get(8)?,
        pid: row.get(9)?,
        files_total: row.get(10)?,
        files_done: row.get(11)?,
        files_failed: row.get(12)?,
        segments_total: row.get(13)?,
        segments_done: row.get(14)?,
    })
}

impl Store {
    /// The latest job with this identity that has not completed.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_resumable(&self, identity: &str) -> Result<Option<JobRecord>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM batch_jobs WHERE identity = ?1 AND status != ?2 \
             ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn()
            .query_row(&sql, params![identity, JobStatus::Completed], job_from_row)
            .optional()?)
    }

    /// Creates a job in state [`JobStatus::Running`]; returns its id.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_create(
        &mut self,
        identity: &str,
        source_dir: &str,
        out_dir: &str,
        target_lang: &str,
        options: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        self.conn().execute(
            "INSERT INTO batch_jobs (identity, created_at, updated_at, source_dir, out_dir, \
             target_lang, options, status, pid) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                identity,
                now,
                source_dir,
                out_dir,
                target_lang,
                options.to_string(),
                JobStatus::Running,
                std::process::id() as i64
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// One job.
    ///
    /// # Errors
    /// [`StoreError::NoSuchJob`] when there is none with this id.
    pub fn batch_job(&self, id: i64) -> Result<JobRecord, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM batch_jobs WHERE id = ?1");
        self.conn()
            .query_row(&sql, [id], job_from_row)
            .optional()?
            .ok_or(StoreError::NoSuchJob(id))
    }

    /// The latest jobs, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_jobs(&self, limit: usize) -> Result<Vec<JobRecord>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM batch_jobs ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([limit as i64], job_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets a job's status; [`JobStatus::Running`] also records this process
    /// as its owner.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_set_status(&mut self, id: i64, status: JobStatus) -> Result<(), StoreError> {
        let pid = (status == JobStatus::Running).then(|| std::process::id() as i64);
        self.conn().execute(
            "UPDATE batch_jobs SET status = ?2, pid = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, status, pid, now_ms()],
        )?;
        Ok(())
    }

    /// A job's current status, read fresh (another process may cancel it).
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_status(&self, id: i64) -> Result<JobStatus, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT status FROM batch_jobs WHERE id = ?1", [id], |r| {
                r.get(0)
            })?)
    }

    /// Records a job's totals and progress.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_progress(
        &mut self,
        id: i64,
        files: (i64, i64, i64),
        segments: (i64, i64),
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE batch_jobs SET files_total = ?2, files_done = ?3, files_failed = ?4, \
             segments_total = ?5, segments_done = ?6, updated_at = ?7 WHERE id = ?1",
            params![
                id,
                files.0,
                files.1,
                files.2,
                segments.0,
                segments.1,
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// The files of a job, in path order.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_files(&self, job: i64) -> Result<Vec<JobFile>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT rel_path, status, output, report FROM batch_files WHERE job_id = ?1 \
             ORDER BY rel_path",
        )?;
        let rows = stmt.query_map([job], |row| {
            let report: Option<String> = row.get(3)?;
            Ok(JobFile {
                rel_path: row.get(0)?,
                status: row.get(1)?,
                output: row.get(2)?,
                report: report
                    .map(|r| serde_json::from_str(&r).map_err(json_error))
                    .transpose()?
                    .unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records (or replaces) the state of one file of a job.
    ///
    /// # Errors
    /// Database errors.
    pub fn batch_file_set(
        &mut self,
        job: i64,
        rel_path: &str,
        status: FileStatus,
        output: Option<&str>,
        report: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO batch_files (job_id, rel_path, status, output, report, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(job_id, rel_path) DO UPDATE SET \
             status = excluded.status, output = excluded.output, report = excluded.report, \
             updated_at = excluded.updated_at",
            params![job, rel_path, status, output, report.to_string(), now_ms()],
        )?;
        Ok(())
    }

    /// A cached translation: its text and detail.
    ///
    /// # Errors
    /// Database errors.
    pub fn segment_get(
        &self,
        key: &str,
    ) -> Result<Option<(String, serde_json::Value)>, StoreError> {
        let row: Option<(String, String)> = self
            .conn()
            .prepare_cached("SELECT output, detail FROM segment_cache WHERE key = ?1")?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(output, detail)| {
            let detail = serde_json::from_str(&detail)
                .map_err(|e| StoreError::Corrupt(format!("a cached segment's detail: {e}")))?;
            Ok((output, detail))
        })
        .transpose()
    }

    /// Caches a segment the model just translated for `job`, and logs it, in
    /// one transaction.
    ///
    /// # Errors
    /// Database errors.
    pub fn segment_put(
        &mut self,
        job: i64,
        key: &str,
        output: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO segment_cache (key, output, detail, created_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![key, output, detail.to_string(), now],
        )?;
        tx.execute(
            "INSERT INTO segment_log (job_id, key, created_at) VALUES (?1, ?2, ?3)",
            params![job, key, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// How many model translations were logged for a job, and for how many
    /// distinct segments (equal when nothing was translated twice).
    ///
    /// # Errors
    /// Database errors.
    pub fn segment_log_counts(&self, job: i64) -> Result<(u64, u64), StoreError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*), COUNT(DISTINCT key) FROM segment_log WHERE job_id = ?1",
            [job],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn an_unfinished_job_is_found_again_by_its_identity_and_a_completed_one_is_not() {
        let (_dir, mut store) = store();
        let opts = serde_json::json!({"bilingual": false});
        let id = store
            .batch_create("abc", "/src", "/out", "en", &opts)
            .unwrap();
        assert_eq!(store.batch_resumable("abc").unwrap().unwrap().id, id);
        assert!(store.batch_resumable("other").unwrap().is_none());
        store.batch_set_status(id, JobStatus::Interrupted).unwrap();
        assert_eq!(store.batch_job(id).unwrap().pid, None);
        store.batch_set_status(id, JobStatus::Completed).unwrap();
        assert!(store.batch_resumable("abc").unwrap().is_none());
        assert!(matches!(
            store.batch_job(id + 7),
            Err(StoreError::NoSuchJob(_))
        ));
    }

    #[test]
    fn a_cached_segment_is_returned_and_each_translation_is_logged_once() {
        let (_dir, mut store) = store();
        let id = store
            .batch_create("abc", "/src", "/out", "en", &serde_json::json!({}))
            .unwrap();
        assert!(store.segment_get("k1").unwrap().is_none());
        store
            .segment_put(id, "k1", "Hello", &serde_json::json!({"tokens": 3}))
            .unwrap();
        store
            .segment_put(id, "k2", "World", &serde_json::json!({}))
            .unwrap();
        let (text, detail) = store.segment_get("k1").unwrap().unwrap();
        assert_eq!(text, "Hello");
        assert_eq!(detail["tokens"], 3);
        assert_eq!(store.segment_log_counts(id).unwrap(), (2, 2));
        store
            .segment_put(id, "k1", "Hello", &serde_json::json!({}))
            .unwrap();
        assert_eq!(store.segment_log_counts(id).unwrap(), (3, 2));
    }

    #[test]
    fn file_states_are_replaced_not_duplicated() {
        let (_dir, mut store) = store();
        let id = store
            .batch_create("abc", "/src", "/out", "en", &serde_json::json!({}))
            .unwrap();
        let report = serde_json::json!({"segments": 4});
        store
            .batch_file_set(id, "a.docx", FileStatus::Pending, None, &report)
            .unwrap();
        store
            .batch_file_set(id, "a.docx", FileStatus::Done, Some("a.docx"), &report)
            .unwrap();
        let files = store.batch_files(id).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].status, FileStatus::Done);
        assert_eq!(files[0].report["segments"], 4);
    }
}
