//! IntelliCV: resume and job matching service.

pub mod api;
pub mod cli;
pub mod startup;
pub mod state;
