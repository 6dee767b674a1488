//! How to reach a service, typed: what a CI job hands to its test run
//! ([`ConnectionInfo`] says where each field comes from).

use std::fmt;

use aiven_api::operations as ops;
use aiven_api::types;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::state::{ServiceExt, ServiceType};
use crate::{validate, AivenClient, Error, Result};

use crate::redact::REDACTED;

fn expose(s: &Option<SecretString>) -> Option<&str> {
    s.as_ref().map(ExposeSecret::expose_secret)
}

fn shown_url(s: &Option<SecretString>) -> Option<String> {
    expose(s).map(|u| crate::redact::url(u).into_owned())
}

/// One way in to a service (`components[]` of `ServiceGet`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// `pg`, `pgbouncer`, `kafka`, `kafka_rest`, `schema_registry`, …
    pub component: String,
    /// DNS name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// `dynamic`, `public`, `private`, `privatelink`.
    pub route: Option<String>,
    /// `primary`, `replica`.
    pub usage: Option<String>,
    /// Whether it takes TLS (absent: always TLS).
    pub ssl: Option<bool>,
    /// Kafka: `certificate` or `sasl`.
    pub kafka_authentication_method: Option<String>,
}

impl Endpoint {
    /// `host:port`.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// How to reach Kafka and its companions.
#[derive(Clone)]
#[non_exhaustive]
pub struct KafkaConnection {
    /// Bootstrap servers for TLS client-certificate authentication
    /// (`components[kafka, certificate]`, else `connection_info.kafka`,
    /// else `service_uri`).
    pub bootstrap_servers: Vec<String>,
    /// Bootstrap servers for SASL (`components[kafka, sasl]`; empty unless
    /// SASL is enabled in the user config). The user and password are the
    /// connection's `user` and [`password`](ConnectionInfo::password).
    pub sasl_bootstrap_servers: Vec<String>,
    /// The access certificate (PEM) of the first user that has one.
    pub access_cert: Option<String>,
    access_key: Option<SecretString>,
    rest_uri: Option<SecretString>,
    schema_registry_uri: Option<SecretString>,
    connect_uri: Option<SecretString>,
}

impl KafkaConnection {
    /// The access key (PEM) matching [`access_cert`](Self::access_cert).
    pub fn access_key(&self) -> Option<&str> {
        expose(&self.access_key)
    }

    /// Kafka REST (`connection_info.kafka_rest_uri`, with credentials), when enabled.
    pub fn rest_uri(&self) -> Option<&str> {
        expose(&self.rest_uri)
    }

    /// Schema registry (`connection_info.schema_registry_uri`, with credentials), when enabled.
    pub fn schema_registry_uri(&self) -> Option<&str> {
        expose(&self.schema_registry_uri)
    }

    /// Kafka Connect (`connection_info.kafka_connect_uri`), when enabled.
    pub fn connect_uri(&self) -> Option<&str> {
        expose(&self.connect_uri)
    }
}

impl fmt::Debug for KafkaConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaConnection")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("sasl_bootstrap_servers", &self.sasl_bootstrap_servers)
            .field("access_cert", &self.access_cert.as_ref().map(|_| "(PEM)"))
            .field("access_key", &self.access_key.as_ref().map(|_| REDACTED))
            .field("rest_uri", &shown_url(&self.rest_uri))
            .field("schema_registry_uri", &shown_url(&self.schema_registry_uri))
            .field("connect_uri", &shown_url(&self.connect_uri))
            .finish()
    }
}

