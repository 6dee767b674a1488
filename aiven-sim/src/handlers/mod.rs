//! The operations the simulator implements, by `operationId`.
//!
//! Handlers are plain functions over the state (called with the state lock
//! held, so each request is one atomic step); they receive a request body
//! that already passed the description's request schema.
//!
//! # Adding an operation
//!
//! 1. Find its `operationId` in the description (routing, path parameters
//!    and request validation come from it: nothing to write for those).
//! 2. State: if it keeps any, add a field to the owning struct in
//!    `model.rs` with `#[serde(default)]`. The state file's and the
//!    snapshot's format is pinned (`crate::format`): its test then asks for
//!    a new format version, the step from the previous one, and the new
//!    version's schema.
//! 3. Write `fn(&mut Ctx, &Req) -> Outcome` in the file of its resource
//!    here (or a new one), using [`project`], [`service`] and the
//!    `ApiError` constructors for Aiven's error format; answer the
//!    description's response shape, with `message` where Aiven sends one.
//! 4. Register it in one place, `OPERATIONS`:
//!    `op("OperationId", file::function)`, with `.logs(events::…)` if a
//!    success goes in the project's event log, `.body_cap(limits::…)` /
//!    `.count_cap(limits::…)` if a size cap applies. Nothing else names
//!    an operation: persistence saves whatever the handler changed (the
//!    state's maps record it, see `crate::tracked`), and a test keeps
//!    operation ids out of every other file.
//! 5. Test it over HTTP in `aiven-sim/tests/suite/` (the test fixtures check
//!    every answer against the description's response schema); a change
//!    is covered by the restart invariant (`tests/suite/restart.rs` walks
//!    every operation; add a generator to its random sequences).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

pub use crate::context::{
    add_once, done, project, project_mut, service, service_mut, Ctx, Outcome, Req,
};
use serde_json::Value;

use crate::error::ApiError;
use crate::generic::{self, Coverage};
use crate::limits;
use crate::spec::spec;

pub(crate) mod account;
mod catalog;
mod databases;
mod events;
mod integrations;
mod kafka;
mod kafka_connect;
mod kafka_native;
mod observability;
mod opensearch;
mod organizations;
mod pools;

mod projects;
pub(crate) mod render;
mod schema_registry;
mod services;
mod users;
mod vpcs;

// The name rules of intake, which a restored snapshot passes too (crate::restore).
pub(crate) use self::{
    pools::valid_pool_name, projects::valid_project_name, services::valid_service_name,
};

type Handler = fn(&mut Ctx<'_>, &Req<'_>) -> Outcome;

/// One hand-modelled operation: everything the simulator does for it
/// beyond routing and request validation (which come from the
/// description). What it changes is saved whatever it is (see
/// `crate::tracked`), so nothing here says what it persists.
pub(crate) struct Operation {
    /// Its `operationId`.
    pub id: &'static str,
    handler: Handler,
    /// The event a success logs in the project's event log.
    logs: Option<events::Describe>,
    /// A cap on the request body (see `crate::limits`).
    body_cap: Option<limits::BodyCap>,
    /// A cap on what it adds to the state.
    count_cap: Option<limits::CountCap>,
    /// The kind of record it creates and the request field holding the
    /// new record's name: a restored snapshot's names are checked against
    /// that field's schema (see `crate::restore`).
    names: Option<(Record, &'static str)>,
}

/// The kinds of record a restored snapshot names (see [`Operation::names`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Record {
    Project,
    Service,
    Topic,
    ServiceUser,
    Database,
    ConnectionPool,
}

/// Creates project `name` as its create operation does (the projects a
/// simulator starts with; `--project`).
pub(crate) fn create_project(ctx: &mut Ctx<'_>, name: &str) -> Outcome {
    let none = BTreeMap::new();
    let body = serde_json::json!({ "project": name });
    let req = Req {
        params: &none,
        query: &none,
        body: &body,
    };
    projects::create(ctx, &req)
}

/// The create operation of `record` and its name field.
pub(crate) fn naming(record: Record) -> Option<(&'static str, &'static str)> {
    OPERATIONS.iter().find_map(|o| {
        o.names
            .filter(|(r, _)| *r == record)
            .map(|(_, f)| (o.id, f))
    })
}

