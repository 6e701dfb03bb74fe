-- Checks a reviewer can trust: glossary entries gain abbreviations accepted
-- after the full form, a mode (enforced by placeholder, or only checked) and
-- a kind (a body or an office holder's title); each run keeps the whole
-- check report (figures, names, script) as JSON.
ALTER TABLE glossary ADD COLUMN aliases_en TEXT NOT NULL DEFAULT '';
ALTER TABLE glossary ADD COLUMN aliases_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE glossary ADD COLUMN mode TEXT NOT NULL DEFAULT 'enforce';
ALTER TABLE glossary ADD COLUMN kind TEXT NOT NULL DEFAULT 'body';
ALTER TABLE runs ADD COLUMN checks_json TEXT;
