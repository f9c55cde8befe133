//! VIP Reseller client (to be written).
