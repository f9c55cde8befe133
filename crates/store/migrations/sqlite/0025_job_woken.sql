-- A job woken while it ran (what it waited for happened): when it asks to run later, it runs now.
ALTER TABLE jobs ADD COLUMN woken INTEGER NOT NULL DEFAULT 0;
