//! Tripay simulator (being written).
