//! Following and cancelling orders: one order's status, the sender's latest orders, `batal`.

use super::*;

pub(in crate::service::chat) fn status_line(app: &App, order: &Order) -> String {
    let mut text = format!(
        "📦 *{}* – {}\n{}\nAkun: {}\nStatus: *{}*",
        order.code,
        clean(&order.product_name, 60),
        order.amount_due,
        order.account,
        order.status.label_id()
    );
    match order.status {
        OrderStatus::AwaitingPayment | OrderStatus::Underpaid => {
            if let Some(pay) = order_service::pay_url(app, order) {
                text.push_str(&format!(
                    "\nSisa bayar: {}\nBayar: {pay}",
                    order_service::owed(order)
                ));
            }
            text.push_str(&format!(
                "\nBatas bayar: {}",
                clock::human(order.expires_at)
            ));
        }
        OrderStatus::Delivered => {
            if let Some(sn) = &order.serial_number {
                text.push_str(&format!("\nSN: *{}*", clean(sn, 120)));
            }
        }
        _ => {}
    }
    text.push_str(&format!(
        "\n{}",
        app.config.link(&format!("/order/{}", order.code))
    ));
    text
}

pub(in crate::service::chat) async fn find_order(
    app: &App,
    code: &OrderCode,
) -> AppResult<Option<Order>> {
    let mut conn = app.db.write().await?;
    Ok(orders::by_code(&mut conn, code).await?)
}

pub(in crate::service::chat) async fn status(app: &App, code: &OrderCode) -> AppResult<Answer> {
    // An order code is unguessable and its tracking page is public, so whoever has the code
    // may read the status (as on the web).
    Ok(match find_order(app, code).await? {
        Some(order) => Answer::text(status_line(app, &order)),
        None => Answer::text(format!(
            "Pesanan *{code}* tidak ditemukan. Periksa lagi kodenya ya."
        )),
    })
}

pub(in crate::service::chat) async fn own_orders(app: &App, ctx: &Ctx) -> AppResult<Answer> {
    let list = {
        let mut conn = app.db.write().await?;
        orders::list(
            &mut conn,
            &OrderFilter {
                status: None,
                search: Some(ctx.sender.as_str().to_string()),
                limit: 5,
                ..OrderFilter::default()
            },
        )
        .await?
    };
    let mine: Vec<&Order> = list.iter().filter(|o| o.whatsapp == ctx.sender).collect();
    if mine.is_empty() {
        return Ok(Answer::text(
            "Belum ada pesanan dari nomor ini. Ketik *harga ml* untuk mulai belanja.",
        ));
    }
    let mut text = String::from("📦 *Pesanan terakhir kakak*\n");
    for o in mine {
        text.push_str(&format!(
            "\n• *{}* {} – {}",
            o.code,
            clean(&o.product_name, 40),
            o.status.label_id()
        ));
    }
    text.push_str("\n\nDetail: *status MS-XXXXXXXX*");
    Ok(Answer::text(text))
}

pub(in crate::service::chat) async fn cancel(
    app: &App,
    ctx: &Ctx,
    code: &OrderCode,
) -> AppResult<Answer> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let order = match orders::by_code(&mut tx, code).await? {
        // Only the number that ordered (or the seller) may cancel.
        Some(o) if o.whatsapp == ctx.sender || ctx.seller => o,
        _ => {
            return Ok(Answer::text(format!(
                "Pesanan *{code}* tidak ditemukan untuk nomor ini."
            )))
        }
    };
    let closed = order_service::close(
        &mut tx,
        &order,
        order_service::Closing::CancelledInChat,
        now,
    )
    .await?;
    if closed.closed {
        tx.commit().await?;
        closed.announce(app);
        tracing::info!(order = %order.code, "unpaid order cancelled by chat");
        return Ok(Answer::text(format!(
            "Pesanan *{}* dibatalkan. Jangan bayar link lamanya ya. Ketik *menu* untuk pesan lagi.",
            order.code
        )));
    }
    drop(tx);
    Ok(Answer::text(match order.status {
        OrderStatus::AwaitingPayment | OrderStatus::Underpaid => format!(
            "Pesanan *{}* sudah menerima pembayaran, jadi tidak bisa dibatalkan lewat chat. \
             Hubungi admin: *cs batal {}*.",
            order.code, order.code
        ),
        other => format!(
            "Pesanan *{}* berstatus {} dan tidak bisa dibatalkan.",
            order.code,
            other.label_id()
        ),
    }))
}
