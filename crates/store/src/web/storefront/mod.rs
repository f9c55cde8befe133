//! The storefront: server-rendered HTML that works without JavaScript (`web::assets`' script only
//! enhances it), one module per page. Every value that came from a customer or the supplier is
//! escaped by the templates (askama escapes HTML by default; no `|safe` anywhere on such data).
//! Pages share only [`view`] and the leaves of `web`; none imports another page.

pub mod account;
pub mod art;
pub mod bill;
pub mod brand;
pub mod checkout;
pub mod forms;
pub mod home;
pub mod invoice;
pub mod language;
pub mod og_image;
pub mod pulsa;
pub mod qris;
pub mod reseller_api;
pub mod reviews;
pub mod seo;
pub mod support;
pub mod track;
pub mod view;
