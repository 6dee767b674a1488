//! The restart invariant (issue 17): whatever the simulator holds when it is
//! killed (`kill -9` of the binary), it holds again after a restart on the
//! same state file. Checked over every operation of the description, over
//! seeded random sequences of the hand-modelled changes, after a restore of
//! a snapshot and after the migration of a JSON state file. States are
//! `GET /_sim/state` answers, compared whole; a failure names the first
//! differing JSON path.
//!
//! **Granularity.** A restart of the debug binary takes about half a
//! second, too long to kill after each of hundreds of changes. After every
//! change (every request after which `GET /_sim/state` differs) the test
//! instead checks what a `kill -9` at that moment would leave: it copies
//! the state file and starts a simulator in this process on the copy
//! ([`Harness::check_on_disk`]). The copy is exactly the file a `kill -9`
//! leaves: a change is committed and `fsync`ed before it is answered and
//! nothing of it is held only in the process (the page cache the copy reads
//! is what survives the process); and the simulator in this process loads it
//! with the code the binary runs at start. Real kills of the binary, with a
//! restart on the same file, come every few changes and at the end of each
//! walk ([`Harness::kill_and_restart`]), and prove the two equivalent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::binary::{send, spawn_server, Server};
use crate::common::{builder, first_difference, request, state_body, walk_every_operation, Target};
use aiven_sim::spec::OperationSpec;
use aiven_sim::ManualClock;
use serde_json::{json, Value};

/// The binary on a state file, with what was checked.
struct Harness {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    path: PathBuf,
    server: Option<Server>,
    /// The state after the last request.
    last: Value,
    /// Requests made.
    requests: usize,
    /// Requests after which the state differed (each checked on disk).
    changes: usize,
    /// Real `kill -9`s and restarts.
    kills: usize,
    /// Kill after every this many changes (0: only when asked).
    kill_every: usize,
    /// Changes since the last kill.
    since_kill: usize,
    /// The operations that changed the state, by operationId (walks).
    changed_by: BTreeMap<String, usize>,
    /// Whether the last request changed the state.
    last_changed: bool,
    /// What is being done (the context of a failure).
    doing: String,
    /// Added to a failure's message (how to reproduce it).
    context: String,
}

impl Harness {
    /// The binary on a new state file named `file`.
    async fn new(file: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file);
        Self::on(dir, path).await
    }

    /// The binary on `path` (in `dir`), which may hold a state already.
    async fn on(dir: tempfile::TempDir, path: PathBuf) -> Self {
        let server = spawn_server(&path).await;
        let mut h = Self {
            dir: dir.path().to_path_buf(),
            _dir: dir,
            path,
            server: Some(server),
            last: Value::Null,
            requests: 0,
            changes: 0,
            kills: 0,
            kill_every: 0,
            since_kill: 0,
            changed_by: BTreeMap::new(),
            last_changed: false,
            doing: String::new(),
            context: String::new(),
        };
        h.last = h.served().await;
        h
    }

    fn server(&self) -> &Server {
        self.server.as_ref().expect("the binary runs")
    }

    /// `GET /_sim/state` of the binary.
    async fn served(&self) -> Value {
        let (status, state) = send(self.server(), "GET", "/_sim/state", None).await;
        assert_eq!(status, 200, "GET /_sim/state: {state}");
        state
    }

    /// A request under `/v1`; no request may fail on the server's side.
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.requests += 1;
        let (status, answer) = send(self.server(), method, &format!("/v1{path}"), body).await;
        assert!(
            status < 500,
            "{method} {path}: {status} {answer}{}",
            self.context
        );
        (status, answer)
    }

    /// After a request (`what`, with the state `now`): if the state changed,
    /// the file must hold it; every `kill_every` changes, a real kill.
    async fn after(&mut self, what: &str, now: Value) {
        if now == self.last {
            return;
        }
        self.last = now;
        self.changes += 1;
        self.doing = what.to_string();
        self.check_on_disk().await;
        self.since_kill += 1;
        if self.kill_every > 0 && self.since_kill >= self.kill_every {
            self.kill_and_restart().await;
        }
    }

    /// A request (`what` names it in failures), then the check of its change.
    async fn step(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let answer = self.call(method, path, body).await;
        let now = self.served().await;
        self.after(&format!("{method} {path}"), now).await;
        answer
    }

    /// What a `kill -9` now would leave (see the module's documentation):
    /// the state a simulator started on a copy of the file serves.
    async fn on_disk(&self) -> Value {
        let copy = self.dir.join("copy.redb");
        std::fs::copy(&self.path, &copy).unwrap();
        let mut sim = builder(&ManualClock::new())
            .state_file(&copy)
            .start()
            .await
            .unwrap_or_else(|e| panic!("{}: a copy of the file does not load: {e}", self.doing));
        let http = aiven_api::tls::client_builder().build().unwrap();
        let root = sim.base_url().trim_end_matches("/v1").to_string();
        let (status, state) = request(&http, &root, "GET", "/_sim/state", None).await;
        assert_eq!(status, 200, "{state}");
        sim.shutdown().await;
        drop(sim);
        std::fs::remove_file(&copy).unwrap();
        state
    }

    /// The file holds the state the binary serves.
    async fn check_on_disk(&mut self) {
        let on_disk = self.on_disk().await;
        self.assert_same(
            &self.last,
            &on_disk,
            "the state served and the state file (what a kill -9 would leave)",
        );
    }

    /// Panics naming the first difference unless `a` and `b` are equal.
    #[track_caller]
    fn assert_same(&self, a: &Value, b: &Value, what: &str) {
        if let Some(d) = first_difference(a, b) {
            panic!(
                "after {}, {what}: the states differ {d}{}",
                self.doing, self.context
            );
        }
    }

    /// `kill -9` of the binary and a restart on the same file: the state
    /// served after is the state served before.
    async fn kill_and_restart(&mut self) {
        let before = self.served().await;
        self.server.take().expect("the binary runs").kill();
        self.server = Some(spawn_server(&self.path).await);
        self.kills += 1;
        self.since_kill = 0;
        let after = self.served().await;
        self.assert_same(
            &before,
            &after,
            "a kill -9: the state before and after the restart",
        );
        self.last = after;
    }
}

