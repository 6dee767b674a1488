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
//!    `model.rs` with `#[serde(default)]`, so saved states still load.
//! 3. Write `fn(&mut Ctx, &Req) -> Outcome` in the file of its resource
//!    here (or a new one), using [`project`], [`service`] and the
//!    `ApiError` constructors for Aiven's error format; answer the
//!    description's response shape, with `message` where Aiven sends one.
//! 4. Add `("OperationId", file::function)` to `HANDLERS`.
//! 5. Test it over HTTP in `aiven-sim/tests/` (the test fixtures check
//!    every answer against the description's response schema).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::clock::Millis;
use crate::error::ApiError;
use crate::lifecycle::Timings;
use crate::model::{Project, Service, State};

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
mod schema_registry;
mod services;
mod users;
mod vpcs;

// The name rules of intake, which a restored snapshot passes too (crate::restore).
pub(crate) use self::{
    pools::valid_pool_name, projects::valid_project_name, services::valid_service_name,
};

/// What a handler works with.
pub struct Ctx<'a> {
    /// The state (locked).
    pub state: &'a mut State,
    /// The current time.
    pub now: Millis,
    /// Transition durations.
    pub timings: &'a Timings,
    /// Backups are hidden this long after a service first ran (a fault).
    pub no_backup_for_ms: Millis,
}

/// One request.
pub struct Req<'a> {
    /// Path parameters.
    pub params: &'a BTreeMap<String, String>,
    /// Query parameters (the last of a repeated name).
    pub query: &'a BTreeMap<String, String>,
    /// The JSON body (`{}` when none was sent).
    pub body: &'a Value,
}

impl Req<'_> {
    /// A path parameter (present by construction of the route).
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// The body as a typed request (the schema already accepted it).
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_value(self.body.clone())
            .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
    }
}

/// A handler's answer: the 200 body or an error.
pub type Outcome = Result<Value, ApiError>;

type Handler = fn(&mut Ctx<'_>, &Req<'_>) -> Outcome;

