-- Every task run, with everything needed to trace and repeat it.
CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    created_at       INTEGER NOT NULL,            -- Unix time, milliseconds
    task             TEXT    NOT NULL,
    doc_type         TEXT,
    source_lang      TEXT    NOT NULL,
    target_lang      TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('completed', 'cancelled', 'failed')),
    input            TEXT    NOT NULL,
    output           TEXT    NOT NULL,            -- partial output for cancelled/failed runs
    error            TEXT,
    model_file       TEXT    NOT NULL,
    model_sha256     TEXT    NOT NULL,
    prompt_id        TEXT    NOT NULL,
    prompt_version   INTEGER NOT NULL,
    prompt_hash      TEXT    NOT NULL,
    prompts_json     TEXT    NOT NULL,            -- every prompt the run used
    request_json     TEXT    NOT NULL,            -- what rerun needs: target, type, tone, limits
    sampling_json    TEXT    NOT NULL,
    seed             INTEGER NOT NULL,
    prompt_tokens    INTEGER NOT NULL,
    generated_tokens INTEGER NOT NULL,
    total_ms         REAL    NOT NULL,
    usage_json       TEXT    NOT NULL,
    glossary_json    TEXT,                        -- glossary check of a translation
    masked           INTEGER NOT NULL DEFAULT 0   -- personal data replaced in this copy
);
CREATE INDEX runs_by_time ON runs (created_at DESC, id DESC);

-- Full-text search over a search form of the text (Simplified script, lower
-- case) so a query in either script finds both; trigram matches any
-- substring of three or more characters, Chinese included. rowid = runs.id.
CREATE VIRTUAL TABLE runs_fts USING fts5 (
    input_norm, output_norm,
    tokenize = 'trigram'
);