/// The walk drives the binary and checks each operation's change.
impl Target for Harness {
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let changes = self.changes;
        let answer = self.step(method, path, body).await;
        self.last_changed = self.changes > changes;
        answer
    }

    async fn snapshot(&mut self) -> Value {
        self.last.clone()
    }

    async fn answered(&mut self, op: &OperationSpec, _: &str, _: u16) {
        if self.last_changed {
            *self.changed_by.entry(op.operation_id.clone()).or_default() += 1;
        }
    }
}

/// Every operation of the description (hand-modelled and generic, valid
/// requests: the walk of `generic::every_operation_is_answered_and_conforms`)
/// on the binary with a state file: after each that changed the state, the
/// file holds that state; every 15 changes and at the end, a `kill -9` and a
/// restart give the same state back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_survives_a_kill_of_the_binary() {
    let started = std::time::Instant::now();
    let mut h = Harness::new("state.redb").await;
    h.kill_every = 15;
    let walked = walk_every_operation(&mut h).await;
    h.doing = "the walk through every operation".into();
    h.kill_and_restart().await;
    let ok = walked
        .answers
        .values()
        .filter(|(s, _)| *s / 100 == 2)
        .count();
    eprintln!(
        "{} operations ({ok} answered 2xx), {} requests, {} changes checked on disk, \
         {} operations changed the state, {} kills and restarts, {:.1?}",
        walked.answers.len(),
        h.requests,
        h.changes,
        h.changed_by.len(),
        h.kills,
        started.elapsed()
    );
    assert_eq!(
        walked.answers.len(),
        aiven_sim::spec::spec().operations.len()
    );
    assert!(
        walked.invalid_examples.is_empty(),
        "{:?}",
        walked.invalid_examples
    );
    // The walk changed something for most operations that can: creates,
    // updates and deletes of both models.
    assert!(h.changed_by.len() > 150, "{:?}", h.changed_by.keys());
    for id in [
        "ProjectCreate",
        "ServiceCreate",
        "ServiceKafkaTopicCreate",
        "ServiceUserCreate",
        "ServiceDelete",
        "ProjectDelete",
    ] {
        assert!(h.changed_by.contains_key(id), "{id} changed nothing");
    }
    let state = state_body(&h.last);
    assert!(
        state["generic"].as_object().is_some_and(|g| !g.is_empty()),
        "the generic model's items were kept"
    );
}

/// SplitMix64: the random sequences' generator, seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An integer in `[0, n)` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: impl IntoIterator<Item = &'a T>) -> Option<&'a T>
    where
        T: 'a,
    {
        let items: Vec<&T> = items.into_iter().collect();
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
}

/// A service of the random sequences, with what the sequence made in it.
#[derive(Default)]
struct Svc {
    kind: &'static str,
    /// Topic → partitions.
    topics: BTreeMap<String, u64>,
    users: Vec<String>,
    databases: Vec<String>,
    /// Pool → (database, user).
    pools: BTreeMap<String, (String, String)>,
    acls: Vec<String>,
    native_acls: Vec<String>,
    quotas: Vec<String>,
    /// Subject → its fields.
    subjects: BTreeMap<String, usize>,
    connectors: Vec<String>,
}

#[derive(Default)]
struct Proj {
    services: BTreeMap<String, Svc>,
    vpc: Option<String>,
    endpoints: Vec<String>,
    /// Id → (source service, destination project, destination service).
    integrations: BTreeMap<String, (String, String, String)>,
}

/// What a random sequence made so far: its requests choose among it, so
/// that each is valid.
#[derive(Default)]
struct Model {
    projects: BTreeMap<String, Proj>,
    /// Organization VPCs: id, cloud.
    organization_vpcs: Vec<(String, &'static str)>,
    /// Names made so far (a fresh one each time).
    made: usize,
}

/// A request of a random sequence, and what it makes in the model once
/// answered 2xx (given the answer).
struct Step {
    method: &'static str,
    path: String,
    body: Option<Value>,
    apply: Apply,
}

/// What a step makes in the model, given its answer.
type Apply = Box<dyn FnOnce(&mut Model, &Value)>;

fn step(
    method: &'static str,
    path: String,
    body: Option<Value>,
    apply: impl FnOnce(&mut Model, &Value) + 'static,
) -> Option<Step> {
    Some(Step {
        method,
        path,
        body,
        apply: Box::new(apply),
    })
}

impl Model {
    fn fresh(&mut self, prefix: &str) -> String {
        self.made += 1;
        format!("{prefix}{}", self.made)
    }

    /// A service (project, name) of one of these kinds.
    fn service(&self, rng: &mut Rng, kinds: &[&str]) -> Option<(String, String)> {
        self.service_with(rng, kinds, |_| true)
    }

