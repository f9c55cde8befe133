//! Fonnte client (to be written).
