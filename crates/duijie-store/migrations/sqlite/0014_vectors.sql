-- Dense vectors of records for semantic matching, keyed by a SHA-256 of the model and the
-- exact text embedded: a re-index, a restart or a second replica finds a record's vector
-- here instead of computing it again, and a record whose text changed gets a new key.
-- vector holds the unit vector's components x 127 as signed bytes.
CREATE TABLE text_vectors (
    text_hash  BLOB PRIMARY KEY,
    vector     BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
