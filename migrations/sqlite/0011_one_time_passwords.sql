-- A password IT set (a new account's, a reset) is one-time: until its user sets their own,
-- the API answers nothing but the password change.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
