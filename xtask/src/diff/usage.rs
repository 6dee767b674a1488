//! Where hand-written code (aiven-ext by default) uses the generated items a
//! drift breaks. The sources are parsed with `syn`; matching is by
//! identifier, good enough to point a maintainer at the right lines:
//!
//! - a type: any path segment (or macro token) with its name;
//! - a struct field: a `Type { field: … }` literal or pattern, a
//!   `.field(…)` setter call in a chain that starts at the type
//!   (`Type::builder().field(…)`), or a `.field` access in a chain through a
//!   method whose response holds the type, or in a file that names the type;
//! - an enum variant: `Type::Variant`;
//! - a client method: a `.method(…)` call, a path ending in it, or a string
//!   literal equal to it or to its operationId;
//! - a builder parameter: a `.param(…)` call in a chain that contains
//!   `.method()`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream, TokenTree};
use serde::Serialize;
use syn::visit::Visit;

/// A generated item to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needle {
    Type(String),
    /// `via`: the client methods whose response holds `owner`.
    Field {
        owner: String,
        field: String,
        via: Vec<String>,
    },
    Variant {
        owner: String,
        variant: String,
    },
    Method {
        name: String,
        operation_id: String,
    },
    Setter {
        method: String,
        param: String,
    },
}

/// A line of a scanned file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UseKind {
    /// A path segment; context: the segment before it.
    Path,
    /// `.name` field access (context: what the chain before it names) or a
    /// field of a struct literal or pattern (context: the struct's name).
    Field,
    /// `.name(…)`; context: what the receiver chain names.
    Method,
    /// A string literal.
    Str,
    /// An identifier inside a macro; context: the identifier before it.
    Token,
    /// `.name` inside a macro.
    Dot,
}

#[derive(Debug)]
struct Use {
    file: usize,
    line: usize,
    kind: UseKind,
    name: String,
    context: Vec<String>,
}

/// Every identifier use of the scanned sources.
#[derive(Debug, Default)]
pub struct UsageIndex {
    files: Vec<String>,
    uses: Vec<Use>,
    /// Files that could not be read or parsed, with the reason.
    pub skipped: Vec<String>,
}

impl UsageIndex {
    /// Scans every `.rs` file under each root (a file or a directory).
    /// Files are named relative to the workspace when inside it, else
    /// relative to their root. A root that does not exist is an error.
    pub fn scan(roots: &[PathBuf]) -> anyhow::Result<Self> {
        let mut index = Self::default();
        for root in roots {
            if !root.exists() {
                anyhow::bail!("{} does not exist", root.display());
            }
            let mut files = Vec::new();
            rust_files(root, &mut files)?;
            files.sort();
            for path in files {
                index.add_file(root, &path);
            }
        }
        Ok(index)
    }

    fn add_file(&mut self, root: &Path, path: &Path) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return self.skipped.push(format!("{}: {e}", path.display())),
        };
        let file = match syn::parse_file(&text) {
            Ok(file) => file,
            Err(e) => return self.skipped.push(format!("{}: {e}", path.display())),
        };
        let name = display_name(root, path);
        let mut collector = Collector {
            file: self.files.len(),
            uses: &mut self.uses,
        };
        collector.visit_file(&file);
        self.files.push(name);
    }

    /// The lines that use `needle`, in file and line order.
    pub fn places(&self, needle: &Needle) -> Vec<Place> {
        let naming = match needle {
            Needle::Field { owner, .. } => self.files_naming(owner),
            _ => BTreeSet::new(),
        };
        let mut places: Vec<Place> = self
            .uses
            .iter()
            .filter(|u| matches(u, needle, naming.contains(&u.file)))
            .map(|u| Place {
                file: self.files[u.file].clone(),
                line: u.line,
            })
            .collect();
        places.sort();
        places.dedup();
        places
    }

    /// Files with a path or macro token named `ty`.
    fn files_naming(&self, ty: &str) -> BTreeSet<usize> {
        self.uses
            .iter()
            .filter(|u| matches!(u.kind, UseKind::Path | UseKind::Token) && u.name == ty)
            .map(|u| u.file)
            .collect()
    }
}

/// Whether `u` uses `needle`; `file_names_owner`: the file of `u` names the
/// owner type of a field needle.
fn matches(u: &Use, needle: &Needle, file_names_owner: bool) -> bool {
    let has = |name: &str| u.context.iter().any(|c| c == name);
    match needle {
        Needle::Type(t) => matches!(u.kind, UseKind::Path | UseKind::Token) && u.name == *t,
        Needle::Field { owner, field, via } => {
            u.name == *field
                && match u.kind {
                    UseKind::Field => has(owner) || via.iter().any(|m| has(m)) || file_names_owner,
                    UseKind::Dot => file_names_owner,
                    UseKind::Method => has(owner),
                    _ => false,
                }
        }
        Needle::Variant { owner, variant } => {
            matches!(u.kind, UseKind::Path | UseKind::Token) && u.name == *variant && has(owner)
        }
        Needle::Method { name, operation_id } => match u.kind {
            UseKind::Method | UseKind::Path | UseKind::Dot => u.name == *name,
            UseKind::Str => u.name == *name || u.name == *operation_id,
            _ => false,
        },
        Needle::Setter { method, param } => {
            u.kind == UseKind::Method && u.name == *param && has(method)
        }
    }
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    for entry in entries {
        rust_files(&entry?.path(), out)?;
    }
    Ok(())
}

