//! Shape hoisting: every inline schema that becomes a Rust type is lifted into
//! a named component, identical shapes share one component, and every name is
//! chosen here, deterministically, and checked to be unique.
//!
//! The published description is fully inlined: the same `Service` object is
//! written out under every operation that returns it, so a generator emits one
//! Rust type per copy. Hoisting identical shapes roughly halves the generated
//! code, and naming every type here (instead of leaving inline types to typify)
//! is what makes a name clash detectable: typify silently reuses a name for a
//! different schema, whereas [`hoist`] fails with both locations.
//!
//! A shape occurs at one or more *locations*: the component that holds it and
//! the path from there (`ListCloudsResponse.clouds.[]`, as in error messages).
//! Naming, in order of preference:
//! 0. a shape identical to a component is that component;
//! 1. a shape with a location in the committed [`NamesFile`] keeps the name
//!    recorded there, so a type keeps its name across description bumps while
//!    its shape still exists at a recorded location. When several shapes claim
//!    one name (a shape changed at some of its locations), the one whose
//!    fingerprint is the recorded one (unchanged) wins, then the one with most
//!    locations; a shape whose locations disagree takes the name most of them
//!    hold, ties by name. A recorded name wins over rule 0 (a later component
//!    identical to a named shape does not rename it) but never takes a
//!    component's name;
//! 2. a new shape used in two or more places is named after what it is, the
//!    property that holds it (`service` → `Service`, `node_states[]` →
//!    `NodeState`), when no other new shape wants that name and the names file
//!    does not record it;
//! 3. otherwise `<Parent><Property>`, the parent being the component or shape
//!    that holds its first occurrence in location order — the same
//!    convention typify uses, so names do not depend on which copy is seen first.
//!
//! Without a names file, names depend on which other shapes exist (a new shape
//! wanting `Cloud` takes it away from the old one); with it, only new shapes
//! are named by rules 2 and 3. Names never depend on traversal order.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use heck::ToPascalCase;
use serde_json::{Map, Value};

use crate::walk::{self, Step, METADATA};
use crate::Error;

/// Names the generated crate already uses, or that read badly as types.
const RESERVED: [&str; 6] = [
    "Error",
    "Client",
    "ResponseValue",
    "ByteStream",
    "Result",
    "Option",
];

/// The committed names file (`openapi/type-names.json`): the type name of
/// every hoisted shape, by location. Written by `cargo xtask names --write`
/// from the pinned description; [`hoist`] gives a shape the name recorded for
/// its locations, so bumping the description does not rename surviving types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamesFile {
    /// Location (`Component.path.[]`, see [`walk::render_path`]) → type name.
    pub names: BTreeMap<String, String>,
    /// Type name → fingerprint of its shape (documentation ignored), so that
    /// when a shape splits the unchanged part keeps the name. Optional.
    pub shapes: BTreeMap<String, String>,
}

impl NamesFile {
    /// The `comment` written at the top of the file.
    pub const COMMENT: &'static str =
        "Type names of the hoisted shapes of the pinned description, \
        by location (component.path). Hoisting gives a shape the name recorded for its locations, \
        so a bump does not rename surviving types; new shapes are named by the rules. \
        Regenerate with `cargo xtask names --write` (it keeps these names and drops locations \
        the pinned description no longer has); edit a name here to rename a type.";

    /// Reads the file's JSON form: `{"comment": …, "names": {location: name},
    /// "shapes": {name: fingerprint}}` (`shapes` optional).
    pub fn from_json(value: &Value, origin: &str) -> Result<Self, Error> {
        let bad = |why: String| Error::Invalid(format!("{origin}: {why}"));
        let obj = value
            .as_object()
            .ok_or_else(|| bad("not a JSON object".into()))?;
        if let Some(key) = obj
            .keys()
            .find(|k| !["comment", "names", "shapes"].contains(&k.as_str()))
        {
            return Err(bad(format!(
                "unknown key `{key}` (expected `comment`, `names` and `shapes`)"
            )));
        }
        let map = obj
            .get("names")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("no `names` object".into()))?;
        let mut names = BTreeMap::new();
        for (location, name) in map {
            let name = name
                .as_str()
                .ok_or_else(|| bad(format!("the name of `{location}` is not a string")))?;
            let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid || RESERVED.contains(&name) {
                return Err(bad(format!(
                    "`{name}` (for `{location}`) is not a usable type name"
                )));
            }
            names.insert(location.clone(), name.to_string());
        }
        let mut shapes = BTreeMap::new();
        match obj.get("shapes") {
            None => {}
            Some(Value::Object(map)) => {
                for (name, fp) in map {
                    let fp = fp
                        .as_str()
                        .ok_or_else(|| bad(format!("the shape of `{name}` is not a string")))?;
                    shapes.insert(name.clone(), fp.to_string());
                }
            }
            Some(_) => return Err(bad("`shapes` is not an object".into())),
        }
        Ok(Self { names, shapes })
    }

    /// Reads and checks the file at `path`.
    pub fn read(path: &std::path::Path) -> Result<Self, Error> {
        if !path.exists() {
            return Err(Error::Invalid(format!(
                "{} is missing: it is committed beside the lock and keeps type names stable \
                 (`cargo xtask names --write` makes a new one)",
                path.display()
            )));
        }
        let value = crate::read_json(path)?;
        Self::from_json(&value, &path.display().to_string())
    }

    /// The file's text: pretty JSON, locations sorted, one per line, so that a
    /// bump's diff shows exactly the locations that came and went.
    pub fn to_json_string(&self) -> String {
        let strings = |m: &BTreeMap<String, String>| -> Map<String, Value> {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        };
        let doc = serde_json::json!({
            "comment": Self::COMMENT,
            "names": strings(&self.names),
            "shapes": strings(&self.shapes),
        });
        let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
        text.push('\n');
        text
    }
}

/// A recorded location whose shape now has another name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    pub location: String,
    /// The name in the names file.
    pub recorded: String,
    /// The name hoisting used.
    pub now: String,
}

