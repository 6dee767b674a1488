//! Observability, synthetic but consistent with the service's state:
//! service logs (`ProjectGetServiceLogs`), metrics (`ServiceMetricsFetch`)
//! and query statistics (PostgreSQL, MySQL, ClickHouse). Nothing is
//! stored: every answer is derived from the service (name, type, creation
//! and first-running times, power) and the simulated clock, with a
//! generator seeded from those, so the same state at the same time gives
//! the same answer.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{service, Ctx, Outcome, Req};
use crate::clock::{format_time, Millis};
use crate::error::ApiError;
use crate::model::Service;
use crate::rng::Rng;

/// Logs are kept this long (Aiven keeps service logs a few days).
pub const LOG_RETENTION_MS: Millis = 4 * 86_400_000;
/// A running service writes one routine log line this often.
pub const LOG_INTERVAL_MS: Millis = 5 * 60_000;
/// The lifecycle lines before the routine ones: created, rebuilding, running.
const LIFECYCLE_LINES: u64 = 3;

/// A seed from text and numbers (FNV-1a), for reproducible synthetic values.
fn seed(parts: &[&str], n: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .chain(n.to_le_bytes())
    {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// One log line and its cursor position.
struct Line {
    index: u64,
    time: Millis,
    hostname: String,
    unit: String,
    severity: &'static str,
    msg: String,
}

impl Line {
    fn to_json(&self) -> Value {
        json!({
            "time": format_time(self.time),
            "hostname": self.hostname,
            "unit": self.unit,
            "severity": self.severity,
            "msg": self.msg,
        })
    }
}

/// The `k`-th routine line of a running service, per its type.
fn routine(s: &Service, k: u64, time: Millis) -> Line {
    let mut rng = Rng::new(seed(&[&s.name, "log"], s.create_time ^ k as i64));
    let node = (k % u64::from(s.node_count.max(1))) + 1;
    let hostname = format!("{}-{node}", s.name);
    let (unit, severity, msg) = match s.service_type.as_str() {
        "pg" | "alloydbomni" => {
            let unit = "postgresql-16.service".to_string();
            if k.is_multiple_of(2) {
                (unit, "info", "LOG:  checkpoint starting: time".to_string())
            } else {
                let buffers = rng.range(10, 2000);
                (
                    unit,
                    "info",
                    format!(
                        "LOG:  checkpoint complete: wrote {buffers} buffers ({:.1}%); 0 WAL file(s) added, 0 removed, 1 recycled; write={:.3} s, sync={:.3} s, total={:.3} s",
                        buffers as f64 / 163.84,
                        rng.next_f64() * 30.0,
                        rng.next_f64() / 10.0,
                        30.0 + rng.next_f64(),
                    ),
                )
            }
        }
        "kafka" => {
            let unit = "kafka.service".to_string();
            let partition = rng.range(0, 50);
            if k.is_multiple_of(3) {
                (
                    unit,
                    "info",
                    format!("[LogLoader partition=__consumer_offsets-{partition}, dir=/srv/kafka/data] Rolled new log segment at offset {} in {} ms.", rng.range(1000, 1_000_000), rng.range(1, 20)),
                )
            } else {
                (
                    unit,
                    "info",
                    format!("[GroupCoordinator {node}]: Removed 0 expired offsets in {} milliseconds.", rng.range(0, 5)),
                )
            }
        }
        "mysql" => (
            "mysqld.service".to_string(),
            "info",
            format!(
                "[Note] [MY-010914] [Server] Aborted connection {} to db: 'defaultdb' user: 'avnadmin' (Got an error reading communication packets).",
                rng.range(100, 100_000)
            ),
        ),
        kind => (
            format!("{kind}.service"),
            "info",
            format!("{kind}: health check passed in {} ms", rng.range(1, 50)),
        ),
    };
    Line {
        index: LIFECYCLE_LINES + k,
        time,
        hostname,
        unit,
        severity,
        msg,
    }
}

/// Every retained log line of `s` at `now`, oldest first. The index of a
/// line never changes, so it is the cursor (`offset`).
fn log_lines(s: &Service, now: Millis) -> Vec<Line> {
    let node1 = format!("{}-1", s.name);
    let life = |index: u64, time: Millis, severity, msg: String| Line {
        index,
        time,
        hostname: node1.clone(),
        unit: "aiven-service".to_string(),
        severity,
        msg,
    };
    let mut lines = vec![
        life(
            0,
            s.create_time,
            "notice",
            format!(
                "service created: {} {} in {}",
                s.service_type, s.plan, s.cloud
            ),
        ),
        life(
            1,
            s.create_time,
            "notice",
            format!("rebuilding: setting up {} node(s)", s.node_count),
        ),
    ];
    let running = s.first_running_ms;
    // Routine lines while powered on (until the power-off when it is off:
    // its last change).
    let end = if s.powered {
        now
    } else {
        s.update_time.min(now)
    };
    if running <= end {
        lines.push(life(2, running, "notice", "running".to_string()));
        let from = (now - LOG_RETENTION_MS).max(running);
        let first_k = ((from - running + LOG_INTERVAL_MS - 1) / LOG_INTERVAL_MS).max(1);
        let last_k = (end - running) / LOG_INTERVAL_MS;
        for k in first_k..=last_k {
            let k = k as u64;
            lines.push(routine(s, k - 1, running + k as i64 * LOG_INTERVAL_MS));
        }
    }
    if !s.powered {
        let index = lines.last().map_or(0, |l| l.index) + 1;
        lines.push(life(
            index,
            s.update_time,
            "notice",
            "powered off".to_string(),
        ));
    }
    lines.retain(|l| l.time >= now - LOG_RETENTION_MS);
    lines
}

const SEVERITIES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

fn severity_rank(s: &str) -> usize {
    SEVERITIES.iter().position(|x| *x == s).unwrap_or(7)
}

#[derive(Deserialize)]
struct LogsRequest {
    limit: Option<usize>,
    offset: Option<String>,
    severity: Option<String>,
    sort_order: Option<String>,
}

/// `ProjectGetServiceLogs`. The `offset` is a line index: ascending pages
/// start at it, descending pages end before it; the answer's `offset` is
/// where the next page in the same direction starts (unchanged when there
/// is nothing more), and `first_log_offset` the oldest retained line.
pub fn logs(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    let r: LogsRequest = req.body()?;
    let limit = r.limit.unwrap_or(100);
    let desc = r.sort_order.as_deref() != Some("asc");
    let offset = match r.offset.as_deref() {
        None => None,
        Some(o) => Some(
            o.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("Invalid offset: {o:?}")))?,
        ),
    };
    let mut lines = log_lines(s, ctx.now);
    let first = lines.first().map_or(0, |l| l.index);
    let end = lines.last().map_or(0, |l| l.index + 1);
    if let Some(max) = r.severity.as_deref().map(severity_rank) {
        lines.retain(|l| severity_rank(l.severity) <= max);
    }
    let (page, next): (Vec<&Line>, u64) = if desc {
        let before = offset.unwrap_or(end);
        let page: Vec<&Line> = lines
            .iter()
            .rev()
            .filter(|l| l.index < before)
            .take(limit)
            .collect();
        let next = page.last().map_or(before, |l| l.index);
        (page, next)
    } else {
        let from = offset.unwrap_or(first);
        let page: Vec<&Line> = lines
            .iter()
            .filter(|l| l.index >= from)
            .take(limit)
            .collect();
        let next = page.last().map_or(from, |l| l.index + 1);
        (page, next)
    };
    Ok(json!({
        "first_log_offset": first.to_string(),
        "offset": next.to_string(),
        "logs": page.iter().map(|l| l.to_json()).collect::<Vec<_>>(),
    }))
}

