//! Page parameters (`page`, `per_page`) and the page envelope every list answers with.

use serde::Serialize;

use intellicv_core::ValidationError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    /// Parses the raw query values: `page` from 1, `per_page` from 1 to [`MAX_PER_PAGE`].
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ValidationError> {
        let page = parse_number(page, "page", 1, u32::MAX / MAX_PER_PAGE, 1)?;
        let per_page = parse_number(per_page, "per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE)?;
        Ok(Self { page, per_page })
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// The page as the store takes it.
    pub fn window(self) -> intellicv_store::Page {
        intellicv_store::Page {
            limit: self.limit(),
            offset: self.offset(),
        }
    }

    pub fn of<T>(self, items: Vec<T>, total: i64) -> Paginated<T> {
        let total = total.max(0);
        Paginated {
            items,
            page: self.page,
            per_page: self.per_page,
            total,
            total_pages: (total + self.limit() - 1) / self.limit(),
        }
    }
}

fn parse_number(
    raw: Option<&str>,
    field: &'static str,
    min: u32,
    max: u32,
    default: u32,
) -> Result<u32, ValidationError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    match raw.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ValidationError::new(
            field,
            format!("must be a whole number from {min} to {max}"),
        )),
    }
}

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub total_pages: i64,
}

/// Parses `order`: `asc` or `desc` (the default is given).
pub fn parse_order(raw: Option<&str>, default_descending: bool) -> Result<bool, ValidationError> {
    match raw.map(str::trim) {
        None => Ok(default_descending),
        Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(_) => Err(ValidationError::new("order", "must be asc or desc")),
    }
}

/// The `sort` parameter: `default` when absent, else one of the names `parse` knows
/// (`names` lists them for the 422).
pub fn parse_sort<T>(
    raw: Option<&str>,
    default: T,
    parse: impl Fn(&str) -> Option<T>,
    names: &str,
) -> Result<T, ValidationError> {
    match raw.map(str::trim) {
        None => Ok(default),
        Some(raw) => parse(raw)
            .ok_or_else(|| ValidationError::new("sort", format!("must be one of {names}"))),
    }
}

/// A query parameter's value, trimmed; `None` when absent or blank.
pub fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let page = Page::parse(None, None).unwrap();
        assert_eq!((page.page, page.per_page, page.offset()), (1, 20, 0));
        let page = Page::parse(Some("3"), Some("10")).unwrap();
        assert_eq!((page.limit(), page.offset()), (10, 20));
        for (p, pp, field) in [
            (Some("0"), None, "page"),
            (Some("x"), None, "page"),
            (None, Some("0"), "per_page"),
            (None, Some("101"), "per_page"),
            (None, Some("-1"), "per_page"),
        ] {
            assert_eq!(Page::parse(p, pp).unwrap_err().field, field);
        }
    }

    #[test]
    fn total_pages_round_up() {
        let page = Page::parse(None, Some("10")).unwrap();
        assert_eq!(page.of(Vec::<()>::new(), 0).total_pages, 0);
        assert_eq!(page.of(Vec::<()>::new(), 10).total_pages, 1);
        assert_eq!(page.of(Vec::<()>::new(), 11).total_pages, 2);
    }
}