/// What hoisting did, for statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoistReport {
    /// Inline schemas that produce a Rust type, before hoisting.
    pub inline_types: usize,
    /// Distinct shapes among them.
    pub distinct_shapes: usize,
    /// Shapes used in two or more places.
    pub shared_shapes: usize,
    /// Shapes named after their property alone (rule 2).
    pub short_names: usize,
    /// Shapes that kept the name the names file records for them.
    pub kept_names: usize,
    /// Shapes with no location in the names file, named here.
    pub fresh_names: usize,
    /// Recorded locations whose shape now has another name, by location.
    pub renames: Vec<Rename>,
    /// Every location of every shape → the name it now has: the names file
    /// this document would record.
    pub names: NamesFile,
}

/// Does typify turn this schema into a named Rust type (struct or enum)?
fn is_named_type(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    if obj.contains_key("$ref") {
        return false;
    }
    let has_props = obj
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_props
        || obj.contains_key("enum")
        || obj.contains_key("allOf")
        || obj.contains_key("anyOf")
        || obj.contains_key("oneOf")
}

/// The schema with documentation removed, children as they are: the identity
/// of a shape.
fn canonical(schema: &Value) -> Value {
    fn strip(schema: &Value) -> Value {
        let Some(obj) = schema.as_object() else {
            return schema.clone();
        };
        let mut out = Map::new();
        for (k, v) in obj {
            if METADATA.contains(&k.as_str()) || k.starts_with("x-") {
                continue;
            }
            let v = match k.as_str() {
                "properties" => Value::Object(
                    v.as_object()
                        .map(|p| p.iter().map(|(n, s)| (n.clone(), strip(s))).collect())
                        .unwrap_or_default(),
                ),
                "items" | "additionalProperties" | "not" => strip(v),
                "allOf" | "anyOf" | "oneOf" => Value::Array(
                    v.as_array()
                        .map(|l| l.iter().map(strip).collect())
                        .unwrap_or_default(),
                ),
                _ => v.clone(),
            };
            out.insert(k.clone(), v);
        }
        // Property order is kept: it is the field order of the Rust type.
        Value::Object(out)
    }
    strip(schema)
}

const PLACEHOLDER: &str = "#/x-aiven-shape/";

fn placeholder(id: usize) -> Value {
    serde_json::json!({ "$ref": format!("{PLACEHOLDER}{id}") })
}

/// English singular of a property name, good enough for API nouns.
pub fn singular(word: &str) -> String {
    let w = word;
    for (suffix, repl) in [
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("{stem}{repl}");
            }
        }
    }
    if w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
        && w.len() > 3
    {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

/// The name a shape gets from the steps between its holder and itself.
fn name_from_steps(steps: &[Step]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Property(p) => parts.push(p.to_pascal_case()),
            Step::Items => match (i.checked_sub(1).map(|j| &steps[j]), parts.last_mut()) {
                (Some(Step::Property(p)), Some(last)) if singular(p) != *p => {
                    *last = singular(p).to_pascal_case();
                }
                _ => parts.push("Item".into()),
            },
            Step::AdditionalProperties => parts.push("Value".into()),
            Step::Not => parts.push("Not".into()),
            Step::Composition(_, i) => parts.push(format!("Variant{i}")),
        }
    }
    parts.concat()
}

/// What holds an occurrence: a component, or another shape.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Holder {
    Component(String),
    Shape(usize),
}

/// One place where a shape is written out.
#[derive(Clone, Debug)]
struct Occurrence {
    holder: Holder,
    /// The steps from the holder to the shape.
    steps: Vec<Step>,
    /// Component name and full path: the key of the names file, the order of
    /// occurrences and the words of error messages.
    location: String,
}

/// A distinct shape and everywhere it occurs.
#[derive(Debug)]
struct Shape {
    /// The first occurrence's schema, children already replaced by placeholders.
    schema: Value,
    /// Sorted by location.
    occurrences: Vec<Occurrence>,
    /// The component this shape is identical to, if any.
    component: Option<String>,
    /// Hash of its canonical form with children's fingerprints in place of
    /// their placeholders: the same in two descriptions when the shape is.
    fingerprint: String,
}

/// An occurrence as collected, before identical shapes are grouped.
struct Found {
    /// Shape id (the canonical form's index).
    shape: usize,
    /// `None`: held by the component; else the index of the holding occurrence.
    parent: Option<usize>,
    component: String,
    steps: Vec<Step>,
    location: String,
}

/// Phase 1's result: every occurrence, and the distinct schemas by shape id.
#[derive(Default)]
struct Collected {
    found: Vec<Found>,
    schemas: Vec<Value>,
    by_key: BTreeMap<String, usize>,
}

impl Collected {
    /// Replaces every named-type subschema below `schema` by a placeholder,
    /// children first (so identical parents have identical placeholders),
    /// recording the occurrence against its holder.
    fn collect(
        &mut self,
        schema: &mut Value,
        component: &str,
        path: &mut Vec<Step>,
        holder_depth: usize,
        parent: Option<usize>,
    ) {
        walk::for_each_child_mut(schema, &mut |step, sub| {
            path.push(step);
            if is_named_type(sub) {
                let me = self.found.len();
                self.found.push(Found {
                    shape: usize::MAX,
                    parent,
                    component: component.to_string(),
                    steps: path[holder_depth..].to_vec(),
                    location: format!("{component}.{}", walk::render_path(path)),
                });
                let depth = path.len();
                self.collect(sub, component, path, depth, Some(me));
                let key = canonical(sub).to_string();
                let next = self.schemas.len();
                let id = *self.by_key.entry(key).or_insert(next);
                if id == next {
                    self.schemas.push(sub.clone());
                }
                self.found[me].shape = id;
                *sub = placeholder(id);
            } else {
                self.collect(sub, component, path, holder_depth, parent);
            }
            path.pop();
        });
    }
}

/// Phase 1, collect occurrences: lifts every inline named type out of the
/// components (in name order, so ids do not depend on document order).
fn collect_occurrences(doc: &mut Value, components: &[String]) -> Collected {
    let mut c = Collected::default();
    for name in components {
        let pointer = format!("/components/schemas/{}", walk::escape_pointer(name));
        let schema = doc.pointer_mut(&pointer).expect("listed components exist");
        c.collect(schema, name, &mut Vec::new(), 0, None);
    }
    c
}

