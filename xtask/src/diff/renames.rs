//! Which types of OLD live on under another name in NEW. For users a rename
//! is as breaking as a removal, but the report should say where the type
//! went: the hoister names shared shapes after the property that holds them,
//! so a bump can move a name (`Cloud` → `ListCloudsResponseCloud`) while the
//! shape stays.
//!
//! Two ways to find a rename, repeated until nothing more is found:
//!
//! - **by place**: a field, variant, builder parameter or response that both
//!   sides have holds a type OLD lost where NEW holds a type it gained, and
//!   the two have the same shape, nested types compared the same way
//!   (`Vec<AccountTeamMembersInviteRequestBody>` →
//!   `Vec<UserPasswordResetRequestRequestBody>`, with their `email` newtypes);
//! - **by shape**: a type OLD lost has exactly the shape of a type NEW gained
//!   (types inside compared with the renames found so far) and one name ends
//!   with the other, or they are held in one same place. Pairs accepted on
//!   their names alone are dropped at the end unless, with every rename
//!   known, they share a place (or neither is held anywhere).

use std::collections::{BTreeMap, BTreeSet};

use super::api::{RustApi, Shape, TypeDef};
use super::idents::{idents, rename_idents};

/// OLD type name → NEW type name.
pub fn detect_renames(old: &RustApi, new: &RustApi) -> BTreeMap<String, String> {
    let refs = (referrers(old), referrers(new));
    let mut banned = BTreeSet::new();
    loop {
        let mut renamer = Renamer::new(old, new, &refs, &banned);
        renamer.run();
        let unplaced: Vec<(String, String)> = renamer
            .by_shape
            .iter()
            .filter(|(from, to)| {
                let (before, after) = (refs.0.get(from), refs.1.get(to));
                (before.is_some() || after.is_some())
                    && !same_place(before, after, &renamer.renames)
            })
            .cloned()
            .collect();
        if unplaced.is_empty() {
            return renamer.renames;
        }
        banned.extend(unplaced);
    }
}

/// Type → the places holding it: (owner type, field or variant), or
/// (`method()`, parameter or `->` for the response).
type Referrers = BTreeMap<String, BTreeSet<(String, String)>>;

struct Renamer<'a> {
    old: &'a RustApi,
    new: &'a RustApi,
    refs: &'a (Referrers, Referrers),
    banned: &'a BTreeSet<(String, String)>,
    renames: BTreeMap<String, String>,
    /// NEW names already taken by a rename.
    targets: BTreeSet<String>,
    /// Pairs found by shape, checked again at the end.
    by_shape: Vec<(String, String)>,
}

impl<'a> Renamer<'a> {
    fn new(
        old: &'a RustApi,
        new: &'a RustApi,
        refs: &'a (Referrers, Referrers),
        banned: &'a BTreeSet<(String, String)>,
    ) -> Self {
        Self {
            old,
            new,
            refs,
            banned,
            renames: BTreeMap::new(),
            targets: BTreeSet::new(),
            by_shape: Vec::new(),
        }
    }

    fn run(&mut self) {
        loop {
            let before = self.renames.len();
            self.by_place();
            self.by_shape();
            if self.renames.len() == before {
                return;
            }
        }
    }

    fn accept(&mut self, pairs: BTreeMap<String, String>) {
        for (from, to) in pairs {
            self.targets.insert(to.clone());
            self.renames.insert(from, to);
        }
    }

    fn lost(&self, name: &str) -> bool {
        self.old.types.contains_key(name)
            && !self.new.types.contains_key(name)
            && !self.renames.contains_key(name)
    }

    fn gained(&self, name: &str) -> bool {
        self.new.types.contains_key(name)
            && !self.old.types.contains_key(name)
            && !self.targets.contains(name)
    }

    /// Renames proven by the types held in places both sides have.
    fn by_place(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut places: Vec<(String, String)> = Vec::new();
        for (name, before) in &old.types {
            let new_name = self.renames.get(name).unwrap_or(name);
            if let Some(after) = new.types.get(new_name) {
                places.extend(held_pairs(before, after));
            }
        }
        for (name, before) in &old.methods {
            let Some(after) = new.methods.get(name) else {
                continue;
            };
            for (param, p) in &before.params {
                if let Some(q) = after.params.get(param) {
                    places.push((p.ty.clone(), q.ty.clone()));
                }
            }
            places.push((before.response.clone(), after.response.clone()));
        }
        for (a, b) in places {
            if a == b {
                continue;
            }
            let mut tentative = BTreeMap::new();
            if self.unify_types(&a, &b, &mut tentative) {
                self.accept(tentative);
            }
        }
    }

