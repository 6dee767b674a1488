//! `cargo xtask diff OLD NEW`: what changed between two versions of the
//! OpenAPI description, for deciding whether a regeneration is safe.

mod details;
mod enums;
mod model;
mod render;

pub use enums::EnumChange;
pub use model::OpRef;

use crate::source::read_source;
use crate::spec::{info_version, operations, parse_json, schema_count};
use anyhow::Result;
use details::schema_details;
use model::{op_models, schema_models, OpModel, ParamModel, SuccessModel};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Arguments of `cargo xtask diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The spec before (a path, file:// URL or http(s) URL).
    pub old: String,
    /// The spec after.
    pub new: String,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Identity of one side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecFacts {
    pub source: String,
    pub info_version: String,
    pub operations: usize,
    pub schemas: usize,
}

/// An operation whose method or path changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpMove {
    pub operation_id: String,
    pub from: String,
    pub to: String,
}

/// What kind of change an operation went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    ParameterAdded,
    RequiredParameterAdded,
    ParameterRemoved,
    ParameterNowRequired,
    ParameterNowOptional,
    ParameterSchemaChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyChanged,
    SuccessResponseChanged,
}

impl ChangeKind {
    /// Changes that break existing callers of the generated method.
    pub fn is_breaking(self) -> bool {
        matches!(
            self,
            Self::RequiredParameterAdded
                | Self::ParameterRemoved
                | Self::ParameterNowRequired
                | Self::RequestBodyAdded
                | Self::RequestBodyRemoved
        )
    }
}

/// One change of an operation: `target` is `in:name` for parameters, the
/// status for responses, empty for the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub target: String,
    pub details: Vec<String>,
}

/// An operation (same operationId on both sides) whose contract changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpChange {
    pub operation: OpRef,
    pub changes: Vec<Change>,
}

/// A component schema that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub name: String,
    pub details: Vec<String>,
}

/// The whole drift report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    pub old: SpecFacts,
    pub new: SpecFacts,
    pub operations_added: Vec<OpRef>,
    pub operations_removed: Vec<OpRef>,
    pub operations_moved: Vec<OpMove>,
    pub operations_changed: Vec<OpChange>,
    pub schemas_added: Vec<String>,
    pub schemas_removed: Vec<String>,
    pub schemas_changed: Vec<SchemaChange>,
    pub enums_changed: Vec<EnumChange>,
}

/// Counts for the closing line; `breaking` adds up the breaking ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub operations_added: usize,
    pub operations_removed: usize,
    pub operations_moved: usize,
    pub operations_changed: usize,
    pub schemas_added: usize,
    pub schemas_removed: usize,
    pub schemas_changed: usize,
    pub enum_values_added: usize,
    pub enum_values_removed: usize,
    pub breaking_operation_changes: usize,
    pub breaking: usize,
}

/// The report as pretty JSON, with a `summary` object at the end.
pub fn report_json(report: &DiffReport) -> Result<String> {
    render::json(report)
}

/// The text report, ending with the summary line.
pub fn report_text(report: &DiffReport) -> String {
    render::text(report)
}

/// `cargo xtask diff`: print the report (text or JSON). Always succeeds once
/// both documents are read.
pub fn run(args: &DiffArgs) -> Result<()> {
    let report = diff_sources(&args.old, &args.new)?;
    if args.json {
        println!("{}", report_json(&report)?);
    } else {
        print!("{}", report_text(&report));
    }
    Ok(())
}

/// Reads both sources and compares them.
pub fn diff_sources(old: &str, new: &str) -> Result<DiffReport> {
    let old_doc = parse_json(old, &read_source(old)?)?;
    let new_doc = parse_json(new, &read_source(new)?)?;
    Ok(diff_documents((old, &old_doc), (new, &new_doc)))
}

/// Compares two parsed documents, each given with its label.
pub fn diff_documents(old: (&str, &Value), new: (&str, &Value)) -> DiffReport {
    let (old_ops, new_ops) = (op_models(old.1), op_models(new.1));
    let (old_schemas, new_schemas) = (schema_models(old.1), schema_models(new.1));
    let old_enums = enums::enum_sites(old.1);
    DiffReport {
        old: spec_facts(old.0, old.1),
        new: spec_facts(new.0, new.1),
        operations_added: only_in(&new_ops, &old_ops)
            .map(|(_, m)| m.op.clone())
            .collect(),
        operations_removed: only_in(&old_ops, &new_ops)
            .map(|(_, m)| m.op.clone())
            .collect(),
        operations_moved: moved_operations(&old_ops, &new_ops),
        operations_changed: changed_operations(&old_ops, &new_ops),
        schemas_added: only_in(&new_schemas, &old_schemas)
            .map(|(k, _)| k.clone())
            .collect(),
        schemas_removed: only_in(&old_schemas, &new_schemas)
            .map(|(k, _)| k.clone())
            .collect(),
        schemas_changed: changed_schemas(&old_schemas, &new_schemas),
        enums_changed: enums::enum_changes(&old_enums, &enums::enum_sites(new.1)),
    }
}

fn spec_facts(source: &str, doc: &Value) -> SpecFacts {
    SpecFacts {
        source: source.to_owned(),
        info_version: info_version(doc),
        operations: operations(doc).len(),
        schemas: schema_count(doc),
    }
}

/// Entries of `side` whose key `other` lacks, in key order.
fn only_in<'a, V, W>(
    side: &'a BTreeMap<String, V>,
    other: &'a BTreeMap<String, W>,
) -> impl Iterator<Item = (&'a String, &'a V)> {
    side.iter()
        .filter(move |(key, _)| !other.contains_key(*key))
}

/// Operations whose method or path differs for the same operationId.
fn moved_operations(
    old: &BTreeMap<String, OpModel>,
    new: &BTreeMap<String, OpModel>,
) -> Vec<OpMove> {
    both_sides(old, new)
        .filter(|(before, after)| before.op.location() != after.op.location())
        .map(|(before, after)| OpMove {
            operation_id: before.op.operation_id.clone(),
            from: before.op.location(),
            to: after.op.location(),
        })
        .collect()
}

/// Operations present on both sides whose parameters, body or success
/// response changed.
fn changed_operations(
    old: &BTreeMap<String, OpModel>,
    new: &BTreeMap<String, OpModel>,
) -> Vec<OpChange> {
    both_sides(old, new)
        .map(|(before, after)| OpChange {
            operation: after.op.clone(),
            changes: operation_changes(before, after),
        })
        .filter(|change| !change.changes.is_empty())
        .collect()
}

fn both_sides<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a V, &'a V)> {
    old.iter()
        .filter_map(|(key, before)| Some((before, new.get(key)?)))
}

fn operation_changes(before: &OpModel, after: &OpModel) -> Vec<Change> {
    let mut changes = parameter_changes(&before.params, &after.params);
    changes.extend(body_change(before.body.as_ref(), after.body.as_ref()));
    changes.extend(success_change(
        before.success.as_ref(),
        after.success.as_ref(),
    ));
    changes
}

fn parameter_changes(
    old: &BTreeMap<String, ParamModel>,
    new: &BTreeMap<String, ParamModel>,
) -> Vec<Change> {
    let removed =
        only_in(old, new).map(|(key, _)| change(ChangeKind::ParameterRemoved, key, vec![]));
    let added = only_in(new, old).map(|(key, param)| {
        let kind = if param.required {
            ChangeKind::RequiredParameterAdded
        } else {
            ChangeKind::ParameterAdded
        };
        change(kind, key, vec![])
    });
    let changed = old
        .iter()
        .filter_map(|(key, before)| Some((key, before, new.get(key)?)));
    let changed = changed.flat_map(|(key, before, after)| parameter_change(key, before, after));
    removed.chain(added).chain(changed).collect()
}

fn parameter_change(key: &str, before: &ParamModel, after: &ParamModel) -> Vec<Change> {
    let mut changes = Vec::new();
    if before.required != after.required {
        let kind = if after.required {
            ChangeKind::ParameterNowRequired
        } else {
            ChangeKind::ParameterNowOptional
        };
        changes.push(change(kind, key, vec![]));
    }
    let details = schema_details(&before.schema, &after.schema);
    if !details.is_empty() {
        changes.push(change(ChangeKind::ParameterSchemaChanged, key, details));
    }
    changes
}

fn body_change(before: Option<&Value>, after: Option<&Value>) -> Option<Change> {
    match (before, after) {
        (None, Some(_)) => Some(change(ChangeKind::RequestBodyAdded, "", vec![])),
        (Some(_), None) => Some(change(ChangeKind::RequestBodyRemoved, "", vec![])),
        (Some(before), Some(after)) => {
            let details = schema_details(before, after);
            (!details.is_empty()).then(|| change(ChangeKind::RequestBodyChanged, "", details))
        }
        (None, None) => None,
    }
}

fn success_change(before: Option<&SuccessModel>, after: Option<&SuccessModel>) -> Option<Change> {
    let null = Value::Null;
    let old_schema = before.map_or(&null, |s| &s.schema);
    let new_schema = after.map_or(&null, |s| &s.schema);
    let mut details = schema_details(old_schema, new_schema);
    let (old_status, new_status) = (status_of(before), status_of(after));
    if old_status != new_status {
        details.insert(0, format!("status {old_status} → {new_status}"));
    }
    (!details.is_empty()).then(|| change(ChangeKind::SuccessResponseChanged, &new_status, details))
}

fn status_of(success: Option<&SuccessModel>) -> String {
    success.map_or_else(|| "none".to_owned(), |s| s.status.clone())
}

fn change(kind: ChangeKind, target: &str, details: Vec<String>) -> Change {
    Change {
        kind,
        target: target.to_owned(),
        details,
    }
}

/// Component schemas present on both sides that differ (after normalizing).
fn changed_schemas(
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
) -> Vec<SchemaChange> {
    old.iter()
        .filter_map(|(name, before)| Some((name, schema_details(before, new.get(name)?))))
        .filter(|(_, details)| !details.is_empty())
        .map(|(name, details)| SchemaChange {
            name: name.clone(),
            details,
        })
        .collect()
}

impl DiffReport {
    /// Counts of each kind of drift and of the breaking ones.
    pub fn summary(&self) -> Summary {
        let enum_values_added = self.enums_changed.iter().map(|e| e.added.len()).sum();
        let enum_values_removed = self.enums_changed.iter().map(|e| e.removed.len()).sum();
        let all_changes = self.operations_changed.iter().flat_map(|op| &op.changes);
        let breaking_operation_changes = all_changes.filter(|c| c.kind.is_breaking()).count();
        let breaking = self.operations_removed.len()
            + self.schemas_removed.len()
            + enum_values_removed
            + breaking_operation_changes;
        Summary {
            operations_added: self.operations_added.len(),
            operations_removed: self.operations_removed.len(),
            operations_moved: self.operations_moved.len(),
            operations_changed: self.operations_changed.len(),
            schemas_added: self.schemas_added.len(),
            schemas_removed: self.schemas_removed.len(),
            schemas_changed: self.schemas_changed.len(),
            enum_values_added,
            enum_values_removed,
            breaking_operation_changes,
            breaking,
        }
    }
}
