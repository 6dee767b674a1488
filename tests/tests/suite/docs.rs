//! The README and the guide (`docs/*.md`) stay short, linked and true:
//!
//! - the README has at most 150 lines and links to every page of the guide;
//! - every relative link of the top-level Markdown files and of the guide
//!   points to a file that exists (and, into a Markdown file, to a heading
//!   that exists);
//! - every code block says its language, so rustdoc compiles the Rust ones
//!   (as doctests of aiven-ext, which includes every page: checked here) and
//!   no others;
//! - the names the pages give exist in the code: `AIVEN_*` variables,
//!   `cargo xtask` commands and the simulator's flags.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const README_MAX_LINES: usize = 150;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The guide's pages, `docs/NAME.md`, sorted.
fn guide_pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .collect();
    pages.sort();
    pages
}

/// Every Markdown file the checks cover, relative to the workspace root.
fn markdown_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .collect();
    files.sort();
    files.extend(guide_pages().into_iter().map(|p| format!("docs/{p}")));
    files
}

/// The lines outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut in_code = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            lines.push(line);
        }
    }
    lines
}

/// The targets of `[text](target)` links outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    found
}

/// GitHub's anchor for a heading: lower case, punctuation dropped but `-`
/// and `_`, spaces as `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn the_readme_is_short() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, at most {README_MAX_LINES}: move detail into docs/, figures \
         into docs/performance.md, history into CHANGELOG.md"
    );
}

#[test]
fn the_readme_links_to_every_page_of_the_guide() {
    let readme = links(&read(&root().join("README.md")));
    for page in guide_pages() {
        let target = format!("docs/{page}");
        assert!(
            readme
                .iter()
                .any(|l| l.split('#').next() == Some(target.as_str())),
            "README.md does not link to {target}"
        );
    }
}