    /// `a` (OLD) and `b` (NEW) are the same type expression once lost types
    /// are matched with gained types of the same shape (added to `t`).
    fn unify_types(&self, a: &str, b: &str, t: &mut BTreeMap<String, String>) -> bool {
        let (ta, tb) = (tokens(a), tokens(b));
        ta.len() == tb.len()
            && ta
                .iter()
                .zip(&tb)
                .all(|(x, y)| x == y || self.unify(x, y, t))
    }

    fn unify(&self, x: &str, y: &str, t: &mut BTreeMap<String, String>) -> bool {
        let known = self.renames.get(x).or_else(|| t.get(x));
        if let Some(known) = known {
            return known.as_str() == y;
        }
        let taken = t.values().any(|v| v == y);
        if !self.lost(x) || !self.gained(y) || taken {
            return false;
        }
        if self.banned.contains(&(x.to_owned(), y.to_owned())) {
            return false;
        }
        t.insert(x.to_owned(), y.to_owned());
        let (before, after) = (&self.old.types[x], &self.new.types[y]);
        match (&before.shape, &after.shape) {
            (Shape::Struct(a), Shape::Struct(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(name, fa)| {
                        b.get(name)
                            .is_some_and(|fb| self.unify_types(&fa.ty, &fb.ty, t))
                    })
            }
            (Shape::Enum(a), Shape::Enum(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(name, pa)| b.get(name).is_some_and(|pb| self.unify_types(pa, pb, t)))
            }
            (
                Shape::Newtype {
                    inner: a,
                    validation: va,
                },
                Shape::Newtype {
                    inner: b,
                    validation: vb,
                },
            ) => va == vb && self.unify_types(&a.join(","), &b.join(","), t),
            (Shape::Alias(a), Shape::Alias(b)) => self.unify_types(a, b, t),
            _ => false,
        }
    }

    /// Renames of types with the same shape whose names nest or that share
    /// a place.
    fn by_shape(&mut self) {
        let (old, new) = (self.old, self.new);
        let none = BTreeMap::new();
        let mut groups: BTreeMap<String, (Vec<&String>, Vec<&String>)> = BTreeMap::new();
        for (name, def) in &old.types {
            if self.lost(name) {
                if let Some(sig) = signature(def, &self.renames) {
                    groups.entry(sig).or_default().0.push(name);
                }
            }
        }
        for (name, def) in &new.types {
            if self.gained(name) {
                if let Some(group) = signature(def, &none).and_then(|sig| groups.get_mut(&sig)) {
                    group.1.push(name);
                }
            }
        }
        let accept = |from: &str, to: &str| {
            if self.banned.contains(&(from.to_owned(), to.to_owned())) {
                return false;
            }
            let place = || same_place(self.refs.0.get(from), self.refs.1.get(to), &self.renames);
            from.ends_with(to) || to.ends_with(from) || place()
        };
        let mut found = Vec::new();
        for (from, to) in groups.values() {
            found.extend(pair_by_name(from, to, &accept));
        }
        self.by_shape.extend(found.iter().cloned());
        self.accept(found.into_iter().collect());
    }
}

/// The type expressions held at the same place of two versions of a type.
fn held_pairs(before: &TypeDef, after: &TypeDef) -> Vec<(String, String)> {
    match (&before.shape, &after.shape) {
        (Shape::Struct(a), Shape::Struct(b)) => a
            .iter()
            .filter_map(|(name, fa)| Some((fa.ty.clone(), b.get(name)?.ty.clone())))
            .collect(),
        (Shape::Enum(a), Shape::Enum(b)) => a
            .iter()
            .filter_map(|(name, pa)| Some((pa.clone(), b.get(name)?.clone())))
            .collect(),
        (Shape::Newtype { inner: a, .. }, Shape::Newtype { inner: b, .. }) => {
            vec![(a.join(","), b.join(","))]
        }
        (Shape::Alias(a), Shape::Alias(b)) => vec![(a.clone(), b.clone())],
        _ => Vec::new(),
    }
}

/// Identifiers and single separator characters.
fn tokens(ty: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in ty.char_indices() {
        let ident = c.is_alphanumeric() || c == '_';
        match (ident, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&ty[s..i]);
                start = None;
                out.push(&ty[i..i + c.len_utf8()]);
            }
            (false, None) => out.push(&ty[i..i + c.len_utf8()]),
            (true, Some(_)) => {}
        }
    }
    if let Some(s) = start {
        out.push(&ty[s..]);
    }
    out
}

