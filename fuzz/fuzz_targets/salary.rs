//! Salary text parsing (amounts, ranges, currencies, periods).
#![no_main]

use intellicv_core::SalaryPeriod;
use intellicv_ingest::jobs::salary::{
    currency_code, detect_period, parse_number, parse_salary_text,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: intellicv_fuzz::init(), |data: &[u8]| {
    let text = intellicv_fuzz::text(data);
    let _ = parse_salary_text(&text, None, None);
    let _ = parse_salary_text(&text, Some("GBP"), Some(SalaryPeriod::Year));
    let _ = detect_period(&text);
    let _ = currency_code(&text);
    let _ = parse_number(&text);
});
