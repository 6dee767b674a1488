//! Stable type names across description bumps (`openapi/type-names.json`).
//!
//! Bumps between the two published descriptions in `../shared/openapi/` —
//! November 2023 (the previous pin) → June 2026 (the pin), with the names file
//! built from 2023 — then simulates a second bump, 2026 → 2026 with drift,
//! and checks the committed names file against the pinned description.
//! The descriptions are required: a missing file fails these tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use aiven_openapi::hoist::{HoistReport, NamesFile, Rename};
use aiven_openapi::{prepare_with_names, read_json, read_spec_file, Prepared, SpecFiles};
use serde_json::{json, Value};

fn openapi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A published description from the shared directory, parsed; fails with
/// what is missing (these tests are never skipped).
fn published(file: &str) -> Value {
    let path = openapi_dir().join("../../shared/openapi").join(file);
    assert!(
        path.exists(),
        "{} is missing: the stable-name tests bump between the published descriptions \
         and need ../shared/openapi/{file} beside the workspace",
        path.display()
    );
    read_spec_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn nov_2023() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| published("aiven-openapi.json"))
}

fn jun_2026() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| published("aiven-openapi-2026-06.yml"))
}

fn prepared(doc: &Value, file: Option<&NamesFile>) -> Prepared {
    let overlay = read_json(&openapi_dir().join("overlay.json")).unwrap_or_else(|e| panic!("{e}"));
    prepare_with_names(doc.clone(), Some(&overlay), file).unwrap_or_else(|e| panic!("{e}"))
}

fn hoisted(doc: &Value, file: Option<&NamesFile>) -> HoistReport {
    prepared(doc, file).report.hoist
}

/// 2023 by the rules alone: the first names file.
fn names_2023() -> &'static NamesFile {
    static FILE: OnceLock<NamesFile> = OnceLock::new();
    FILE.get_or_init(|| hoisted(nov_2023(), None).names)
}

/// 2026 with the 2023 names carried forward: what
/// `cargo xtask names --write --from <2023>` writes.
fn names_2026() -> &'static NamesFile {
    static FILE: OnceLock<NamesFile> = OnceLock::new();
    FILE.get_or_init(|| hoisted(jun_2026(), Some(names_2023())).names)
}

/// Recorded locations that `now` still has, under another name.
fn renames(recorded: &NamesFile, now: &NamesFile) -> Vec<Rename> {
    recorded
        .names
        .iter()
        .filter_map(|(location, old)| {
            let new = now.names.get(location)?;
            (new != old).then(|| Rename {
                location: location.clone(),
                recorded: old.clone(),
                now: new.clone(),
            })
        })
        .collect()
}

/// `old -> new (n locations)`, one line per renamed type.
fn show(renames: &[Rename]) -> String {
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in renames {
        *pairs.entry((&r.recorded, &r.now)).or_default() += 1;
    }
    pairs
        .iter()
        .map(|((old, new), n)| format!("  {old} -> {new} ({n} locations)\n"))
        .collect()
}

fn renamed_types(renames: &[Rename]) -> usize {
    let pairs: BTreeSet<(&str, &str)> = renames
        .iter()
        .map(|r| (r.recorded.as_str(), r.now.as_str()))
        .collect();
    pairs.len()
}

/// Component `name` with `$ref`s inlined and documentation removed: the Rust
/// type it generates, independently of the names inside it.
fn deep(doc: &Value, name: &str) -> Value {
    fn expand(doc: &Value, v: &Value, depth: usize) -> Value {
        match v {
            Value::Object(o) => {
                let target = o.get("$ref").and_then(Value::as_str);
                if let Some(n) = target.and_then(|r| r.strip_prefix("#/components/schemas/")) {
                    assert!(depth < 64, "recursive schema at {n}");
                    return expand(doc, &doc["components"]["schemas"][n], depth + 1);
                }
                let docs = [
                    "description",
                    "title",
                    "example",
                    "examples",
                    "externalDocs",
                ];
                o.iter()
                    .filter(|(k, _)| !k.starts_with("x-") && !docs.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), expand(doc, v, depth)))
                    .collect()
            }
            Value::Array(a) => a.iter().map(|v| expand(doc, v, depth)).collect(),
            v => v.clone(),
        }
    }
    expand(doc, &doc["components"]["schemas"][name], 0)
}

