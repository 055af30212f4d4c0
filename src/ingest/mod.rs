//! Ingestion: turning uploaded documents into text and structured records.

pub mod extract;