    /// A service (project, name) of one of these kinds that `has` something.
    fn service_with(
        &self,
        rng: &mut Rng,
        kinds: &[&str],
        has: impl Fn(&Svc) -> bool,
    ) -> Option<(String, String)> {
        let all: Vec<(String, String)> = self
            .projects
            .iter()
            .flat_map(|(p, proj)| {
                proj.services
                    .iter()
                    .filter(|(_, s)| kinds.contains(&s.kind) && has(s))
                    .map(move |(s, _)| (p.clone(), s.clone()))
            })
            .collect();
        rng.pick(&all).cloned()
    }

    fn svc(&mut self, p: &str, s: &str) -> &mut Svc {
        self.projects
            .get_mut(p)
            .and_then(|proj| proj.services.get_mut(s))
            .expect("in the model")
    }
}

/// The id of the item `answer` names under `key` (an object, or the last of
/// a list).
fn id_in(answer: &Value, key: &str, id: &str) -> String {
    let item = match &answer[key] {
        Value::Array(items) => items.last().cloned().unwrap_or_default(),
        v => v.clone(),
    };
    item[id]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}.{id} in {answer}"))
        .to_string()
}

/// The kinds of services the sequences make.
const KINDS: &[&str] = &["pg", "kafka", "opensearch", "valkey"];

/// A service of this kind in one of the projects.
fn service_create(m: &mut Model, rng: &mut Rng, kind: &'static str) -> Option<Step> {
    let p = rng.pick(m.projects.keys())?.clone();
    let mut body = match kind {
        "kafka" => json!({"plan": "business-4",
            "user_config": {"kafka_connect": true, "schema_registry": true}}),
        "opensearch" => json!({"plan": "business-4"}),
        _ => json!({"plan": "startup-4"}),
    };
    let s = m.fresh("s");
    body["service_name"] = json!(s);
    body["service_type"] = json!(kind);
    step(
        "POST",
        format!("/project/{p}/service"),
        Some(body),
        move |m, _| {
            let svc = Svc {
                kind,
                ..Svc::default()
            };
            m.projects.get_mut(&p).unwrap().services.insert(s, svc);
        },
    )
}

/// A generator of hand-modelled requests: `None` when the model holds
/// nothing it applies to.
type Generator = fn(&mut Model, &mut Rng) -> Option<Step>;

const KAFKA: &[&str] = &["kafka"];
const PG: &[&str] = &["pg"];
/// Clouds of the organization's VPCs.
const CLOUDS: &[&str] = &[
    "google-europe-west1",
    "aws-eu-west-1",
    "do-ams",
    "azure-westeurope",
];

