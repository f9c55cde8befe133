//! The seller's commands: what needs doing, today's and this month's figures, the supplier
//! balances, placing and re-checking an order, and opening or closing the store.

use super::*;

/// The seller's `pesanan`: what needs action.
pub(super) async fn to_do(app: &App) -> AppResult<Answer> {
    let mut sections = Vec::new();
    for (status, title) in [
        (OrderStatus::Paid, "Sudah dibayar – perlu *proses*"),
        (OrderStatus::Failed, "Gagal – ulang atau refund"),
        (OrderStatus::Processing, "Sedang diproses"),
        (OrderStatus::Underpaid, "Kurang bayar"),
    ] {
        let list = {
            let mut conn = app.db.write().await?;
            orders::list(
                &mut conn,
                &OrderFilter {
                    status: Some(status),
                    search: None,
                    limit: 10,
                    ..OrderFilter::default()
                },
            )
            .await?
        };
        if list.is_empty() {
            continue;
        }
        let mut s = format!("*{title}* ({})", list.len());
        for o in &list {
            s.push_str(&format!(
                "\n• {} {} – {}",
                o.code,
                clean(&o.product_name, 40),
                o.account
            ));
        }
        sections.push(s);
    }
    Ok(Answer::text(if sections.is_empty() {
        "✅ Tidak ada pesanan yang perlu ditindaklanjuti.".to_string()
    } else {
        format!(
            "📋 *Pesanan*\n\n{}\n\nKetik *proses MS-…* untuk memproses.",
            sections.join("\n\n")
        )
    }))
}

/// Today's and this month's figures (WIB).
pub(super) async fn report(app: &App) -> AppResult<Answer> {
    let now_ms = app.now_ms();
    let now = madd_domain::time::at(now_ms);
    let (today, tomorrow) = madd_domain::time::day(now_ms);
    let month = madd_domain::report::Month::containing(now_ms);
    let (day, month_figures) = {
        let mut conn = app.db.read().await?;
        (
            figures::between(&mut conn, today, tomorrow).await?,
            figures::between(&mut conn, month.start_ms(), month.end_ms()).await?,
        )
    };
    let block = |title: String, f: &Figures| {
        format!(
            "*{title}*\nPesanan masuk: {}\nDibayar: {}\nSukses: {}\nOmzet: {}\nModal: {}\nLaba: *{}*",
            f.created,
            f.paid,
            f.delivered,
            f.revenue,
            f.cost,
            f.profit()
        )
    };
    // The month's net and owner's profit are the monthly report's own figures (payment and
    // deposit fees, refunds, service fee), so chat and dashboard never disagree.
    let monthly = crate::service::report::monthly_report(app, month).await?;
    Ok(Answer::text(format!(
        "📊 *Laporan*\n\n{}\n\n{}\nLaba bersih (setelah biaya bayar, deposit & refund): *{}*\n\
         Laba pemilik (setelah biaya layanan): *{}*\n\n_Omzet = harga + biaya admin pesanan \
         sukses; laba = omzet − modal supplier. Rincian: /admin/reports_",
        block(
            format!(
                "Hari ini ({:02}/{:02}/{})",
                now.day(),
                u8::from(now.month()),
                now.year()
            ),
            &day
        ),
        block(
            format!("Bulan ini ({:02}/{})", u8::from(now.month()), now.year()),
            &month_figures
        ),
        monthly.net_profit(),
        monthly.owner_profit(),
    )))
}

/// The seller's `cek <code>`: the supplier is asked again; the customer hears the outcome.
pub(super) async fn recheck(app: &App, code: &OrderCode) -> Answer {
    match fulfilment::recheck(app, code.as_str()).await {
        Ok(()) => Answer::text(format!(
            "🔄 Status *{code}* sedang dicek ulang ke supplier. Hasilnya dikirim ke pelanggan \
             otomatis."
        )),
        Err(e) => Answer::text(user_error(&e)),
    }
}

/// The seller's `saldo`: each supplier's balance; one that cannot be read says so.
pub(super) async fn supplier_balances(app: &App) -> Answer {
    let mut lines = Vec::new();
    for supplier in app.suppliers.all() {
        lines.push(match supplier.profile().await {
            Ok(p) => format!(
                "💳 Saldo {}: *{}*\nAkun: {}{}",
                supplier.id().label(),
                p.balance,
                clean(&p.username, 40),
                if p.level.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", clean(&p.level, 20))
                }
            ),
            Err(e) => {
                tracing::warn!(error = %e, supplier = %supplier.id(), "balance check by chat failed");
                format!(
                    "Saldo {} tidak bisa dicek sekarang. Coba lagi sebentar lagi.",
                    supplier.id().label()
                )
            }
        });
    }
    Answer::text(lines.join("\n\n"))
}

/// The seller's `proses <code>`: a paid order goes to the supplier.
pub(super) async fn process(app: &App, code: &OrderCode) -> Answer {
    match fulfilment::process(app, code.as_str(), "seller (WhatsApp)").await {
        Ok(order) => Answer::text(format!(
            "⏳ Pesanan *{}* ({}) diproses ke supplier. SN dikirim ke pelanggan otomatis.",
            order.code,
            clean(&order.product_name, 60)
        )),
        Err(e) => Answer::text(user_error(&e)),
    }
}

/// The seller's `tutup` and `buka`.
pub(super) async fn switch(app: &App, close: bool) -> AppResult<Answer> {
    crate::service::store_switch::set_closed(app, close, "seller (WhatsApp)").await?;
    Ok(Answer::text(if close {
        "🔒 Toko *tutup*: pesanan baru (web, API dan chat) ditolak sampai kamu ketik *buka*."
    } else {
        "🔓 Toko *buka* lagi: pesanan baru diterima."
    }))
}
