-- Batch translation: jobs, the files of each job, and a cache of translated
-- segments shared by all jobs, so that a resumed or repeated job never asks
-- the model twice for the same segment under the same settings.

CREATE TABLE batch_jobs (
    id            INTEGER PRIMARY KEY,
    -- Hash of what determines the outputs (source, output, direction,
    -- options): the same command run again finds its unfinished job.
    identity      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    source_dir    TEXT    NOT NULL,
    out_dir       TEXT    NOT NULL,
    target_lang   TEXT    NOT NULL,
    options       TEXT    NOT NULL,   -- JSON
    -- running | interrupted | completed | cancelled
    status        TEXT    NOT NULL,
    pid           INTEGER,
    files_total   INTEGER NOT NULL DEFAULT 0,
    files_done    INTEGER NOT NULL DEFAULT 0,
    files_failed  INTEGER NOT NULL DEFAULT 0,
    segments_total INTEGER NOT NULL DEFAULT 0,
    segments_done  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX batch_jobs_identity ON batch_jobs(identity, id);

CREATE TABLE batch_files (
    job_id     INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
    rel_path   TEXT    NOT NULL,
    -- pending | done | failed | skipped
    status     TEXT    NOT NULL,
    output     TEXT,
    -- JSON of the file's report line (segments, checks, times, error)
    report     TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, rel_path)
);

CREATE TABLE segment_cache (
    -- sha256 of model, prompt id and version, glossary, direction, sampling
    -- and source text
    key        TEXT PRIMARY KEY,
    output     TEXT    NOT NULL,
    -- JSON: warnings, glossary check, missing numbers, token counts
    detail     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row per model translation of a segment, in the same transaction as its
-- cache row: a count above one for a key means it was translated twice.
CREATE TABLE segment_log (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX segment_log_job ON segment_log(job_id);
