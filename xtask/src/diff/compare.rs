//! The Rust-level comparison of two generated clients: what breaks code
//! written against OLD, and what is merely new.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::api::{FieldDef, MethodDef, RustApi, Shape, TypeDef};
use super::idents::{idents, rename_idents};
use super::renames::detect_renames;
use super::usage::Needle;

/// What kind of change a [`Finding`] is. The order is the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    // Breaking: code that compiled against OLD may not compile, or may send
    // a request the server refuses.
    TypeRemoved,
    TypeRenamed,
    TypeKindChanged,
    FieldRemoved,
    FieldTypeChanged,
    RequiredFieldAdded,
    EnumVariantRemoved,
    MethodRemoved,
    MethodRenamed,
    OperationMoved,
    ParamRemoved,
    ParamTypeChanged,
    RequiredParamAdded,
    ParamNowRequired,
    ResponseTypeChanged,
    // Informational.
    OperationAdded,
    TypeAdded,
    FieldAdded,
    EnumVariantAdded,
    KnownValuesAdded,
    KnownValuesRemoved,
    ParamAdded,
    ParamNowOptional,
    ValidationChanged,
}

impl Kind {
    /// Whether code written against OLD can break.
    pub fn is_breaking(self) -> bool {
        self < Self::OperationAdded
    }

    /// The group title in the report.
    pub fn title(self) -> &'static str {
        match self {
            Self::TypeRemoved => "types removed",
            Self::TypeRenamed => "types renamed",
            Self::TypeKindChanged => "types of another kind",
            Self::FieldRemoved => "fields removed",
            Self::FieldTypeChanged => "field types changed",
            Self::RequiredFieldAdded => "required fields added",
            Self::EnumVariantRemoved => "enum variants removed",
            Self::MethodRemoved => "methods removed",
            Self::MethodRenamed => "methods renamed",
            Self::OperationMoved => "operations moved",
            Self::ParamRemoved => "builder parameters removed",
            Self::ParamTypeChanged => "builder parameter types changed",
            Self::RequiredParamAdded => "required parameters added",
            Self::ParamNowRequired => "parameters now required",
            Self::ResponseTypeChanged => "response types changed",
            Self::OperationAdded => "operations added",
            Self::TypeAdded => "types added",
            Self::FieldAdded => "fields added",
            Self::EnumVariantAdded => "enum variants added",
            Self::KnownValuesAdded => "fields with new known values",
            Self::KnownValuesRemoved => "fields with known values dropped",
            Self::ParamAdded => "optional parameters added",
            Self::ParamNowOptional => "parameters now optional",
            Self::ValidationChanged => "newtype validations changed",
        }
    }
}

/// One change, named by the Rust item it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The item as OLD names it: `Service`, `Service.disk_space_mb`,
    /// `SchemaType::Avro`, `service_get`, `service_list.limit`.
    pub item: String,
    /// What happened to it, empty when the kind says it all:
    /// `Option<f64> → Option<i64>`, `→ NewName`, `(GET /path)`.
    pub change: String,
    /// Types removed (or added) with this one, named after it and held
    /// only inside it: `ProjectTicketCreateRequestBodyTitle` goes with
    /// `ProjectTicketCreateRequestBody`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inner_types: Vec<String>,
    /// Where the scanned sources use the item (breaking findings only).
    pub used_by: Vec<super::usage::Place>,
    /// What to look for in those sources.
    #[serde(skip)]
    pub needles: Vec<Needle>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.change.chars().next() {
            None => f.write_str(&self.item),
            Some('→' | '(') => write!(f, "{} {}", self.item, self.change),
            Some(_) => write!(f, "{}: {}", self.item, self.change),
        }
    }
}

/// The findings, breaking ones first in [`Kind`] order, and how many items
/// changed only in their documentation.
#[derive(Debug, Default)]
pub struct Comparison {
    pub findings: Vec<Finding>,
    pub doc_only_changes: usize,
}

/// Compares two generated clients.
pub fn compare(old: &RustApi, new: &RustApi) -> Comparison {
    let renames = detect_renames(old, new);
    let mut cmp = Comparer {
        renames: &renames,
        reached_by: reached_by(old),
        out: Comparison::default(),
    };
    cmp.types(old, new);
    cmp.methods(old, new);
    let mut out = cmp.out;
    fold_inner_types(&mut out.findings, Kind::TypeRemoved, old);
    fold_inner_types(&mut out.findings, Kind::TypeAdded, new);
    out.findings
        .sort_by(|a, b| (a.kind, &a.item).cmp(&(b.kind, &b.item)));
    out
}

