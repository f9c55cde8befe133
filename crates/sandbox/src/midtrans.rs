//! Midtrans simulator (being written).