/// `aiven-ext/src/x.rs` inside the workspace, else the path below `root`.
fn display_name(root: &Path, path: &Path) -> String {
    let workspace = crate::workspace_root();
    if let Ok(rel) = path.strip_prefix(&workspace) {
        return rel.display().to_string();
    }
    let base = if root.is_file() {
        root.parent().unwrap_or(root)
    } else {
        root
    };
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

struct Collector<'a> {
    file: usize,
    uses: &'a mut Vec<Use>,
}

impl Collector<'_> {
    fn push(&mut self, span: Span, kind: UseKind, name: String, context: Vec<String>) {
        self.uses.push(Use {
            file: self.file,
            line: span.start().line,
            kind,
            name,
            context,
        });
    }

    /// Identifiers of a macro's tokens: each as a token (with the one before
    /// it), `.name` as a dot access, string literals as strings.
    fn tokens(&mut self, tokens: TokenStream) {
        let mut previous_ident: Option<String> = None;
        let mut after_dot = false;
        for tt in tokens {
            match tt {
                TokenTree::Ident(ident) => {
                    let name = ident.to_string();
                    let kind = if after_dot {
                        UseKind::Dot
                    } else {
                        UseKind::Token
                    };
                    let context = previous_ident.iter().cloned().collect();
                    self.push(ident.span(), kind, name.clone(), context);
                    previous_ident = Some(name);
                    after_dot = false;
                }
                TokenTree::Punct(p) => {
                    after_dot = p.as_char() == '.';
                }
                TokenTree::Group(g) => {
                    self.tokens(g.stream());
                    previous_ident = None;
                    after_dot = false;
                }
                TokenTree::Literal(lit) => {
                    if let Ok(s) = syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                        self.push(lit.span(), UseKind::Str, s.value(), Vec::new());
                    }
                    previous_ident = None;
                    after_dot = false;
                }
            }
        }
    }
}

/// The names a method call's receiver chain mentions: methods called,
/// path segments, fields (`Type::builder().a(x)` → `builder`, `Type`).
fn chain_names(mut expr: &syn::Expr) -> Vec<String> {
    let mut names = Vec::new();
    loop {
        match expr {
            syn::Expr::MethodCall(m) => {
                names.push(m.method.to_string());
                expr = &m.receiver;
            }
            syn::Expr::Call(c) => expr = &c.func,
            syn::Expr::Path(p) => {
                names.extend(p.path.segments.iter().map(|s| s.ident.to_string()));
                return names;
            }
            syn::Expr::Field(f) => {
                if let syn::Member::Named(n) = &f.member {
                    names.push(n.to_string());
                }
                expr = &f.base;
            }
            syn::Expr::Await(a) => expr = &a.base,
            syn::Expr::Try(t) => expr = &t.expr,
            syn::Expr::Paren(p) => expr = &p.expr,
            syn::Expr::Reference(r) => expr = &r.expr,
            _ => return names,
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut previous: Option<String> = None;
        for segment in &path.segments {
            let name = segment.ident.to_string();
            let context = previous.iter().cloned().collect();
            self.push(segment.ident.span(), UseKind::Path, name.clone(), context);
            previous = Some(name);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let context = chain_names(&call.receiver);
        let name = call.method.to_string();
        self.push(call.method.span(), UseKind::Method, name, context);
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_field(&mut self, field: &'ast syn::ExprField) {
        if let syn::Member::Named(name) = &field.member {
            let context = chain_names(&field.base);
            self.push(name.span(), UseKind::Field, name.to_string(), context);
        }
        syn::visit::visit_expr_field(self, field);
    }

    fn visit_expr_struct(&mut self, lit: &'ast syn::ExprStruct) {
        let owner: Vec<String> = lit
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .into_iter()
            .collect();
        for fv in &lit.fields {
            if let syn::Member::Named(name) = &fv.member {
                self.push(name.span(), UseKind::Field, name.to_string(), owner.clone());
            }
        }
        syn::visit::visit_expr_struct(self, lit);
    }

    fn visit_pat_struct(&mut self, pat: &'ast syn::PatStruct) {
        let owner: Vec<String> = pat
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .into_iter()
            .collect();
        for fp in &pat.fields {
            if let syn::Member::Named(name) = &fp.member {
                self.push(name.span(), UseKind::Field, name.to_string(), owner.clone());
            }
        }
        syn::visit::visit_pat_struct(self, pat);
    }

    /// Attributes (docs, derives, serde) say nothing about use.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        self.push(lit.span(), UseKind::Str, lit.value(), Vec::new());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.tokens(mac.tokens.clone());
    }
}