struct Comparer<'a> {
    /// OLD type name → NEW type name.
    renames: &'a BTreeMap<String, String>,
    /// OLD type → the OLD methods whose response holds it (at any depth).
    reached_by: BTreeMap<String, Vec<String>>,
    out: Comparison,
}

impl Comparer<'_> {
    fn push(&mut self, kind: Kind, item: String, change: String, needle: Option<Needle>) {
        self.out.findings.push(Finding {
            kind,
            item,
            change,
            inner_types: Vec::new(),
            used_by: Vec::new(),
            needles: needle.filter(|_| kind.is_breaking()).into_iter().collect(),
        });
    }

    /// An OLD type written with the NEW names of renamed types.
    fn renamed(&self, ty: &str) -> String {
        rename_idents(ty, self.renames)
    }

    fn types(&mut self, old: &RustApi, new: &RustApi) {
        for (name, before) in &old.types {
            if let Some(to) = self.renames.get(name) {
                // Same shape by construction; its doc is often its name.
                let change = format!("→ {to}");
                self.push(Kind::TypeRenamed, name.clone(), change, type_needle(name));
                continue;
            }
            match new.types.get(name) {
                None => self.push(
                    Kind::TypeRemoved,
                    name.clone(),
                    String::new(),
                    type_needle(name),
                ),
                Some(after) => self.type_changes(name, before, after),
            }
        }
        let targets: BTreeSet<&String> = self.renames.values().collect();
        for name in new.types.keys() {
            if !old.types.contains_key(name) && !targets.contains(name) {
                self.push(Kind::TypeAdded, name.clone(), String::new(), None);
            }
        }
    }

    fn type_changes(&mut self, name: &str, before: &TypeDef, after: &TypeDef) {
        if before.doc != after.doc {
            self.out.doc_only_changes += 1;
        }
        match (&before.shape, &after.shape) {
            (Shape::Struct(a), Shape::Struct(b)) => self.fields(name, a, b),
            (Shape::Enum(a), Shape::Enum(b)) => self.variants(name, a, b),
            (
                Shape::Newtype {
                    inner: a,
                    validation: va,
                },
                Shape::Newtype {
                    inner: b,
                    validation: vb,
                },
            ) => {
                let (a, b) = (a.join(", "), b.join(", "));
                if self.renamed(&a) != b {
                    let change = format!("({a}) → ({b})");
                    self.push(
                        Kind::FieldTypeChanged,
                        name.into(),
                        change,
                        type_needle(name),
                    );
                }
                if va != vb {
                    self.push(Kind::ValidationChanged, name.into(), String::new(), None);
                }
            }
            (Shape::Alias(a), Shape::Alias(b)) => {
                if self.renamed(a) != *b {
                    let change = format!("{a} → {b}");
                    self.push(
                        Kind::FieldTypeChanged,
                        name.into(),
                        change,
                        type_needle(name),
                    );
                }
            }
            (a, b) => {
                let change = format!("{} → {}", a.kind(), b.kind());
                self.push(
                    Kind::TypeKindChanged,
                    name.into(),
                    change,
                    type_needle(name),
                );
            }
        }
    }

    fn fields(
        &mut self,
        owner: &str,
        old: &BTreeMap<String, FieldDef>,
        new: &BTreeMap<String, FieldDef>,
    ) {
        for (field, before) in old {
            let item = format!("{owner}.{field}");
            let needle = Some(Needle::Field {
                owner: owner.into(),
                field: field.clone(),
                via: self.reached_by.get(owner).cloned().unwrap_or_default(),
            });
            let Some(after) = new.get(field) else {
                self.push(Kind::FieldRemoved, item, String::new(), needle);
                continue;
            };
            let mut changed = false;
            if self.renamed(&before.ty) != after.ty {
                let change = format!("{} → {}", before.ty, after.ty);
                self.push(Kind::FieldTypeChanged, item.clone(), change, needle);
                changed = true;
            }
            let added = missing_from(&after.known_values, &before.known_values, '+');
            if !added.is_empty() {
                self.push(Kind::KnownValuesAdded, item.clone(), added, None);
                changed = true;
            }
            let removed = missing_from(&before.known_values, &after.known_values, '-');
            if !removed.is_empty() {
                self.push(Kind::KnownValuesRemoved, item, removed, None);
                changed = true;
            }
            if !changed && before.doc != after.doc {
                self.out.doc_only_changes += 1;
            }
        }
        for (field, after) in new {
            if old.contains_key(field) {
                continue;
            }
            let item = format!("{owner}.{field}");
            if after.required {
                self.push(
                    Kind::RequiredFieldAdded,
                    item,
                    after.ty.clone(),
                    type_needle(owner),
                );
            } else {
                self.push(Kind::FieldAdded, item, after.ty.clone(), None);
            }
        }
    }

    fn variants(
        &mut self,
        owner: &str,
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
    ) {
        for (variant, before) in old {
            let item = format!("{owner}::{variant}");
            let needle = Some(Needle::Variant {
                owner: owner.into(),
                variant: variant.clone(),
            });
            match new.get(variant) {
                None => self.push(Kind::EnumVariantRemoved, item, String::new(), needle),
                Some(after) if self.renamed(before) != *after => {
                    let change = format!("{before} → {after}");
                    self.push(Kind::FieldTypeChanged, item, change, needle);
                }
                Some(_) => {}
            }
        }
        for variant in new.keys().filter(|v| !old.contains_key(*v)) {
            let item = format!("{owner}::{variant}");
            self.push(Kind::EnumVariantAdded, item, String::new(), None);
        }
    }

    fn methods(&mut self, old: &RustApi, new: &RustApi) {
        let removed: Vec<(&String, &MethodDef)> = old
            .methods
            .iter()
            .filter(|(k, _)| !new.methods.contains_key(*k))
            .collect();
        let added: Vec<(&String, &MethodDef)> = new
            .methods
            .iter()
            .filter(|(k, _)| !old.methods.contains_key(*k))
            .collect();
        // An operationId that changed while its route stayed: the method is
        // renamed (only when the route identifies one method on each side).
        let routes = |side: &[(&String, &MethodDef)]| {
            let mut by_route: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (name, m) in side {
                by_route.entry(m.route()).or_default().push((*name).clone());
            }
            by_route
        };
        let (old_routes, new_routes) = (routes(&removed), routes(&added));
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for (route, from) in &old_routes {
            if let (Some(to), [from]) = (new_routes.get(route), from.as_slice()) {
                if let [to] = to.as_slice() {
                    renamed.insert(from.clone(), to.clone());
                }
            }
        }
        let renamed_to: BTreeSet<&String> = renamed.values().collect();
        for (name, before) in &removed {
            let needle = method_needle(name, before);
            if let Some(to) = renamed.get(*name) {
                let change = format!("→ {to} ({})", before.location());
                self.push(Kind::MethodRenamed, (*name).clone(), change, needle);
                self.method_changes(name, before, &new.methods[to]);
            } else {
                let change = format!("({})", before.location());
                self.push(Kind::MethodRemoved, (*name).clone(), change, needle);
            }
        }
        for (name, before) in &old.methods {
            if let Some(after) = new.methods.get(name) {
                self.method_changes(name, before, after);
            }
        }
        for (name, after) in added {
            if !renamed_to.contains(name) {
                let change = format!("({})", after.location());
                self.push(Kind::OperationAdded, name.clone(), change, None);
            }
        }
    }

    fn method_changes(&mut self, name: &str, before: &MethodDef, after: &MethodDef) {
        let count = self.out.findings.len();
        let method = || method_needle(name, before);
        if before.route() != after.route() {
            let change = format!("{} → {}", before.location(), after.location());
            self.push(Kind::OperationMoved, name.into(), change, method());
        }
        for (param, p) in &before.params {
            let item = format!("{name}.{param}");
            let setter = Some(Needle::Setter {
                method: name.into(),
                param: param.clone(),
            });
            let Some(q) = after.params.get(param) else {
                self.push(Kind::ParamRemoved, item, String::new(), setter);
                continue;
            };
            if self.renamed(&p.ty) != q.ty {
                let change = format!("{} → {}", p.ty, q.ty);
                self.push(Kind::ParamTypeChanged, item.clone(), change, setter);
            }
            match (p.required, q.required) {
                (false, true) => self.push(Kind::ParamNowRequired, item, String::new(), method()),
                (true, false) => self.push(Kind::ParamNowOptional, item, String::new(), None),
                _ => {}
            }
        }
        for (param, q) in &after.params {
            if before.params.contains_key(param) {
                continue;
            }
            let item = format!("{name}.{param}");
            if q.required {
                self.push(Kind::RequiredParamAdded, item, q.ty.clone(), method());
            } else {
                self.push(Kind::ParamAdded, item, q.ty.clone(), None);
            }
        }
        if self.renamed(&before.response) != after.response {
            let change = format!("{} → {}", before.response, after.response);
            self.push(Kind::ResponseTypeChanged, name.into(), change, method());
        }
        if self.out.findings.len() == count && before.doc != after.doc {
            self.out.doc_only_changes += 1;
        }
    }
}