/// The metrics periods: points and their spacing.
fn period(name: &str) -> Option<(i64, Millis)> {
    match name {
        "hour" => Some((60, 60_000)),
        "day" => Some((288, 5 * 60_000)),
        "week" => Some((168, 3_600_000)),
        "month" => Some((180, 4 * 3_600_000)),
        "year" => Some((365, 86_400_000)),
        _ => None,
    }
}

/// The metrics: key, title, unit, typical value and spread.
const METRICS: &[(&str, &str, &str, f64, f64)] = &[
    ("cpu_usage", "CPU usage %", "%", 8.0, 6.0),
    ("disk_usage", "Disk space usage %", "%", 12.0, 1.0),
    ("diskio_read", "Disk IOPS (reads)", "IOPS", 20.0, 15.0),
    ("diskio_writes", "Disk IOPS (writes)", "IOPS", 40.0, 25.0),
    ("load_average", "Load average (5 min)", "", 0.3, 0.25),
    ("mem_available", "Memory available %", "%", 70.0, 5.0),
    ("mem_usage", "Memory usage %", "%", 30.0, 5.0),
    (
        "net_receive",
        "Network receive (bytes/s)",
        "bytes/s",
        40_000.0,
        30_000.0,
    ),
    (
        "net_send",
        "Network transmit (bytes/s)",
        "bytes/s",
        35_000.0,
        25_000.0,
    ),
];

