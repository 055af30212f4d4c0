//! The custom query language of `POST /admin/analytics/custom`: a JSON object naming a
//! metric, an aggregate, up to two group-by dimensions, filters and a time range, e.g.
//!
//! ```json
//! {"metric": "jobs", "aggregate": "avg", "field": "salary",
//!  "group_by": ["remote_mode", "month"],
//!  "filters": [{"field": "status", "op": "eq", "value": "open"}],
//!  "from": "2026-01-01", "to": "2026-06-30", "limit": 50}
//! ```
//!
//! It compiles to SQL from the whitelists below only: every table, column, JSON key and
//! operator in the statement is a fixed string of this file, every value is a bound
//! parameter. A name that is not in a whitelist is a 422 naming where it was
//! (`metric`, `group_by[1]`, `filters[0].op`, ...). No raw SQL is ever accepted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AnalyticsError;
use intellicv_core::{Bucket, TimeRange};
use intellicv_store::{CustomRow, Dialect, SqlParam, Store};

/// Most rows a query returns (and the default).
pub const MAX_LIMIT: i64 = 1000;
pub const DEFAULT_LIMIT: i64 = 100;
/// Most group-by dimensions.
pub const MAX_GROUP_BY: usize = 2;
/// Most filters, and most values of one `in` filter.
pub const MAX_FILTERS: usize = 20;
pub const MAX_IN_VALUES: usize = 100;
/// Longest text value of a filter.
pub const MAX_VALUE_CHARS: usize = 200;

/// A custom query as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomQuery {
    /// resumes, parse_failures, jobs, applications, searches or matches.
    pub metric: String,
    /// count (default), avg, min, max or sum.
    pub aggregate: Option<String>,
    /// The numeric field of avg/min/max/sum (e.g. `match_score`, `salary`).
    pub field: Option<String>,
    /// Up to two dimensions of the metric, or `day`, `week`, `month`.
    #[serde(default)]
    pub group_by: Vec<String>,
    #[serde(default)]
    pub filters: Vec<FilterInput>,
    /// RFC 3339 or YYYY-MM-DD; default 30 days before `to`.
    pub from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (that whole day); default now.
    pub to: Option<String>,
    /// 1 to 1000, default 100.
    pub limit: Option<i64>,
}

/// One filter: `field op value`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterInput {
    pub field: String,
    /// eq, ne, in, not_in (text); eq, ne, gt, gte, lt, lte (numbers).
    pub op: String,
    /// A string, a number, or an array of strings for in / not_in.
    #[schema(value_type = Object)]
    pub value: Value,
}

/// The answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomResult {
    pub metric: String,
    pub aggregate: String,
    pub field: Option<String>,
    pub group_by: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Rows in order: by time bucket when grouped by time, else largest value first.
    pub rows: Vec<CustomResultRow>,
    /// More groups existed than `limit`.
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomResultRow {
    /// Dimension name to value (null when the row has none).
    #[schema(value_type = Object)]
    pub group: serde_json::Map<String, Value>,
    /// The aggregate: a whole number for count, null for an average of nothing.
    #[schema(value_type = Option<f64>)]
    pub value: Value,
}