/// Folds the `kind` findings (types removed, or added) of types that are
/// named after another such type and held by it into that type's finding:
/// a removed request body takes its field newtypes and enums with it.
fn fold_inner_types(findings: &mut Vec<Finding>, kind: Kind, api: &RustApi) {
    let names: BTreeSet<String> = findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.item.clone())
        .collect();
    let mut holders: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (owner, def) in &api.types {
        let held: Vec<&str> = match &def.shape {
            Shape::Struct(fields) => fields.values().flat_map(|f| idents(&f.ty)).collect(),
            Shape::Enum(variants) => variants.values().flat_map(|p| idents(p)).collect(),
            Shape::Newtype { inner, .. } => inner.iter().flat_map(|t| idents(t)).collect(),
            Shape::Alias(target) => idents(target).collect(),
        };
        for ty in held {
            holders.entry(ty).or_default().insert(owner);
        }
    }
    // The holder named as this type's prefix, when it is the only holder.
    let parent = |name: &str| -> Option<String> {
        let held_by = holders.get(name)?;
        let [only] = held_by.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        (names.contains(*only) && name.starts_with(*only) && name != *only)
            .then(|| (*only).to_owned())
    };
    let mut root_of: BTreeMap<String, String> = BTreeMap::new();
    for name in &names {
        let mut root = name.clone();
        while let Some(p) = parent(&root) {
            root = p;
        }
        if root != *name {
            root_of.insert(name.clone(), root);
        }
    }
    let mut inner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, root) in &root_of {
        inner.entry(root.clone()).or_default().push(name.clone());
    }
    findings.retain(|f| f.kind != kind || !root_of.contains_key(&f.item));
    for f in findings.iter_mut().filter(|f| f.kind == kind) {
        if let Some(types) = inner.remove(&f.item) {
            let n = types.len();
            f.change = format!("(+{n} inner type{})", if n == 1 { "" } else { "s" });
            if kind.is_breaking() {
                f.needles
                    .extend(types.iter().map(|t| Needle::Type(t.clone())));
            }
            f.inner_types = types;
        }
    }
}