/// How to reach a service.
///
/// Read from the service as `ServiceGet` returns it, never failing (a
/// field the answer lacks is `None`/empty):
///
/// | field | PostgreSQL, MySQL | Kafka | OpenSearch, Grafana, ClickHouse | Valkey |
/// |---|---|---|---|---|
/// | `host`, `port` | `service_uri_params.host/port` | `service_uri_params` (else `host:port`) | `service_uri_params`, else the URI | same |
/// | `user`, [`password`](ConnectionInfo::password) | `service_uri_params.user/password` | the first user's (`users[]`) | `service_uri_params`, else the URI's | the URI's |
/// | `database` | `service_uri_params.dbname` | — | the URI's path (ClickHouse) | — |
/// | `ssl_mode` | `sslmode` / `ssl-mode` | — | — | — |
/// | [`uri`](ConnectionInfo::uri) | `service_uri` (with the password) | `service_uri` (`host:port`) | `service_uri` | `service_uri` (`rediss://`) |
/// | [`replica_uri`](ConnectionInfo::replica_uri) | `connection_info.pg_replica_uri` / `mysql_replica_uri` | — | — | — |
/// | `endpoints` | `components[]` (`pg`, `pgbouncer`, `mysql`, `mysqlx`, `kafka`, `kafka_rest`, `schema_registry`, `kafka_connect`, `opensearch_dashboards`, `clickhouse_https`, …): component, host, port, route, usage, TLS, Kafka authentication method | | | |
/// | `kafka` | — | [`KafkaConnection`] | — | — |
/// | `dashboards_uri` | — | — | `connection_info.opensearch_dashboards_uri` | — |
/// | `ca_pem` | the project CA, when fetched with [`AivenClient::connection_info_with_ca`] | | | |
///
/// Secrets (passwords, URIs carrying them, Kafka's access key) are printed
/// as `** redacted **` by `Debug` and reachable through accessors.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The service type (`pg`, `kafka`, …).
    pub service_type: Option<ServiceType>,
    /// Host name.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// User.
    pub user: Option<String>,
    password: Option<SecretString>,
    /// Database.
    pub database: Option<String>,
    /// TLS mode as the API states it (`require`, `REQUIRED`), when it does.
    pub ssl_mode: Option<String>,
    uri: Option<SecretString>,
    replica_uri: Option<SecretString>,
    /// Every way in (`components[]`).
    pub endpoints: Vec<Endpoint>,
    /// Kafka's bootstrap servers, certificates and companions.
    pub kafka: Option<KafkaConnection>,
    /// OpenSearch Dashboards (`connection_info.opensearch_dashboards_uri`).
    pub dashboards_uri: Option<String>,
    /// The project's CA certificate (PEM), when fetched with
    /// [`AivenClient::connection_info_with_ca`].
    pub ca_pem: Option<String>,
}

/// Reads `service_uri_params` / `connection_info` values that are strings
/// (or numbers, or lists whose first item is one).
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => text(items.first()),
        _ => None,
    }
}

fn endpoints(service: &types::Service) -> Vec<Endpoint> {
    let components = service.components.as_deref().unwrap_or_default();
    components
        .iter()
        .filter_map(|c| {
            Some(Endpoint {
                component: c.component.clone()?,
                host: c.host.clone()?,
                port: u16::try_from(c.port?).ok()?,
                route: c.route.clone(),
                usage: c.usage.clone(),
                ssl: c.ssl,
                kafka_authentication_method: c.kafka_authentication_method.clone(),
            })
        })
        .collect()
}