/// Phase 2, group shapes: one [`Shape`] per distinct schema with all its
/// occurrences in location order (the order names are derived in), and the
/// component it is identical to, which it will simply be.
fn group_shapes(c: Collected, doc: &Value, components: &[String]) -> Vec<Shape> {
    let mut component_keys: BTreeMap<String, &String> = BTreeMap::new();
    for name in components {
        let schema = &doc["components"]["schemas"][name];
        component_keys
            .entry(canonical(schema).to_string())
            .or_insert(name);
    }
    let prints = fingerprints(&c.schemas);
    let mut shapes: Vec<Shape> = c
        .schemas
        .into_iter()
        .zip(prints)
        .map(|(schema, fingerprint)| Shape {
            schema,
            occurrences: Vec::new(),
            component: None,
            fingerprint,
        })
        .collect();
    for (key, &id) in &c.by_key {
        shapes[id].component = component_keys.get(key).map(|n| n.to_string());
    }
    for f in &c.found {
        let holder = match f.parent {
            None => Holder::Component(f.component.clone()),
            Some(p) => Holder::Shape(c.found[p].shape),
        };
        shapes[f.shape].occurrences.push(Occurrence {
            holder,
            steps: f.steps.clone(),
            location: f.location.clone(),
        });
    }
    for shape in &mut shapes {
        shape
            .occurrences
            .sort_by(|a, b| a.location.cmp(&b.location));
    }
    shapes
}

/// The fingerprint of every shape, children first (a child's id is always
/// smaller than its parent's: it is interned before the parent's key exists).
fn fingerprints(schemas: &[Value]) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut prints: Vec<String> = Vec::with_capacity(schemas.len());
    for schema in schemas {
        let mut c = canonical(schema);
        walk::walk_pre_mut(&mut c, &mut |v| {
            let child = v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(PLACEHOLDER))
                .and_then(|id| id.parse::<usize>().ok());
            if let Some(id) = child {
                *v = serde_json::json!({ "shape": prints[id] });
            }
        });
        let digest = Sha256::digest(c.to_string().as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        prints.push(hex);
    }
    prints
}

/// How a shape got its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Component,
    Recorded,
    Short,
    ParentProperty,
}

/// Phase 3, choose names: components, then the names file, then the rules
/// for new shapes (see the module documentation).
fn choose_names(
    shapes: &[Shape],
    components: &BTreeSet<String>,
    file: Option<&NamesFile>,
) -> Result<Vec<(String, Origin)>, Error> {
    let mut names: Vec<Option<(String, Origin)>> = vec![None; shapes.len()];
    if let Some(file) = file {
        recorded_names(shapes, components, file, &mut names);
    }
    for (name, shape) in names.iter_mut().zip(shapes) {
        if name.is_none() {
            *name = shape.component.clone().map(|c| (c, Origin::Component));
        }
    }
    let recorded: BTreeSet<&str> = file
        .map(|f| f.names.values().map(String::as_str).collect())
        .unwrap_or_default();
    short_names(shapes, components, &recorded, &mut names);
    for id in 0..shapes.len() {
        parent_property_name(id, shapes, &mut names, 0)?;
    }
    Ok(names
        .into_iter()
        .map(|n| n.expect("every shape is named"))
        .collect())
}

/// Rule 1: the recorded names, strongest claim first — the shape is the
/// recorded one (same fingerprint), then most locations, then the name, then
/// the shape's first location — so when a shape changed at some of its
/// locations the unchanged part keeps the name (else the larger part), and a
/// shape whose locations disagree takes the name most of them hold.
fn recorded_names(
    shapes: &[Shape],
    components: &BTreeSet<String>,
    file: &NamesFile,
    names: &mut [Option<(String, Origin)>],
) {
    type Claim<'a> = (Reverse<bool>, Reverse<usize>, &'a str, &'a str, usize);
    let mut claims: Vec<Claim> = Vec::new();
    for (id, shape) in shapes.iter().enumerate() {
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for occ in &shape.occurrences {
            if let Some(name) = file.names.get(&occ.location) {
                *votes.entry(name).or_default() += 1;
            }
        }
        let first = shape.occurrences[0].location.as_str();
        claims.extend(votes.into_iter().map(|(name, n)| {
            let same = file.shapes.get(name) == Some(&shape.fingerprint);
            (Reverse(same), Reverse(n), name, first, id)
        }));
    }
    claims.sort();
    let mut given: BTreeSet<&str> = BTreeSet::new();
    for (_, _, name, _, id) in claims {
        // A component of the description owns its name, whatever was
        // recorded; only the shape identical to it may have it.
        let own = shapes[id].component.as_deref() == Some(name);
        if names[id].is_some() || (components.contains(name) && !own) || !given.insert(name) {
            continue;
        }
        let origin = if own {
            Origin::Component
        } else {
            Origin::Recorded
        };
        names[id] = Some((name.to_string(), origin));
    }
}

/// Rule 2: a new shared shape takes its property's name when it alone wants
/// it and the name is free: no component, no reserved word, nothing the names
/// file records (a recorded name is never given to a different shape).
fn short_names(
    shapes: &[Shape],
    components: &BTreeSet<String>,
    recorded: &BTreeSet<&str>,
    names: &mut [Option<(String, Origin)>],
) {
    let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, shape) in shapes.iter().enumerate() {
        if shape.occurrences.len() < 2 || names[id].is_some() {
            continue;
        }
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for occ in &shape.occurrences {
            *votes.entry(name_from_steps(&occ.steps)).or_default() += 1;
        }
        let best = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        wanted.entry(best).or_default().push(id);
    }
    let used: BTreeSet<String> = names.iter().flatten().map(|(n, _)| n.clone()).collect();
    for (name, ids) in wanted {
        if ids.len() == 1
            && !name.is_empty()
            && !components.contains(&name)
            && !RESERVED.contains(&name.as_str())
            && !recorded.contains(name.as_str())
            && !used.contains(&name)
        {
            names[ids[0]] = Some((name, Origin::Short));
        }
    }
}

/// Rule 3: `<Parent><Property>` from the first occurrence, naming parents
/// first, so a child of a kept type follows its parent's name.
fn parent_property_name(
    id: usize,
    shapes: &[Shape],
    names: &mut [Option<(String, Origin)>],
    depth: usize,
) -> Result<String, Error> {
    if let Some((n, _)) = &names[id] {
        return Ok(n.clone());
    }
    if depth > 256 {
        return Err(Error::Invalid("shape nesting too deep to name".into()));
    }
    let occ = &shapes[id].occurrences[0];
    let parent = match &occ.holder {
        Holder::Component(c) => c.clone(),
        Holder::Shape(p) => parent_property_name(*p, shapes, names, depth + 1)?,
    };
    let name = format!("{parent}{}", name_from_steps(&occ.steps));
    names[id] = Some((name.clone(), Origin::ParentProperty));
    Ok(name)
}

