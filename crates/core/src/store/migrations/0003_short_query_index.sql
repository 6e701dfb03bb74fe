-- Queries of one or two characters (房屋, 稅) are too short for trigrams.
-- This index holds the same search form with every Han character spaced
-- apart, so each is a token and a two-character query is a two-token
-- phrase: exact substring semantics for Chinese without a table scan.
-- It only answers "which rows", so it stores no copy of the text.
CREATE VIRTUAL TABLE runs_chars USING fts5 (
    input_chars, output_chars,
    tokenize = 'unicode61 remove_diacritics 2',
    content = '', contentless_delete = 1
);