/// The generators of the random sequences: creates, updates and deletes of
/// projects, services, topics, users, databases, pools, integrations,
/// endpoints, ACLs, quotas, VPCs, schemas, connectors, OpenSearch ACLs and
/// (the one generic operation) Flink applications.
fn generators() -> Vec<(&'static str, Generator)> {
    vec![
        ("project create", |m, _| {
            let p = m.fresh("p");
            let body = json!({ "project": p });
            step("POST", "/project".into(), Some(body), move |m, _| {
                m.projects.insert(p, Proj::default());
            })
        }),
        ("project rename", |m, rng| {
            let p = rng.pick(m.projects.keys())?.clone();
            let new = m.fresh("r");
            let body = json!({ "project_name": new });
            step("PUT", format!("/project/{p}"), Some(body), move |m, _| {
                let proj = m.projects.remove(&p).unwrap();
                m.projects.insert(new.clone(), proj);
                for proj in m.projects.values_mut() {
                    for (_, dest_project, _) in proj.integrations.values_mut() {
                        if *dest_project == p {
                            dest_project.clone_from(&new);
                        }
                    }
                }
            })
        }),
        ("project tags", |m, rng| {
            let p = rng.pick(m.projects.keys())?.clone();
            let body = json!({"tags": { m.fresh("k"): "v", "env": rng.below(3).to_string() }});
            step("PATCH", format!("/project/{p}/tags"), Some(body), |_, _| {})
        }),
        ("project delete", |m, rng| {
            let empty: Vec<&String> = m
                .projects
                .iter()
                .filter(|(_, proj)| proj.services.is_empty() && proj.vpc.is_none())
                .map(|(p, _)| p)
                .collect();
            let p = rng.pick(empty)?.clone();
            step("DELETE", format!("/project/{p}"), None, move |m, _| {
                m.projects.remove(&p);
            })
        }),
        ("service create", |m, rng| {
            let kind = KINDS[rng.below(KINDS.len())];
            service_create(m, rng, kind)
        }),
        ("service update", |m, rng| {
            let (p, s) = m.service(rng, KINDS)?;
            let dow = ["monday", "tuesday", "sunday"][rng.below(3)];
            let body = json!({"maintenance": {"dow": dow, "time": "10:00:00"}});
            step(
                "PUT",
                format!("/project/{p}/service/{s}"),
                Some(body),
                |_, _| {},
            )
        }),
        ("service tags", |m, rng| {
            let (p, s) = m.service(rng, KINDS)?;
            let body = json!({"tags": { m.fresh("t"): "x" }});
            step(
                "PATCH",
                format!("/project/{p}/service/{s}/tags"),
                Some(body),
                |_, _| {},
            )
        }),
        ("service maintenance", |m, rng| {
            let (p, s) = m.service(rng, &["pg", "valkey"])?;
            step(
                "PUT",
                format!("/project/{p}/service/{s}/maintenance/start"),
                None,
                |_, _| {},
            )
        }),
        ("service delete", |m, rng| {
            let (p, s) = m.service(rng, KINDS)?;
            step(
                "DELETE",
                format!("/project/{p}/service/{s}"),
                None,
                move |m, _| {
                    m.projects.get_mut(&p).unwrap().services.remove(&s);
                    // Its integrations, in every project, go with it.
                    for (q, proj) in &mut m.projects {
                        proj.integrations.retain(|_, (src, dp, dst)| {
                            !((*q == p && *src == s) || (*dp == p && *dst == s))
                        });
                    }
                },
            )
        }),
        ("topic create", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let t = m.fresh("t");
            let partitions = 1 + rng.below(3) as u64;
            let body = json!({"topic_name": t, "partitions": partitions});
            step(
                "POST",
                format!("/project/{p}/service/{s}/topic"),
                Some(body),
                move |m, _| {
                    m.svc(&p, &s).topics.insert(t, partitions);
                },
            )
        }),
        ("topic update", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.topics.is_empty())?;
            let (t, n) = rng
                .pick(&m.svc(&p, &s).topics.clone().into_iter().collect::<Vec<_>>())?
                .clone();
            let body = json!({"partitions": n + 1});
            step(
                "PUT",
                format!("/project/{p}/service/{s}/topic/{t}"),
                Some(body),
                move |m, _| {
                    m.svc(&p, &s).topics.insert(t, n + 1);
                },
            )
        }),
        ("topic delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.topics.is_empty())?;
            let t = rng.pick(m.svc(&p, &s).topics.keys())?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/topic/{t}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).topics.remove(&t);
                },
            )
        }),
        ("kafka acl add", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let u = m.fresh("u");
            let body = json!({"permission": "read", "topic": "*", "username": u});
            step(
                "POST",
                format!("/project/{p}/service/{s}/acl"),
                Some(body),
                move |m, answer| {
                    let id = id_in(answer, "acl", "id");
                    m.svc(&p, &s).acls.push(id);
                },
            )
        }),
        ("kafka acl delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.acls.is_empty())?;
            let id = rng.pick(&m.svc(&p, &s).acls)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/acl/{id}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).acls.retain(|a| *a != id);
                },
            )
        }),
        ("kafka native acl add", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let body = json!({"host": "*", "operation": "Write", "pattern_type": "LITERAL",
                "permission_type": "DENY", "principal": format!("User:{}", m.fresh("u")),
                "resource_name": "payments", "resource_type": "Topic"});
            step(
                "POST",
                format!("/project/{p}/service/{s}/kafka/acl"),
                Some(body),
                move |m, answer| {
                    let id = id_in(answer, "acl", "id");
                    m.svc(&p, &s).native_acls.push(id);
                },
            )
        }),
        ("kafka native acl delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.native_acls.is_empty())?;
            let id = rng.pick(&m.svc(&p, &s).native_acls)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/kafka/acl/{id}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).native_acls.retain(|a| *a != id);
                },
            )
        }),
        ("kafka quota create", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let u = m.fresh("u");
            let body = json!({"user": u, "producer_byte_rate": 1024 * (1 + rng.below(8))});
            step(
                "POST",
                format!("/project/{p}/service/{s}/quota"),
                Some(body),
                move |m, _| {
                    m.svc(&p, &s).quotas.push(u);
                },
            )
        }),
        ("kafka quota delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.quotas.is_empty())?;
            let u = rng.pick(&m.svc(&p, &s).quotas)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/quota?user={u}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).quotas.retain(|q| *q != u);
                },
            )
        }),
        ("schema register", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let existing = rng.pick(m.svc(&p, &s).subjects.keys()).cloned();
            let (subject, fields) = match existing {
                Some(subject) if !rng.chance(3) => {
                    let n = m.svc(&p, &s).subjects[&subject] + 1;
                    (subject, n)
                }
                _ => (format!("{}-value", m.fresh("subject")), 1),
            };
            // Each version adds a field with a default: compatible whatever
            // the compatibility level.
            let fields: Vec<Value> = (0..fields)
                .map(|i| json!({"name": format!("f{i}"), "type": "int", "default": 0}))
                .collect();
            let schema = json!({"type": "record", "name": "R", "fields": fields}).to_string();
            let n = fields.len();
            step(
                "POST",
                format!("/project/{p}/service/{s}/kafka/schema/subjects/{subject}/versions"),
                Some(json!({ "schema": schema })),
                move |m, _| {
                    m.svc(&p, &s).subjects.insert(subject, n);
                },
            )
        }),
        ("schema subject delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.subjects.is_empty())?;
            let subject = rng.pick(m.svc(&p, &s).subjects.keys())?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/kafka/schema/subjects/{subject}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).subjects.remove(&subject);
                },
            )
        }),
        ("schema compatibility", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let level = ["BACKWARD", "FULL", "NONE"][rng.below(3)];
            step(
                "PUT",
                format!("/project/{p}/service/{s}/kafka/schema/config"),
                Some(json!({ "compatibility": level })),
                |_, _| {},
            )
        }),
        ("connector create", |m, rng| {
            let (p, s) = m.service(rng, KAFKA)?;
            let c = m.fresh("c");
            let body = json!({"name": c,
                "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
                "tasks.max": (1 + rng.below(3)).to_string(), "topics": "orders"});
            step(
                "POST",
                format!("/project/{p}/service/{s}/connectors"),
                Some(body),
                move |m, _| {
                    m.svc(&p, &s).connectors.push(c);
                },
            )
        }),
        ("connector pause or resume", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.connectors.is_empty())?;
            let c = rng.pick(&m.svc(&p, &s).connectors)?.clone();
            let what = ["pause", "resume"][rng.below(2)];
            step(
                "POST",
                format!("/project/{p}/service/{s}/connectors/{c}/{what}"),
                None,
                |_, _| {},
            )
        }),
        ("connector delete", |m, rng| {
            let (p, s) = m.service_with(rng, KAFKA, |v| !v.connectors.is_empty())?;
            let c = rng.pick(&m.svc(&p, &s).connectors)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/connectors/{c}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).connectors.retain(|x| *x != c);
                },
            )
        }),
        ("user create", |m, rng| {
            let (p, s) = m.service(rng, PG)?;
            let u = m.fresh("u");
            step(
                "POST",
                format!("/project/{p}/service/{s}/user"),
                Some(json!({ "username": u })),
                move |m, _| {
                    m.svc(&p, &s).users.push(u);
                },
            )
        }),
        ("user credentials", |m, rng| {
            let (p, s) = m.service_with(rng, PG, |v| !v.users.is_empty())?;
            let u = rng.pick(&m.svc(&p, &s).users)?.clone();
            if rng.chance(2) {
                return step(
                    "PUT",
                    format!("/project/{p}/service/{s}/user/{u}/credentials/reset"),
                    None,
                    |_, _| {},
                );
            }
            let password = format!("a-long-enough-password-{}", m.fresh(""));
            step(
                "PUT",
                format!("/project/{p}/service/{s}/user/{u}"),
                Some(json!({"operation": "reset-credentials", "new_password": password})),
                |_, _| {},
            )
        }),
        ("user delete", |m, rng| {
            let (p, s) = m.service_with(rng, PG, |v| {
                v.users
                    .iter()
                    .any(|u| v.pools.values().all(|(_, pu)| pu != u))
            })?;
            let svc = m.svc(&p, &s);
            let free: Vec<&String> = svc
                .users
                .iter()
                .filter(|u| svc.pools.values().all(|(_, pu)| pu != *u))
                .collect();
            let u = rng.pick(free)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/user/{u}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).users.retain(|x| *x != u);
                },
            )
        }),
        ("database create", |m, rng| {
            let (p, s) = m.service(rng, PG)?;
            let d = m.fresh("d");
            step(
                "POST",
                format!("/project/{p}/service/{s}/db"),
                Some(json!({ "database": d })),
                move |m, _| {
                    m.svc(&p, &s).databases.push(d);
                },
            )
        }),
        ("database delete", |m, rng| {
            let (p, s) = m.service_with(rng, PG, |v| {
                v.databases
                    .iter()
                    .any(|d| v.pools.values().all(|(pd, _)| pd != d))
            })?;
            let svc = m.svc(&p, &s);
            let free: Vec<&String> = svc
                .databases
                .iter()
                .filter(|d| svc.pools.values().all(|(pd, _)| pd != *d))
                .collect();
            let d = rng.pick(free)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/db/{d}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).databases.retain(|x| *x != d);
                },
            )
        }),
        ("pool create", |m, rng| {
            let (p, s) =
                m.service_with(rng, PG, |v| !v.databases.is_empty() && !v.users.is_empty())?;
            let svc = m.svc(&p, &s);
            let d = rng.pick(&svc.databases)?.clone();
            let u = rng.pick(&svc.users)?.clone();
            let pool = m.fresh("pool");
            let body = json!({"pool_name": pool, "database": d, "username": u});
            step(
                "POST",
                format!("/project/{p}/service/{s}/connection_pool"),
                Some(body),
                move |m, _| {
                    m.svc(&p, &s).pools.insert(pool, (d, u));
                },
            )
        }),
        ("pool update", |m, rng| {
            let (p, s) = m.service_with(rng, PG, |v| !v.pools.is_empty())?;
            let pool = rng.pick(m.svc(&p, &s).pools.keys())?.clone();
            let mode = ["session", "transaction"][rng.below(2)];
            let body = json!({"pool_mode": mode, "pool_size": 10 + rng.below(20)});
            step(
                "PUT",
                format!("/project/{p}/service/{s}/connection_pool/{pool}"),
                Some(body),
                |_, _| {},
            )
        }),
        ("pool delete", |m, rng| {
            let (p, s) = m.service_with(rng, PG, |v| !v.pools.is_empty())?;
            let pool = rng.pick(m.svc(&p, &s).pools.keys())?.clone();
            step(
                "DELETE",
                format!("/project/{p}/service/{s}/connection_pool/{pool}"),
                None,
                move |m, _| {
                    m.svc(&p, &s).pools.remove(&pool);
                },
            )
        }),
        ("integration create", |m, rng| {
            // A read replica, possibly into another project.
            let (p, src) = m.service(rng, PG)?;
            let (q, dst) = m.service(rng, PG)?;
            let taken = m.projects[&p]
                .integrations
                .values()
                .any(|i| *i == (src.clone(), q.clone(), dst.clone()));
            if (p == q && src == dst) || taken {
                return None;
            }
            let body = json!({"integration_type": "read_replica", "source_service": src,
                "dest_project": q, "dest_service": dst});
            step(
                "POST",
                format!("/project/{p}/integration"),
                Some(body),
                move |m, answer| {
                    let id = id_in(answer, "service_integration", "service_integration_id");
                    let proj = m.projects.get_mut(&p).unwrap();
                    proj.integrations.insert(id, (src, q, dst));
                },
            )
        }),
        ("integration delete", |m, rng| {
            let with = m
                .projects
                .iter()
                .filter(|(_, q)| !q.integrations.is_empty());
            let p = rng.pick(with.map(|(p, _)| p))?.clone();
            let id = rng.pick(m.projects[&p].integrations.keys())?.clone();
            step(
                "DELETE",
                format!("/project/{p}/integration/{id}"),
                None,
                move |m, _| {
                    m.projects.get_mut(&p).unwrap().integrations.remove(&id);
                },
            )
        }),
        ("endpoint create", |m, rng| {
            let p = rng.pick(m.projects.keys())?.clone();
            let body = json!({"endpoint_name": m.fresh("dd"), "endpoint_type": "datadog",
                "user_config": {"datadog_api_key": "k", "site": "datadoghq.eu"}});
            step(
                "POST",
                format!("/project/{p}/integration_endpoint"),
                Some(body),
                move |m, answer| {
                    let id = id_in(answer, "service_integration_endpoint", "endpoint_id");
                    m.projects.get_mut(&p).unwrap().endpoints.push(id);
                },
            )
        }),
        ("endpoint delete", |m, rng| {
            let with = m.projects.iter().filter(|(_, q)| !q.endpoints.is_empty());
            let p = rng.pick(with.map(|(p, _)| p))?.clone();
            let id = rng.pick(&m.projects[&p].endpoints)?.clone();
            step(
                "DELETE",
                format!("/project/{p}/integration_endpoint/{id}"),
                None,
                move |m, _| {
                    m.projects
                        .get_mut(&p)
                        .unwrap()
                        .endpoints
                        .retain(|e| *e != id);
                },
            )
        }),
        ("project vpc create", |m, rng| {
            let free: Vec<&String> = m
                .projects
                .iter()
                .filter(|(_, proj)| proj.vpc.is_none())
                .map(|(p, _)| p)
                .collect();
            let p = rng.pick(free)?.clone();
            let cidr = format!("10.{}.0.0/16", m.made % 200);
            let body = json!({"cloud_name": "do-ams", "network_cidr": cidr,
                "peering_connections": []});
            step(
                "POST",
                format!("/project/{p}/vpcs"),
                Some(body),
                move |m, answer| {
                    let id = answer["project_vpc_id"].as_str().unwrap().to_string();
                    m.projects.get_mut(&p).unwrap().vpc = Some(id);
                },
            )
        }),
        ("project vpc delete", |m, rng| {
            let with: Vec<&String> = m
                .projects
                .iter()
                .filter(|(_, proj)| proj.vpc.is_some())
                .map(|(p, _)| p)
                .collect();
            let p = rng.pick(with)?.clone();
            let id = m.projects[&p].vpc.clone().unwrap();
            step(
                "DELETE",
                format!("/project/{p}/vpcs/{id}"),
                None,
                move |m, _| {
                    m.projects.get_mut(&p).unwrap().vpc = None;
                },
            )
        }),
        ("organization vpc create", |m, rng| {
            // One VPC per cloud.
            let free: Vec<&'static &'static str> = CLOUDS
                .iter()
                .filter(|c| m.organization_vpcs.iter().all(|(_, used)| used != *c))
                .collect();
            let cloud: &'static str = rng.pick(free)?;
            let cidr = format!("10.{}.0.0/16", 200 + m.made % 50);
            let body = json!({"clouds": [{"cloud_name": cloud, "network_cidr": cidr}],
                "display_name": m.fresh("v"), "peering_connections": []});
            step(
                "POST",
                format!("/organization/{}/vpcs", aiven_sim::ORGANIZATION_ID),
                Some(body),
                move |m, answer| {
                    let id = answer["organization_vpc_id"].as_str().unwrap();
                    m.organization_vpcs.push((id.to_string(), cloud));
                },
            )
        }),
        ("organization vpc delete", |m, rng| {
            let id = rng.pick(&m.organization_vpcs)?.0.clone();
            step(
                "DELETE",
                format!("/organization/{}/vpc/{id}", aiven_sim::ORGANIZATION_ID),
                None,
                move |m, _| {
                    m.organization_vpcs.retain(|(v, _)| *v != id);
                },
            )
        }),
        ("opensearch acl", |m, rng| {
            let (p, s) = m.service(rng, &["opensearch"])?;
            let body = json!({"opensearch_acl_config": {"enabled": rng.chance(2),
                "acls": [{"username": m.fresh("u"),
                "rules": [{"index": "logs*", "permission": "read"}]}]}});
            step(
                "POST",
                format!("/project/{p}/service/{s}/opensearch/acl"),
                Some(body),
                |_, _| {},
            )
        }),
        ("opensearch index close or open", |m, rng| {
            let (p, s) = m.service(rng, &["opensearch"])?;
            let what = ["_close", "_open"][rng.below(2)];
            step(
                "POST",
                format!("/project/{p}/service/{s}/opensearch/.kibana_1/{what}"),
                None,
                |_, _| {},
            )
        }),
        ("flink application create (generic)", |m, rng| {
            let (p, s) = m.service(rng, PG)?;
            let body = json!({ "name": m.fresh("app") });
            step(
                "POST",
                format!("/project/{p}/service/{s}/flink/application"),
                Some(body),
                |_, _| {},
            )
        }),
    ]
}