#[derive(Deserialize)]
struct MetricsRequest {
    period: Option<String>,
}

/// `ServiceMetricsFetch`: per metric, a chart of one column per node and a
/// row per point of the period, the last at `now` (floored to the spacing).
/// No rows before the service was created; 0 before it first ran and
/// while it is powered off.
pub fn metrics(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    let r: MetricsRequest = req.body()?;
    let name = r.period.as_deref().unwrap_or("hour");
    let (points, step) =
        period(name).ok_or_else(|| ApiError::bad_request(format!("Invalid period: {name:?}")))?;
    let last = ctx.now - ctx.now.rem_euclid(step);
    let times: Vec<Millis> = (0..points)
        .map(|i| last - (points - 1 - i) * step)
        .filter(|t| *t >= s.create_time - s.create_time.rem_euclid(step))
        .collect();
    let nodes = s.node_count.max(1);
    let mut out = Map::new();
    for (key, title, unit, typical, spread) in METRICS {
        let mut cols = vec![json!({ "label": "time", "type": "date" })];
        for n in 1..=nodes {
            let role = if n == 1 { "master" } else { "standby" };
            cols.push(json!({ "label": format!("{}-{n} ({role})", s.name), "type": "number" }));
        }
        let rows: Vec<Value> = times
            .iter()
            .map(|&t| {
                let mut row = vec![json!(format_time(t))];
                let off = t < s.first_running_ms || (!s.powered && t >= s.update_time);
                for n in 1..=nodes {
                    let v = if off {
                        0.0
                    } else {
                        let mut rng = Rng::new(seed(&[&s.name, key], t ^ i64::from(n)));
                        let v = typical + spread * (2.0 * rng.next_f64() - 1.0);
                        (v.max(0.0) * 100.0).round() / 100.0
                    };
                    row.push(json!(v));
                }
                Value::Array(row)
            })
            .collect();
        out.insert(
            key.to_string(),
            json!({
                "data": { "cols": cols, "rows": rows },
                "hints": { "title": title, "unit": unit, "period": name },
            }),
        );
    }
    Ok(json!({ "metrics": out }))
}

/// The statement-statistics family of a service type.
fn family(kind: &str) -> Option<&'static str> {
    match kind {
        "pg" | "alloydbomni" => Some("pg"),
        "mysql" => Some("mysql"),
        "clickhouse" => Some("clickhouse"),
        _ => None,
    }
}

/// The service, refused unless its type keeps `want` statistics.
fn stats_service<'s>(
    state: &'s crate::model::State,
    req: &Req<'_>,
    want: &str,
) -> Result<&'s Service, ApiError> {
    let (_, s) = service(state, req)?;
    if family(&s.service_type) != Some(want) {
        return Err(ApiError::bad_request(format!(
            "Query statistics of this kind are not available for service type {}",
            s.service_type
        )));
    }
    Ok(s)
}

/// The representative statements of a family: text and relative frequency.
fn statements(fam: &str) -> &'static [(&'static str, f64)] {
    match fam {
        "pg" => &[
            ("SELECT * FROM accounts WHERE id = $1", 1.0),
            (
                "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
                0.4,
            ),
            (
                "INSERT INTO events (account_id, kind, payload) VALUES ($1, $2, $3)",
                0.6,
            ),
            ("SELECT count(*) FROM events WHERE created_at > $1", 0.05),
            ("BEGIN", 0.9),
            ("COMMIT", 0.9),
        ],
        "mysql" => &[
            ("SELECT * FROM `orders` WHERE `customer_id` = ?", 1.0),
            (
                "INSERT INTO `orders` ( `customer_id` , `total` ) VALUES (...)",
                0.3,
            ),
            (
                "UPDATE `inventory` SET `stock` = `stock` - ? WHERE `sku` = ?",
                0.3,
            ),
            (
                "SELECT COUNT ( * ) FROM `orders` WHERE `created_at` > ?",
                0.02,
            ),
        ],
        _ => &[
            ("SELECT count() FROM events WHERE date = today()", 1.0),
            ("INSERT INTO events FORMAT RowBinary", 0.8),
            (
                "SELECT uniqExact(user_id) FROM events GROUP BY toStartOfHour(ts)",
                0.1,
            ),
        ],
    }
}