/// An operation answered by `handler`, logging nothing, without caps.
pub(crate) const fn op(id: &'static str, handler: Handler) -> Operation {
    Operation {
        id,
        handler,
        logs: None,
        body_cap: None,
        count_cap: None,
        names: None,
    }
}

impl Operation {
    /// Logs the event `describe` makes of a successful call.
    const fn logs(mut self, describe: events::Describe) -> Self {
        self.logs = Some(describe);
        self
    }

    /// Creates records of `record` named by the request's `field`.
    const fn names(mut self, record: Record, field: &'static str) -> Self {
        self.names = Some((record, field));
        self
    }

    /// Refuses bodies `cap` refuses, before the state lock is taken.
    const fn body_cap(mut self, cap: limits::BodyCap) -> Self {
        self.body_cap = Some(cap);
        self
    }

    /// Refuses, before the handler runs, calls `cap` refuses.
    const fn count_cap(mut self, cap: limits::CountCap) -> Self {
        self.count_cap = Some(cap);
        self
    }

    /// Checks the body against the operation's cap (before the state lock).
    pub fn check_body(&self, body: &Value) -> Result<(), ApiError> {
        self.body_cap.map_or(Ok(()), |cap| cap(body))
    }

    /// Runs the operation (under the state lock for a change): its count
    /// cap, its handler, and the event a success logs.
    pub fn run(&self, ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
        if let Some(cap) = self.count_cap {
            cap(req.params, ctx.state)?;
        }
        let event = self.logs.and_then(|describe| describe(ctx.state, req));
        let outcome = (self.handler)(ctx, req);
        if let (Ok(_), Some(e)) = (&outcome, event) {
            events::record(ctx.state, ctx.now, e);
        }
        outcome
    }
}

