-- Prices by tier (PostgreSQL). Keep in step with ../sqlite/0021_tiers.sql.
--
-- Guests pay the catalogue price; signed-in customers are members; resellers are numbers the
-- seller approved (or, with the setting on, members who spent enough in 30 days). A tier with its
-- own markup rules is priced by them (product, brand, category, then its default); a tier without
-- any rule that fits pays the guest price. A tier's price is never above the guest price.
CREATE TABLE tier_rules (
    tier        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    rate_bps    BIGINT NOT NULL,
    min_markup  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tier, scope, target)
);

CREATE TABLE resellers (
    whatsapp     TEXT PRIMARY KEY,
    note         TEXT NOT NULL DEFAULT '',
    approved_at  BIGINT NOT NULL,
    approved_by  TEXT NOT NULL
);

-- The tier an order was priced at.
ALTER TABLE orders ADD COLUMN tier TEXT;