/// The seeds of [`random_changes_survive_kills_of_the_binary`]:
/// `AIVEN_SIM_RESTART_SEEDS=7,8` replaces them (to reproduce a failure).
fn seeds() -> Vec<u64> {
    match std::env::var("AIVEN_SIM_RESTART_SEEDS") {
        Ok(s) => s
            .split(',')
            .map(|n| n.trim().parse().expect("AIVEN_SIM_RESTART_SEEDS: numbers"))
            .collect(),
        Err(_) => vec![1, 2, 3, 4],
    }
}

/// The first steps of each random sequence.
const SETUP: &[&str] = &[
    "project",
    "project",
    "pg",
    "kafka",
    "opensearch",
    "valkey",
    "pg",
];

/// Steps of each random sequence.
const STEPS: usize = 70;

/// One seeded random sequence of valid hand-modelled changes on the
/// binary: after each change the file holds the state; at random points
/// (one step in fifteen) and at the end, a `kill -9` and a restart give
/// the same state back.
async fn random_sequence(seed: u64, ran: &mut Ran) {
    let mut h = Harness::new("state.redb").await;
    let mut rng = Rng(seed);
    let mut model = Model::default();
    let generators = generators();
    let mut log: Vec<String> = Vec::new();
    let mut used = vec![0; generators.len()];
    for i in 0..STEPS {
        // Something to work on first: two projects and a service of each
        // kind, two PostgreSQL services (an integration's ends).
        let made = match SETUP.get(i) {
            Some(&"project") => generators[0].1(&mut model, &mut rng).map(|s| (generators[0].0, s)),
            Some(kind) => service_create(&mut model, &mut rng, kind).map(|s| ("service create", s)),
            // Half the time any generator, half the time one of those
            // used least so far in this sequence (all get their turn).
            None if rng.chance(2) => (0..100).find_map(|_| {
                let (name, g) = generators[rng.below(generators.len())];
                g(&mut model, &mut rng).map(|s| (name, s))
            }),
            None => {
                let mut order: Vec<(usize, u64, usize)> = (0..generators.len())
                    .map(|g| (used[g], rng.next(), g))
                    .collect();
                order.sort_unstable();
                order.into_iter().find_map(|(_, _, g)| {
                    let (name, g) = generators[g];
                    g(&mut model, &mut rng).map(|s| (name, s))
                })
            }
        };
        let Some((name, s)) = made else { continue };
        if let Some(g) = generators.iter().position(|(n, _)| *n == name) {
            used[g] += 1;
        }
        let what = format!(
            "seed {seed} step {i} ({name}): {} {} {}",
            s.method,
            s.path,
            s.body.as_ref().map(Value::to_string).unwrap_or_default()
        );
        log.push(what.clone());
        h.context = format!(
            "\nreproduce: AIVEN_SIM_RESTART_SEEDS={seed} cargo test -p aiven-sim --test suite \
             restart::random; the steps:\n{}",
            log.join("\n")
        );
        let (status, answer) = h.call(s.method, &s.path, s.body).await;
        let now = h.served().await;
        h.after(&what, now).await;
        if rng.chance(15) {
            h.kill_and_restart().await;
        }
        if status / 100 == 2 {
            *ran.by_generator.entry(name).or_default() += 1;
            (s.apply)(&mut model, &answer);
        } else {
            ran.refused.push(format!("{what}: {status} {answer}"));
        }
    }
    h.doing = format!("seed {seed}, the end of the sequence");
    h.kill_and_restart().await;
    ran.kills += h.kills;
    ran.changes += h.changes;
}