/// Every implemented operation and its handler.
const HANDLERS: &[(&str, Handler)] = &[
    ("ListClouds", catalog::list_clouds),
    ("ListProjectClouds", catalog::list_project_clouds),
    ("ListPublicServiceTypes", catalog::list_public_service_types),
    (
        "ListProjectServiceTypes",
        catalog::list_project_service_types,
    ),
    (
        "ProjectServiceTypesList",
        catalog::project_service_types_list,
    ),
    ("ProjectServiceTypesGet", catalog::project_service_types_get),
    ("ProjectServicePlanList", catalog::project_service_plan_list),
    (
        "ProjectServicePlanSpecsGet",
        catalog::project_service_plan_specs_get,
    ),
    ("ListServiceVersions", catalog::list_service_versions),
    ("ProjectList", projects::list),
    ("ProjectGet", projects::get),
    ("ProjectCreate", projects::create),
    ("ProjectUpdate", projects::update),
    ("ProjectDelete", projects::delete),
    ("ServiceList", services::list),
    ("ServiceGet", services::get),
    ("ServiceCreate", services::create),
    ("ServiceUpdate", services::update),
    ("ServiceDelete", services::delete),
    ("ServiceBackupsGet", services::backups),
    ("ProjectServiceTagsList", services::tags_list),
    ("ProjectServiceTagsReplace", services::tags_replace),
    ("ProjectServiceTagsUpdate", services::tags_update),
    ("UserOrganizationsList", organizations::list),
    ("OrganizationGet", organizations::get),
    ("OrganizationProjectsList", organizations::projects),
    ("AccountList", organizations::account_list),
    ("AccountGet", organizations::account_get),
    ("BillingGroupList", organizations::billing_group_list),
    ("BillingGroupGet", organizations::billing_group_get),
    (
        "BillingGroupProjectList",
        organizations::billing_group_projects,
    ),
    ("ProjectTagsList", projects::tags_list),
    ("ProjectTagsReplace", projects::tags_replace),
    ("ProjectTagsUpdate", projects::tags_update),
    ("ServiceKafkaAclAdd", kafka::acl_add),
    ("ServiceKafkaAclList", kafka::acl_list),
    ("ServiceKafkaAclDelete", kafka::acl_delete),
    ("ServiceKafkaNativeAclList", kafka_native::acl_list),
    ("ServiceKafkaNativeAclAdd", kafka_native::acl_add),
    ("ServiceKafkaNativeAclGet", kafka_native::acl_get),
    ("ServiceKafkaNativeAclDelete", kafka_native::acl_delete),
    ("ServiceKafkaQuotaCreate", kafka_native::quota_create),
    ("ServiceKafkaQuotaList", kafka_native::quota_list),
    ("ServiceKafkaQuotaDescribe", kafka_native::quota_describe),
    ("ServiceKafkaQuotaDelete", kafka_native::quota_delete),
    ("ServiceOpenSearchIndexList", opensearch::index_list),
    ("ServiceOpenSearchIndexDelete", opensearch::index_delete),
    ("ServiceOpenSearchIndexOpen", opensearch::index_open),
    ("ServiceOpenSearchIndexClose", opensearch::index_close),
    (
        "ServiceOpenSearchIndexOpenMultiple",
        opensearch::index_open_multiple,
    ),
    (
        "ServiceOpenSearchIndexCloseMultiple",
        opensearch::index_close_multiple,
    ),
    ("ServiceOpenSearchAclGet", opensearch::acl_get),
    ("ServiceOpenSearchAclSet", opensearch::acl_set),
    ("ServiceOpenSearchAclUpdate", opensearch::acl_update),
    ("ServiceKafkaTopicCreate", kafka::create),
    ("ServiceKafkaTopicList", kafka::list),
    ("ServiceKafkaTopicGet", kafka::get),
    ("ServiceKafkaTopicUpdate", kafka::update),
    ("ServiceKafkaTopicDelete", kafka::delete),
    ("ServiceKafkaConnectList", kafka_connect::list),
    ("ServiceKafkaConnectCreateConnector", kafka_connect::create),
    ("ServiceKafkaConnectEditConnector", kafka_connect::edit),
    ("ServiceKafkaConnectDeleteConnector", kafka_connect::delete),
    (
        "ServiceKafkaConnectGetConnectorConfiguration",
        kafka_connect::configuration,
    ),
    (
        "ServiceKafkaConnectGetConnectorStatus",
        kafka_connect::status,
    ),
    ("ServiceKafkaConnectPauseConnector", kafka_connect::pause),
    ("ServiceKafkaConnectResumeConnector", kafka_connect::resume),
    ("ServiceKafkaConnectStopConnector", kafka_connect::stop),
    (
        "ServiceKafkaConnectRestartConnector",
        kafka_connect::restart,
    ),
    (
        "ServiceKafkaConnectRestartConnectorTask",
        kafka_connect::restart_task,
    ),
    (
        "ServiceKafkaConnectGetAvailableConnectors",
        kafka_connect::available,
    ),
    ("ServiceSchemaRegistrySubjects", schema_registry::subjects),
    (
        "ServiceSchemaRegistrySubjectVersionPost",
        schema_registry::register,
    ),
    (
        "ServiceSchemaRegistrySubjectVersionsGet",
        schema_registry::versions,
    ),
    (
        "ServiceSchemaRegistrySubjectVersionGet",
        schema_registry::version_get,
    ),
    (
        "ServiceSchemaRegistrySubjectVersionSchemaGet",
        schema_registry::version_schema_get,
    ),
    (
        "ServiceSchemaRegistrySchemaGet",
        schema_registry::schema_get,
    ),
    (
        "ServiceSchemaRegistrySubjectDelete",
        schema_registry::subject_delete,
    ),
    (
        "ServiceSchemaRegistrySubjectVersionDelete",
        schema_registry::version_delete,
    ),
    (
        "ServiceSchemaRegistryCompatibility",
        schema_registry::compatibility,
    ),
    (
        "ServiceSchemaRegistryGlobalConfigGet",
        schema_registry::global_config_get,
    ),
    (
        "ServiceSchemaRegistryGlobalConfigPut",
        schema_registry::global_config_put,
    ),
    (
        "ServiceSchemaRegistrySubjectConfigGet",
        schema_registry::subject_config_get,
    ),
    (
        "ServiceSchemaRegistrySubjectConfigPut",
        schema_registry::subject_config_put,
    ),
    ("ServiceSchemaRegistryAclList", schema_registry::acl_list),
    ("ServiceSchemaRegistryAclAdd", schema_registry::acl_add),
    (
        "ServiceSchemaRegistryAclDelete",
        schema_registry::acl_delete,
    ),
    ("ServiceDatabaseCreate", databases::create),
    ("ServiceDatabaseList", databases::list),
    ("ServiceDatabaseDelete", databases::delete),
    ("ServiceUserCreate", users::create),
    ("ServiceUserGet", users::get),
    ("ServiceUserDelete", users::delete),
    ("ServiceUserCredentialsModify", users::modify),
    ("ServiceUserCredentialsReset", users::reset),
    ("ServicePGBouncerCreate", pools::create),
    ("ServicePGBouncerUpdate", pools::update),
    ("ServicePGBouncerDelete", pools::delete),
    ("ServiceIntegrationCreate", integrations::create),
    ("ServiceIntegrationGet", integrations::get),
    ("ServiceIntegrationList", integrations::list),
    ("ServiceIntegrationUpdate", integrations::update),
    ("ServiceIntegrationDelete", integrations::delete),
    (
        "ServiceIntegrationEndpointCreate",
        integrations::endpoint_create,
    ),
    (
        "ServiceIntegrationEndpointList",
        integrations::endpoint_list,
    ),
    ("ServiceIntegrationEndpointGet", integrations::endpoint_get),
    (
        "ServiceIntegrationEndpointUpdate",
        integrations::endpoint_update,
    ),
    (
        "ServiceIntegrationEndpointDelete",
        integrations::endpoint_delete,
    ),
    ("ProjectKmsGetCA", account::project_ca),
    ("VpcList", vpcs::list),
    ("VpcCreate", vpcs::create),
    ("VpcGet", vpcs::get),
    ("VpcDelete", vpcs::delete),
    ("VpcPeeringConnectionCreate", vpcs::peering_create),
    ("VpcPeeringConnectionDelete", vpcs::peering_delete),
    ("VpcPeeringConnectionUpdate", vpcs::peering_cidrs_update),
    (
        "VpcPeeringConnectionWithRegionDelete",
        vpcs::peering_delete_with_region,
    ),
    ("OrganizationVpcList", vpcs::org_list),
    ("OrganizationVpcCreate", vpcs::org_create),
    ("OrganizationVpcGet", vpcs::org_get),
    ("OrganizationVpcUpdate", vpcs::org_update),
    ("OrganizationVpcDelete", vpcs::org_delete),
    (
        "OrganizationVpcPeeringConnectionCreate",
        vpcs::org_peering_create,
    ),
    (
        "OrganizationVpcPeeringConnectionDeleteById",
        vpcs::org_peering_delete,
    ),
    ("UserInfo", account::user_info),
    ("ServiceMaintenanceStart", account::maintenance_start),
    ("ProjectGetEventLogs", events::list),
    ("ProjectGetServiceLogs", observability::logs),
    ("ServiceMetricsFetch", observability::metrics),
    ("PGServiceQueryStatistics", observability::pg_stats),
    (
        "PGServiceQueryStatisticsDeprecated",
        observability::pg_stats_deprecated,
    ),
    ("MySQLServiceQueryStatistics", observability::mysql_stats),
    (
        "ServiceClickHouseQueryStats",
        observability::clickhouse_stats,
    ),
    ("ServiceQueryStatisticsReset", observability::stats_reset),
];

