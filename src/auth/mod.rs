//! Authentication core: password hashing now; tokens and sessions build on it.

pub mod accounts;
pub mod password;
