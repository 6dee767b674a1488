//! `cargo xtask diff OLD NEW`: is it safe to move the SDK from one published
//! description to another?
//!
//! Both descriptions go through the same pipeline as the build (overlay,
//! rules, hoisting, progenitor), so defects the rules absorb do not show and
//! the comparison is of what users program against: the generated Rust. The
//! report says whether NEW generates (and, when asked, compiles), lists the
//! Rust-level breaks — types removed or renamed, fields whose Rust type
//! changed, enum variants removed, methods removed, renamed or moved, builder
//! parameters removed, retyped or newly required, response types changed —
//! with the places in aiven-ext that use them, then the informational changes.

mod api;
mod compare;
mod idents;
mod renames;
mod render;
mod usage;

use std::path::{Path, PathBuf};

use aiven_openapi::codegen::{self, Interface};
use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

pub use api::{split_known_values, type_str, RustApi};
pub use compare::{compare, Comparison, Finding, Kind};
pub use renames::detect_renames;
pub use usage::{Needle, Place, UsageIndex};

/// Arguments of `cargo xtask diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The description before (a file, JSON or YAML).
    pub old: PathBuf,
    /// The description after.
    pub new: PathBuf,
    /// List every item and every place that uses it, not just the first screen.
    #[arg(long)]
    pub full: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Do not compile aiven-api against NEW (the slow step, 1–2 minutes).
    #[arg(long)]
    pub no_compile: bool,
    /// Hand-written Rust to search for uses of what breaks: a file or a
    /// directory, repeatable [default: aiven-ext/src].
    #[arg(long = "uses", value_name = "PATH")]
    pub uses: Vec<PathBuf>,
    /// The overlay applied to both sides [default: openapi/overlay.json].
    #[arg(long, value_name = "FILE")]
    pub overlay: Option<PathBuf>,
}

/// Compiles aiven-api against a description (the NEW file): `cargo xtask
/// diff` plugs in `check_spec::compile_aiven_api`; tests leave it out.
pub type CompileFn = dyn Fn(&Path) -> Result<CompileStatus>;

/// What [`report`] reads besides the two descriptions.
#[derive(Default)]
pub struct DiffOptions {
    /// The overlay (`openapi/overlay.json`); `None` applies none.
    pub overlay: Option<PathBuf>,
    /// The committed type names (`openapi/type-names.json`), so both sides
    /// are named as the build names them; `None` names by the rules alone.
    pub names: Option<PathBuf>,
    /// Files or directories of Rust searched for uses of what breaks.
    pub usage_roots: Vec<PathBuf>,
    /// The compile check of NEW; `None` skips it.
    pub compile: Option<Box<CompileFn>>,
}

impl DiffOptions {
    /// The workspace's overlay and `aiven-ext/src`; no compile check.
    pub fn workspace() -> Self {
        let root = crate::workspace_root();
        Self {
            overlay: Some(root.join("openapi").join(aiven_openapi::OVERLAY_FILE)),
            names: Some(root.join("openapi").join(aiven_openapi::NAMES_FILE)),
            usage_roots: vec![root.join("aiven-ext").join("src")],
            compile: None,
        }
    }
}

/// Whether aiven-api compiled against NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CompileStatus {
    Compiles,
    DoesNotCompile { error: String },
    NotChecked { reason: String },
}

/// One description, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub path: String,
    pub info_version: String,
    /// Operations of the (normalized, when it got that far) description.
    pub operations: usize,
    /// Types of the generated `types` module; `None` when it did not generate.
    pub types: Option<usize>,
    /// Why the pipeline or the generator failed on it.
    pub generate_error: Option<String>,
}

/// Counts, for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub breaking: usize,
    /// Breaking findings the scanned sources use.
    pub breaking_used: usize,
    pub informational: usize,
    pub doc_only_changes: usize,
}

/// The drift report. `Display` prints the first screen; `{:#}` everything.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub old: Side,
    pub new: Side,
    pub compile: CompileStatus,
    /// Both sides generated, so types, fields, parameters and responses were
    /// compared; otherwise only operations were.
    pub rust_level: bool,
    pub breaking: Vec<Finding>,
    pub informational: Vec<Finding>,
    /// Types, fields and methods whose documentation alone changed.
    pub doc_only_changes: usize,
    /// What the usage places were searched in, e.g. `aiven-ext`.
    pub usage_label: String,
    pub summary: Summary,
    /// Sources that could not be scanned, and similar remarks.
    pub notes: Vec<String>,
}

impl Report {
    /// NEW went through the pipeline and the generator.
    pub fn new_generates(&self) -> bool {
        self.new.generate_error.is_none()
    }

    /// The first screen: verdict, breaking changes by kind (capped), their
    /// uses, informational counts.
    pub fn first_screen(&self) -> String {
        render::first_screen(self)
    }

    /// Every finding, with every place that uses it.
    pub fn full_text(&self) -> String {
        render::full(self)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            f.write_str(&self.full_text())
        } else {
            f.write_str(&self.first_screen())
        }
    }
}

