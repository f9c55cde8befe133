//! What a job is: its kind (the name stored in the `jobs` table), the lane of workers that runs
//! it, and how many attempts it gets. Data only: what a kind *does* is in [`super::registry`].
//! The attempts are here, not in the registry, because they are stored with the job when it is
//! queued, by services that must not depend on the registry.

/// Worker pools that never wait for each other: a gateway that hangs while sending WhatsApp
/// messages must not delay a nickname lookup a customer is waiting for, nor a paid order's
/// placement.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// A person is waiting on the answer (nickname, bill).
    Interactive,
    /// Answers to WhatsApp messages. Their own lane: a reply asks for lookups and looks again
    /// when they land, and a crowd of replies must never take the workers the lookups (web
    /// checkouts' too) need.
    Chat,
    /// Paid orders: placement, follow-up, expiry.
    Orders,
    /// WhatsApp messages.
    Messages,
    /// Periodic work: balance, payment reconciliation, catalogue sync, the store's setup, backups.
    Background,
    /// Making an order's QRIS at a gateway: the customer is looking at the invoice, and a
    /// gateway that hangs until its timeout must hold neither the lookups nor the orders.
    Payments,
}

impl Lane {
    pub const ALL: [Lane; 6] = [
        Lane::Interactive,
        Lane::Chat,
        Lane::Orders,
        Lane::Messages,
        Lane::Background,
        Lane::Payments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Interactive => "interactive",
            Lane::Chat => "chat",
            Lane::Orders => "orders",
            Lane::Messages => "messages",
            Lane::Background => "background",
            Lane::Payments => "payments",
        }
    }

    /// The job kinds this lane runs.
    pub fn kinds(self) -> Vec<&'static str> {
        JobKind::ALL
            .iter()
            .filter(|k| k.lane() == self)
            .map(|k| k.as_str())
            .collect()
    }

    /// How many of a process's `workers` run this lane: every lane gets at least one (lookups
    /// two), messages (the slowest calls, and the most of them) half.
    pub fn workers(self, workers: usize) -> usize {
        if workers == 0 {
            return 0;
        }
        match self {
            Lane::Messages => (workers / 2).max(1),
            // Lookups are what a customer at checkout waits on: never a single worker that one
            // slow supplier answer could hold.
            Lane::Interactive | Lane::Payments => (workers / 4).max(2),
            Lane::Chat | Lane::Orders => (workers / 4).max(1),
            Lane::Background => 1,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    SendMessage,
    PlaceOrder,
    FollowOrder,
    ExpireOrder,
    LookupNickname,
    CheckBalance,
    ReconcilePayments,
    ChatReply,
    PostpaidInquiry,
    SyncCatalogue,
    CheckStore,
    DailyBackup,
    WatchPaidOrders,
    /// Makes the order's payment at the first healthy rail (ref: the order).
    OpenPayment,
    /// Asks the gateways about payments nothing was heard of (periodic).
    CheckPayments,
    /// Watches a reseller's pending transaction for its callback (ref: the H2H transaction).
    H2hWatch,
    /// Delivers a callback to a reseller (ref: the callback).
    H2hCallback,
}

impl JobKind {
    pub const ALL: [JobKind; 17] = [
        JobKind::SendMessage,
        JobKind::PlaceOrder,
        JobKind::FollowOrder,
        JobKind::ExpireOrder,
        JobKind::LookupNickname,
        JobKind::CheckBalance,
        JobKind::ReconcilePayments,
        JobKind::ChatReply,
        JobKind::PostpaidInquiry,
        JobKind::SyncCatalogue,
        JobKind::CheckStore,
        JobKind::DailyBackup,
        JobKind::WatchPaidOrders,
        JobKind::OpenPayment,
        JobKind::CheckPayments,
        JobKind::H2hWatch,
        JobKind::H2hCallback,
    ];

    pub fn lane(self) -> Lane {
        match self {
            JobKind::LookupNickname | JobKind::PostpaidInquiry => Lane::Interactive,
            JobKind::ChatReply => Lane::Chat,
            JobKind::PlaceOrder
            | JobKind::FollowOrder
            | JobKind::ExpireOrder
            | JobKind::H2hWatch => Lane::Orders,
            // Calls out to someone else's server, like a WhatsApp send.
            JobKind::SendMessage | JobKind::H2hCallback => Lane::Messages,
            JobKind::CheckBalance
            | JobKind::ReconcilePayments
            | JobKind::SyncCatalogue
            | JobKind::CheckStore
            | JobKind::DailyBackup
            | JobKind::WatchPaidOrders
            | JobKind::CheckPayments => Lane::Background,
            JobKind::OpenPayment => Lane::Payments,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SendMessage => "send_message",
            JobKind::PlaceOrder => "place_order",
            JobKind::FollowOrder => "follow_order",
            JobKind::ExpireOrder => "expire_order",
            JobKind::LookupNickname => "lookup_nickname",
            JobKind::CheckBalance => "check_balance",
            JobKind::ReconcilePayments => "reconcile_payments",
            JobKind::ChatReply => "chat_reply",
            JobKind::PostpaidInquiry => "postpaid_inquiry",
            JobKind::SyncCatalogue => "sync_catalogue",
            JobKind::CheckStore => "check_store",
            JobKind::DailyBackup => "daily_backup",
            JobKind::WatchPaidOrders => "watch_paid_orders",
            JobKind::OpenPayment => "open_payment",
            JobKind::CheckPayments => "check_payments",
            JobKind::H2hWatch => "reseller_watch",
            JobKind::H2hCallback => "reseller_callback",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        Some(match s {
            "send_message" => JobKind::SendMessage,
            "place_order" => JobKind::PlaceOrder,
            "follow_order" => JobKind::FollowOrder,
            "expire_order" => JobKind::ExpireOrder,
            "lookup_nickname" => JobKind::LookupNickname,
            "check_balance" => JobKind::CheckBalance,
            "reconcile_payments" => JobKind::ReconcilePayments,
            "chat_reply" => JobKind::ChatReply,
            "postpaid_inquiry" => JobKind::PostpaidInquiry,
            "sync_catalogue" => JobKind::SyncCatalogue,
            "check_store" => JobKind::CheckStore,
            "daily_backup" => JobKind::DailyBackup,
            "watch_paid_orders" => JobKind::WatchPaidOrders,
            "open_payment" => JobKind::OpenPayment,
            "check_payments" => JobKind::CheckPayments,
            "reseller_watch" => JobKind::H2hWatch,
            "reseller_callback" => JobKind::H2hCallback,
            _ => return None,
        })
    }

    pub fn max_attempts(self) -> i64 {
        match self {
            JobKind::SendMessage => 10,
            JobKind::PlaceOrder => 12,
            JobKind::FollowOrder => 30,
            JobKind::ExpireOrder => 10,
            JobKind::LookupNickname => 2,
            // Periodic: they reschedule themselves and never fail (see `service::balance`).
            JobKind::CheckBalance | JobKind::ReconcilePayments => 1_000,
            JobKind::ChatReply => 5,
            JobKind::PostpaidInquiry => 2,
            // Periodic, like the balance check (see `service::catalog_sync`).
            JobKind::SyncCatalogue
            | JobKind::CheckStore
            | JobKind::DailyBackup
            | JobKind::WatchPaidOrders
            | JobKind::CheckPayments => 1_000,
            // Each run tries every rail; it retries while the order can still be paid.
            JobKind::OpenPayment => 20,
            // Looks again without counting attempts while the transaction is pending.
            JobKind::H2hWatch => 20,
            // 5 s, 10 s, 20 s, … : the eighth try is about 10 minutes after the first.
            JobKind::H2hCallback => 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn every_kind_runs_in_exactly_one_lane_and_every_lane_has_workers() {
        let mut seen = 0;
        for lane in Lane::ALL {
            seen += lane.kinds().len();
            assert!(lane.workers(1) >= 1);
            assert_eq!(lane.workers(0), 0);
        }
        assert_eq!(seen, JobKind::ALL.len());
        // Calls out to other servers only: WhatsApp sends and reseller callbacks.
        assert!(Lane::Messages.kinds() == vec!["send_message", "reseller_callback"]);
        assert!(!Lane::Interactive.kinds().contains(&"send_message"));
    }
}
