//! One getter per resource that more than one helper reads (waiters,
//! ensure, teardown): names checked before sending, the operation attached
//! to the error, a missing body field an error.

use aiven_api::operations as ops;
use aiven_api::types;

use crate::{validate, AivenClient, Error, Result};

impl AivenClient {
    /// Fetches one Kafka topic.
    pub async fn get_topic(
        &self,
        project: &str,
        service: &str,
        topic: &str,
    ) -> Result<types::ServiceKafkaTopicGetResponseTopic> {
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        validate::topic_name(topic)?;
        let response = self
            .service_kafka_topic_get()
            .project(project)
            .service_name(service)
            .topic_name(topic)
            .send()
            .await
            .map_err(Error::during(ops::SERVICE_KAFKA_TOPIC_GET))?;
        response
            .into_inner()
            .topic
            .ok_or_else(|| Error::missing("topic", ops::SERVICE_KAFKA_TOPIC_GET))
    }

    /// Fetches one service integration by id.
    pub async fn get_integration(
        &self,
        project: &str,
        integration_id: &str,
    ) -> Result<types::ServiceIntegration> {
        validate::project_name(project)?;
        validate::path_segment("integration_id", integration_id, 256)?;
        let response = self
            .service_integration_get()
            .project(project)
            .integration_id(integration_id)
            .send()
            .await
            .map_err(Error::during(ops::SERVICE_INTEGRATION_GET))?;
        response
            .into_inner()
            .service_integration
            .ok_or_else(|| Error::missing("service_integration", ops::SERVICE_INTEGRATION_GET))
    }
}
