//! `cargo xtask names`: the committed names file, `openapi/type-names.json`
//! (hoisted shape location → type name; see `aiven_openapi::hoist`).
//!
//! `--write` names the pinned description keeping every recorded name, names
//! only new shapes, and drops the locations the description no longer has (a
//! stale entry never blocks a build, but the file describes the pin, nothing
//! older). `--check` (the default) fails when a shape of the pinned description
//! has no recorded name or a recorded name would change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aiven_openapi::hoist::{HoistReport, NamesFile};
use aiven_openapi::{prepare_with_names, read_json, read_spec_file, SpecFiles};
use anyhow::{bail, Context, Result};

use crate::{atomic, display_path};

/// Options of `cargo xtask names`.
#[derive(Debug, clap::Args)]
pub struct NamesArgs {
    /// Rewrite the file from the pinned description.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,
    /// Fail when the file is stale (the default).
    #[arg(long)]
    pub check: bool,
    /// With --write: start from the names an older description gets by the
    /// rules alone, instead of the committed file (to carry a previous pin's
    /// names forward, as the first file was made).
    #[arg(long, value_name = "OLD_SPEC", requires = "write")]
    pub from: Option<PathBuf>,
    /// Name this description instead of the fetched pin
    /// (openapi/aiven-openapi.spec): what would a bump to it rename?
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,
    /// With --write: write even when recorded names change (a breaking
    /// change for users of the renamed types).
    #[arg(long, requires = "write")]
    pub allow_renames: bool,
}

/// What naming a description with a names file gives.
#[derive(Debug)]
pub struct Naming {
    /// The names file naming started from (`None`: the rules alone).
    pub base: Option<NamesFile>,
    /// Hoisting's report; `hoist.names` is the file `--write` writes.
    pub hoist: HoistReport,
}

impl Naming {
    /// Locations of the description without a name in the base file.
    pub fn unrecorded(&self) -> Vec<&String> {
        let base = self.base.as_ref();
        self.hoist
            .names
            .names
            .keys()
            .filter(|l| !base.is_some_and(|b| b.names.contains_key(*l)))
            .collect()
    }

    /// Locations of the base file the description no longer has.
    pub fn stale(&self) -> Vec<&String> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        base.names
            .keys()
            .filter(|l| !self.hoist.names.names.contains_key(*l))
            .collect()
    }

    /// Kept types whose shape changed since the base file was written.
    pub fn reshaped(&self) -> Vec<&String> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        self.hoist
            .names
            .shapes
            .iter()
            .filter(|(n, fp)| base.shapes.get(*n).is_some_and(|old| old != *fp))
            .map(|(n, _)| n)
            .collect()
    }

    /// A few lines for the terminal.
    pub fn summary(&self) -> String {
        let h = &self.hoist;
        let types: BTreeSet<&String> = h.names.names.values().collect();
        let mut out = format!(
            "{} shapes ({} types at {} locations): {} kept a recorded name, {} named fresh; \
             {} recorded locations renamed; {} recorded locations no longer in the description; \
             {} kept types changed shape\n",
            h.distinct_shapes,
            types.len(),
            h.names.names.len(),
            h.kept_names,
            h.fresh_names,
            h.renames.len(),
            self.stale().len(),
            self.reshaped().len(),
        );
        for r in &h.renames {
            out.push_str(&format!(
                "  renamed: {}: {} -> {}\n",
                r.location, r.recorded, r.now
            ));
        }
        out
    }
}

/// Names `spec` (default: the fetched pin) starting from `from`'s names by
/// the rules alone (default: the committed file in `dir`, if any).
pub fn name(dir: &Path, spec: Option<&Path>, from: Option<&Path>) -> Result<Naming> {
    let files = SpecFiles::in_dir(dir);
    let overlay = read_json(&files.overlay)?;
    let doc = match spec {
        Some(path) => read_spec_file(path)?,
        None => files.read_spec()?,
    };
    let base = match from {
        Some(old) => {
            let old = read_spec_file(old)?;
            let prepared = prepare_with_names(old, Some(&overlay), None)
                .with_context(|| "naming the older description")?;
            Some(prepared.report.hoist.names)
        }
        None if files.names.exists() => Some(NamesFile::read(&files.names)?),
        None => None,
    };
    let hoist = prepare_with_names(doc, Some(&overlay), base.as_ref())?
        .report
        .hoist;
    Ok(Naming { base, hoist })
}

