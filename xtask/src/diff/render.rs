//! The text of the drift report: a first screen short enough to read, and
//! the full listing behind `--full`.

use std::collections::BTreeMap;

use super::compare::{Finding, Kind};
use super::{CompileStatus, Report, Side};

/// Width the one-line groups of the first screen are cut to.
const WIDTH: usize = 110;
/// Findings whose uses the first screen lists.
const USED_SHOWN: usize = 6;

const LEGEND: [&str; 5] = [
    "How to read it: both descriptions went through the build's pipeline (overlay, rules, hoisting)",
    "and progenitor; what is compared is the generated Rust. Field, parameter and response types are",
    "compared with the renames above applied. Uses are found by identifier, so they can over-report:",
    "types and methods by name, fields by `.name` or inside `Type { .. }` / `Type::builder().name(..)`,",
    "parameters as `.param(..)` in a call chain containing `.method()`.",
];

/// Verdict, breaking groups on one line each (used items first), their
/// uses, informational counts.
pub fn first_screen(report: &Report) -> String {
    let mut out = header(report);
    out.push(String::new());
    if report.breaking.is_empty() {
        out.push("Breaking: none".into());
    } else {
        out.push(format!(
            "Breaking ({}), by kind (--full lists all):",
            report.breaking.len()
        ));
        for (kind, findings) in groups(&report.breaking) {
            let mut findings = findings;
            findings.sort_by_key(|f| f.used_by.is_empty());
            let prefix = format!("  {} ({}): ", kind.title(), findings.len());
            let items: Vec<String> = findings.iter().map(ToString::to_string).collect();
            out.push(capped_line(&prefix, &items, ", "));
        }
        let used: Vec<&Finding> = report
            .breaking
            .iter()
            .filter(|f| !f.used_by.is_empty())
            .collect();
        if !used.is_empty() {
            out.push(String::new());
            let places: usize = used.iter().map(|f| f.used_by.len()).sum();
            out.push(format!(
                "Used by {} ({}, {}):",
                report.usage_label,
                count(used.len(), "breaking item", "breaking items"),
                count(places, "place", "places")
            ));
            for finding in used.iter().take(USED_SHOWN) {
                let prefix = format!("  {}: ", finding.item);
                out.push(capped_line(&prefix, &places_by_file(finding), "; "));
            }
            if used.len() > USED_SHOWN {
                out.push(format!("  … and {} more items", used.len() - USED_SHOWN));
            }
        }
    }
    out.push(String::new());
    out.push(informational_line(report));
    out.push(
        "(--full: every item, where it is used and how uses are matched; --json: for scripts)"
            .into(),
    );
    out.join("\n") + "\n"
}