impl ConnectionInfo {
    /// Reads it from a service as `ServiceGet` (or a waiter) returns it.
    pub fn from_service(service: &types::Service) -> Self {
        let param = |key: &str| text(service.service_uri_params.as_ref()?.get(key));
        let info = |key: &str| text(service.connection_info.as_ref()?.get(key));
        let service_type = service.service_type_enum();
        let raw_uri = service.service_uri.clone();
        // Kafka's service_uri is `host:port`, not a URL.
        let url = raw_uri
            .as_deref()
            .filter(|u| u.contains("://"))
            .and_then(|u| reqwest::Url::parse(u).ok());
        let from_url = |f: fn(&reqwest::Url) -> Option<String>| url.as_ref().and_then(f);
        let users = service.users.as_deref().unwrap_or_default();
        let endpoints = endpoints(service);
        let is_kafka = service_type == Some(ServiceType::Kafka);
        let (host_port_host, host_port_port) = match (is_kafka, raw_uri.as_deref()) {
            (true, Some(uri)) => match uri.split(',').next().and_then(|a| a.rsplit_once(':')) {
                Some((h, p)) => (Some(h.to_owned()), p.parse().ok()),
                None => (None, None),
            },
            _ => (None, None),
        };
        // Kafka has no user in its URI: the first user is the one whose
        // certificate and SASL password a client uses.
        let kafka_user = users.first().filter(|_| is_kafka);
        let kafka = is_kafka.then(|| {
            let by_method = |method: &str| -> Vec<String> {
                endpoints
                    .iter()
                    .filter(|e| e.component == "kafka")
                    .filter(|e| {
                        e.kafka_authentication_method
                            .as_deref()
                            .unwrap_or("certificate")
                            == method
                    })
                    .map(Endpoint::address)
                    .collect()
            };
            let mut bootstrap = by_method("certificate");
            if bootstrap.is_empty() {
                bootstrap = match service
                    .connection_info
                    .as_ref()
                    .and_then(|c| c.get("kafka"))
                {
                    Some(Value::Array(hosts)) => hosts
                        .iter()
                        .filter_map(|h| h.as_str().map(str::to_owned))
                        .collect(),
                    _ => raw_uri
                        .as_deref()
                        .map(|u| u.split(',').map(|s| s.trim().to_owned()).collect())
                        .unwrap_or_default(),
                };
            }
            let with_cert = users.iter().find(|u| u.access_cert.is_some());
            KafkaConnection {
                bootstrap_servers: bootstrap,
                sasl_bootstrap_servers: by_method("sasl"),
                access_cert: with_cert.and_then(|u| u.access_cert.clone()),
                access_key: with_cert
                    .and_then(|u| u.access_key.clone())
                    .map(SecretString::from),
                rest_uri: info("kafka_rest_uri").map(SecretString::from),
                schema_registry_uri: info("schema_registry_uri").map(SecretString::from),
                connect_uri: info("kafka_connect_uri").map(SecretString::from),
            }
        });
        Self {
            service_type,
            host: param("host")
                .or_else(|| from_url(|u| u.host_str().map(str::to_owned)))
                .or(host_port_host),
            port: param("port")
                .and_then(|p| p.parse().ok())
                .or_else(|| url.as_ref().and_then(reqwest::Url::port_or_known_default))
                .or(host_port_port),
            user: param("user")
                .or_else(|| from_url(|u| Some(u.username().to_owned()).filter(|s| !s.is_empty())))
                .or_else(|| kafka_user.and_then(|u| u.username.clone())),
            password: param("password")
                .or_else(|| from_url(|u| u.password().map(str::to_owned)))
                .or_else(|| kafka_user.and_then(|u| u.password.clone()))
                .map(SecretString::from),
            database: param("dbname").or_else(|| {
                from_url(|u| {
                    Some(u.path().trim_start_matches('/').to_owned()).filter(|p| !p.is_empty())
                })
            }),
            ssl_mode: param("sslmode").or_else(|| param("ssl-mode")),
            uri: raw_uri.map(SecretString::from),
            replica_uri: info("pg_replica_uri")
                .or_else(|| info("mysql_replica_uri"))
                .map(SecretString::from),
            endpoints,
            kafka,
            dashboards_uri: info("opensearch_dashboards_uri"),
            ca_pem: None,
        }
    }

    /// The password.
    pub fn password(&self) -> Option<&str> {
        expose(&self.password)
    }

    /// `service_uri` as the API gives it (with the password, for URL types).
    pub fn uri(&self) -> Option<&str> {
        expose(&self.uri)
    }

    /// PostgreSQL, MySQL: the read replica's URI, when the plan has one.
    pub fn replica_uri(&self) -> Option<&str> {
        expose(&self.replica_uri)
    }

