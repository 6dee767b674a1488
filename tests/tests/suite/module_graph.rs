//! Imports follow the data path: in no crate of the workspace does a module
//! reach, through its `crate::` paths, a module that reaches it back.
//!
//! The graph is read from the sources as text: a module's edges are the
//! modules named by its `crate::NAME` paths (in `use` groups too), a name
//! the crate root re-exports counting as the module it comes from. Inside a
//! directory module (`handlers/`, `diff/`) the files are checked again as
//! one graph, with `super::NAME` paths. A module's unit tests
//! (`#[cfg(test)] mod …`, at the end of a file) may import what they like
//! and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The workspace members' `src` directories, from the root manifest.
fn crate_sources() -> Vec<PathBuf> {
    let root = workspace_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("the root manifest");
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("a members list");
    let members: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    assert!(members.len() >= 8, "members: {members:?}");
    members
        .iter()
        .map(|m| root.join(m).join("src"))
        .filter(|p| p.is_dir())
        .collect()
}

/// The code of a file without line comments and without its unit tests.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|next| {
                let next = next.trim_start();
                let next = next
                    .strip_prefix("pub(crate) ")
                    .or_else(|| next.strip_prefix("pub "))
                    .unwrap_or(next);
                next.starts_with("mod ")
            })
            && !line.starts_with(' ')
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let code = line.split(" // ").next().unwrap_or(line);
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The names that follow `prefix` (`crate::`, `super::`): the first path
/// segment, or each first segment of a `{…}` group.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(ident(item.trim_start()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            names.insert(ident(item.trim_start()));
        } else {
            names.insert(ident(rest));
        }
    }
    names.remove("");
    names
}

/// The items a crate root re-exports (`pub use error::{Error, Result};`),
/// each with the module it comes from.
fn root_exports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut exports = BTreeMap::new();
    for stmt in root.split(';') {
        // The statement starts on the line its `use` opens (attributes and
        // earlier items end before it).
        let Some(t) = stmt
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with("use ")
                    || l.starts_with("pub use ")
                    || l.starts_with("pub(crate) use ")
            })
            .map(|at| stmt.lines().skip(at).collect::<Vec<_>>().join(" "))
        else {
            continue;
        };
        let t = t.trim();
        let Some(path) = t
            .strip_prefix("pub use ")
            .or_else(|| t.strip_prefix("pub(crate) use "))
            .or_else(|| t.strip_prefix("use "))
        else {
            continue;
        };
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.rsplit(" as ").next().unwrap_or(item).trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() && name != "*" && name != "self" {
                exports.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    exports
}

/// The cycles of a graph: each strongly connected set of two or more
/// nodes, or a node with an edge to itself.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = graph[from].iter().map(String::as_str).collect();
        while let Some(n) = todo.pop() {
            if seen.insert(n.to_owned()) {
                todo.extend(graph[n].iter().map(String::as_str));
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for (n, r) in &reached {
        if !r.contains(*n) {
            continue;
        }
        let set: Vec<String> = r
            .iter()
            .filter(|m| reached[m].contains(*n))
            .cloned()
            .collect();
        found.insert(set);
    }
    found.into_iter().collect()
}

/// The `.rs` files of a directory and the directory modules in it.
fn entries(dir: &Path) -> (BTreeMap<String, PathBuf>, BTreeMap<String, PathBuf>) {
    let mut files = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            dirs.insert(name, p);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.insert(name, p);
        }
    }
    (files, dirs)
}

/// A module's code: its file, and for a directory module every file below.
fn module_code(file: Option<&PathBuf>, dir: Option<&PathBuf>) -> String {
    let mut all = file.map(|f| code(f)).unwrap_or_default();
    if let Some(d) = dir {
        let mut todo = vec![d.clone()];
        while let Some(d) = todo.pop() {
            let (files, dirs) = entries(&d);
            all.extend(files.values().map(|f| code(f)));
            todo.extend(dirs.into_values());
        }
    }
    all
}

/// The module graph of one crate's `src`, and of each directory module's
/// files among themselves.
fn graphs(src: &Path) -> Vec<(String, BTreeMap<String, BTreeSet<String>>)> {
    let (files, dirs) = entries(src);
    let roots = ["lib", "main"];
    let modules: BTreeSet<String> = files
        .keys()
        .chain(dirs.keys())
        .filter(|m| !roots.contains(&m.as_str()))
        .cloned()
        .collect();
    let root_code: String = roots
        .iter()
        .filter_map(|r| files.get(*r))
        .map(|f| code(f))
        .collect();
    let exports = root_exports(&root_code, &modules);
    let resolve = |name: &String| {
        if modules.contains(name) {
            Some(name.clone())
        } else {
            exports.get(name).cloned()
        }
    };
    let mut out = Vec::new();
    let mut graph = BTreeMap::new();
    for m in &modules {
        let text = module_code(files.get(m), dirs.get(m));
        let edges: BTreeSet<String> = names_after(&text, "crate::")
            .iter()
            .filter_map(resolve)
            .filter(|to| to != m)
            .collect();
        graph.insert(m.clone(), edges);
    }
    out.push((src.display().to_string(), graph));
    for (name, dir) in &dirs {
        let (files, _) = entries(dir);
        let inner: BTreeSet<String> = files.keys().filter(|f| *f != "mod").cloned().collect();
        let mut graph = BTreeMap::new();
        for (f, path) in &files {
            if f == "mod" {
                continue;
            }
            let text = code(path);
            let mut edges: BTreeSet<String> = names_after(&text, "super::")
                .into_iter()
                .filter(|n| inner.contains(n))
                .collect();
            edges.extend(
                names_after(&text, &format!("crate::{name}::"))
                    .into_iter()
                    .filter(|n| inner.contains(n)),
            );
            edges.remove(f);
            graph.insert(f.clone(), edges);
        }
        out.push((dir.display().to_string(), graph));
    }
    out
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut found = Vec::new();
    let mut checked = 0;
    for src in crate_sources() {
        for (place, graph) in graphs(&src) {
            checked += graph.len();
            for cycle in cycles(&graph) {
                found.push(format!("{place}: {}", cycle.join(" ↔ ")));
            }
        }
    }
    // aiven-sim alone has over twenty modules: the walk found the sources.
    assert!(checked > 60, "only {checked} modules read");
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

/// The check finds a cycle through a re-export and one inside a `use`
/// group, and none where the edges only go one way.
#[test]
fn the_cycle_check_sees_re_exports_and_use_groups() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let exports = root_exports("pub use b::{Thing, Other as O};", &modules);
    assert_eq!(exports.get("Thing").map(String::as_str), Some("b"));
    // Code names a renamed item by its new name.
    assert_eq!(exports.get("O").map(String::as_str), Some("b"));
    let names = names_after(
        "use crate::{a::X, Thing};\nfn f() { crate::c::g(); x_crate::d(); }",
        "crate::",
    );
    assert_eq!(names, ["Thing", "a", "c"].map(String::from).into());

    let edges = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|m| (m.clone(), BTreeSet::new()))
            .collect();
        for (from, to) in pairs {
            g.get_mut(*from).unwrap().insert((*to).to_owned());
        }
        g
    };
    assert!(cycles(&edges(&[("a", "b"), ("b", "c")])).is_empty());
    assert_eq!(
        cycles(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]
    );
}