#[test]
fn relative_links_point_to_what_exists() {
    let mut broken = Vec::new();
    for file in markdown_files() {
        let path = root().join(&file);
        let dir = path.parent().unwrap().to_path_buf();
        for link in links(&read(&path)) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (target, anchor) = match link.split_once('#') {
                Some((t, a)) => (t, Some(a)),
                None => (link.as_str(), None),
            };
            let target_path = if target.is_empty() {
                path.clone()
            } else {
                dir.join(target)
            };
            if !target_path.exists() {
                broken.push(format!("{file}: {link}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let is_markdown = target_path.extension().is_some_and(|e| e == "md");
                if is_markdown && !anchors(&read(&target_path)).contains(anchor) {
                    broken.push(format!("{file}: {link}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_code_block_says_its_language() {
    let mut bare = Vec::new();
    for file in markdown_files() {
        let mut in_code = false;
        for (n, line) in read(&root().join(&file)).lines().enumerate() {
            let Some(info) = line.trim_start().strip_prefix("```") else {
                continue;
            };
            if !in_code && info.trim().is_empty() {
                bare.push(format!("{file}:{}", n + 1));
            }
            in_code = !in_code;
        }
        assert!(!in_code, "{file}: a code block is not closed");
    }
    assert!(
        bare.is_empty(),
        "code blocks without a language (```rust, ```sh, ```text, ```toml…): {}",
        bare.join(", ")
    );
}

#[test]
fn every_page_of_the_guide_compiles_as_doctests() {
    let lib = read(&root().join("aiven-ext/src/lib.rs"));
    for page in guide_pages() {
        let include = format!("include_str!(\"../../docs/{page}\")");
        assert!(
            lib.contains(&include),
            "aiven-ext/src/lib.rs does not include docs/{page} under #[cfg(doctest)]"
        );
    }
}

/// The text of every `.rs` file of the workspace (not `target/`), and of
/// the CI script and cargo configuration.
fn code() -> String {
    fn walk(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "docs" {
                    walk(&path, out);
                }
            } else if name.ends_with(".rs") {
                out.push_str(&read(&path));
            }
        }
    }
    let mut out = String::new();
    walk(&root(), &mut out);
    out.push_str(&read(&root().join(".ci/run")));
    out.push_str(&read(&root().join(".cargo/config.toml")));
    out
}

/// Words of `text` that start with `prefix`, continued by `[A-Za-z0-9_-]`.
fn words_starting(text: &str, prefix: &str, extra: &[char]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let word: String = rest[at..]
            .chars()
            .skip(prefix.len())
            .take_while(|c| c.is_ascii_alphanumeric() || extra.contains(c))
            .collect();
        found.insert(format!("{prefix}{word}"));
        rest = &rest[at + prefix.len()..];
    }
    found
}

fn docs_text() -> String {
    markdown_files()
        .iter()
        .map(|f| read(&root().join(f)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_environment_variables_named_exist() {
    let code = code();
    let missing: Vec<String> = words_starting(&docs_text(), "AIVEN_", &['_'])
        .into_iter()
        .map(|v| v.trim_end_matches('_').to_string())
        .filter(|v| v != "AIVEN" && !code.contains(v.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "variables named in the docs but not in the code: {missing:?}"
    );
}

#[test]
fn the_xtask_commands_named_exist() {
    let main = read(&root().join("xtask/src/main.rs"));
    let body = main
        .split("enum Command {")
        .nth(1)
        .expect("xtask's enum Command");
    let body = &body[..body.find("\n}").expect("its end")];
    let commands: BTreeSet<String> = body
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("    ")?;
            let name: String = l.chars().take_while(char::is_ascii_alphanumeric).collect();
            name.starts_with(|c: char| c.is_ascii_uppercase())
                .then_some(name)
        })
        .map(|name| {
            let mut kebab = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    kebab.push('-');
                }
                kebab.push(c.to_ascii_lowercase());
            }
            kebab
        })
        .collect();
    assert!(commands.contains("test") && commands.contains("quickstart"));
    let missing: Vec<String> = words_starting(&docs_text(), "cargo xtask ", &['-'])
        .into_iter()
        .map(|w| w["cargo xtask ".len()..].to_string())
        .filter(|c| !c.is_empty() && !commands.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "cargo xtask commands named in the docs that do not exist: {missing:?} (known: {commands:?})"
    );
}

/// The README's main job, `cargo quickstart`, is the workspace's cargo alias
/// for running the quickstart crate; the other of the two commands is an
/// xtask command (checked above).
#[test]
fn the_readme_commands_exist() {
    let readme = read(&root().join("README.md"));
    let block = readme
        .split("## Two commands")
        .nth(1)
        .and_then(|s| s.split("```sh\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README's two commands");
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .collect();
    assert_eq!(
        commands,
        ["cargo quickstart", "cargo xtask test"],
        "{block}"
    );
    let config = read(&root().join(".cargo/config.toml"));
    let alias = config
        .lines()
        .find_map(|l| l.strip_prefix("quickstart = "))
        .expect("a `quickstart` alias in .cargo/config.toml");
    assert_eq!(alias, "\"run --package aiven-quickstart --\"");
    let manifest = read(&root().join("quickstart/Cargo.toml"));
    assert!(
        manifest.contains("name = \"aiven-quickstart\""),
        "{manifest}"
    );
}

#[test]
fn the_simulator_flags_named_exist() {
    // The flags are declared with clap in the binary's sources.
    let mut main = String::new();
    for entry in std::fs::read_dir(root().join("aiven-sim/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            main.push_str(&read(&path));
        }
    }
    let page = read(&root().join("docs/simulator.md"));
    let flags: BTreeSet<String> = page
        .lines()
        .filter(|l| l.starts_with("| `--"))
        .flat_map(|l| words_starting(l, "--", &['-']))
        .collect();
    assert!(
        flags.len() > 10,
        "the flag table of docs/simulator.md: {flags:?}"
    );
    let missing: Vec<&String> = flags
        .iter()
        .filter(|flag| {
            let name = &flag[2..];
            let field = format!("    {}:", name.replace('-', "_"));
            !main.contains(&format!("long = \"{name}\"")) && !main.contains(&field)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "flags in docs/simulator.md that aiven-sim does not have: {missing:?}"
    );
}
