//! The report as text for a person, or as JSON.

use super::{Change, ChangeKind, DiffReport, OpChange, SchemaChange, Summary};
use anyhow::Result;
use serde::Serialize;

/// Detail lines shown per item in text; JSON has them all.
const MAX_TEXT_DETAILS: usize = 8;

/// The report with its summary appended, fields in declaration order.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a DiffReport,
    summary: Summary,
}

/// The report plus its summary, as pretty JSON.
pub fn json(report: &DiffReport) -> Result<String> {
    let summary = report.summary();
    Ok(serde_json::to_string_pretty(&JsonReport {
        report,
        summary,
    })?)
}

/// The text report: a header, one section per non-empty kind of drift, and
/// a closing summary line.
pub fn text(report: &DiffReport) -> String {
    let mut lines = vec![header(report), String::new()];
    let sections = sections(report);
    if sections.is_empty() {
        lines.push("no drift in operations, component schemas or enums".to_owned());
    }
    lines.extend(sections);
    lines.push(String::new());
    lines.push(summary_line(&report.summary()));
    lines.join("\n") + "\n"
}

fn header(report: &DiffReport) -> String {
    let side = |facts: &super::SpecFacts| {
        format!(
            "{} (info.version {}, {} operations, {} schemas)",
            facts.source, facts.info_version, facts.operations, facts.schemas
        )
    };
    format!("spec drift: {} → {}", side(&report.old), side(&report.new))
}

fn sections(report: &DiffReport) -> Vec<String> {
    let ops_added = report.operations_added.iter();
    let ops_removed = report.operations_removed.iter();
    let moved = report.operations_moved.iter();
    let enums = report.enums_changed.iter();
    [
        section(
            "Operations added",
            ops_added.map(|op| format!("+ {}: {}", op.operation_id, op.location())),
        ),
        section(
            "Operations removed",
            ops_removed.map(|op| format!("- {}: {}", op.operation_id, op.location())),
        ),
        section(
            "Operations moved",
            moved.map(|m| format!("> {}: {} → {}", m.operation_id, m.from, m.to)),
        ),
        section(
            "Operations changed",
            report.operations_changed.iter().map(operation_change),
        ),
        section(
            "Component schemas added",
            report.schemas_added.iter().map(|name| format!("+ {name}")),
        ),
        section(
            "Component schemas removed",
            report
                .schemas_removed
                .iter()
                .map(|name| format!("- {name}")),
        ),
        section(
            "Component schemas changed",
            report.schemas_changed.iter().map(schema_change),
        ),
        section(
            "Enum values changed",
            enums.map(|e| format!("~ {}: {}", e.location, enum_values(&e.added, &e.removed))),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `Title (n):` then the items indented; nothing when there are no items.
fn section(title: &str, items: impl Iterator<Item = String>) -> Vec<String> {
    let items: Vec<String> = items.map(|item| format!("  {item}")).collect();
    if items.is_empty() {
        return items;
    }
    let mut lines = vec![format!("{title} ({}):", items.len())];
    lines.extend(items);
    lines
}

fn operation_change(op: &OpChange) -> String {
    let mut lines = vec![format!(
        "~ {}: {}",
        op.operation.operation_id,
        op.operation.location()
    )];
    lines.extend(
        op.changes
            .iter()
            .map(|change| format!("    {}", change_text(change))),
    );
    lines.join("\n")
}

fn change_text(change: &Change) -> String {
    let headline = change_headline(change);
    match change.details.as_slice() {
        [] => headline,
        [only] => format!("{headline}: {only}"),
        details => format!("{headline}:\n{}", detail_lines(details, "        ")),
    }
}

fn change_headline(change: &Change) -> String {
    let target = &change.target;
    match change.kind {
        ChangeKind::ParameterAdded => format!("parameter {target} added (optional)"),
        ChangeKind::RequiredParameterAdded => format!("required parameter {target} added"),
        ChangeKind::ParameterRemoved => format!("parameter {target} removed"),
        ChangeKind::ParameterNowRequired => format!("parameter {target} is now required"),
        ChangeKind::ParameterNowOptional => format!("parameter {target} is now optional"),
        ChangeKind::ParameterSchemaChanged => format!("parameter {target} schema changed"),
        ChangeKind::RequestBodyAdded => "request body added".to_owned(),
        ChangeKind::RequestBodyRemoved => "request body removed".to_owned(),
        ChangeKind::RequestBodyChanged => "request body schema changed".to_owned(),
        ChangeKind::SuccessResponseChanged => format!("success response ({target}) changed"),
    }
}

fn schema_change(change: &SchemaChange) -> String {
    format!(
        "~ {}\n{}",
        change.name,
        detail_lines(&change.details, "      ")
    )
}

/// Up to [`MAX_TEXT_DETAILS`] lines with `indent`, then a count of the rest.
fn detail_lines(details: &[String], indent: &str) -> String {
    let mut lines: Vec<String> = details
        .iter()
        .take(MAX_TEXT_DETAILS)
        .map(|detail| format!("{indent}{detail}"))
        .collect();
    if details.len() > MAX_TEXT_DETAILS {
        lines.push(format!(
            "{indent}… and {} more",
            details.len() - MAX_TEXT_DETAILS
        ));
    }
    lines.join("\n")
}

fn enum_values(added: &[String], removed: &[String]) -> String {
    let added = added.iter().map(|v| format!("+{v}"));
    let removed = removed.iter().map(|v| format!("-{v}"));
    added.chain(removed).collect::<Vec<_>>().join(" ")
}

/// The closing line: counts per kind, then the breaking ones.
pub fn summary_line(s: &Summary) -> String {
    format!(
        "summary: operations {} added, {} removed, {} moved, {} changed; schemas {} added, {} removed, {} changed; enum values {} added, {} removed; {}",
        s.operations_added,
        s.operations_removed,
        s.operations_moved,
        s.operations_changed,
        s.schemas_added,
        s.schemas_removed,
        s.schemas_changed,
        s.enum_values_added,
        s.enum_values_removed,
        breaking_text(s)
    )
}

fn breaking_text(s: &Summary) -> String {
    let parts: Vec<String> = [
        (
            s.operations_removed,
            "operation removed",
            "operations removed",
        ),
        (s.schemas_removed, "schema removed", "schemas removed"),
        (
            s.enum_values_removed,
            "enum value removed",
            "enum values removed",
        ),
        (
            s.breaking_operation_changes,
            "breaking parameter/body change",
            "breaking parameter/body changes",
        ),
    ]
    .into_iter()
    .filter(|(count, _, _)| *count > 0)
    .map(|(count, one, many)| format!("{count} {}", if count == 1 { one } else { many }))
    .collect();
    if parts.is_empty() {
        "no breaking changes".to_owned()
    } else {
        format!("BREAKING ({}): {}", s.breaking, parts.join(", "))
    }
}
