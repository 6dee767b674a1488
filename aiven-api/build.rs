//! Generates the client from the Aiven OpenAPI description, in the style of
//! progenitor's `example-build`: normalize (one pass of general rules + the
//! overlay), generate with an explicitly configured `Generator`, pretty-print
//! into `OUT_DIR`.
//!
//! The description (`SpecFiles::obtain`, shared with aiven-sim's build
//! script): `AIVEN_OPENAPI_SPEC=PATH` when set (exactly that file, no lock
//! check: `cargo xtask check-spec`); else `openapi/aiven-openapi.spec` (from
//! `cargo xtask fetch`), whose sha256 must be the lock's; else the locked
//! description itself, from `AIVEN_OPENAPI_SOURCE` or the lock's source,
//! checked against the lock and cached in `OUT_DIR` (a consumer's git or path
//! dependency has no fetched file). Relative paths in these variables are
//! relative to the workspace root.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aiven_openapi::codegen::{self, Interface};
use aiven_openapi::groups;
use aiven_openapi::SpecFiles;

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    let started = std::time::Instant::now();
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let files = SpecFiles::in_dir(&manifest.parent().expect("workspace root").join("openapi"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    files.rerun_if_changed();
    println!("cargo:rerun-if-env-changed=AIVEN_API_INTERFACE");
    files.obtain(&out).unwrap_or_else(|e| fail(&e.to_string()));

    let interface = match std::env::var("AIVEN_API_INTERFACE") {
        Ok(s) => Interface::parse(&s).unwrap_or_else(|| {
            fail(&format!(
                "AIVEN_API_INTERFACE={s}: expected positional or builder"
            ))
        }),
        Err(_) => Interface::Builder,
    };
    let mut prepared = files.prepare().unwrap_or_else(|e| fail(&e.to_string()));
    let groups = enabled_groups();
    let retained = groups::retain(&mut prepared.doc, &groups);
    let generated =
        codegen::generate(&prepared, interface).unwrap_or_else(|e| fail(&e.to_string()));

    write(&out.join("client.rs"), &generated.code);
    let (table, constants) = operation_table(&prepared, &generated);
    write(&out.join("operations.rs"), &table);
    write(&out.join("operation_constants.rs"), &constants);
    // Read by `cargo xtask build-cost`.
    let stats = format!(
        "{{\"build_script_ms\": {}, \"generated_lines\": {}, \"operations\": {}, \"groups\": {}, \"input\": {:?}}}\n",
        started.elapsed().as_millis(),
        generated.code.lines().count(),
        retained.operations_kept,
        groups.len(),
        files.origin().map_or("unknown", |o| o.kind())
    );
    write(&out.join("build-stats.json"), &stats);
}

/// The operation groups to generate, from the crate's Cargo features (one
/// per group of `aiven_openapi::groups::GROUPS`; `full`, the default, turns
/// them all on). The features and the table are checked against each other
/// here, so neither can gain a group the other lacks.
fn enabled_groups() -> BTreeSet<&'static str> {
    let feature = |group: &str| {
        format!(
            "CARGO_FEATURE_{}",
            group.to_ascii_uppercase().replace('-', "_")
        )
    };
    let enabled: BTreeSet<&'static str> = groups::GROUPS
        .iter()
        .map(|(group, _)| *group)
        .filter(|group| std::env::var_os(feature(group)).is_some())
        .collect();
    let known: BTreeSet<String> = groups::GROUPS
        .iter()
        .map(|(group, _)| feature(group))
        .chain([
            "CARGO_FEATURE_FULL".to_owned(),
            "CARGO_FEATURE_DEFAULT".to_owned(),
        ])
        .collect();
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_FEATURE_") && !known.contains(name.as_ref()) {
            fail(&format!(
                "aiven-api's feature {name} is not a group of aiven_openapi::groups::GROUPS"
            ));
        }
    }
    if std::env::var_os("CARGO_FEATURE_FULL").is_some() && enabled.len() != groups::GROUPS.len() {
        let missing: Vec<_> = groups::GROUPS
            .iter()
            .map(|(group, _)| *group)
            .filter(|group| !enabled.contains(group))
            .collect();
        fail(&format!(
            "aiven-api's `full` feature does not enable the groups {missing:?}"
        ));
    }
    if enabled.is_empty() {
        fail(
            "aiven-api: no operation group enabled; keep the default `full` feature or \
             enable the groups you use (e.g. features = [\"services\"])",
        );
    }
    enabled
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
}

/// Whether `aiven_redact::path` masks anything in this operation's paths,
/// decided here once: applied to the template itself, it masks exactly the
/// parameters whose names are secret (the rule stays in aiven-redact).
fn masked_path(template: &str) -> bool {
    matches!(
        aiven_redact::path(template, template),
        std::borrow::Cow::Owned(_)
    )
}

/// `OPERATIONS`: one row per operation found in the generated client, sorted
/// by client method name (the name the hooks receive) for binary search; and
/// one constant per operation (`SERVICE_GET`), so that hand-written code
/// names operations by a checked name instead of a string.
fn operation_table(
    prepared: &aiven_openapi::Prepared,
    generated: &codegen::Generated,
) -> (String, String) {
    let mut rows: Vec<_> = prepared
        .operations
        .iter()
        .filter_map(|op| {
            let method = generated
                .methods
                .get(&codegen::operation_name(&op.operation_id))?;
            Some((method, op))
        })
        .collect();
    rows.sort();
    let mut table = String::from("&[\n");
    let mut constants = String::new();
    for (index, (method, op)) in rows.iter().enumerate() {
        writeln!(
            table,
            "    Operation {{ operation_id: {:?}, method: {:?}, path: {:?}, client_method: {:?}, masked_path: {} }},",
            op.operation_id, op.method, op.path, method, masked_path(&op.path)
        )
        .expect("write to String");
        writeln!(
            constants,
            "/// `{}`: `{} {}` ([`Client::{}`](crate::Client::{})).\n\
             pub const {}: &Operation = &OPERATIONS[{index}];",
            op.operation_id,
            op.method,
            op.path,
            method,
            method,
            method.to_ascii_uppercase()
        )
        .expect("write to String");
    }
    table.push(']');
    (table, constants)
}