/// Phase 4, check names: no silent merges — one name, one shape; a component's
/// name only for the shape identical to it; and a name the names file records
/// at a location this document still has only for the shape found there.
fn check_names(
    shapes: &[Shape],
    names: &[(String, Origin)],
    components: &BTreeSet<String>,
    file: Option<&NamesFile>,
) -> Result<(), Error> {
    let mut recorded_at: BTreeMap<&str, &str> = BTreeMap::new();
    if let Some(file) = file {
        for occ in shapes.iter().flat_map(|s| &s.occurrences) {
            if let Some(name) = file.names.get(&occ.location) {
                recorded_at.entry(name).or_insert(&occ.location);
            }
        }
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, (name, origin)) in names.iter().enumerate() {
        let here = || shapes[id].occurrences[0].location.clone();
        if components.contains(name) && *origin != Origin::Component {
            return Err(Error::NameClash {
                name: name.clone(),
                first: format!("components.schemas.{name}"),
                second: here(),
            });
        }
        if let Some(&other) = owner.get(name.as_str()) {
            if other != id {
                return Err(Error::NameClash {
                    name: name.clone(),
                    first: shapes[other].occurrences[0].location.clone(),
                    second: here(),
                });
            }
        }
        owner.insert(name, id);
        let mine = |loc: &str| shapes[id].occurrences.iter().any(|o| o.location == loc);
        if let Some(&at) = recorded_at.get(name.as_str()) {
            if *origin == Origin::ParentProperty && !mine(at) {
                return Err(Error::NameClash {
                    name: name.clone(),
                    first: format!("{at} (recorded in the names file)"),
                    second: here(),
                });
            }
        }
    }
    Ok(())
}

/// Phase 5, rewrite the document: each shape becomes a component under its
/// name (unless it is one already) and placeholders become `$ref`s to it.
fn rewrite_document(doc: &mut Value, shapes: &[Shape], names: &[(String, Origin)]) {
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("hoist checked the components");
    for (shape, (name, _)) in shapes.iter().zip(names) {
        if schemas.contains_key(name) {
            continue;
        }
        let mut s = shape.schema.clone();
        if let Some(obj) = s.as_object_mut() {
            obj.remove("nullable");
        }
        schemas.insert(name.clone(), s);
    }
    let mut to_ref = |v: &mut Value| {
        if let Some(Value::String(r)) = v.get_mut("$ref") {
            if let Some(id) = r.strip_prefix(PLACEHOLDER) {
                let id: usize = id.parse().expect("placeholder id");
                *r = format!("#/components/schemas/{}", names[id].0);
            }
        }
    };
    for (_, s) in schemas.iter_mut() {
        walk::walk_pre_mut(s, &mut to_ref);
    }
    schemas.sort_keys();
}

/// Phase 6, record: the names every location now has, and how they compare
/// with the names file, for the report and for `cargo xtask names`.
fn record(
    shapes: &[Shape],
    names: &[(String, Origin)],
    file: Option<&NamesFile>,
    report: &mut HoistReport,
) {
    let empty = NamesFile::default();
    let file = file.unwrap_or(&empty);
    for (shape, (name, origin)) in shapes.iter().zip(names) {
        let mut recorded = false;
        let mut kept = false;
        for occ in &shape.occurrences {
            report
                .names
                .names
                .insert(occ.location.clone(), name.clone());
            if let Some(old) = file.names.get(&occ.location) {
                recorded = true;
                kept |= old == name;
                if old != name {
                    report.renames.push(Rename {
                        location: occ.location.clone(),
                        recorded: old.clone(),
                        now: name.clone(),
                    });
                }
            }
        }
        report
            .names
            .shapes
            .insert(name.clone(), shape.fingerprint.clone());
        report.short_names += usize::from(*origin == Origin::Short);
        report.kept_names += usize::from(kept);
        report.fresh_names += usize::from(!recorded);
    }
    report.renames.sort_by(|a, b| a.location.cmp(&b.location));
}

/// Hoists every inline named-type schema of `components.schemas` into its own
/// component, keeping the names `names` records (see the module
/// documentation). Fails on a name that two different shapes would need.
pub fn hoist(doc: &mut Value, names: Option<&NamesFile>) -> Result<HoistReport, Error> {
    let mut components: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if components.is_empty() {
        return Ok(HoistReport::default());
    }
    components.sort();
    let collected = collect_occurrences(doc, &components);
    let inline_types = collected.found.len();
    let shapes = group_shapes(collected, doc, &components);
    let taken: BTreeSet<String> = components.into_iter().collect();
    let chosen = choose_names(&shapes, &taken, names)?;
    check_names(&shapes, &chosen, &taken, names)?;
    rewrite_document(doc, &shapes, &chosen);
    audit_newtype_names(doc["components"]["schemas"].as_object().expect("checked"))?;
    let mut report = HoistReport {
        inline_types,
        distinct_shapes: shapes.len(),
        shared_shapes: shapes.iter().filter(|s| s.occurrences.len() > 1).count(),
        ..HoistReport::default()
    };
    record(&shapes, &chosen, names, &mut report);
    Ok(report)
}

/// Is this inline schema one typify turns into a named newtype (a string
/// with length or pattern checks)? Objects and enums are hoisted already.
fn is_newtype(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && ["maxLength", "minLength", "pattern"]
            .iter()
            .any(|k| schema.get(*k).is_some())
        && schema.get("$ref").is_none()
}

