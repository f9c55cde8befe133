//! The catalogue as the store sells it: the supplier's products with the store's price.

use madd_domain::{Category, Rupiah, ServiceKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{flag, Conn, DbError, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub code: String,
    pub name: String,
    pub brand: String,
    pub category: Category,
    pub kind: ServiceKind,
    pub prepaid_type: Option<String>,
    /// What the supplier charges the seller (at the configured tier).
    pub cost: Rupiah,
    /// What the customer pays for the item.
    pub price: Rupiah,
    /// The supplier has stock.
    pub available: bool,
    /// The seller sells it.
    pub enabled: bool,
    pub note: Option<String>,
    pub updated_at: i64,
    /// How customers see it (the seller's curation; empty where the supplier's names stand).
    pub shown: Shown,
}

/// The seller's curation of a product (`game_names`, `product_names`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    /// The game its brand belongs to; empty: the brand itself.
    pub game: String,
    /// Where the game sits on the home page (lower first).
    pub game_position: i64,
    /// More words the game is searched by, space-separated.
    pub aliases: String,
    /// Its name on the game's page; empty: the supplier's name.
    pub label: String,
    /// Where it sits on the game's page (lower first, then by price).
    pub position: i64,
}

impl Product {
    pub fn sellable(&self) -> bool {
        self.available && self.enabled
    }

    /// The game as customers know it: several supplier brands may be one game.
    pub fn game(&self) -> &str {
        if self.shown.game.is_empty() {
            &self.brand
        } else {
            &self.shown.game
        }
    }

    /// The product's name as customers read it.
    pub fn label(&self) -> &str {
        if self.shown.label.is_empty() {
            &self.name
        } else {
            &self.shown.label
        }
    }

    /// The name with its game in front when the name leaves it out ("86 Diamonds" → "Mobile
    /// Legends · 86 Diamonds"): what a card, an invoice or a WhatsApp message says the order is.
    pub fn full_label(&self) -> String {
        let (game, label) = (self.game(), self.label());
        if game.is_empty() || label.to_lowercase().contains(&game.to_lowercase()) {
            label.to_string()
        } else {
            format!("{game} · {label}")
        }
    }
}

const COLUMNS: &str = "p.code, p.name, p.brand, p.category, p.kind, p.prepaid_type, p.cost, \
     p.price, p.available, p.enabled, p.note, p.updated_at, \
     COALESCE(g.game, '') AS game, COALESCE(g.position, 0) AS game_position, \
     COALESCE(g.aliases, '') AS aliases, COALESCE(n.label, '') AS label, \
     COALESCE(n.position, 0) AS position";

/// `products p` with the seller's curation beside it.
const FROM: &str = "products p LEFT JOIN game_names g ON g.brand = p.brand \
     LEFT JOIN product_names n ON n.code = p.code";

fn from_row(r: &AnyRow) -> DbResult<Product> {
    let category: String = r.try_get("category")?;
    let kind: String = r.try_get("kind")?;
    Ok(Product {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        brand: r.try_get("brand")?,
        category: category
            .parse()
            .map_err(|_| DbError::Corrupt(format!("category '{category}'")))?,
        kind: kind
            .parse()
            .map_err(|_| DbError::Corrupt(format!("kind '{kind}'")))?,
        prepaid_type: r.try_get("prepaid_type")?,
        cost: Rupiah::new(r.try_get("cost")?),
        price: Rupiah::new(r.try_get("price")?),
        available: r.try_get::<i64, _>("available")? != 0,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        note: r.try_get("note")?,
        updated_at: r.try_get("updated_at")?,
        shown: Shown {
            game: r.try_get("game")?,
            game_position: r.try_get("game_position")?,
            aliases: r.try_get("aliases")?,
            label: r.try_get("label")?,
            position: r.try_get("position")?,
        },
    })
}

/// Inserts or refreshes a product from the supplier; keeps the seller's `enabled` choice.
pub async fn upsert(conn: &mut Conn, p: &Product) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO products (code, name, brand, category, kind, prepaid_type, cost, price, \
         available, enabled, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, brand = excluded.brand, \
         category = excluded.category, kind = excluded.kind, prepaid_type = excluded.prepaid_type, \
         cost = excluded.cost, price = excluded.price, available = excluded.available, \
         note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(&p.code)
    .bind(&p.name)
    .bind(&p.brand)
    .bind(p.category.as_str())
    .bind(p.kind.as_str())
    .bind(&p.prepaid_type)
    .bind(p.cost.amount())
    .bind(p.price.amount())
    .bind(flag(p.available))
    .bind(flag(p.enabled))
    .bind(&p.note)
    .bind(p.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, code: &str) -> DbResult<Option<Product>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.code = $1");
    let row = sqlx::query(&sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every product (optionally of one category), grouped by brand, cheapest first.
pub async fn list(conn: &mut Conn, category: Option<Category>) -> DbResult<Vec<Product>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE ($1 IS NULL OR p.category = $1) \
         ORDER BY p.category, p.brand, p.price, p.code"
    );
    let rows = sqlx::query(&sql)
        .bind(category.map(Category::as_str))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn set_enabled(conn: &mut Conn, code: &str, enabled: bool) -> DbResult<bool> {
    let done = sqlx::query("UPDATE products SET enabled = $1 WHERE code = $2")
        .bind(flag(enabled))
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Products the supplier no longer lists are kept (old orders name them) but made unavailable.
pub async fn mark_missing_unavailable(conn: &mut Conn, synced_at: i64) -> DbResult<u64> {
    let done = sqlx::query("UPDATE products SET available = 0 WHERE updated_at < $1")
        .bind(synced_at)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