/// What the random sequences did.
#[derive(Default)]
struct Ran {
    /// Steps answered 2xx, by generator.
    by_generator: BTreeMap<&'static str, usize>,
    /// The steps answered otherwise.
    refused: Vec<String>,
    /// Changes checked on disk.
    changes: usize,
    kills: usize,
}

/// Seeded random sequences of valid hand-modelled changes (see
/// [`generators`]) on the binary, several seeds: after each change the
/// state file holds the state served; at random points and at the end a
/// `kill -9` and a restart give it back. A failure prints the seed, the
/// steps and the command that replays them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_survive_kills_of_the_binary() {
    let started = std::time::Instant::now();
    let mut ran = Ran::default();
    for seed in seeds() {
        random_sequence(seed, &mut ran).await;
    }
    let unused: Vec<&str> = generators()
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !ran.by_generator.contains_key(name))
        .collect();
    eprintln!(
        "seeds {:?}: {} steps answered 2xx ({} generators of {}; never: {unused:?}), {} refused, \
         {} changes checked on disk, {} kills and restarts, {:.1?}",
        seeds(),
        ran.by_generator.values().sum::<usize>(),
        ran.by_generator.len(),
        generators().len(),
        ran.refused.len(),
        ran.changes,
        ran.kills,
        started.elapsed()
    );
    // Every generator had its turn.
    assert!(unused.is_empty(), "never used: {unused:?}");
    // The generators make valid requests: none is refused.
    assert!(
        ran.refused.is_empty(),
        "refused:\n{}",
        ran.refused.join("\n")
    );
}