/// Where a dimension or numeric field comes from.
#[derive(Debug, Clone, Copy)]
enum Expr {
    /// A column of the metric's table `t`.
    Column(&'static str),
    /// A key of the JSON column `t.properties`.
    JsonText(&'static str),
    JsonNumber(&'static str),
    /// The midpoint of a posting's salary range (or its one end).
    SalaryMid,
}

impl Expr {
    fn sql(self, d: Dialect) -> String {
        match self {
            Expr::Column(c) => format!("t.{c}"),
            Expr::JsonText(k) => d.json_text("t.properties", k),
            Expr::JsonNumber(k) => d.json_number("t.properties", k),
            Expr::SalaryMid => "COALESCE((t.salary_min + t.salary_max) / 2, t.salary_min, \
                                t.salary_max)"
                .to_owned(),
        }
    }
}

/// A text dimension: group by it, filter on it.
struct Dim {
    name: &'static str,
    expr: Expr,
    /// The values it can take, when they are a fixed set (checked in filters).
    values: Option<&'static [&'static str]>,
}

const fn dim(name: &'static str, expr: Expr) -> Dim {
    Dim {
        name,
        expr,
        values: None,
    }
}

const fn enum_dim(
    name: &'static str,
    column: &'static str,
    values: &'static [&'static str],
) -> Dim {
    Dim {
        name,
        expr: Expr::Column(column),
        values: Some(values),
    }
}

/// A numeric field: aggregate it, filter on it.
struct Num {
    name: &'static str,
    expr: Expr,
}

const fn num(name: &'static str, expr: Expr) -> Num {
    Num { name, expr }
}

/// The skills of the metric's documents, joined for the `skill` dimension.
struct SkillJoin {
    table: &'static str,
    key: &'static str,
}

struct Metric {
    name: &'static str,
    /// The table, always aliased `t`.
    table: &'static str,
    time: &'static str,
    /// A fixed condition of the metric (e.g. only failed parses).
    condition: Option<&'static str>,
    dims: &'static [Dim],
    nums: &'static [Num],
    skills: Option<SkillJoin>,
}

const PARSE_STATUSES: &[&str] = &["pending", "parsed", "failed"];
const JOB_STATUSES: &[&str] = &["draft", "open", "closed", "archived"];
const REMOTE_MODES: &[&str] = &["remote", "hybrid", "onsite", "unknown"];
const EMPLOYMENT_TYPES: &[&str] = &[
    "full_time",
    "part_time",
    "contract",
    "temporary",
    "internship",
    "volunteer",
    "other",
    "unknown",
];
const SALARY_PERIODS: &[&str] = &["hour", "day", "week", "month", "year"];
const APPLICATION_STATUSES: &[&str] = &[
    "submitted",
    "reviewing",
    "interview",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
];
const COLLECTIONS: &[&str] = &["jobs", "resumes"];
const MATCH_KINDS: &[&str] = &["jobs_for_user", "candidates_for_job", "similar", "explain"];

const RESUME_DIMS: &[Dim] = &[
    dim("format", Expr::Column("format")),
    enum_dim("status", "parse_status", PARSE_STATUSES),
    dim("failure_reason", Expr::Column("parse_error_code")),
    dim("seniority", Expr::Column("seniority")),
];

const METRICS: &[Metric] = &[
    Metric {
        name: "resumes",
        table: "resumes",
        time: "created_at",
        condition: None,
        dims: RESUME_DIMS,
        nums: &[
            num("years_experience", Expr::Column("years_experience")),
            num("byte_size", Expr::Column("byte_size")),
        ],
        skills: Some(SkillJoin {
            table: "resume_skills",
            key: "resume_id",
        }),
    },
    Metric {
        name: "parse_failures",
        table: "resumes",
        time: "created_at",
        condition: Some("t.parse_status = 'failed'"),
        dims: &[
            dim("format", Expr::Column("format")),
            dim("failure_reason", Expr::Column("parse_error_code")),
        ],
        nums: &[num("byte_size", Expr::Column("byte_size"))],
        skills: None,
    },
    Metric {
        name: "jobs",
        table: "job_postings",
        time: "created_at",
        condition: None,
        dims: &[
            enum_dim("status", "status", JOB_STATUSES),
            enum_dim("remote_mode", "remote_mode", REMOTE_MODES),
            enum_dim("employment_type", "employment_type", EMPLOYMENT_TYPES),
            dim("seniority", Expr::Column("seniority")),
            dim("company", Expr::Column("company")),
            dim("source", Expr::Column("source")),
            dim("salary_currency", Expr::Column("salary_currency")),
            enum_dim("salary_period", "salary_period", SALARY_PERIODS),
        ],
        nums: &[
            num("salary", Expr::SalaryMid),
            num("salary_min", Expr::Column("salary_min")),
            num("salary_max", Expr::Column("salary_max")),
        ],
        skills: Some(SkillJoin {
            table: "job_skills",
            key: "job_id",
        }),
    },
    Metric {
        name: "applications",
        table: "applications",
        time: "created_at",
        condition: None,
        dims: &[enum_dim("status", "status", APPLICATION_STATUSES)],
        nums: &[num("match_score", Expr::Column("match_score"))],
        skills: None,
    },
    Metric {
        name: "searches",
        table: "analytics_events",
        time: "occurred_at",
        condition: Some("t.event_type = 'search'"),
        dims: &[Dim {
            name: "collection",
            expr: Expr::JsonText("collection"),
            values: Some(COLLECTIONS),
        }],
        nums: &[
            num("latency_ms", Expr::JsonNumber("latency_ms")),
            num("result_count", Expr::JsonNumber("result_count")),
        ],
        skills: None,
    },
    Metric {
        name: "matches",
        table: "analytics_events",
        time: "occurred_at",
        condition: Some("t.event_type = 'match'"),
        dims: &[Dim {
            name: "kind",
            expr: Expr::JsonText("kind"),
            values: Some(MATCH_KINDS),
        }],
        nums: &[
            num("latency_ms", Expr::JsonNumber("latency_ms")),
            num("result_count", Expr::JsonNumber("result_count")),
            num("top_score", Expr::JsonNumber("top_score")),
        ],
        skills: None,
    },
];

const AGGREGATES: &[&str] = &["count", "avg", "min", "max", "sum"];
const TIME_DIMS: &[&str] = &["day", "week", "month"];
const TEXT_OPS: &[&str] = &["eq", "ne", "in", "not_in"];
const NUMBER_OPS: &[&str] = &["eq", "ne", "gt", "gte", "lt", "lte"];
const SKILL_OPS: &[&str] = &["eq", "in"];

fn names<T>(items: &[T], name: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(name).collect::<Vec<_>>().join(", ")
}

impl Metric {
    fn dim(&self, name: &str) -> Option<&Dim> {
        self.dims.iter().find(|d| d.name == name)
    }