/// Compares two descriptions at the Rust level. Fails only when a file
/// cannot be read or parsed (or a usage root is missing); a description the
/// pipeline refuses is reported, not an error.
pub fn report(old: &Path, new: &Path, opts: &DiffOptions) -> Result<Report> {
    let overlay = match &opts.overlay {
        Some(path) => Some(aiven_openapi::read_json(path)?),
        None => None,
    };
    let names = match &opts.names {
        Some(path) => Some(aiven_openapi::hoist::NamesFile::read(path)?),
        None => None,
    };
    let old_side = Generated::build(old, overlay.as_ref(), names.as_ref())?;
    let new_side = Generated::build(new, overlay.as_ref(), names.as_ref())?;
    let rust_level = old_side.api.is_some() && new_side.api.is_some();
    let comparison = match (&old_side.api, &new_side.api) {
        (Some(a), Some(b)) => compare(a, b),
        _ => compare(&old_side.operations, &new_side.operations),
    };
    let compile = match (&opts.compile, &new_side.side.generate_error) {
        (_, Some(_)) => CompileStatus::NotChecked {
            reason: "NEW does not generate".into(),
        },
        (None, None) => CompileStatus::NotChecked {
            reason: "--no-compile".into(),
        },
        (Some(check), None) => check(new).unwrap_or_else(|e| CompileStatus::NotChecked {
            reason: format!("the check could not run: {e:#}"),
        }),
    };
    let mut notes = Vec::new();
    let (mut breaking, informational): (Vec<Finding>, Vec<Finding>) = comparison
        .findings
        .into_iter()
        .partition(|f| f.kind.is_breaking());
    if !opts.usage_roots.is_empty() {
        let index = UsageIndex::scan(&opts.usage_roots)?;
        for finding in &mut breaking {
            let mut places: Vec<Place> = finding
                .needles
                .iter()
                .flat_map(|n| index.places(n))
                .collect();
            places.sort();
            places.dedup();
            finding.used_by = places;
        }
        notes.extend(index.skipped.iter().map(|s| format!("not scanned: {s}")));
    }
    let summary = Summary {
        breaking: breaking.len(),
        breaking_used: breaking.iter().filter(|f| !f.used_by.is_empty()).count(),
        informational: informational.len(),
        doc_only_changes: comparison.doc_only_changes,
    };
    Ok(Report {
        old: old_side.side,
        new: new_side.side,
        compile,
        rust_level,
        breaking,
        informational,
        doc_only_changes: comparison.doc_only_changes,
        usage_label: usage_label(&opts.usage_roots),
        summary,
        notes,
    })
}

/// `aiven-ext` for roots inside the workspace's `aiven-ext`, else the
/// roots' own names.
fn usage_label(roots: &[PathBuf]) -> String {
    let workspace = crate::workspace_root();
    let mut labels: Vec<String> = Vec::new();
    for root in roots {
        let label = match root.strip_prefix(&workspace) {
            Ok(rel) => rel.components().next().map(|c| c.as_os_str()),
            Err(_) => root.file_name(),
        };
        let label = label.map_or_else(
            || root.display().to_string(),
            |l| l.to_string_lossy().into_owned(),
        );
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels.join(", ")
}

/// One description through the pipeline and the generator.
struct Generated {
    side: Side,
    /// The generated client, when it generated.
    api: Option<RustApi>,
    /// Its operations alone (methods without parameters, types or docs),
    /// for comparing with a side that did not generate.
    operations: RustApi,
}

impl Generated {
    fn build(
        path: &Path,
        overlay: Option<&Value>,
        names: Option<&aiven_openapi::hoist::NamesFile>,
    ) -> Result<Self> {
        let raw = aiven_openapi::read_spec_file(path)?;
        let info_version = raw
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut side = Side {
            path: path.display().to_string(),
            info_version,
            operations: 0,
            types: None,
            generate_error: None,
        };
        let (doc, api) = match aiven_openapi::prepare_with_names(raw.clone(), overlay, names) {
            Err(e) => {
                side.generate_error = Some(e.to_string());
                (raw, None)
            }
            Ok(prepared) => match codegen::generate(&prepared, Interface::Builder) {
                Err(e) => {
                    side.generate_error = Some(e.to_string());
                    (prepared.doc, None)
                }
                Ok(generated) => match api::extract(&generated.code, &prepared.doc) {
                    Err(e) => {
                        side.generate_error = Some(format!("{e:#}"));
                        (prepared.doc, None)
                    }
                    Ok(api) => (prepared.doc, Some(api)),
                },
            },
        };
        let operations = api::operations_only(&doc);
        side.operations = operations.methods.len();
        side.types = api.as_ref().map(|a| a.types.len());
        Ok(Self {
            side,
            api,
            operations,
        })
    }
}

/// `cargo xtask diff`: prints the report (first screen, `--full` or
/// `--json`). Exits 0 whatever the drift: it is a report.
pub fn run(args: &DiffArgs) -> Result<()> {
    let mut opts = DiffOptions::workspace();
    if let Some(overlay) = &args.overlay {
        opts.overlay = Some(overlay.clone());
    }
    if !args.uses.is_empty() {
        opts.usage_roots = args.uses.clone();
    }
    if !args.no_compile {
        opts.compile = Some(Box::new(compile_aiven_api));
    }
    let report = report(&args.old, &args.new, &opts)?;
    if args.json {
        println!("{}", report.to_json()?);
    } else if args.full {
        print!("{report:#}");
    } else {
        print!("{report}");
    }
    Ok(())
}

/// The compile check `cargo xtask diff` runs on NEW:
/// [`crate::check_spec::compile_aiven_api`] (its own target directory).
pub fn compile_aiven_api(spec: &Path) -> Result<CompileStatus> {
    let outcome = crate::check_spec::compile_aiven_api(spec)?;
    Ok(if outcome.compiled {
        CompileStatus::Compiles
    } else {
        CompileStatus::DoesNotCompile {
            error: outcome
                .failure
                .unwrap_or_else(|| "aiven-api did not compile".into()),
        }
    })
}

/// The report from `old` to `new` with the workspace's overlay and
/// aiven-ext, without the compile check (for callers that compile
/// themselves, like `fetch --latest`). Prefer [`report`].
pub fn diff_sources(old: &str, new: &str) -> Result<Report> {
    report(Path::new(old), Path::new(new), &DiffOptions::workspace())
}

/// The first screen of `report` (same as its `Display`).
pub fn report_text(report: &Report) -> String {
    report.first_screen()
}
