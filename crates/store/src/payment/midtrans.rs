//! Midtrans Core API QRIS (being written).
