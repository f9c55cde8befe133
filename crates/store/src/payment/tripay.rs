//! Tripay closed-payment QRIS (being written).