/// Seconds the service has run (statements accumulate from then on).
fn ran_secs(s: &Service, now: Millis) -> f64 {
    let end = if s.powered {
        now
    } else {
        s.update_time.min(now)
    };
    ((end - s.first_running_ms).max(0) / 1000) as f64
}

fn pg_rows(s: &Service, now: Millis) -> Vec<Value> {
    let secs = ran_secs(s, now);
    let db = s
        .databases
        .first()
        .cloned()
        .unwrap_or_else(|| "defaultdb".into());
    statements("pg")
        .iter()
        .enumerate()
        .map(|(i, (q, freq))| {
            let mut rng = Rng::new(seed(&[&s.name, q], s.create_time));
            let calls = (secs * freq * 2.0).floor();
            let mean = 0.05 + rng.next_f64() * 2.0;
            let total = calls * mean;
            let hit = calls * rng.range(1, 10) as f64;
            json!({
                "queryid": (rng.next_u64() >> 12) as f64 + i as f64,
                "query": q,
                "database_name": db,
                "user_name": "avnadmin",
                "calls": calls,
                "rows": (calls * rng.range(0, 3) as f64),
                "total_time": total,
                "mean_time": if calls > 0.0 { mean } else { 0.0 },
                "min_time": if calls > 0.0 { mean / 4.0 } else { 0.0 },
                "max_time": if calls > 0.0 { mean * 20.0 } else { 0.0 },
                "stddev_time": if calls > 0.0 { mean / 2.0 } else { 0.0 },
                "total_plan_time": 0.0,
                "mean_plan_time": 0.0,
                "min_plan_time": 0.0,
                "max_plan_time": 0.0,
                "stddev_plan_time": 0.0,
                "shared_blks_hit": hit,
                "shared_blks_read": (hit / 100.0).floor(),
                "shared_blks_dirtied": 0.0,
                "shared_blks_written": 0.0,
                "local_blks_hit": 0.0,
                "local_blks_read": 0.0,
                "local_blks_dirtied": 0.0,
                "local_blks_written": 0.0,
                "temp_blks_read": 0.0,
                "temp_blks_written": 0.0,
                "blk_read_time": 0.0,
                "blk_write_time": 0.0,
                "wal_records": 0.0,
                "wal_fpi": 0.0,
                "wal_bytes": "0",
            })
        })
        .collect()
}

fn mysql_rows(s: &Service, now: Millis) -> Vec<Value> {
    let secs = ran_secs(s, now);
    let seen = format_time(s.first_running_ms);
    let last = format_time(now);
    statements("mysql")
        .iter()
        .map(|(q, freq)| {
            let mut rng = Rng::new(seed(&[&s.name, q], s.create_time));
            let count = (secs * freq * 2.0).floor();
            // Picoseconds, as performance_schema counts them.
            let avg = (rng.range(50, 5000) * 1_000_000) as f64;
            let sum = count * avg;
            json!({
                "digest": format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
                "digest_text": q,
                "schema_name": "defaultdb",
                "count_star": count,
                "sum_timer_wait": sum,
                "avg_timer_wait": if count > 0.0 { avg } else { 0.0 },
                "min_timer_wait": if count > 0.0 { avg / 4.0 } else { 0.0 },
                "max_timer_wait": if count > 0.0 { avg * 20.0 } else { 0.0 },
                "quantile_95": if count > 0.0 { avg * 3.0 } else { 0.0 },
                "quantile_99": if count > 0.0 { avg * 8.0 } else { 0.0 },
                "quantile_999": if count > 0.0 { avg * 15.0 } else { 0.0 },
                "sum_lock_time": 0.0,
                "sum_errors": 0.0,
                "sum_warnings": 0.0,
                "sum_rows_affected": 0.0,
                "sum_rows_sent": count,
                "sum_rows_examined": count * rng.range(1, 20) as f64,
                "sum_created_tmp_disk_tables": 0.0,
                "sum_created_tmp_tables": 0.0,
                "sum_select_full_join": 0.0,
                "sum_select_full_range_join": 0.0,
                "sum_select_range": 0.0,
                "sum_select_range_check": 0.0,
                "sum_select_scan": 0.0,
                "sum_sort_merge_passes": 0.0,
                "sum_sort_range": 0.0,
                "sum_sort_rows": 0.0,
                "sum_sort_scan": 0.0,
                "sum_no_index_used": 0.0,
                "sum_no_good_index_used": 0.0,
                "first_seen": seen,
                "last_seen": last,
                "query_sample_text": q,
                "query_sample_seen": last,
                "query_sample_timer_wait": format!("{}", avg as u64),
            })
        })
        .collect()
}

