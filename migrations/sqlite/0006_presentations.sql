-- Follow mode. A presentation exists while someone follows its presenter; `view` is the
-- last SharedView (JSON) the controller sent. A user follows at most one presenter.
CREATE TABLE presentations (
    presenter_id  TEXT PRIMARY KEY REFERENCES users(id),
    controller_id TEXT NOT NULL REFERENCES users(id),
    view          TEXT
);

CREATE TABLE follows (
    follower_id  TEXT PRIMARY KEY REFERENCES users(id),
    presenter_id TEXT NOT NULL REFERENCES presentations(presenter_id) ON DELETE CASCADE,
    since        TEXT NOT NULL
);
CREATE INDEX follows_by_presenter ON follows (presenter_id, since);