/// Everything: each finding on its line, its uses below it.
pub fn full(report: &Report) -> String {
    let mut out = header(report);
    out.push(String::new());
    out.push(format!("Breaking ({}):", report.breaking.len()));
    for (kind, findings) in groups(&report.breaking) {
        out.push(format!("  {} ({}):", kind.title(), findings.len()));
        for finding in findings {
            out.push(format!("    {finding}"));
            if !finding.inner_types.is_empty() {
                out.push(format!("      with {}", finding.inner_types.join(", ")));
            }
            if !finding.used_by.is_empty() {
                out.push(format!(
                    "      used at {}",
                    places_by_file(finding).join("; ")
                ));
            }
        }
    }
    out.push(String::new());
    out.push(format!("Informational ({}):", report.informational.len()));
    for (kind, findings) in groups(&report.informational) {
        out.push(format!("  {} ({}):", kind.title(), findings.len()));
        for finding in findings {
            out.push(format!("    {finding}"));
            if !finding.inner_types.is_empty() {
                out.push(format!("      with {}", finding.inner_types.join(", ")));
            }
        }
    }
    out.push(format!(
        "  documentation-only edits: {} (counted, not listed)",
        report.doc_only_changes
    ));
    out.push(String::new());
    out.extend(LEGEND.iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

/// Failure lines first, then the sides, generation and compilation, and the
/// verdict.
fn header(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for (label, side) in [("NEW", &report.new), ("OLD", &report.old)] {
        if let Some(error) = &side.generate_error {
            out.push(format!("{label} does not generate: {error}"));
        }
    }
    out.push(format!("OLD {}", side_line(&report.old)));
    out.push(format!("NEW {}", side_line(&report.new)));
    let generates = if report.new_generates() { "yes" } else { "NO" };
    out.push(format!(
        "NEW generates: {generates} · compiles: {}",
        compile_text(&report.compile)
    ));
    if !report.rust_level {
        out.push(
            "only operations compared: a side that does not generate has no Rust to compare".into(),
        );
    }
    let s = &report.summary;
    let used = if report.usage_label.is_empty() {
        String::new()
    } else {
        format!(" ({} used by {})", s.breaking_used, report.usage_label)
    };
    out.push(format!(
        "verdict: {}{used}, {} informational, {} documentation-only",
        count(s.breaking, "breaking change", "breaking changes"),
        s.informational,
        s.doc_only_changes
    ));
    out.extend(report.notes.iter().map(|n| format!("note: {n}")));
    out
}

fn side_line(side: &Side) -> String {
    let types = side
        .types
        .map_or_else(String::new, |t| format!(", {t} types"));
    format!(
        "{} (info.version {}, {} operations{types})",
        side.path, side.info_version, side.operations
    )
}

fn compile_text(status: &CompileStatus) -> String {
    match status {
        CompileStatus::Compiles => "yes".into(),
        CompileStatus::DoesNotCompile { error } => format!("NO: {error}"),
        CompileStatus::NotChecked { reason } => format!("not checked ({reason})"),
    }
}

fn informational_line(report: &Report) -> String {
    if report.informational.is_empty() {
        return "Informational: none".into();
    }
    let parts: Vec<String> = groups(&report.informational)
        .into_iter()
        .map(|(kind, findings)| format!("{} {}", findings.len(), kind.title()))
        .collect();
    let mut lines = vec![format!("Informational ({}):", report.informational.len())];
    for part in parts {
        let last = lines.last_mut().expect("one line");
        if last.chars().count() + part.chars().count() + 2 > WIDTH {
            lines.push(format!("  {part}"));
        } else {
            let sep = if last.ends_with(':') { " " } else { ", " };
            last.push_str(sep);
            last.push_str(&part);
        }
    }
    lines.join("\n")
}

/// Findings by kind, in kind order, each group in item order.
fn groups(findings: &[Finding]) -> Vec<(Kind, Vec<&Finding>)> {
    let mut by_kind: BTreeMap<Kind, Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        by_kind.entry(finding.kind).or_default().push(finding);
    }
    by_kind.into_iter().collect()
}

/// `file:1,5; other:3`.
fn places_by_file(finding: &Finding) -> Vec<String> {
    let mut by_file: Vec<(String, Vec<String>)> = Vec::new();
    for place in &finding.used_by {
        match by_file.last_mut() {
            Some((file, lines)) if *file == place.file => lines.push(place.line.to_string()),
            _ => by_file.push((place.file.clone(), vec![place.line.to_string()])),
        }
    }
    by_file
        .into_iter()
        .map(|(file, lines)| format!("{file}:{}", lines.join(",")))
        .collect()
}

/// `prefix` and as many items as fit in [`WIDTH`] (at least one), then
/// `… and N more`.
fn capped_line(prefix: &str, items: &[String], separator: &str) -> String {
    let mut line = prefix.to_owned();
    for (i, item) in items.iter().enumerate() {
        let rest = items.len() - i;
        let more = if rest > 1 {
            format!(" … and {} more", rest - 1)
        } else {
            String::new()
        };
        let sep = if i == 0 { "" } else { separator };
        let fits =
            line.chars().count() + sep.len() + item.chars().count() + more.chars().count() <= WIDTH;
        if i > 0 && !fits {
            line.push_str(&format!(" … and {rest} more"));
            return line;
        }
        line.push_str(sep);
        line.push_str(item);
    }
    line
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_capped_with_a_count_of_the_rest() {
        let items: Vec<String> = (0..40).map(|i| format!("Item{i}")).collect();
        let line = capped_line("  x (40): ", &items, ", ");
        assert!(line.chars().count() <= WIDTH, "{line}");
        assert!(line.starts_with("  x (40): Item0, Item1, "), "{line}");
        let shown = line.matches("Item").count();
        assert!(
            line.ends_with(&format!(" … and {} more", 40 - shown)),
            "{line}"
        );
        let one = capped_line("p: ", &["a".repeat(200)], ", ");
        assert_eq!(one, format!("p: {}", "a".repeat(200)));
    }
}