/// The rest of "no silent merges": typify names the newtypes that remain
/// inline after hoisting (`<Component>_<property>` in Pascal case, `Item`
/// for list items, `Value` for map values) and reuses a name it has seen for
/// a different schema without a word. Simulate that naming and refuse a name
/// that two different schemas, or a schema and a component, would share.
fn audit_newtype_names(schemas: &Map<String, Value>) -> Result<(), Error> {
    let mut seen: BTreeMap<String, (Value, String)> = BTreeMap::new();
    for (component, schema) in schemas {
        let Some(Value::Object(props)) = schema.get("properties") else {
            continue;
        };
        for (prop, sub) in props {
            let mut name = format!(
                "{component}_{}",
                heck::ToSnakeCase::to_snake_case(prop.as_str())
            );
            let mut location = format!("{component}.{prop}");
            let mut s = sub;
            loop {
                if let Some(items) = s.get("items") {
                    name.push_str("_item");
                    location.push_str(".[]");
                    s = items;
                } else if let Some(v @ Value::Object(_)) = s.get("additionalProperties") {
                    name.push_str("_value");
                    location.push_str(".{}");
                    s = v;
                } else {
                    break;
                }
            }
            if !is_newtype(s) {
                continue;
            }
            let name = name.to_pascal_case();
            let key = canonical(s);
            if schemas.contains_key(&name) {
                return Err(Error::NameClash {
                    name: name.clone(),
                    first: format!("components.schemas.{name}"),
                    second: location,
                });
            }
            match seen.get(&name) {
                Some((other, first)) if *other != key => {
                    return Err(Error::NameClash {
                        name,
                        first: first.clone(),
                        second: location,
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(name, (key, location));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.0.1", "paths": {}, "components": {"schemas": schemas}})
    }

    fn schema_ref(name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    fn obj(props: Value) -> Value {
        json!({"type": "object", "properties": props})
    }

    fn names(d: &Value) -> Vec<String> {
        d["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .cloned()
            .collect()
    }

    /// Inline types, distinct shapes, shared shapes, short names.
    fn report(inline_types: usize, distinct: usize, shared: usize, short: usize) -> [usize; 4] {
        [inline_types, distinct, shared, short]
    }

    fn counts(r: &HoistReport) -> [usize; 4] {
        [
            r.inline_types,
            r.distinct_shapes,
            r.shared_shapes,
            r.short_names,
        ]
    }

    #[test]
    fn identical_shapes_share_one_component_named_by_property() {
        let mut d = doc(json!({
            "B": obj(json!({"service": {
                "type": "object",
                "description": "The service, as B describes it",
                "properties": {"name": {"type": "string", "description": "B's words"}},
            }})),
            "A": obj(json!({
                "service": {
                    "type": "object",
                    "description": "The service",
                    "properties": {"name": {"type": "string"}},
                },
                "id": {"type": "string"},
            })),
        }));
        let r = hoist(&mut d, None).unwrap();
        assert_eq!(counts(&r), report(2, 1, 1, 1));
        assert_eq!(
            d["components"]["schemas"],
            json!({
                "A": obj(json!({"service": schema_ref("Service"), "id": {"type": "string"}})),
                "B": obj(json!({"service": schema_ref("Service")})),
                // The copy seen first (components in name order) documents it.
                "Service": {
                    "type": "object",
                    "description": "The service",
                    "properties": {"name": {"type": "string"}},
                },
            })
        );
        assert_eq!(names(&d), ["A", "B", "Service"]);
    }

    #[test]
    fn list_items_are_named_by_the_singular_property() {
        let nodes = json!({"type": "array", "items": obj(json!({"state": {"type": "string"}}))});
        let mut d = doc(json!({
            "A": obj(json!({"node_states": nodes})),
            "B": obj(json!({"node_states": nodes})),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(2, 1, 1, 1));
        let list = json!({"type": "array", "items": schema_ref("NodeState")});
        assert_eq!(
            d["components"]["schemas"],
            json!({
                "A": obj(json!({"node_states": list})),
                "B": obj(json!({"node_states": list})),
                "NodeState": obj(json!({"state": {"type": "string"}})),
            })
        );
    }

    #[test]
    fn shapes_inside_shared_shapes_are_shared_too() {
        let service = obj(json!({
            "name": {"type": "string"},
            "node_states": {"type": "array", "items": obj(json!({"state": {"type": "string"}}))},
        }));
        let mut d = doc(json!({
            "ServiceGetResponse": obj(json!({"service": service})),
            "ServiceUpdateResponse": obj(json!({"service": service})),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(4, 2, 2, 2));
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Service"],
            obj(json!({
                "name": {"type": "string"},
                "node_states": {"type": "array", "items": schema_ref("NodeState")},
            }))
        );
        assert_eq!(s["NodeState"], obj(json!({"state": {"type": "string"}})));
        assert_eq!(
            s["ServiceGetResponse"],
            obj(json!({"service": schema_ref("Service")}))
        );
        assert_eq!(
            s["ServiceUpdateResponse"],
            obj(json!({"service": schema_ref("Service")}))
        );
    }

    #[test]
    fn a_singleton_is_named_parent_and_property() {
        let mut d = doc(json!({
            "Foo": obj(json!({
                "bar": obj(json!({
                    "baz": obj(json!({"x": {"type": "string"}})),
                    "kind": {"type": "string", "enum": ["a", "b"]},
                })),
                "labels": {"type": "object", "additionalProperties": obj(json!({"v": {"type": "string"}}))},
                "data": {"type": "array", "items": obj(json!({"d": {"type": "integer"}}))},
                "either": {"oneOf": [obj(json!({"p": {"type": "string"}})), {"type": "string"}]},
            })),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(7, 7, 0, 0));
        let s = &d["components"]["schemas"];
        assert_eq!(
            names(&d),
            [
                "Foo",
                "FooBar",
                "FooBarBaz",
                "FooBarKind",
                "FooDataItem",
                "FooEither",
                "FooEitherVariant0",
                "FooLabelsValue",
            ]
        );
        assert_eq!(
            s["Foo"],
            obj(json!({
                "bar": schema_ref("FooBar"),
                "labels": {"type": "object", "additionalProperties": schema_ref("FooLabelsValue")},
                "data": {"type": "array", "items": schema_ref("FooDataItem")},
                "either": schema_ref("FooEither"),
            }))
        );
        assert_eq!(
            s["FooBar"],
            obj(json!({"baz": schema_ref("FooBarBaz"), "kind": schema_ref("FooBarKind")}))
        );
        assert_eq!(
            s["FooBarKind"],
            json!({"type": "string", "enum": ["a", "b"]})
        );
        assert_eq!(
            s["FooEither"],
            json!({"oneOf": [schema_ref("FooEitherVariant0"), {"type": "string"}]})
        );
    }

    #[test]
    fn nullable_stays_out_of_the_component() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar": {"type": "object", "nullable": true, "properties": {"x": {"type": "string"}}}})),
        }));
        hoist(&mut d, None).unwrap();
        assert_eq!(
            d["components"]["schemas"]["FooBar"],
            obj(json!({"x": {"type": "string"}}))
        );
    }

    #[test]
    fn contested_short_names_fall_back_to_parent_and_property() {
        let x = obj(json!({"name": {"type": "string"}}));
        let y = obj(json!({"id": {"type": "integer"}}));
        let mut d = doc(json!({
            "A": obj(json!({"service": x})),
            "B": obj(json!({"service": x})),
            "C": obj(json!({"service": y})),
            "D": obj(json!({"service": y})),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(4, 2, 2, 0));
        let s = &d["components"]["schemas"];
        assert_eq!(s["B"], obj(json!({"service": schema_ref("AService")})));
        assert_eq!(s["D"], obj(json!({"service": schema_ref("CService")})));
        assert_eq!(s["AService"], x);
        assert_eq!(s["CService"], y);
    }

    #[test]
    fn naming_does_not_depend_on_component_order() {
        let x = obj(json!({"name": {"type": "string"}}));
        let y = obj(json!({"id": {"type": "integer"}}));
        let nodes = json!({"type": "array", "items": obj(json!({"state": {"type": "string"}}))});
        let entries = [
            ("Zeta", obj(json!({"service": x, "node_states": nodes}))),
            ("Alpha", obj(json!({"service": y, "node_states": nodes}))),
            ("Mid", obj(json!({"service": x, "other": y}))),
            (
                "Beta",
                obj(json!({"service": y, "extra": obj(json!({"e": {"type": "boolean"}}))})),
            ),
        ];
        let build = |order: &[usize]| {
            let mut schemas = Map::new();
            for &i in order {
                schemas.insert(entries[i].0.to_string(), entries[i].1.clone());
            }
            doc(Value::Object(schemas))
        };
        let mut one = build(&[0, 1, 2, 3]);
        let mut two = build(&[3, 2, 1, 0]);
        let r1 = hoist(&mut one, None).unwrap();
        let r2 = hoist(&mut two, None).unwrap();
        assert_eq!(r1, r2);
        assert_eq!(names(&one), names(&two));
        assert_eq!(one.to_string(), two.to_string());
        assert_eq!(
            names(&one),
            [
                "Alpha",
                "AlphaService",
                "Beta",
                "BetaExtra",
                "Mid",
                "MidService",
                "NodeState",
                "Zeta"
            ]
        );
        let s = &one["components"]["schemas"];
        // `Mid.other` is the same shape as Alpha's and Beta's `service`.
        assert_eq!(s["Mid"]["properties"]["other"], schema_ref("AlphaService"));
        assert_eq!(s["Zeta"]["properties"]["service"], schema_ref("MidService"));
        assert_eq!(
            s["Beta"]["properties"]["service"],
            schema_ref("AlphaService")
        );
    }

    #[test]
    fn a_shape_identical_to_a_component_reuses_it() {
        let mut d = doc(json!({
            "Service": {
                "type": "object",
                "description": "A service",
                "properties": {"name": {"type": "string", "description": "Its name"}},
            },
            "A": obj(json!({"service": obj(json!({"name": {"type": "string"}}))})),
            "B": obj(json!({"svc": obj(json!({"name": {"type": "string"}}))})),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(2, 1, 1, 0));
        assert_eq!(names(&d), ["A", "B", "Service"]);
        let s = &d["components"]["schemas"];
        assert_eq!(s["A"], obj(json!({"service": schema_ref("Service")})));
        assert_eq!(s["B"], obj(json!({"svc": schema_ref("Service")})));
        assert_eq!(s["Service"]["description"], json!("A service"));
    }

    #[test]
    fn reserved_or_taken_short_names_are_not_used() {
        let e = obj(json!({"message": {"type": "string"}}));
        let s = obj(json!({"name": {"type": "string"}}));
        let mut d = doc(json!({
            "A": obj(json!({"error": e, "service": s})),
            "B": obj(json!({"error": e, "service": s})),
            "Service": obj(json!({"id": {"type": "integer"}})),
        }));
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(4, 2, 2, 0));
        assert_eq!(names(&d), ["A", "AError", "AService", "B", "Service"]);
    }

    #[test]
    fn two_shapes_wanting_one_name_is_a_clash() {
        let mut d = doc(json!({
            "FooBar": obj(json!({"baz": obj(json!({"y": {"type": "integer"}}))})),
            "Foo": obj(json!({"bar_baz": obj(json!({"x": {"type": "string"}}))})),
        }));
        let err = hoist(&mut d, None).unwrap_err();
        let Error::NameClash {
            name,
            first,
            second,
        } = &err
        else {
            panic!("expected a name clash, got {err}");
        };
        assert_eq!(name, "FooBarBaz");
        assert_eq!(first, "Foo.bar_baz");
        assert_eq!(second, "FooBar.baz");
        assert_eq!(
            err.to_string(),
            "type name `FooBarBaz` would be used for two different schemas: Foo.bar_baz and FooBar.baz"
        );
    }

    #[test]
    fn a_shape_named_like_a_different_component_is_a_clash() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar": obj(json!({"x": {"type": "string"}}))})),
            "FooBar": obj(json!({"y": {"type": "integer"}})),
        }));
        let err = hoist(&mut d, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "type name `FooBar` would be used for two different schemas: components.schemas.FooBar and Foo.bar"
        );
    }

    #[test]
    fn nothing_to_hoist() {
        let clean = doc(json!({
            "A": obj(json!({"service": schema_ref("B"), "tags": {"type": "array", "items": {"type": "string"}}})),
            "B": {"type": "object", "additionalProperties": {"type": "string"}},
        }));
        let mut d = clean.clone();
        assert_eq!(counts(&hoist(&mut d, None).unwrap()), report(0, 0, 0, 0));
        assert_eq!(d, clean);
        // Hoisting a hoisted document changes nothing.
        let mut once =
            doc(json!({"Foo": obj(json!({"bar": obj(json!({"x": {"type": "string"}}))}))}));
        hoist(&mut once, None).unwrap();
        let mut twice = once.clone();
        assert_eq!(
            counts(&hoist(&mut twice, None).unwrap()),
            report(0, 0, 0, 0)
        );
        assert_eq!(once, twice);
        // A document without component schemas has nothing to hoist.
        let mut bare = json!({"openapi": "3.0.1", "paths": {}});
        assert_eq!(counts(&hoist(&mut bare, None).unwrap()), report(0, 0, 0, 0));
        assert_eq!(bare, json!({"openapi": "3.0.1", "paths": {}}));
    }

    #[test]
    fn singular_of_api_nouns() {
        for (plural, one) in [
            ("node_states", "node_state"),
            ("policies", "policy"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("branches", "branch"),
            ("hashes", "hash"),
            ("status", "status"),
            ("access", "access"),
            ("analysis", "analysis"),
            ("ips", "ips"),
            ("data", "data"),
        ] {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }

    #[test]
    fn canonical_ignores_documentation_only() {
        let a = json!({"type": "object", "description": "a", "title": "A", "x-foo": 1,
            "properties": {"p": {"type": "string", "example": "e", "nullable": true}}});
        let b = json!({"type": "object", "properties": {"p": {"type": "string"}}});
        let c = json!({"type": "object", "properties": {"p": {"type": "integer"}}});
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&a), canonical(&c));
        // Field order is part of the shape.
        let d1 = obj(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
        let d2 = obj(json!({"b": {"type": "string"}, "a": {"type": "string"}}));
        assert_ne!(canonical(&d1).to_string(), canonical(&d2).to_string());
    }

    #[test]
    fn newtypes_typify_would_name_alike_are_a_clash() {
        // typify names both `FooBarBaz`: `Foo` + `bar_baz` and `FooBar` + `baz`.
        let mut d = doc(json!({
            "Foo": obj(json!({"bar_baz": {"type": "string", "maxLength": 5}})),
            "FooBar": obj(json!({"baz": {"type": "string", "maxLength": 9}})),
        }));
        let err = hoist(&mut d, None).unwrap_err().to_string();
        assert_eq!(
            err,
            "type name `FooBarBaz` would be used for two different schemas: Foo.bar_baz and FooBar.baz"
        );
    }

    #[test]
    fn identical_newtypes_with_one_name_are_fine_and_list_items_are_named() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar_baz": {"type": "string", "maxLength": 5, "description": "a"}})),
            "FooBar": obj(json!({"baz": {"type": "string", "maxLength": 5, "description": "b"}})),
            "FooTagsItem": obj(json!({"x": {"type": "integer"}})),
            "Foo2": obj(json!({"tags": {"type": "array", "items": {"type": "string", "pattern": "^a"}}})),
        }));
        hoist(&mut d, None).expect("same schema under one name is one type");
        let mut clash = doc(json!({
            "FooTagsItem": obj(json!({"x": {"type": "integer"}})),
            "Foo": obj(json!({"tags": {"type": "array", "items": {"type": "string", "pattern": "^a"}}})),
        }));
        let err = hoist(&mut clash, None).unwrap_err().to_string();
        assert!(
            err.contains("`FooTagsItem`") && err.contains("Foo.tags.[]"),
            "{err}"
        );
    }

    // Stable names: the names file.

    /// A names file from (location, name) pairs.
    fn file(entries: &[(&str, &str)]) -> NamesFile {
        NamesFile {
            names: entries
                .iter()
                .map(|(l, n)| (l.to_string(), n.to_string()))
                .collect(),
            shapes: BTreeMap::new(),
        }
    }

    /// (kept, fresh, renamed locations).
    fn stability(r: &HoistReport) -> (usize, usize, usize) {
        (r.kept_names, r.fresh_names, r.renames.len())
    }

    #[test]
    fn a_recorded_name_is_kept_when_another_shape_starts_wanting_it() {
        let x = obj(json!({"name": {"type": "string"}}));
        let y = obj(json!({"id": {"type": "integer"}}));
        let old = doc(json!({"A": obj(json!({"service": x})), "B": obj(json!({"service": x}))}));
        let mut first = old.clone();
        let recorded = hoist(&mut first, None).unwrap().names;
        assert_eq!(
            recorded.names,
            file(&[("A.service", "Service"), ("B.service", "Service")]).names
        );
        assert_eq!(recorded.shapes.keys().collect::<Vec<_>>(), ["Service"]);

        // A new shared shape also wants `Service`: by the rules alone both
        // lose it; with the file the old one keeps it.
        let mut bumped = old.clone();
        bumped["components"]["schemas"]["C"] = obj(json!({"service": y}));
        bumped["components"]["schemas"]["D"] = obj(json!({"service": y}));
        let mut by_rules = bumped.clone();
        hoist(&mut by_rules, None).unwrap();
        assert_eq!(
            names(&by_rules),
            ["A", "AService", "B", "C", "CService", "D"]
        );
        let r = hoist(&mut bumped, Some(&recorded)).unwrap();
        assert_eq!(names(&bumped), ["A", "B", "C", "CService", "D", "Service"]);
        assert_eq!(stability(&r), (1, 1, 0));
        assert_eq!(r.names.names["D.service"], "CService");
    }

    #[test]
    fn a_new_shape_never_steals_a_recorded_name() {
        // `Service` is recorded for A's shape, which has since gone; a new
        // shared shape wanting the name is named `<Parent><Property>`.
        let y = obj(json!({"id": {"type": "integer"}}));
        let recorded = file(&[("A.service", "Service"), ("B.service", "Service")]);
        let mut d = doc(json!({"C": obj(json!({"service": y})), "D": obj(json!({"service": y}))}));
        let r = hoist(&mut d, Some(&recorded)).unwrap();
        assert_eq!(names(&d), ["C", "CService", "D"]);
        assert_eq!(stability(&r), (0, 1, 0));
        assert_eq!(r.short_names, 0);

        // A `<Parent><Property>` name recorded for a location this document
        // still has, whose shape lost it, is refused with both locations.
        let z = obj(json!({"z": {"type": "boolean"}}));
        let recorded = file(&[("X.thing", "FooBar"), ("Y.thing", "FooBar")]);
        let mut d = doc(json!({
            "X": obj(json!({"thing": z})),
            "Y": obj(json!({"thing": obj(json!({"w": {"type": "boolean"}}))})),
            "Foo": obj(json!({"bar": obj(json!({"v": {"type": "string"}}))})),
        }));
        let err = hoist(&mut d, Some(&recorded)).unwrap_err().to_string();
        assert_eq!(
            err,
            "type name `FooBar` would be used for two different schemas: \
             X.thing (recorded in the names file) and Foo.bar"
        );
    }

    #[test]
    fn disagreeing_locations_resolve_deterministically() {
        let x = obj(json!({"name": {"type": "string"}}));
        let three = |a: &str, b: &str, c: &str| file(&[("A.s", a), ("B.s", b), ("C.s", c)]);
        let shared = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x})), "C": obj(json!({"s": x})),
        }));
        // The name most locations hold wins; the others count as renames.
        let mut d = shared.clone();
        let r = hoist(&mut d, Some(&three("Two", "One", "Two"))).unwrap();
        assert_eq!(names(&d), ["A", "B", "C", "Two"]);
        assert_eq!(stability(&r), (1, 0, 1));
        assert_eq!(
            r.renames,
            [Rename {
                location: "B.s".into(),
                recorded: "One".into(),
                now: "Two".into()
            }]
        );
        // A tie goes to the first name, whatever the order of the locations.
        let mut d = shared.clone();
        let r = hoist(&mut d, Some(&three("Zed", "Alpha", "Zed2"))).unwrap();
        assert_eq!(names(&d), ["A", "Alpha", "B", "C"]);
        assert_eq!(stability(&r), (1, 0, 2));
        // An unrecorded location of a recorded shape just follows it.
        let mut d = shared.clone();
        let r = hoist(&mut d, Some(&file(&[("C.s", "Thing")]))).unwrap();
        assert_eq!(names(&d), ["A", "B", "C", "Thing"]);
        assert_eq!(stability(&r), (1, 0, 0));
        assert_eq!(r.names.names["A.s"], "Thing");
    }

    #[test]
    fn when_a_shape_splits_the_unchanged_part_keeps_the_name() {
        let x = obj(json!({"name": {"type": "string"}}));
        let x2 = obj(json!({"name": {"type": "string"}, "extra": {"type": "integer"}}));
        let mut old = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x})), "C": obj(json!({"s": x})),
        }));
        let recorded = hoist(&mut old, None).unwrap().names;
        assert_eq!(recorded.names["A.s"], "S");
        // B and C changed, A did not: A keeps `S` although outnumbered.
        let mut d = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x2})), "C": obj(json!({"s": x2})),
        }));
        let r = hoist(&mut d, Some(&recorded)).unwrap();
        assert_eq!(d["components"]["schemas"]["S"], x);
        assert_eq!(r.names.names["B.s"], "BS");
        assert_eq!(stability(&r), (1, 0, 2));
        // Without fingerprints (or when every part changed) most locations win.
        let mut bare = recorded.clone();
        bare.shapes.clear();
        let mut d = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x2})), "C": obj(json!({"s": x2})),
        }));
        let r = hoist(&mut d, Some(&bare)).unwrap();
        assert_eq!(d["components"]["schemas"]["S"], x2);
        assert_eq!(r.names.names["A.s"], "AS");
        assert_eq!(stability(&r), (1, 0, 1));
    }

    #[test]
    fn recorded_names_and_components() {
        let x = obj(json!({"name": {"type": "string"}}));
        let recorded = file(&[("A.s", "Thing"), ("B.s", "Thing")]);
        // A later component identical to the shape does not rename it.
        let mut d = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x})), "NewComponent": x,
        }));
        let r = hoist(&mut d, Some(&recorded)).unwrap();
        assert_eq!(names(&d), ["A", "B", "NewComponent", "Thing"]);
        assert_eq!(stability(&r), (1, 0, 0));
        // A component named like the recorded type owns the name: a rename.
        let mut d = doc(json!({
            "A": obj(json!({"s": x})), "B": obj(json!({"s": x})),
            "Thing": obj(json!({"other": {"type": "integer"}})),
        }));
        let r = hoist(&mut d, Some(&recorded)).unwrap();
        assert_eq!(names(&d), ["A", "B", "S", "Thing"]);
        assert_eq!(stability(&r), (0, 0, 2));
        // Recorded as the component it is identical to: kept.
        let mut d = doc(json!({"A": obj(json!({"s": x})), "Thing": x}));
        let r = hoist(&mut d, Some(&file(&[("A.s", "Thing")]))).unwrap();
        assert_eq!(names(&d), ["A", "Thing"]);
        assert_eq!(stability(&r), (1, 0, 0));
    }

    #[test]
    fn children_of_a_kept_type_follow_its_name() {
        let inner = obj(json!({"v": {"type": "string"}}));
        let outer = obj(json!({"inner": inner, "n": {"type": "integer"}}));
        let mut d = doc(json!({"A": obj(json!({"s": outer}))}));
        let r = hoist(&mut d, Some(&file(&[("A.s", "Kept")]))).unwrap();
        assert_eq!(names(&d), ["A", "Kept", "KeptInner"]);
        assert_eq!(stability(&r), (1, 1, 0));
        assert_eq!(r.names.names["A.s.inner"], "KeptInner");
    }

    #[test]
    fn names_file_round_trip_and_validation() {
        let mut d = doc(json!({"A": obj(json!({"s": obj(json!({"x": {"type": "string"}}))}))}));
        let written = hoist(&mut d, None).unwrap().names;
        let text = written.to_json_string();
        assert!(
            text.ends_with("}\n") && text.contains("\n    \"A.s\": \"AS\"\n"),
            "{text}"
        );
        let read = NamesFile::from_json(&serde_json::from_str(&text).unwrap(), "f").unwrap();
        assert_eq!(read, written);
        let err = |v: Value| NamesFile::from_json(&v, "f.json").unwrap_err().to_string();
        assert_eq!(err(json!({"comment": "c"})), "f.json: no `names` object");
        assert_eq!(
            err(json!({"names": {"A.s": "not a name"}})),
            "f.json: `not a name` (for `A.s`) is not a usable type name"
        );
        assert_eq!(
            err(json!({"names": {"A.s": "Error"}})),
            "f.json: `Error` (for `A.s`) is not a usable type name"
        );
        assert_eq!(
            err(json!({"names": {}, "nmaes": {}})),
            "f.json: unknown key `nmaes` (expected `comment`, `names` and `shapes`)"
        );
        assert!(NamesFile::from_json(&json!({"names": {}}), "f").is_ok());
    }
}
