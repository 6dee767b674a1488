//! How to reach a service, typed: what a CI job hands to its test run.
//!
//! Read from the service as `ServiceGet` returns it: `service_uri` (a URL
//! for most types, `host:port` for Kafka), `service_uri_params` (host,
//! port, user, password, dbname, sslmode: PostgreSQL, MySQL and others),
//! `connection_info` (per-type extras: `kafka_rest_uri`,
//! `schema_registry_uri`, `opensearch_dashboards_uri`, …) and the users
//! (`avnadmin`'s password, Kafka's access certificate and key).

use std::fmt;

use aiven_api::operations as ops;
use aiven_api::types;
use secrecy::{ExposeSecret, SecretString};

use crate::state::{ServiceExt, ServiceType};
use crate::{validate, AivenClient, Error, Result};

const REDACTED: &str = "** redacted **";

/// How to reach a service. Secrets (password, the URI's password, Kafka's
/// access key) are printed as `** redacted **` by `Debug` and reachable
/// through their accessors.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The service type (`pg`, `kafka`, …).
    pub service_type: Option<ServiceType>,
    /// Host name (`service_uri_params.host`, else from `service_uri`).
    pub host: Option<String>,
    /// Port (`service_uri_params.port`, else from `service_uri`).
    pub port: Option<u16>,
    /// User (`service_uri_params.user`, else the URI's user).
    pub user: Option<String>,
    password: Option<SecretString>,
    /// Database (`service_uri_params.dbname`, else the URI's path).
    pub database: Option<String>,
    /// TLS mode as the API states it (`sslmode`, `ssl-mode`), when it does.
    pub ssl_mode: Option<String>,
    uri: Option<SecretString>,
    /// Kafka: the bootstrap servers (`service_uri`, `host:port`).
    pub kafka_bootstrap_servers: Vec<String>,
    /// Kafka: the access certificate (PEM) of the service's first user that has one.
    pub kafka_access_cert: Option<String>,
    kafka_access_key: Option<SecretString>,
    /// Kafka REST (`connection_info.kafka_rest_uri`), when enabled.
    pub kafka_rest_uri: Option<String>,
    /// Schema registry (`connection_info.schema_registry_uri`), when enabled.
    pub schema_registry_uri: Option<String>,
    /// OpenSearch Dashboards (`connection_info.opensearch_dashboards_uri`).
    pub dashboards_uri: Option<String>,
}

impl ConnectionInfo {
    /// Reads it from a service as `ServiceGet` (or a waiter) returns it.
    pub fn from_service(service: &types::Service) -> Self {
        let params = service.service_uri_params.as_ref();
        let param = |key: &str| -> Option<String> {
            params?.get(key).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let info = |key: &str| -> Option<String> {
            let value = service.connection_info.as_ref()?.get(key)?;
            value
                .as_str()
                .or_else(|| value.as_array()?.first()?.as_str())
                .map(str::to_owned)
        };
        let service_type = service.service_type_enum();
        let is_kafka = service_type == Some(ServiceType::Kafka);
        let raw_uri = service.service_uri.clone();
        // Kafka's service_uri is `host:port`, not a URL.
        let url = raw_uri
            .as_deref()
            .filter(|u| u.contains("://"))
            .and_then(|u| reqwest::Url::parse(u).ok());
        let from_url = |f: fn(&reqwest::Url) -> Option<String>| url.as_ref().and_then(f);
        let users = service.users.as_deref().unwrap_or_default();
        let with_cert = users.iter().find(|u| u.access_cert.is_some());
        Self {
            service_type,
            host: param("host").or_else(|| from_url(|u| u.host_str().map(str::to_owned))),
            port: param("port")
                .and_then(|p| p.parse().ok())
                .or_else(|| url.as_ref().and_then(reqwest::Url::port_or_known_default)),
            user: param("user")
                .or_else(|| from_url(|u| Some(u.username().to_owned()).filter(|s| !s.is_empty()))),
            password: param("password")
                .or_else(|| from_url(|u| u.password().map(str::to_owned)))
                .map(SecretString::from),
            database: param("dbname").or_else(|| {
                from_url(|u| {
                    Some(u.path().trim_start_matches('/').to_owned()).filter(|p| !p.is_empty())
                })
            }),
            ssl_mode: param("sslmode").or_else(|| param("ssl-mode")),
            kafka_bootstrap_servers: match (is_kafka, raw_uri.as_deref()) {
                (true, Some(uri)) => uri.split(',').map(|s| s.trim().to_owned()).collect(),
                _ => Vec::new(),
            },
            uri: raw_uri.map(SecretString::from),
            kafka_access_cert: with_cert.and_then(|u| u.access_cert.clone()),
            kafka_access_key: with_cert
                .and_then(|u| u.access_key.clone())
                .map(SecretString::from),
            kafka_rest_uri: info("kafka_rest_uri"),
            schema_registry_uri: info("schema_registry_uri"),
            dashboards_uri: info("opensearch_dashboards_uri"),
        }
    }

    /// The password (`service_uri_params.password`, else the URI's).
    pub fn password(&self) -> Option<&str> {
        self.password.as_ref().map(ExposeSecret::expose_secret)
    }

    /// `service_uri` as the API gives it (with the password, for URL types).
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_ref().map(ExposeSecret::expose_secret)
    }

    /// Kafka: the access key (PEM) matching [`kafka_access_cert`](Self::kafka_access_cert).
    pub fn kafka_access_key(&self) -> Option<&str> {
        self.kafka_access_key
            .as_ref()
            .map(ExposeSecret::expose_secret)
    }
}

impl fmt::Debug for ConnectionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |s: &Option<SecretString>| s.as_ref().map(|_| REDACTED);
        let uri = self.uri().map(|u| crate::redact::url(u).into_owned());
        f.debug_struct("ConnectionInfo")
            .field("service_type", &self.service_type)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &secret(&self.password))
            .field("database", &self.database)
            .field("ssl_mode", &self.ssl_mode)
            .field("uri", &uri)
            .field("kafka_bootstrap_servers", &self.kafka_bootstrap_servers)
            .field("kafka_access_cert", &self.kafka_access_cert)
            .field("kafka_access_key", &secret(&self.kafka_access_key))
            .field("kafka_rest_uri", &self.kafka_rest_uri)
            .field("schema_registry_uri", &self.schema_registry_uri)
            .field("dashboards_uri", &self.dashboards_uri)
            .finish()
    }
}

impl AivenClient {
    /// How to reach a service now (fetched; see [`ConnectionInfo`]).
    pub async fn connection_info(&self, project: &str, service: &str) -> Result<ConnectionInfo> {
        Ok(ConnectionInfo::from_service(
            &self.get_service(project, service).await?,
        ))
    }

    /// The project's CA certificate (PEM), which Kafka and other TLS
    /// clients need to trust the service.
    pub async fn project_ca(&self, project: &str) -> Result<String> {
        validate::project_name(project)?;
        let response = self
            .project_kms_get_ca()
            .project(project)
            .send()
            .await
            .map_err(Error::during(ops::PROJECT_KMS_GET_CA))?;
        response
            .into_inner()
            .certificate
            .ok_or_else(|| Error::missing("certificate", ops::PROJECT_KMS_GET_CA))
    }
}
