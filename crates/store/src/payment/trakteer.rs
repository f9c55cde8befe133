//! Trakteer: pay links, webhook parsing, public API client (to be written).