/// Every hand-modelled operation: the one place an operation is declared.
static OPERATIONS: &[Operation] = &[
    op("ListClouds", catalog::list_clouds),
    op("ListProjectClouds", catalog::list_project_clouds),
    op("ListPublicServiceTypes", catalog::list_public_service_types),
    op(
        "ListProjectServiceTypes",
        catalog::list_project_service_types,
    ),
    op(
        "ProjectServiceTypesList",
        catalog::project_service_types_list,
    ),
    op("ProjectServiceTypesGet", catalog::project_service_types_get),
    op("ProjectServicePlanList", catalog::project_service_plan_list),
    op(
        "ProjectServicePlanSpecsGet",
        catalog::project_service_plan_specs_get,
    ),
    op("ListServiceVersions", catalog::list_service_versions),
    op("ProjectList", projects::list),
    op("ProjectGet", projects::get),
    op("ProjectCreate", projects::create)
        .count_cap(limits::projects)
        .names(Record::Project, "project"),
    op("ProjectUpdate", projects::update),
    op("ProjectDelete", projects::delete),
    op("ServiceList", services::list),
    op("ServiceGet", services::get),
    op("ServiceCreate", services::create)
        .logs(events::service_create)
        .count_cap(limits::services_per_project)
        .names(Record::Service, "service_name"),
    op("ServiceUpdate", services::update).logs(events::service_update),
    op("ServiceDelete", services::delete).logs(events::service_delete),
    op("ServiceBackupsGet", services::backups),
    op("ProjectServiceTagsList", services::tags_list),
    op("ProjectServiceTagsReplace", services::tags_replace).logs(events::service_tags_update),
    op("ProjectServiceTagsUpdate", services::tags_update).logs(events::service_tags_update),
    op("UserOrganizationsList", organizations::list),
    op("OrganizationGet", organizations::get),
    op("OrganizationProjectsList", organizations::projects),
    op("AccountList", organizations::account_list),
    op("AccountGet", organizations::account_get),
    op("BillingGroupList", organizations::billing_group_list),
    op("BillingGroupGet", organizations::billing_group_get),
    op(
        "BillingGroupProjectList",
        organizations::billing_group_projects,
    ),
    op("ProjectTagsList", projects::tags_list),
    op("ProjectTagsReplace", projects::tags_replace),
    op("ProjectTagsUpdate", projects::tags_update),
    op("ServiceKafkaAclAdd", kafka::acl_add),
    op("ServiceKafkaAclList", kafka::acl_list),
    op("ServiceKafkaAclDelete", kafka::acl_delete),
    op("ServiceKafkaNativeAclList", kafka_native::acl_list),
    op("ServiceKafkaNativeAclAdd", kafka_native::acl_add),
    op("ServiceKafkaNativeAclGet", kafka_native::acl_get),
    op("ServiceKafkaNativeAclDelete", kafka_native::acl_delete),
    op("ServiceKafkaQuotaCreate", kafka_native::quota_create),
    op("ServiceKafkaQuotaList", kafka_native::quota_list),
    op("ServiceKafkaQuotaDescribe", kafka_native::quota_describe),
    op("ServiceKafkaQuotaDelete", kafka_native::quota_delete),
    op("ServiceOpenSearchIndexList", opensearch::index_list),
    op("ServiceOpenSearchIndexDelete", opensearch::index_delete),
    op("ServiceOpenSearchIndexOpen", opensearch::index_open),
    op("ServiceOpenSearchIndexClose", opensearch::index_close),
    op(
        "ServiceOpenSearchIndexOpenMultiple",
        opensearch::index_open_multiple,
    ),
    op(
        "ServiceOpenSearchIndexCloseMultiple",
        opensearch::index_close_multiple,
    ),
    op("ServiceOpenSearchAclGet", opensearch::acl_get),
    op("ServiceOpenSearchAclSet", opensearch::acl_set),
    op("ServiceOpenSearchAclUpdate", opensearch::acl_update),
    op("ServiceKafkaTopicCreate", kafka::create)
        .logs(events::topic_create)
        .body_cap(limits::topic_partitions)
        .count_cap(limits::topics_per_service)
        .names(Record::Topic, "topic_name"),
    op("ServiceKafkaTopicList", kafka::list),
    op("ServiceKafkaTopicGet", kafka::get),
    op("ServiceKafkaTopicUpdate", kafka::update)
        .logs(events::topic_update)
        .body_cap(limits::topic_partitions),
    op("ServiceKafkaTopicDelete", kafka::delete).logs(events::topic_delete),
    op("ServiceKafkaConnectList", kafka_connect::list),
    op("ServiceKafkaConnectCreateConnector", kafka_connect::create),
    op("ServiceKafkaConnectEditConnector", kafka_connect::edit),
    op("ServiceKafkaConnectDeleteConnector", kafka_connect::delete),
    op(
        "ServiceKafkaConnectGetConnectorConfiguration",
        kafka_connect::configuration,
    ),
    op(
        "ServiceKafkaConnectGetConnectorStatus",
        kafka_connect::status,
    ),
    op("ServiceKafkaConnectPauseConnector", kafka_connect::pause),
    op("ServiceKafkaConnectResumeConnector", kafka_connect::resume),
    op("ServiceKafkaConnectStopConnector", kafka_connect::stop),
    op(
        "ServiceKafkaConnectRestartConnector",
        kafka_connect::restart,
    ),
    op(
        "ServiceKafkaConnectRestartConnectorTask",
        kafka_connect::restart_task,
    ),
    op(
        "ServiceKafkaConnectGetAvailableConnectors",
        kafka_connect::available,
    ),
    op("ServiceSchemaRegistrySubjects", schema_registry::subjects),
    op(
        "ServiceSchemaRegistrySubjectVersionPost",
        schema_registry::register,
    ),
    op(
        "ServiceSchemaRegistrySubjectVersionsGet",
        schema_registry::versions,
    ),
    op(
        "ServiceSchemaRegistrySubjectVersionGet",
        schema_registry::version_get,
    ),
    op(
        "ServiceSchemaRegistrySubjectVersionSchemaGet",
        schema_registry::version_schema_get,
    ),
    op(
        "ServiceSchemaRegistrySchemaGet",
        schema_registry::schema_get,
    ),
    op(
        "ServiceSchemaRegistrySubjectDelete",
        schema_registry::subject_delete,
    ),
    op(
        "ServiceSchemaRegistrySubjectVersionDelete",
        schema_registry::version_delete,
    ),
    op(
        "ServiceSchemaRegistryCompatibility",
        schema_registry::compatibility,
    ),
    op(
        "ServiceSchemaRegistryGlobalConfigGet",
        schema_registry::global_config_get,
    ),
    op(
        "ServiceSchemaRegistryGlobalConfigPut",
        schema_registry::global_config_put,
    ),
    op(
        "ServiceSchemaRegistrySubjectConfigGet",
        schema_registry::subject_config_get,
    ),
    op(
        "ServiceSchemaRegistrySubjectConfigPut",
        schema_registry::subject_config_put,
    ),
    op("ServiceSchemaRegistryAclList", schema_registry::acl_list),
    op("ServiceSchemaRegistryAclAdd", schema_registry::acl_add),
    op(
        "ServiceSchemaRegistryAclDelete",
        schema_registry::acl_delete,
    ),
    op("ServiceDatabaseCreate", databases::create)
        .logs(events::database_create)
        .names(Record::Database, "database"),
    op("ServiceDatabaseList", databases::list),
    op("ServiceDatabaseDelete", databases::delete).logs(events::database_delete),
    op("ServiceUserCreate", users::create)
        .logs(events::user_create)
        .names(Record::ServiceUser, "username"),
    op("ServiceUserGet", users::get),
    op("ServiceUserDelete", users::delete).logs(events::user_delete),
    op("ServiceUserCredentialsModify", users::modify).logs(events::user_credentials_update),
    op("ServiceUserCredentialsReset", users::reset).logs(events::user_credentials_update),
    op("ServicePGBouncerCreate", pools::create)
        .logs(events::pool_create)
        .names(Record::ConnectionPool, "pool_name"),
    op("ServicePGBouncerUpdate", pools::update).logs(events::pool_update),
    op("ServicePGBouncerDelete", pools::delete).logs(events::pool_delete),
    op("ServiceIntegrationCreate", integrations::create).logs(events::integration_create),
    op("ServiceIntegrationGet", integrations::get),
    op("ServiceIntegrationList", integrations::list),
    op("ServiceIntegrationUpdate", integrations::update).logs(events::integration_update),
    op("ServiceIntegrationDelete", integrations::delete).logs(events::integration_delete),
    op(
        "ServiceIntegrationEndpointCreate",
        integrations::endpoint_create,
    ),
    op(
        "ServiceIntegrationEndpointList",
        integrations::endpoint_list,
    ),
    op("ServiceIntegrationEndpointGet", integrations::endpoint_get),
    op(
        "ServiceIntegrationEndpointUpdate",
        integrations::endpoint_update,
    ),
    op(
        "ServiceIntegrationEndpointDelete",
        integrations::endpoint_delete,
    ),
    op("ProjectKmsGetCA", account::project_ca),
    op("VpcList", vpcs::list),
    op("VpcCreate", vpcs::create),
    op("VpcGet", vpcs::get),
    op("VpcDelete", vpcs::delete),
    op("VpcPeeringConnectionCreate", vpcs::peering_create),
    op("VpcPeeringConnectionDelete", vpcs::peering_delete),
    op("VpcPeeringConnectionUpdate", vpcs::peering_cidrs_update),
    op(
        "VpcPeeringConnectionWithRegionDelete",
        vpcs::peering_delete_with_region,
    ),
    op("OrganizationVpcList", vpcs::org_list),
    op("OrganizationVpcCreate", vpcs::org_create),
    op("OrganizationVpcGet", vpcs::org_get),
    op("OrganizationVpcUpdate", vpcs::org_update),
    op("OrganizationVpcDelete", vpcs::org_delete),
    op(
        "OrganizationVpcPeeringConnectionCreate",
        vpcs::org_peering_create,
    ),
    op(
        "OrganizationVpcPeeringConnectionDeleteById",
        vpcs::org_peering_delete,
    ),
    op("UserInfo", account::user_info),
    op("ServiceMaintenanceStart", account::maintenance_start).logs(events::maintenance_start),
    op("ProjectGetEventLogs", events::list),
    op("ProjectGetServiceLogs", observability::logs),
    op("ServiceMetricsFetch", observability::metrics),
    op("PGServiceQueryStatistics", observability::pg_stats),
    op(
        "PGServiceQueryStatisticsDeprecated",
        observability::pg_stats_deprecated,
    ),
    op("MySQLServiceQueryStatistics", observability::mysql_stats),
    op(
        "ServiceClickHouseQueryStats",
        observability::clickhouse_stats,
    ),
    op("ServiceQueryStatisticsReset", observability::stats_reset),
];

