-- Official terminology: English ⇄ Traditional Chinese (Hong Kong).
CREATE TABLE glossary (
    id      INTEGER PRIMARY KEY,
    en      TEXT NOT NULL,
    zh      TEXT NOT NULL,
    domain  TEXT NOT NULL DEFAULT '',
    note    TEXT NOT NULL DEFAULT '',
    UNIQUE (en, zh)
);

-- Small key/value facts about the database itself (glossary version, …).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('glossary_version', '0');