    fn num(&self, name: &str) -> Option<&Num> {
        self.nums.iter().find(|n| n.name == name)
    }

    /// Every name `group_by` accepts.
    fn group_names(&self) -> String {
        let mut all: Vec<&str> = self.dims.iter().map(|d| d.name).collect();
        if self.skills.is_some() {
            all.push("skill");
        }
        all.extend(TIME_DIMS);
        all.join(", ")
    }

    /// Every name a filter accepts.
    fn filter_names(&self) -> String {
        let mut all: Vec<&str> = self.dims.iter().map(|d| d.name).collect();
        if self.skills.is_some() {
            all.push("skill");
        }
        all.extend(self.nums.iter().map(|n| n.name));
        all.join(", ")
    }
}

/// A group-by dimension after checking.
enum Group {
    Dim(Expr),
    Skill,
    Time(Bucket),
}

/// A statement ready to run, with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub sql: String,
    pub params: Vec<SqlParam>,
    /// Names of the group keys `g0`, `g1`, in order.
    pub group_by: Vec<String>,
    pub aggregate: String,
    pub field: Option<String>,
    pub range: TimeRange,
    pub limit: i64,
}

struct Builder {
    params: Vec<SqlParam>,
}

impl Builder {
    fn bind(&mut self, p: SqlParam) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }
}

