//! One integration-test binary: every test spawns the real application on a random port
//! with its own database, on SQLite and on PostgreSQL.

mod helpers;

mod cli;
mod errors;
mod health;
mod ingest_cli;
mod pg_baseline;
mod register;
mod samples;
mod shutdown;
mod store_documents;
mod store_users;