/// A restore (`PUT /_sim/state`) of an earlier snapshot, then a `kill -9`
/// and a restart: the restored state is served again; and so are the
/// changes made after the restore (they write over what the restore
/// wrote).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_state_survives_a_kill_of_the_binary() {
    let mut h = Harness::new("state.redb").await;
    let populate = populate_steps();
    for (method, path, body) in &populate {
        let (s, b) = h.step(method, path, body.clone()).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
    }
    let saved = h.served().await;
    // Other changes: deletes, and records the snapshot does not have.
    for (method, path, body) in later_steps() {
        let (s, b) = h.step(method, &path, body).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
    }
    h.doing = "PUT /_sim/state".into();
    let (s, b) = send(h.server(), "PUT", "/_sim/state", Some(saved.clone())).await;
    assert_eq!(s, 200, "{b}");
    let restored = h.served().await;
    // All but the revision, which moves on.
    let mut expected = saved.clone();
    let revision = |v: &mut Value| state_body_mut(v)["revision"].take();
    let mut without = restored.clone();
    revision(&mut expected);
    revision(&mut without);
    h.assert_same(&expected, &without, "the snapshot and the state restored");
    h.after("PUT /_sim/state", restored).await;
    h.kill_and_restart().await;

    // Changes after the restore, each checked, then killed again.
    for (method, path, body) in later_steps() {
        let (s, b) = h.step(method, &path, body).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
    }
    h.doing = "the changes after the restore".into();
    h.kill_and_restart().await;
    // A reset is a restore of the empty state.
    let (s, b) = send(h.server(), "POST", "/_sim/reset", None).await;
    assert_eq!(s, 200, "{b}");
    let now = h.served().await;
    h.after("POST /_sim/reset", now).await;
    h.kill_and_restart().await;
    assert!(state_body(&h.last)["projects"]
        .as_object()
        .is_some_and(|p| p.is_empty()));
}

