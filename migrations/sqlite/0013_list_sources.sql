-- A list may keep itself from the EHR (a ward's census, an EHR patient list): `source` is
-- the model's `ListSource` as JSON. An entry the source brought is `arrived` until someone
-- selects it; one the source no longer lists is `gone_at` (a discharge) until the next day.
ALTER TABLE patient_lists ADD COLUMN source TEXT;
ALTER TABLE patient_list_entries ADD COLUMN arrived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE patient_list_entries ADD COLUMN gone_at TEXT;
