//! wardround: ward rounding in the terminal — FHIR patient lists and secure clinical chat.
//!
//! Data flow: `fhir` turns EHR resources into `model` rows; `server` keeps accounts, lists
//! and messages in a `store` and streams events; `client` talks to the server; `tui` is the
//! app (pure `update`, effects run by its runtime); `demo` wires all of it on one machine.

pub mod bench;
pub mod client;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod ehr_double;
pub mod export;
pub mod fhir;
pub mod logging;
pub mod model;
pub mod process;
pub mod sanitize;
pub mod server;
pub mod service_manager;
pub mod tui;