/// A JSON state file (the format before the database) is migrated at
/// start; the changes made after, then a `kill -9` and a restart: every
/// change is there, and nothing removed comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_after_a_migration_survive_a_kill_of_the_binary() {
    let mut h = Harness::new("state.redb").await;
    for (method, path, body) in populate_steps() {
        let (s, b) = h.step(method, &path, body).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
    }
    let old = state_body(&h.served().await).clone();
    h.server.take().unwrap().kill();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let mut h = Harness::on(dir, path).await;
    h.doing = "the migration".into();
    h.assert_same(
        &old,
        state_body(&h.last),
        "the JSON file and the state migrated",
    );
    h.check_on_disk().await;
    for (method, path, body) in later_steps() {
        let (s, b) = h.step(method, &path, body).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
    }
    h.doing = "the changes after the migration".into();
    h.kill_and_restart().await;
}

/// A project `p` with services of each kind and records in them, and a
/// project `q` with a service `p` replicates to.
fn populate_steps() -> Vec<(&'static str, String, Option<Value>)> {
    let k = "/project/p/service/k";
    let pg = "/project/p/service/pg";
    let schema = json!({"type": "record", "name": "R",
        "fields": [{"name": "a", "type": "int"}]})
    .to_string();
    vec![
        ("POST", "/project".into(), Some(json!({"project": "p"}))),
        ("POST", "/project".into(), Some(json!({"project": "q"}))),
        (
            "POST",
            "/project/p/service".into(),
            Some(json!({"service_name": "pg", "service_type": "pg", "plan": "startup-4"})),
        ),
        (
            "POST",
            "/project/p/service".into(),
            Some(
                json!({"service_name": "k", "service_type": "kafka", "plan": "business-4",
                "user_config": {"kafka_connect": true, "schema_registry": true}}),
            ),
        ),
        (
            "POST",
            "/project/q/service".into(),
            Some(json!({"service_name": "dst", "service_type": "pg", "plan": "startup-4"})),
        ),
        (
            "POST",
            "/project/p/integration".into(),
            Some(
                json!({"integration_type": "read_replica", "source_service": "pg",
                "dest_project": "q", "dest_service": "dst"}),
            ),
        ),
        (
            "POST",
            format!("{k}/topic"),
            Some(json!({"topic_name": "t1", "partitions": 3})),
        ),
        (
            "POST",
            format!("{k}/kafka/schema/subjects/r-value/versions"),
            Some(json!({ "schema": schema })),
        ),
        (
            "POST",
            format!("{k}/connectors"),
            Some(json!({"name": "sink",
                "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
                "tasks.max": "2", "topics": "t1"})),
        ),
        (
            "POST",
            format!("{pg}/user"),
            Some(json!({"username": "app"})),
        ),
        (
            "POST",
            format!("{pg}/db"),
            Some(json!({"database": "appdb"})),
        ),
        (
            "POST",
            format!("{pg}/connection_pool"),
            Some(json!({"pool_name": "pool", "database": "appdb", "username": "app"})),
        ),
        (
            "POST",
            format!("{pg}/flink/application"),
            Some(json!({"name": "app"})),
        ),
        (
            "POST",
            format!("/organization/{}/user-groups", aiven_sim::ORGANIZATION_ID),
            Some(json!({"user_group_name": "ci", "description": "kept"})),
        ),
        (
            "POST",
            format!("/organization/{}/vpcs", aiven_sim::ORGANIZATION_ID),
            Some(json!({"clouds":
                [{"cloud_name": "google-europe-west1", "network_cidr": "10.4.0.0/16"}],
                "display_name": "kept", "peering_connections": []})),
        ),
    ]
}

/// Changes to what [`populate_steps`] made: deletes above all (a record
/// left on disk would come back), across projects too.
fn later_steps() -> Vec<(&'static str, String, Option<Value>)> {
    let k = "/project/p/service/k";
    let pg = "/project/p/service/pg";
    vec![
        ("DELETE", format!("{pg}/connection_pool/pool"), None),
        ("DELETE", format!("{pg}/db/appdb"), None),
        ("DELETE", format!("{k}/topic/t1"), None),
        ("DELETE", format!("{k}/connectors/sink"), None),
        (
            "POST",
            format!("{k}/topic"),
            Some(json!({"topic_name": "t2", "partitions": 1})),
        ),
        (
            "PATCH",
            "/project/p/tags".into(),
            Some(json!({"tags": {"env": "later"}})),
        ),
        // Removes the integration p holds.
        ("DELETE", "/project/q/service/dst".into(), None),
        ("DELETE", "/project/q".into(), None),
        ("DELETE", pg.into(), None),
        ("POST", "/project".into(), Some(json!({"project": "later"}))),
    ]
}

/// [`state_body`], mutable.
fn state_body_mut(snapshot: &mut Value) -> &mut Value {
    if snapshot.get("format").is_some() && snapshot.get("state").is_some() {
        &mut snapshot["state"]
    } else {
        snapshot
    }
}