fn same_place(
    before: Option<&BTreeSet<(String, String)>>,
    after: Option<&BTreeSet<(String, String)>>,
    renames: &BTreeMap<String, String>,
) -> bool {
    let (Some(before), Some(after)) = (before, after) else {
        return false;
    };
    before.iter().any(|(owner, slot)| {
        let owner = renames.get(owner).unwrap_or(owner);
        after.contains(&(owner.clone(), slot.clone()))
    })
}

fn referrers(api: &RustApi) -> Referrers {
    let mut refs = Referrers::new();
    let mut add = |ty: &str, owner: &str, slot: &str| {
        for ident in idents(ty) {
            if api.types.contains_key(ident) {
                refs.entry(ident.to_owned())
                    .or_default()
                    .insert((owner.to_owned(), slot.to_owned()));
            }
        }
    };
    for (owner, def) in &api.types {
        match &def.shape {
            Shape::Struct(fields) => {
                for (name, f) in fields {
                    add(&f.ty, owner, name);
                }
            }
            Shape::Enum(variants) => {
                for (name, payload) in variants {
                    add(payload, owner, name);
                }
            }
            Shape::Newtype { inner, .. } => add(&inner.join(","), owner, "0"),
            Shape::Alias(target) => add(target, owner, "="),
        }
    }
    for (name, m) in &api.methods {
        let owner = format!("{name}()");
        for (param, p) in &m.params {
            add(&p.ty, &owner, param);
        }
        add(&m.response, &owner, "->");
    }
    refs
}

/// A type's shape as text, with `renames` applied; `None` for shapes too
/// generic to identify a type (no fields, no variants).
fn signature(def: &TypeDef, renames: &BTreeMap<String, String>) -> Option<String> {
    let sig = match &def.shape {
        Shape::Struct(fields) if !fields.is_empty() => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(name, f)| format!("{name}:{}", f.ty))
                .collect();
            format!("struct{{{}}}", parts.join(","))
        }
        Shape::Enum(variants) if !variants.is_empty() => {
            let parts: Vec<String> = variants.iter().map(|(v, p)| format!("{v}{p}")).collect();
            format!("enum{{{}}}", parts.join(","))
        }
        Shape::Newtype { inner, validation } => {
            format!("newtype({}){validation}", inner.join(","))
        }
        Shape::Alias(target) => format!("alias={target}"),
        _ => return None,
    };
    Some(rename_idents(&sig, renames))
}

/// Pairs names of the same shape that `accept` allows, best-matching names
/// (longest common prefix plus suffix) first.
fn pair_by_name(
    from: &[&String],
    to: &[&String],
    accept: &dyn Fn(&str, &str) -> bool,
) -> Vec<(String, String)> {
    let mut scored: Vec<(usize, &String, &String)> = Vec::new();
    for a in from {
        for b in to {
            if accept(a, b) {
                scored.push((name_similarity(a, b), a, b));
            }
        }
    }
    scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(y.2)));
    let (mut used_from, mut used_to) = (BTreeSet::new(), BTreeSet::new());
    let mut pairs = Vec::new();
    for (_, a, b) in scored {
        if !used_from.contains(a) && !used_to.contains(b) {
            used_from.insert(a);
            used_to.insert(b);
            pairs.push(((*a).clone(), (*b).clone()));
        }
    }
    pairs
}

fn name_similarity(a: &str, b: &str) -> usize {
    let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let suffix = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    prefix + suffix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_identifiers_and_separators() {
        assert_eq!(
            tokens("Option<Vec<Cloud>>"),
            ["Option", "<", "Vec", "<", "Cloud", ">", ">"]
        );
        assert_eq!(tokens("(A, B)"), ["(", "A", ",", " ", "B", ")"]);
    }

    #[test]
    fn same_shapes_pair_by_name() {
        let a = "Cloud".to_owned();
        let b = "Invoice".to_owned();
        let x = "ListCloudsResponseCloud".to_owned();
        let y = "BillingInvoice".to_owned();
        let pairs = pair_by_name(&[&a, &b], &[&y, &x], &|_, _| true);
        assert_eq!(
            pairs,
            [
                ("Invoice".to_owned(), "BillingInvoice".to_owned()),
                ("Cloud".to_owned(), "ListCloudsResponseCloud".to_owned())
            ]
        );
    }
}