/// Type → the methods whose response type holds it, at any depth.
fn reached_by(api: &RustApi) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (method, def) in &api.methods {
        let mut seen = BTreeSet::new();
        let mut todo = vec![def.response.clone()];
        while let Some(ty) = todo.pop() {
            for ident in idents(&ty) {
                let Some(inner) = api.types.get(ident) else {
                    continue;
                };
                if !seen.insert(ident.to_owned()) {
                    continue;
                }
                out.entry(ident.to_owned())
                    .or_default()
                    .push(method.clone());
                match &inner.shape {
                    Shape::Struct(fields) => todo.extend(fields.values().map(|f| f.ty.clone())),
                    Shape::Enum(variants) => todo.extend(variants.values().cloned()),
                    Shape::Newtype { inner, .. } => todo.extend(inner.iter().cloned()),
                    Shape::Alias(target) => todo.push(target.clone()),
                }
            }
        }
    }
    out
}

fn type_needle(name: &str) -> Option<Needle> {
    Some(Needle::Type(name.into()))
}

fn method_needle(name: &str, def: &MethodDef) -> Option<Needle> {
    Some(Needle::Method {
        name: name.into(),
        operation_id: def.operation_id.clone(),
    })
}

/// `+a +b` (or `-…`) for the values of `values` that `other` lacks.
fn missing_from(values: &[String], other: &[String], sign: char) -> String {
    let parts: Vec<String> = values
        .iter()
        .filter(|v| !other.contains(v))
        .map(|v| format!("{sign}{v}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_replace_whole_identifiers() {
        let renames = BTreeMap::from([("Cloud".to_owned(), "ListCloud".to_owned())]);
        assert_eq!(
            rename_idents("Option<Vec<Cloud>>, CloudX", &renames),
            "Option<Vec<ListCloud>>, CloudX"
        );
    }
}
