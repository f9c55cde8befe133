-- Sign-in limits per (number, address) (SQLite). Keep in step with the other backend's
-- 0026_sign_in_addresses.sql. A stranger's wrong codes and code requests count against their own
-- address, so they cannot lock the owner out; the per-number totals stay in sign_in_codes.
CREATE TABLE sign_in_addresses (
    whatsapp      TEXT NOT NULL,
    address       TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    sends         INTEGER NOT NULL DEFAULT 0,
    window_start  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (whatsapp, address)
);
CREATE INDEX sign_in_addresses_sends ON sign_in_addresses (address, window_start);
