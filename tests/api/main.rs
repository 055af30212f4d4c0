//! One integration-test binary: every test spawns the real application on a random port
//! with its own database, on SQLite and on PostgreSQL.

// Tests wait for subprocesses on the blocking pool; they have no spans to keep.
#![allow(clippy::disallowed_methods)]

mod helpers;

pub(crate) use intellicv_testkit::on_both_backends;

mod admin_audit;
mod admin_users;
mod ai;
mod analytics;
mod applications;
mod auth;
mod auth_api_keys;
mod auth_hardening;
mod auth_support;
mod auth_totp;
mod batch;
mod batch_bench;
mod batch_restart;
mod body_validation;
mod career;
mod cli;
mod documents_api;
mod errors;
mod faults;
mod health;
mod hostile_input;
mod import_roots;
mod index_heal;
mod ingest_cli;
mod input_hygiene;
mod metrics;
mod openapi;
mod organisations;
mod profile;
mod rate_limit;
mod realtime;
mod register;
mod role_table;
mod samples;
mod search;
mod shutdown;
mod similar_categories;
mod store_documents;
mod store_job_skills;
mod store_users;
mod transfer;