    /// The first endpoint of `component` (`pgbouncer`, `clickhouse_https`, …).
    pub fn endpoint(&self, component: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.component == component)
    }

    /// The environment a program (`psql`, a Kafka client, a test suite)
    /// reads, by the service type's conventions, for what is known:
    ///
    /// - PostgreSQL: `DATABASE_URL`, `PGHOST`, `PGPORT`, `PGUSER`,
    ///   `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`;
    /// - MySQL: `DATABASE_URL`, `MYSQL_HOST`, `MYSQL_TCP_PORT`, `MYSQL_USER`,
    ///   `MYSQL_PWD`, `MYSQL_DATABASE`;
    /// - Kafka: `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_SASL_BOOTSTRAP_SERVERS`,
    ///   `KAFKA_USERNAME` and `KAFKA_PASSWORD` (only when SASL is on:
    ///   the service lists a SASL endpoint), `KAFKA_ACCESS_CERT`,
    ///   `KAFKA_ACCESS_KEY`, `KAFKA_REST_URI`, `SCHEMA_REGISTRY_URI`,
    ///   `KAFKA_CONNECT_URI`;
    /// - any other type `T` (OpenSearch, Valkey, ClickHouse, Grafana, …):
    ///   `T_URI`, `T_HOST`, `T_PORT`, `T_USER`, `T_PASSWORD` (and
    ///   `OPENSEARCH_DASHBOARDS_URI`);
    /// - every type: `AIVEN_CA_PEM` when [`ca_pem`](Self::ca_pem) is known.
    ///
    /// The values hold secrets: pass them to a child process, don't print them.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                env.push((k.to_owned(), v));
            }
        };
        let own = |s: Option<&str>| s.map(str::to_owned);
        let port = self.port.map(|p| p.to_string());
        match self.service_type {
            Some(ServiceType::Pg) => {
                put("DATABASE_URL", own(self.uri()));
                put("PGHOST", self.host.clone());
                put("PGPORT", port);
                put("PGUSER", self.user.clone());
                put("PGPASSWORD", own(self.password()));
                put("PGDATABASE", self.database.clone());
                put("PGSSLMODE", self.ssl_mode.clone());
            }
            Some(ServiceType::Mysql) => {
                put("DATABASE_URL", own(self.uri()));
                put("MYSQL_HOST", self.host.clone());
                put("MYSQL_TCP_PORT", port);
                put("MYSQL_USER", self.user.clone());
                put("MYSQL_PWD", own(self.password()));
                put("MYSQL_DATABASE", self.database.clone());
            }
            _ if self.kafka.is_some() => {
                let k = self.kafka.as_ref().expect("checked");
                let list = |l: &[String]| Some(l.join(","));
                put("KAFKA_BOOTSTRAP_SERVERS", list(&k.bootstrap_servers));
                put(
                    "KAFKA_SASL_BOOTSTRAP_SERVERS",
                    list(&k.sasl_bootstrap_servers),
                );
                // User and password authenticate SASL only; with SASL off
                // (`kafka_authentication_methods.sasl` in the user config)
                // they would mislead a client into trying it.
                if !k.sasl_bootstrap_servers.is_empty() {
                    put("KAFKA_USERNAME", self.user.clone());
                    put("KAFKA_PASSWORD", own(self.password()));
                }
                put("KAFKA_ACCESS_CERT", k.access_cert.clone());
                put("KAFKA_ACCESS_KEY", own(k.access_key()));
                put("KAFKA_REST_URI", own(k.rest_uri()));
                put("SCHEMA_REGISTRY_URI", own(k.schema_registry_uri()));
                put("KAFKA_CONNECT_URI", own(k.connect_uri()));
            }
            _ => {
                let prefix = self
                    .service_type
                    .as_ref()
                    .map_or("SERVICE".to_owned(), |t| {
                        t.as_str().to_ascii_uppercase().replace('-', "_")
                    });
                put(&format!("{prefix}_URI"), own(self.uri()));
                put(&format!("{prefix}_HOST"), self.host.clone());
                put(&format!("{prefix}_PORT"), port);
                put(&format!("{prefix}_USER"), self.user.clone());
                put(&format!("{prefix}_PASSWORD"), own(self.password()));
                put("OPENSEARCH_DASHBOARDS_URI", self.dashboards_uri.clone());
            }
        }
        put("AIVEN_CA_PEM", self.ca_pem.clone());
        env
    }
}

impl ConnectionInfo {
    /// [`env`](Self::env), each variable saying whether it is a secret: a
    /// password or key (`…PASSWORD`, `MYSQL_PWD`, `…ACCESS_KEY`), or a
    /// value carrying the password or a URL with credentials
    /// (`DATABASE_URL`, `KAFKA_REST_URI`).
    pub fn env_vars(&self) -> Vec<crate::EnvVar> {
        let password = self.password().filter(|p| !p.is_empty());
        let with_credentials = |v: &str| {
            reqwest::Url::parse(v).is_ok_and(|u| u.password().is_some() || !u.username().is_empty())
        };
        self.env()
            .into_iter()
            .map(|(name, value)| {
                let secret = ["PASSWORD", "_PWD", "ACCESS_KEY"]
                    .iter()
                    .any(|s| name.ends_with(s))
                    || password.is_some_and(|p| value.contains(p))
                    || with_credentials(&value);
                crate::EnvVar::new(name, value, secret)
            })
            .collect()
    }
}

impl fmt::Debug for ConnectionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionInfo")
            .field("service_type", &self.service_type)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .field("database", &self.database)
            .field("ssl_mode", &self.ssl_mode)
            .field("uri", &shown_url(&self.uri))
            .field("replica_uri", &shown_url(&self.replica_uri))
            .field("endpoints", &self.endpoints)
            .field("kafka", &self.kafka)
            .field(
                "dashboards_uri",
                &self.dashboards_uri.as_deref().map(crate::redact::url),
            )
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "(PEM)"))
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

    /// [`connection_info`](Self::connection_info) with the project's CA
    /// certificate in [`ConnectionInfo::ca_pem`] (one more request), which
    /// Kafka clients and TLS-verifying database clients need.
    pub async fn connection_info_with_ca(
        &self,
        project: &str,
        service: &str,
    ) -> Result<ConnectionInfo> {
        let mut info = self.connection_info(project, service).await?;
        info.ca_pem = Some(self.project_ca(project).await?);
        Ok(info)
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