#[test]
fn bump_2023_to_2026_renames_no_surviving_shape() {
    let old = names_2023();
    let without = renames(old, &hoisted(jun_2026(), None).names);
    let before = prepared(nov_2023(), None);
    let after = prepared(jun_2026(), Some(old));
    let with = &after.report.hoist;
    eprintln!(
        "2023 -> 2026, {} recorded locations\n\
         without the names file: {} locations renamed ({} types):\n{}\
         with it: {} shapes kept their name, {} named fresh, {} locations renamed ({} types):\n{}",
        old.names.len(),
        without.len(),
        renamed_types(&without),
        show(&without),
        with.kept_names,
        with.fresh_names,
        with.renames.len(),
        renamed_types(&with.renames),
        show(&with.renames),
    );
    // The report agrees with a comparison of the two files.
    assert_eq!(renames(old, &with.names), with.renames);
    // A rename is allowed only where the type at the location changed, or
    // where the description itself now gives the name to one of its own
    // (changed) components.
    let components_2026 = jun_2026()["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let survivors: Vec<Rename> = with
        .renames
        .iter()
        .filter(|r| {
            deep(&before.doc, &r.recorded) == deep(&after.doc, &r.now)
                && !components_2026.contains_key(&r.recorded)
        })
        .cloned()
        .collect();
    assert!(
        survivors.is_empty(),
        "unchanged shapes at recorded locations were renamed:\n{}",
        show(&survivors)
    );
    assert!(
        with.renames.len() < without.len(),
        "the names file must prevent renames"
    );
    // The names users know from 2023 stay where they were.
    for name in ["Cloud", "Invoice", "Service", "NodeState", "Backup"] {
        let at: Vec<&String> = old
            .names
            .iter()
            .filter(|(l, n)| *n == name && with.names.names.contains_key(*l))
            .map(|(l, _)| l)
            .collect();
        assert!(!at.is_empty(), "`{name}` has no surviving location");
        for l in at {
            assert_eq!(with.names.names[l], name, "{l}");
        }
    }
}

/// The component of a location (`ListCloudsResponse.clouds.[]`).
fn component_of(location: &str) -> &str {
    location.split('.').next().expect("non-empty")
}

/// Removes `component`, every operation that refers to it, and the other
/// components only those operations used, as a description dropping an
/// operation does.
fn remove_operations_of(doc: &mut Value, component: &str) {
    let refers = |v: &Value, c: &str| {
        v.to_string()
            .contains(&format!("\"#/components/schemas/{c}\""))
    };
    let mut orphans: BTreeSet<String> = BTreeSet::from([component.to_string()]);
    let names: Vec<String> = doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .cloned()
        .collect();
    let paths = doc["paths"].as_object_mut().expect("paths");
    for item in paths.values_mut() {
        let item = item.as_object_mut().expect("path item");
        item.retain(|_, op| {
            let remove = refers(op, component);
            if remove {
                orphans.extend(names.iter().filter(|n| refers(op, n)).cloned());
            }
            !remove
        });
    }
    paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    let still_used = |doc: &Value, c: &str| {
        refers(&doc["paths"], c)
            || doc["components"]["schemas"]
                .as_object()
                .expect("schemas")
                .iter()
                .any(|(n, s)| n != c && !orphans.contains(n) && refers(s, c))
    };
    let unused: Vec<&String> = orphans.iter().filter(|c| !still_used(doc, c)).collect();
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    for c in unused {
        schemas.remove(c);
    }
}

/// Adds a property to every inline object whose properties are exactly `keys`.
fn add_field_everywhere(schema: &mut Value, keys: &[String]) -> usize {
    let mut n = 0;
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        if props.keys().eq(keys.iter()) {
            props.insert("drift_added".into(), json!({"type": "string"}));
            n += 1;
        }
    }
    match schema {
        Value::Object(o) => o
            .values_mut()
            .map(|v| add_field_everywhere(v, keys))
            .sum::<usize>()
            .saturating_add(n),
        Value::Array(a) => a.iter_mut().map(|v| add_field_everywhere(v, keys)).sum(),
        _ => n,
    }
}

