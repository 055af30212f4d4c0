-- A resume's category in the pool (e.g. "ACCOUNTANT", "Information Technology"), set by
-- whoever manages the pool (`ingest resumes --labels`). NULL for uncategorised resumes.
-- Similar-candidate search learns a profile of each category from the resumes that
-- carry one (see src/search/categories.rs).
ALTER TABLE resumes ADD COLUMN category TEXT;
