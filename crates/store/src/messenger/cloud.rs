//! WhatsApp Business Cloud API client (to be written).
