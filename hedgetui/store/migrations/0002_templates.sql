-- Saved order batches ("templates"): a name and the batch text in the order language.
CREATE TABLE order_templates (
    name       TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rev        INTEGER NOT NULL
);