/// `cargo xtask names`.
pub fn run(args: &NamesArgs, dir: &Path) -> Result<()> {
    let naming = name(dir, args.spec.as_deref(), args.from.as_deref())?;
    let target = SpecFiles::in_dir(dir).names;
    print!("names: {}", naming.summary());
    if args.write {
        let renames = naming.hoist.renames.len();
        if renames > 0 && !args.allow_renames {
            bail!(
                "{renames} recorded locations would get another type name (listed above): a \
                 breaking change for users of those types; pass --allow-renames to write anyway"
            );
        }
        atomic::write_atomically(&target, naming.hoist.names.to_json_string().as_bytes())?;
        println!(
            "wrote {} ({} locations)",
            display_path(&target),
            naming.hoist.names.names.len()
        );
        return Ok(());
    }
    if naming.base.is_none() {
        bail!(
            "{} is missing: run `cargo xtask names --write`",
            display_path(&target)
        );
    }
    let unrecorded = naming.unrecorded();
    if !unrecorded.is_empty() || !naming.hoist.renames.is_empty() {
        let examples: Vec<&str> = unrecorded.iter().take(5).map(|l| l.as_str()).collect();
        bail!(
            "{} is stale: {} locations have no recorded name (e.g. {}) and {} recorded names \
             would change; run `cargo xtask names --write`",
            display_path(&target),
            unrecorded.len(),
            examples.join(", "),
            naming.hoist.renames.len()
        );
    }
    println!("ok: {} names every shape", display_path(&target));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openapi_dir(root: &Path, spec: &str) -> PathBuf {
        let dir = root.join("openapi");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(aiven_openapi::SPEC_FILE), spec).unwrap();
        std::fs::write(dir.join(aiven_openapi::OVERLAY_FILE), r#"{"entries": []}"#).unwrap();
        dir
    }

    /// Two operations returning the same `service`; with `extra`, a third
    /// whose different `service` would take the short name away.
    fn spec(extra: bool) -> String {
        let service = r#"{"type": "object", "properties": {"name": {"type": "string"}}}"#;
        let other = r#"{"type": "object", "properties": {"id": {"type": "integer"}}}"#;
        let op = |id: &str| {
            format!(
                r##"{{"get": {{"operationId": "{id}", "responses": {{"200": {{"description": "ok",
                "content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/{id}Response"}}}}}}}}}}}}}}"##
            )
        };
        let mut paths = vec![
            format!("\"/a\": {}", op("A")),
            format!("\"/b\": {}", op("B")),
        ];
        let mut schemas = vec![
            format!(r#""AResponse": {{"type": "object", "properties": {{"service": {service}}}}}"#),
            format!(r#""BResponse": {{"type": "object", "properties": {{"service": {service}}}}}"#),
        ];
        if extra {
            paths.push(format!("\"/c\": {}", op("C")));
            paths.push(format!("\"/d\": {}", op("D")));
            schemas.push(format!(
                r#""CResponse": {{"type": "object", "properties": {{"service": {other}}}}}"#
            ));
            schemas.push(format!(
                r#""DResponse": {{"type": "object", "properties": {{"service": {other}}}}}"#
            ));
        }
        format!(
            r#"{{"openapi": "3.0.1", "info": {{"title": "t", "version": "1"}},
            "paths": {{{}}}, "components": {{"schemas": {{{}}}}}}}"#,
            paths.join(","),
            schemas.join(",")
        )
    }

    fn args(write: bool) -> NamesArgs {
        NamesArgs {
            write,
            check: !write,
            from: None,
            spec: None,
            allow_renames: false,
        }
    }

    #[test]
    fn write_then_check_then_a_bump_keeps_the_name() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = openapi_dir(tmp.path(), &spec(false));
        let missing = run(&args(false), &dir).unwrap_err().to_string();
        assert!(missing.contains("is missing"), "{missing}");
        run(&args(true), &dir).unwrap();
        let file = NamesFile::read(&dir.join(aiven_openapi::NAMES_FILE)).unwrap();
        assert_eq!(file.names["AResponse.service"], "Service");
        run(&args(false), &dir).unwrap();

        // The bump brings a second `service` shape: stale until written, and
        // the recorded `Service` stays where it was.
        std::fs::write(dir.join(aiven_openapi::SPEC_FILE), spec(true)).unwrap();
        let stale = run(&args(false), &dir).unwrap_err().to_string();
        assert!(
            stale.contains("2 locations have no recorded name"),
            "{stale}"
        );
        let naming = name(&dir, None, None).unwrap();
        assert_eq!(naming.hoist.renames, []);
        assert_eq!(naming.unrecorded().len(), 2);
        run(&args(true), &dir).unwrap();
        let file = NamesFile::read(&dir.join(aiven_openapi::NAMES_FILE)).unwrap();
        assert_eq!(file.names["BResponse.service"], "Service");
        assert_eq!(file.names["DResponse.service"], "CResponseService");
        run(&args(false), &dir).unwrap();

        // Going back drops the new locations: stale entries are pruned.
        std::fs::write(dir.join(aiven_openapi::SPEC_FILE), spec(false)).unwrap();
        let back = name(&dir, None, None).unwrap();
        assert_eq!(back.stale().len(), 2);
        run(&args(false), &dir).unwrap();
        run(&args(true), &dir).unwrap();
        let file = NamesFile::read(&dir.join(aiven_openapi::NAMES_FILE)).unwrap();
        assert_eq!(file.names.len(), 2);
    }
}