pub use organizations::ORGANIZATION_ID;

/// The `operationId`s the simulator implements.
pub fn implemented() -> impl Iterator<Item = &'static str> {
    HANDLERS.iter().map(|(id, _)| *id)
}

/// Runs the handler of `operation_id`; `None` if it is not implemented.
/// A change it makes to a service is logged in the project's event log.
pub fn handle(operation_id: &str, ctx: &mut Ctx<'_>, req: &Req<'_>) -> Option<Outcome> {
    let (_, h) = HANDLERS.iter().find(|(id, _)| *id == operation_id)?;
    let event = events::pending(operation_id, ctx.state, req);
    let outcome = h(ctx, req);
    if let (Ok(_), Some(e)) = (&outcome, event) {
        events::record(ctx.state, ctx.now, e);
    }
    Some(outcome)
}

/// The project named in the path.
pub fn project<'s>(state: &'s State, req: &Req<'_>) -> Result<&'s Project, ApiError> {
    state
        .projects
        .get(req.param("project"))
        .ok_or_else(ApiError::project_not_found)
}

/// The project named in the path, for changing.
pub fn project_mut<'s>(state: &'s mut State, req: &Req<'_>) -> Result<&'s mut Project, ApiError> {
    state
        .projects
        .get_mut(req.param("project"))
        .ok_or_else(ApiError::project_not_found)
}

/// The service named in the path.
pub fn service<'s>(
    state: &'s State,
    req: &Req<'_>,
) -> Result<(&'s Project, &'s Service), ApiError> {
    let p = project(state, req)?;
    let s = p
        .services
        .get(req.param("service_name"))
        .ok_or_else(ApiError::service_not_found)?;
    Ok((p, s))
}

/// The service named in the path, for changing.
pub fn service_mut<'s>(state: &'s mut State, req: &Req<'_>) -> Result<&'s mut Service, ApiError> {
    project_mut(state, req)?
        .services
        .get_mut(req.param("service_name"))
        .ok_or_else(ApiError::service_not_found)
}

/// A success body with only Aiven's `message` (`"deleted"`, …), which
/// Aiven's CLI prints after every change.
pub fn done(message: &str) -> Outcome {
    Ok(serde_json::json!({ "message": message }))
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
}
