//! Matching as a service over the search engine and the store; the scoring model itself is
//! the `intellicv-matching` crate, re-exported here.

pub mod service;

pub use intellicv_matching::*;