fn clickhouse_rows(s: &Service, now: Millis) -> Vec<Value> {
    let secs = ran_secs(s, now);
    statements("clickhouse")
        .iter()
        .map(|(q, freq)| {
            let mut rng = Rng::new(seed(&[&s.name, q], s.create_time));
            let calls = (secs * freq / 10.0).floor() as i64;
            let mean = rng.range(1, 200) as i64;
            let (mean, total) = if calls > 0 {
                (mean, calls * mean)
            } else {
                (0, 0)
            };
            json!({
                "query": q,
                "database": "default",
                "calls": calls,
                "rows": (calls * rng.range(1, 1000) as i64) as f64,
                "total_time": total,
                "mean_time": mean,
                "min_time": mean / 4,
                "max_time": mean * 10,
                "p95_time": mean * 3,
                "stddev_time": mean / 2,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct StatsRequest {
    limit: Option<usize>,
    offset: Option<usize>,
    order_by: Option<String>,
}

/// Sorts `rows` by `order_by` (`key:asc|desc,…`), then pages them.
fn order_and_page(
    mut rows: Vec<Value>,
    r: &StatsRequest,
    default_order: &str,
) -> Result<Vec<Value>, ApiError> {
    let order = r.order_by.as_deref().unwrap_or(default_order);
    let mut keys = Vec::new();
    for part in order.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, dir) = part.split_once(':').unwrap_or((part, "asc"));
        let desc = match dir {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Invalid order_by: {order:?}"
                )))
            }
        };
        if rows.first().is_some_and(|row| row.get(key).is_none()) {
            return Err(ApiError::bad_request(format!(
                "Invalid order_by: unknown column {key:?}"
            )));
        }
        keys.push((key.to_string(), desc));
    }
    rows.sort_by(|a, b| {
        for (key, desc) in &keys {
            let o = match (&a[key], &b[key]) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .unwrap_or(0.0)
                    .total_cmp(&y.as_f64().unwrap_or(0.0)),
                (x, y) => x.to_string().cmp(&y.to_string()),
            };
            let o = if *desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(rows
        .into_iter()
        .skip(r.offset.unwrap_or(0))
        .take(r.limit.unwrap_or(100))
        .collect())
}

/// `PGServiceQueryStatistics`: `pg_stat_statements`.
pub fn pg_stats(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = stats_service(ctx.state, req, "pg")?;
    let r: StatsRequest = req.body()?;
    let rows = order_and_page(pg_rows(s, ctx.now), &r, "calls:desc")?;
    Ok(json!({ "queries": rows }))
}

/// `PGServiceQueryStatisticsDeprecated`: the same, whole, by calls.
pub fn pg_stats_deprecated(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = stats_service(ctx.state, req, "pg")?;
    let r = StatsRequest {
        limit: None,
        offset: None,
        order_by: None,
    };
    let rows = order_and_page(pg_rows(s, ctx.now), &r, "calls:desc")?;
    Ok(json!({ "queries": rows }))
}

/// `MySQLServiceQueryStatistics`: `performance_schema` statement digests.
pub fn mysql_stats(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = stats_service(ctx.state, req, "mysql")?;
    let r: StatsRequest = req.body()?;
    let rows = order_and_page(mysql_rows(s, ctx.now), &r, "count_star:desc")?;
    Ok(json!({ "queries": rows }))
}

/// `ServiceClickHouseQueryStats` (its query parameters are not passed to
/// handlers: every statement, by calls).
pub fn clickhouse_stats(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = stats_service(ctx.state, req, "clickhouse")?;
    let r = StatsRequest {
        limit: None,
        offset: None,
        order_by: None,
    };
    let rows = order_and_page(clickhouse_rows(s, ctx.now), &r, "calls:desc")?;
    Ok(json!({ "queries": rows }))
}

/// `ServiceQueryStatisticsReset` (PostgreSQL and MySQL): answers the
/// emptied list. The statistics are not stored, so the counters are not
/// actually reset.
pub fn stats_reset(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    match family(&s.service_type) {
        Some("pg" | "mysql") => Ok(json!({ "queries": [] })),
        _ => Err(ApiError::bad_request(format!(
            "Query statistics reset is not available for service type {}",
            s.service_type
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(period("hour"), Some((60, 60_000)));
        assert_eq!(period("decade"), None);
    }
}
