-- How each user sees each list (columns, sort, widths), and a list's shared default.
-- Layout only: no clinical content.
CREATE TABLE list_views (
    user_id TEXT NOT NULL REFERENCES users(id),
    list_id TEXT NOT NULL,
    view    TEXT NOT NULL,
    PRIMARY KEY (user_id, list_id)
);

ALTER TABLE patient_lists ADD COLUMN default_view TEXT;
