//! The integration tests, in one binary: each module is one area of the product, driven
//! through its public API, a real server on a random port, real SQLite files and (when
//! WARDROUND_TEST_POSTGRES_URL is set at build time) a real PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure

#[macro_use]
mod common;
mod ehr;

mod alert_bar;
mod api;
mod audit;
mod backup;
mod bench;
mod census;
mod census_lists;
mod census_ui;
mod cli;
mod completion_ui;
mod connections;
mod durability;
mod export;
mod fhir_http;
mod fhir_smart;
mod fhir_versions;
mod follow;
mod jobs;
mod jobs_ui;
mod list_switcher;
mod lock;
mod login;
mod messaging_ui;
mod migrations;
mod news2;
mod nodes;
mod openapi;
mod packaging;
mod policies;
mod present;
mod reach;
mod reach_ui;
mod sanitize_properties;
mod screens;
mod slow_ehr;
mod sort_properties;
mod text_fields;
mod tls;
mod update;
mod urgent;