pub use crate::model::ORGANIZATION_ID;

/// The `operationId`s the simulator implements.
pub fn implemented() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|o| o.id)
}

/// The hand-modelled operation `operation_id`, if it is one.
pub(crate) fn operation(operation_id: &str) -> Option<&'static Operation> {
    static BY_ID: OnceLock<HashMap<&'static str, &'static Operation>> = OnceLock::new();
    BY_ID
        .get_or_init(|| OPERATIONS.iter().map(|o| (o.id, o)).collect())
        .get(operation_id)
        .copied()
}

/// The classification of every operation of the description: hand-modelled
/// here, answered by the generic model, or neither.
pub fn coverage() -> Coverage {
    let mut c = Coverage::default();
    for op in &spec().operations {
        let id = op.operation_id.as_str();
        if operation(id).is_some() {
            c.hand_modelled.push(id);
        } else if let Some(m) = generic::index().get(id) {
            c.generic.push((id, m.role));
        } else {
            c.none.push(id);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_handler_is_an_operation_of_the_description() {
        let spec = crate::spec::spec();
        let mut seen = std::collections::BTreeSet::new();
        for id in implemented() {
            assert!(
                spec.operation(id).is_some(),
                "{id} is not in the description"
            );
            assert!(seen.insert(id), "{id} twice");
        }
    }

    /// Rust source without its comment lines and its test module (which
    /// starts at its `#[cfg(test)]`).
    fn code_outside_tests(source: &str) -> String {
        let code: Vec<&str> = source
            .lines()
            .take_while(|l| l.trim() != "#[cfg(test)]")
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        code.join("\n")
    }

    /// The string literals of Rust source that consist of letters and
    /// digits only (an `operationId`'s shape), outside comment lines and
    /// the file's test module (which starts at its `#[cfg(test)]`).
    fn identifier_literals(source: &str) -> Vec<String> {
        let code = code_outside_tests(source);
        // Between consecutive quotes; a `'"'` only shifts the pairs, and a
        // literal `"Id"` is always between two consecutive quotes.
        code.split('"')
            .skip(1)
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(str::to_string)
            .collect()
    }

    /// Rust sources under `dir`, recursively.
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// An operation is declared in one place: no other file of the crate
    /// names an `operationId` of the description in a string literal (a
    /// file that did would decide something per operation out of sight of
    /// `OPERATIONS`); and only the persister reaches past the change marks.
    #[test]
    fn only_the_registration_names_operations() {
        let ids: std::collections::BTreeSet<&str> = crate::spec::spec()
            .operations
            .iter()
            .map(|o| o.operation_id.as_str())
            .collect();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        assert!(files.len() > 20, "{files:?}");
        let registration = src.join("handlers").join("mod.rs");
        let mut named = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let rel = f.strip_prefix(&src).unwrap().display().to_string();
            if *f != registration {
                for lit in identifier_literals(&text) {
                    if ids.contains(lit.as_str()) {
                        named.push(format!("{rel}: {lit:?}"));
                    }
                }
            }
            if !matches!(rel.as_str(), "tracked.rs" | "persist.rs")
                && code_outside_tests(&text).contains("unmarked_mut")
            {
                named.push(format!("{rel}: unmarked_mut"));
            }
        }
        assert!(
            named.is_empty(),
            "operation ids outside OPERATIONS: {named:?}"
        );
        // The scan finds what it looks for.
        let lits = identifier_literals("x(\"ServiceGet\", '\"', \"a b\");\n// \"ProjectGet\"\n");
        assert_eq!(lits, ["ServiceGet"]);
    }
}