fn text_value(value: &Value, field: &str) -> Result<String, AnalyticsError> {
    let text = value
        .as_str()
        .ok_or_else(|| AnalyticsError::invalid(field, "must be a string"))?;
    if text.chars().count() > MAX_VALUE_CHARS {
        return Err(AnalyticsError::invalid(
            field,
            format!("must be at most {MAX_VALUE_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// The values of a text filter: one for eq/ne, a non-empty array for in/not_in; each one
/// of `allowed` when the dimension has a fixed set.
fn text_values(
    op: &str,
    value: &Value,
    field: &str,
    allowed: Option<&[&str]>,
) -> Result<Vec<String>, AnalyticsError> {
    let values = if op == "in" || op == "not_in" {
        let items = value
            .as_array()
            .ok_or_else(|| AnalyticsError::invalid(field, "must be an array of strings"))?;
        if items.is_empty() || items.len() > MAX_IN_VALUES {
            return Err(AnalyticsError::invalid(
                field,
                format!("must hold 1 to {MAX_IN_VALUES} strings"),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, v)| text_value(v, &format!("{field}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![text_value(value, field)?]
    };
    if let Some(allowed) = allowed
        && let Some(bad) = values.iter().find(|v| !allowed.contains(&v.as_str()))
    {
        return Err(AnalyticsError::invalid(
            field,
            format!("`{bad}` is not one of {}", allowed.join(", ")),
        ));
    }
    Ok(values)
}

fn compile_filter(
    metric: &Metric,
    filter: &FilterInput,
    i: usize,
    d: Dialect,
    b: &mut Builder,
) -> Result<String, AnalyticsError> {
    let at = |part: &str| format!("filters[{i}].{part}");
    let op = filter.op.as_str();
    if let (true, Some(join)) = (filter.field == "skill", &metric.skills) {
        if !SKILL_OPS.contains(&op) {
            return Err(AnalyticsError::invalid(
                at("op"),
                format!(
                    "`{op}` is not an operator of skill: use {}",
                    SKILL_OPS.join(", ")
                ),
            ));
        }
        let values = text_values(op, &filter.value, &at("value"), None)?;
        let list: Vec<String> = values
            .into_iter()
            .map(|v| format!("lower({})", b.bind(SqlParam::Text(v))))
            .collect();
        return Ok(format!(
            "EXISTS (SELECT 1 FROM {} fs WHERE fs.{} = t.id AND lower(fs.label) IN ({}))",
            join.table,
            join.key,
            list.join(", ")
        ));
    }
    if let Some(dim) = metric.dim(&filter.field) {
        if !TEXT_OPS.contains(&op) {
            return Err(AnalyticsError::invalid(
                at("op"),
                format!(
                    "`{op}` is not an operator of {}: use {}",
                    dim.name,
                    TEXT_OPS.join(", ")
                ),
            ));
        }
        let values = text_values(op, &filter.value, &at("value"), dim.values)?;
        let column = dim.expr.sql(d);
        let list: Vec<String> = values
            .into_iter()
            .map(|v| b.bind(SqlParam::Text(v)))
            .collect();
        return Ok(match op {
            "eq" | "in" => format!("{column} IN ({})", list.join(", ")),
            _ => format!(
                "({column} IS NULL OR {column} NOT IN ({}))",
                list.join(", ")
            ),
        });
    }
    if let Some(num) = metric.num(&filter.field) {
        let sql_op = match op {
            "eq" => "=",
            "ne" => "<>",
            "gt" => ">",
            "gte" => ">=",
            "lt" => "<",
            "lte" => "<=",
            _ => {
                return Err(AnalyticsError::invalid(
                    at("op"),
                    format!(
                        "`{op}` is not an operator of {}: use {}",
                        num.name,
                        NUMBER_OPS.join(", ")
                    ),
                ));
            }
        };
        let value = filter
            .value
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or_else(|| AnalyticsError::invalid(at("value"), "must be a number"))?;
        let p = b.bind(SqlParam::Float(value));
        return Ok(format!("{} {sql_op} {p}", num.expr.sql(d)));
    }
    Err(AnalyticsError::invalid(
        at("field"),
        format!(
            "`{}` is not a field of {}: use {}",
            filter.field,
            metric.name,
            metric.filter_names()
        ),
    ))
}

/// Checks `q` against the whitelists and builds its statement for `d`'s backend.
pub fn compile(
    q: &CustomQuery,
    d: Dialect,
    max_buckets: usize,
) -> Result<Compiled, AnalyticsError> {
    let metric = METRICS.iter().find(|m| m.name == q.metric).ok_or_else(|| {
        AnalyticsError::invalid(
            "metric",
            format!(
                "`{}` is not a metric: use {}",
                q.metric,
                names(METRICS, |m| m.name)
            ),
        )
    })?;
    let aggregate = q.aggregate.as_deref().unwrap_or("count");
    if !AGGREGATES.contains(&aggregate) {
        return Err(AnalyticsError::invalid(
            "aggregate",
            format!(
                "`{aggregate}` is not an aggregate: use {}",
                AGGREGATES.join(", ")
            ),
        ));
    }
    let field = match (aggregate, q.field.as_deref()) {
        ("count", None) => None,
        ("count", Some(_)) => {
            return Err(AnalyticsError::invalid(
                "field",
                "count takes no field; leave it out",
            ));
        }
        (_, None) => {
            return Err(AnalyticsError::invalid(
                "field",
                format!(
                    "{aggregate} needs a numeric field of {}: {}",
                    metric.name,
                    names(metric.nums, |n| n.name)
                ),
            ));
        }
        (_, Some(name)) => Some(metric.num(name).ok_or_else(|| {
            AnalyticsError::invalid(
                "field",
                format!(
                    "`{name}` is not a numeric field of {}: use {}",
                    metric.name,
                    names(metric.nums, |n| n.name)
                ),
            )
        })?),
    };
    if q.group_by.len() > MAX_GROUP_BY {
        return Err(AnalyticsError::invalid(
            "group_by",
            format!("at most {MAX_GROUP_BY} dimensions"),
        ));
    }
    let mut groups = Vec::new();
    for (i, name) in q.group_by.iter().enumerate() {
        let group = if let Some(dim) = metric.dim(name) {
            Group::Dim(dim.expr)
        } else if name == "skill" && metric.skills.is_some() {
            Group::Skill
        } else if let Some(bucket) = Bucket::parse(name) {
            Group::Time(bucket)
        } else {
            return Err(AnalyticsError::invalid(
                format!("group_by[{i}]"),
                format!(
                    "`{name}` is not a dimension of {}: use {}",
                    metric.name,
                    metric.group_names()
                ),
            ));
        };
        if q.group_by[..i].contains(name) {
            return Err(AnalyticsError::invalid(
                format!("group_by[{i}]"),
                format!("`{name}` is named twice"),
            ));
        }
        groups.push(group);
    }
    if groups
        .iter()
        .filter(|g| matches!(g, Group::Time(_)))
        .count()
        > 1
    {
        return Err(AnalyticsError::invalid(
            "group_by",
            "at most one of day, week, month",
        ));
    }
    if q.filters.len() > MAX_FILTERS {
        return Err(AnalyticsError::invalid(
            "filters",
            format!("at most {MAX_FILTERS} filters"),
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AnalyticsError::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let bucket = groups.iter().find_map(|g| match g {
        Group::Time(b) => Some(b.as_str()),
        _ => None,
    });
    let range = TimeRange::parse(q.from.as_deref(), q.to.as_deref(), bucket, max_buckets)?;

    let mut b = Builder { params: Vec::new() };
    let time = format!("t.{}", metric.time);
    let from = b.bind(SqlParam::Time(range.from));
    let to = b.bind(SqlParam::Time(range.to));
    let mut conditions = vec![format!("{time} >= {from}"), format!("{time} < {to}")];
    conditions.extend(metric.condition.map(str::to_owned));
    for (i, filter) in q.filters.iter().enumerate() {
        conditions.push(compile_filter(metric, filter, i, d, &mut b)?);
    }
    let mut keys: Vec<String> = groups
        .iter()
        .map(|g| match g {
            Group::Dim(expr) => format!("CAST({} AS TEXT)", expr.sql(d)),
            Group::Skill => "sk.label".to_owned(),
            Group::Time(bucket) => d.bucket(*bucket, &time),
        })
        .collect();
    let joined = groups.iter().any(|g| matches!(g, Group::Skill));
    let join = match (&metric.skills, joined) {
        (Some(s), true) => format!(" JOIN {} sk ON sk.{} = t.id", s.table, s.key),
        _ => String::new(),
    };
    let value = match field {
        None if joined => "CAST(COUNT(DISTINCT t.id) AS DOUBLE PRECISION)".to_owned(),
        None => "CAST(COUNT(*) AS DOUBLE PRECISION)".to_owned(),
        Some(num) => format!(
            "CAST({}({}) AS DOUBLE PRECISION)",
            aggregate.to_uppercase(),
            num.expr.sql(d)
        ),
    };
    let n_keys = keys.len();
    while keys.len() < MAX_GROUP_BY {
        keys.push("CAST(NULL AS TEXT)".to_owned());
    }
    let group_clause = match n_keys {
        0 => String::new(),
        1 => " GROUP BY 1".to_owned(),
        _ => " GROUP BY 1, 2".to_owned(),
    };
    let time_first = matches!(groups.first(), Some(Group::Time(_)));
    let time_second = matches!(groups.get(1), Some(Group::Time(_)));
    let order = if time_first {
        " ORDER BY 1, 3 DESC, 2"
    } else if time_second {
        " ORDER BY 2, 3 DESC, 1"
    } else {
        " ORDER BY 3 DESC, 1, 2"
    };
    // One row more than asked tells whether the answer was cut.
    let limit_param = b.bind(SqlParam::Int(limit + 1));
    let sql = format!(
        "SELECT {} AS g0, {} AS g1, {value} AS value FROM {} t{join} WHERE {}{group_clause}{order} \
         LIMIT {limit_param}",
        keys[0],
        keys[1],
        metric.table,
        conditions.join(" AND "),
    );
    Ok(Compiled {
        sql,
        params: b.params,
        group_by: q.group_by.clone(),
        aggregate: aggregate.to_owned(),
        field: field.map(|f| f.name.to_owned()),
        range,
        limit,
    })
}

/// Compiles and runs `q`.
pub async fn run(
    store: &Store,
    q: &CustomQuery,
    max_buckets: usize,
) -> Result<CustomResult, AnalyticsError> {
    let compiled = compile(q, store.dialect(), max_buckets)?;
    let mut rows = store
        .run_custom_query(&compiled.sql, &compiled.params)
        .await?;
    let truncated = rows.len() as i64 > compiled.limit;
    rows.truncate(compiled.limit as usize);
    let count = compiled.aggregate == "count";
    Ok(CustomResult {
        metric: q.metric.clone(),
        aggregate: compiled.aggregate.clone(),
        field: compiled.field.clone(),
        group_by: compiled.group_by.clone(),
        from: compiled.range.from,
        to: compiled.range.to,
        truncated,
        rows: rows
            .into_iter()
            .map(|row| result_row(&compiled.group_by, row, count))
            .collect(),
    })
}

fn result_row(group_by: &[String], row: CustomRow, count: bool) -> CustomResultRow {
    let keys = [row.g0, row.g1];
    let group = group_by
        .iter()
        .zip(keys)
        .map(|(name, key)| (name.clone(), key.map_or(Value::Null, Value::String)))
        .collect();
    let value = match row.value {
        Some(v) if count => Value::from(v.round() as i64),
        Some(v) => serde_json::Number::from_f64((v * 10_000.0).round() / 10_000.0)
            .map_or(Value::Null, Value::Number),
        None if count => Value::from(0),
        None => Value::Null,
    };
    CustomResultRow { group, value }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use intellicv_store::Backend;

    fn query(body: Value) -> CustomQuery {
        serde_json::from_value(body).unwrap()
    }

    fn field_of(body: Value) -> String {
        match compile(&query(body), Dialect(Backend::Sqlite), 400) {
            Err(AnalyticsError::Invalid { field, .. }) => field,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_query_compiles_to_placeholders_and_bound_values() {
        let c = compile(
            &query(json!({
                "metric": "jobs", "aggregate": "avg", "field": "salary",
                "group_by": ["remote_mode", "month"],
                "filters": [
                    {"field": "status", "op": "in", "value": ["open", "closed"]},
                    {"field": "salary_min", "op": "gte", "value": 30000},
                    {"field": "skill", "op": "eq", "value": "Rust"}
                ],
                "from": "2026-01-01", "to": "2026-06-30"
            })),
            Dialect(Backend::Postgres),
            400,
        )
        .unwrap();
        assert!(c.sql.contains("FROM job_postings t"), "{}", c.sql);
        assert!(c.sql.contains("t.status IN ($3, $4)"), "{}", c.sql);
        assert!(c.sql.contains("t.salary_min >= $5"), "{}", c.sql);
        assert!(
            c.sql.contains("lower(fs.label) IN (lower($6))"),
            "{}",
            c.sql
        );
        assert!(c.sql.ends_with("LIMIT $7"), "{}", c.sql);
        assert_eq!(c.params.len(), 7);
        assert_eq!(c.params[2], SqlParam::Text("open".into()));
        assert_eq!(c.params[5], SqlParam::Text("Rust".into()));
        assert_eq!(c.params[6], SqlParam::Int(DEFAULT_LIMIT + 1));
    }

    #[test]
    fn every_bad_element_names_itself() {
        let base = |extra: Value| {
            let mut q = json!({"metric": "jobs"});
            for (k, v) in extra.as_object().unwrap() {
                q[k] = v.clone();
            }
            q
        };
        assert_eq!(field_of(json!({"metric": "users"})), "metric");
        assert_eq!(field_of(base(json!({"aggregate": "median"}))), "aggregate");
        assert_eq!(field_of(base(json!({"aggregate": "avg"}))), "field");
        assert_eq!(
            field_of(base(json!({"aggregate": "avg", "field": "title"}))),
            "field"
        );
        assert_eq!(field_of(base(json!({"field": "salary"}))), "field");
        assert_eq!(
            field_of(base(json!({"group_by": ["status", "title"]}))),
            "group_by[1]"
        );
        assert_eq!(
            field_of(base(json!({"group_by": ["day", "week"]}))),
            "group_by"
        );
        assert_eq!(
            field_of(base(json!({"group_by": ["status", "status"]}))),
            "group_by[1]"
        );
        let filter = |f: Value| field_of(base(json!({ "filters": [f] })));
        assert_eq!(
            filter(json!({"field": "title", "op": "eq", "value": "x"})),
            "filters[0].field"
        );
        assert_eq!(
            filter(json!({"field": "status", "op": "gt", "value": "open"})),
            "filters[0].op"
        );
        assert_eq!(
            filter(json!({"field": "status", "op": "eq", "value": "gone"})),
            "filters[0].value"
        );
        assert_eq!(
            filter(json!({"field": "status", "op": "in", "value": ["open", 3]})),
            "filters[0].value[1]"
        );
        assert_eq!(
            filter(json!({"field": "salary_min", "op": "like", "value": 3})),
            "filters[0].op"
        );
        assert_eq!(
            filter(json!({"field": "salary_min", "op": "gt", "value": "3"})),
            "filters[0].value"
        );
        assert_eq!(field_of(base(json!({"limit": 0}))), "limit");
        assert_eq!(field_of(base(json!({"from": "soon"}))), "from");
        assert_eq!(
            field_of(json!({"metric": "applications", "group_by": ["skill"]})),
            "group_by[0]"
        );
    }

    #[test]
    fn injection_attempts_never_reach_the_statement() {
        let attempts = [
            "status; DROP TABLE users; --",
            "status) OR 1=1 --",
            "t.status",
            "1",
        ];
        for bad in attempts {
            assert_eq!(
                field_of(json!({"metric": "jobs", "group_by": [bad]})),
                "group_by[0]"
            );
            assert_eq!(
                field_of(json!({"metric": "jobs",
                    "filters": [{"field": bad, "op": "eq", "value": "x"}]})),
                "filters[0].field"
            );
            assert_eq!(
                field_of(json!({"metric": "jobs",
                    "filters": [{"field": "company", "op": bad, "value": "x"}]})),
                "filters[0].op"
            );
            assert_eq!(field_of(json!({"metric": bad})), "metric");
        }
        // A hostile value is bound, not written into the statement.
        let value = "x' OR '1'='1";
        let c = compile(
            &query(json!({"metric": "jobs",
                "filters": [{"field": "company", "op": "eq", "value": value}]})),
            Dialect(Backend::Sqlite),
            400,
        )
        .unwrap();
        assert!(!c.sql.contains(value));
        assert!(c.params.contains(&SqlParam::Text(value.to_owned())));
    }
}