fn get_operation(component: &str, id: &str) -> Value {
    json!({"get": {
        "operationId": id,
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{component}")},
        }}}},
    }})
}

/// June 2026 as a later description might change it: the operations that
/// hold the first location of types named `<Component>…` removed (their
/// `<Parent>` would change), two new operations sharing a new shape under
/// properties named like existing types (`service`, `cloud`), a new
/// sibling of `clouds` (with `sibling`) whose `<Parent><Property>` name is
/// the one `Cloud` would get without the file, and a field added to `Cloud`
/// everywhere.
fn drifted_2026(
    recorded: &NamesFile,
    cloud_keys: &[String],
    sibling: bool,
) -> (Value, Vec<String>) {
    let mut doc = jun_2026().clone();
    let mut first_location: BTreeMap<&str, &str> = BTreeMap::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (location, name) in &recorded.names {
        first_location.entry(name).or_insert(location);
        *counts.entry(name).or_default() += 1;
    }
    let referenced_by_components = |doc: &Value, c: &str| {
        let needle = format!("\"#/components/schemas/{c}\"");
        doc["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .values()
            .any(|s| s.to_string().contains(&needle))
    };
    let removed: Vec<String> = first_location
        .iter()
        .filter(|(name, loc)| counts[*name] > 1 && name.starts_with(component_of(loc)))
        .map(|(_, loc)| component_of(loc).to_string())
        .filter(|c| {
            doc["components"]["schemas"].get(c).is_some() && !referenced_by_components(&doc, c)
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(6)
        .collect();
    assert!(!removed.is_empty(), "no operation to remove");
    for c in &removed {
        remove_operations_of(&mut doc, c);
    }

    let fresh = json!({"type": "object", "properties": {
        "drift_id": {"type": "string"},
        "drift_size": {"type": "integer"},
    }});
    let response = json!({"type": "object", "properties": {
        "service": fresh, "cloud": fresh, "id": {"type": "string"},
    }});
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    schemas.insert("DriftOneResponse".into(), response.clone());
    schemas.insert("DriftTwoResponse".into(), response);
    if sibling {
        let clouds = schemas["ListCloudsResponse"]["properties"]
            .as_object_mut()
            .expect("ListCloudsResponse has properties");
        clouds.insert(
            "cloud".into(),
            json!({"type": "object", "properties": {"sibling": {"type": "boolean"}}}),
        );
    }
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert(
        "/drift/one".into(),
        get_operation("DriftOneResponse", "DriftOne"),
    );
    paths.insert(
        "/drift/two".into(),
        get_operation("DriftTwoResponse", "DriftTwo"),
    );
    let changed = add_field_everywhere(&mut doc["components"], cloud_keys);
    assert!(changed >= 1, "Cloud's copies were not found");
    (doc, removed)
}

#[test]
fn a_second_bump_with_drift_renames_nothing() {
    let recorded = names_2026();
    // The same description again: every shape keeps its name, nothing is new.
    let same = hoisted(jun_2026(), Some(recorded));
    assert_eq!(
        (same.fresh_names, same.renames.len()),
        (0, 0),
        "{}",
        show(&same.renames)
    );
    assert_eq!(
        &same.names, recorded,
        "writing the file again changes nothing"
    );

    let base = prepared(jun_2026(), Some(recorded));
    let cloud_keys: Vec<String> = base.doc["components"]["schemas"]["Cloud"]["properties"]
        .as_object()
        .expect("Cloud is an object")
        .keys()
        .cloned()
        .collect();
    // Without the names file the new sibling breaks the build: it needs the
    // name `Cloud` would fall back to; the rest of the drift renames.
    let (doc, removed) = drifted_2026(recorded, &cloud_keys, true);
    let overlay = read_json(&openapi_dir().join("overlay.json")).expect("overlay");
    let clash = prepare_with_names(doc.clone(), Some(&overlay), None)
        .err()
        .expect("without the names file the sibling clashes");
    // Today's behaviour on the rest: the rules alone, before and after.
    let (no_sibling, _) = drifted_2026(recorded, &cloud_keys, false);
    let rules_before = hoisted(jun_2026(), None).names;
    let without = renames(&rules_before, &hoisted(&no_sibling, None).names);
    let after = prepared(&doc, Some(recorded));
    let with = &after.report.hoist;
    eprintln!(
        "2026 -> 2026 with drift (removed {removed:?}, new operations, a new sibling, \
         a field added to Cloud)\nwithout the names file: {clash}; without the sibling \
         {} locations renamed ({} types):\n{}\
         with it: {} kept, {} named fresh, {} renamed:\n{}",
        without.len(),
        renamed_types(&without),
        show(&without),
        with.kept_names,
        with.fresh_names,
        with.renames.len(),
        show(&with.renames),
    );
    assert!(
        !without.is_empty(),
        "the drift must rename something without the names file"
    );
    assert!(
        with.renames.is_empty(),
        "a later bump renamed types:\n{}",
        show(&with.renames)
    );
    let s = &after.doc["components"]["schemas"];
    // Cloud changed (a new field) and kept its name.
    assert!(s["Cloud"]["properties"].get("drift_added").is_some());
    // No new shape took a recorded name.
    let taken: BTreeSet<&String> = recorded.names.values().collect();
    for location in [
        "DriftOneResponse.service",
        "DriftTwoResponse.cloud",
        "ListCloudsResponse.cloud",
    ] {
        let name = &with.names.names[location];
        assert!(!taken.contains(name), "{location} took `{name}`");
    }
    assert_eq!(
        with.names.names["DriftTwoResponse.service"],
        "DriftOneResponseCloud"
    );
    assert_eq!(
        with.names.names["ListCloudsResponse.cloud"],
        "ListCloudsResponseCloud"
    );
    assert_eq!(with.names.names["ListCloudsResponse.clouds.[]"], "Cloud");
    // The removed operations' locations are gone, and are not a failure.
    for c in &removed {
        assert!(!with.names.names.keys().any(|l| component_of(l) == c));
    }
}

#[test]
fn the_2026_names_apply_to_the_2023_description() {
    // `check-spec` builds the November 2023 description with the committed
    // file of the June 2026 pin: locations it lacks are ignored.
    let back = hoisted(nov_2023(), Some(names_2026()));
    assert!(back.kept_names > 0);
}

#[test]
fn the_committed_names_file_records_the_pinned_description() {
    // Exactly what aiven-api's build does: the fetched pin, the overlay and
    // the committed names file.
    let files = SpecFiles::in_dir(&openapi_dir());
    assert!(
        files.spec.exists(),
        "{} is missing: run `cargo xtask fetch` (offline: AIVEN_OPENAPI_SOURCE=PATH)",
        files.spec.display()
    );
    let hoist = files
        .prepare()
        .unwrap_or_else(|e| panic!("{e}"))
        .report
        .hoist;
    let committed = NamesFile::read(&files.names).unwrap_or_else(|e| panic!("{e}"));
    let missing: Vec<&String> = hoist
        .names
        .names
        .keys()
        .filter(|l| !committed.names.contains_key(*l))
        .collect();
    assert!(
        missing.is_empty() && hoist.renames.is_empty(),
        "{} is stale ({} locations without a recorded name, e.g. {:?}; renamed:\n{}): \
         run `cargo xtask names --write`",
        files.names.display(),
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
        show(&hoist.renames)
    );
}
