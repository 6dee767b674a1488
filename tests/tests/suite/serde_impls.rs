//! The response structs' written-out `Deserialize` and `Serialize`
//! (aiven-openapi's `codegen::serde_impls`, aiven-api's `decode` and
//! `encode`) against serde's derive: the same input gives the same value, or
//! an error with the same message (position included), and the same value
//! gives the same output, or the same error at the same byte, for
//! `AivenError` and its nested `AivenErrorDetail`, for `ConnectorConfig`
//! (a renamed field), for request bodies (closed structs: a map with
//! names or indices as keys, or a sequence) and a newtype field, and for
//! string enums (renamed variants or not).

use aiven_api::types::{AivenError, AivenErrorDetail, ConnectorConfig};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// What the derive wrote before, under the same names (the names are in
/// the error messages), with the same lenient marks: `lenient::field_named`
/// by wire name for each `Option` field, `lenient::extra` for the map.
mod derived {
    use super::*;
    use serde::Deserializer;

    fn lenient<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
        name: &'static str,
        d: D,
    ) -> Result<Option<T>, D::Error> {
        aiven_api::lenient::field_named(name, d)
    }
    fn error_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        lenient("error_code", d)
    }
    fn message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        lenient("message", d)
    }
    fn more_info<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        lenient("more_info", d)
    }
    fn status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        lenient("status", d)
    }
    fn errors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<AivenErrorDetail>>, D::Error> {
        lenient("errors", d)
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    pub struct AivenErrorDetail {
        #[serde(default, deserialize_with = "error_code")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub error_code: Option<String>,
        #[serde(default, deserialize_with = "message")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub message: Option<String>,
        #[serde(default, deserialize_with = "more_info")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub more_info: Option<String>,
        #[serde(default, deserialize_with = "status")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<i64>,
        #[serde(flatten, deserialize_with = "aiven_api::lenient::extra")]
        pub extra: Map<String, Value>,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    pub struct AivenError {
        #[serde(default, deserialize_with = "errors")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub errors: Option<Vec<AivenErrorDetail>>,
        #[serde(default, deserialize_with = "message")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub message: Option<String>,
        #[serde(flatten, deserialize_with = "aiven_api::lenient::extra")]
        pub extra: Map<String, Value>,
    }

    /// Only its `Serialize` is compared.
    #[derive(Serialize)]
    pub struct ConnectorConfig {
        #[serde(rename = "connector.class", skip_serializing_if = "Option::is_none")]
        pub connector_class: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(flatten)]
        pub extra: Map<String, Value>,
    }

    /// `ServiceSchemaRegistryCompatibilityRequestBody`, its `schema` newtype
    /// as the `String` it wraps.
    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    pub struct ServiceSchemaRegistryCompatibilityRequestBody {
        pub schema: String,
        #[serde(rename = "schemaType", skip_serializing_if = "Option::is_none")]
        pub schema_type: Option<aiven_api::types::SchemaType>,
    }

    fn yes() -> bool {
        true
    }

    #[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
    pub enum SchemaType {
        #[serde(rename = "AVRO")]
        Avro,
        #[serde(rename = "JSON")]
        Json,
        #[serde(rename = "PROTOBUF")]
        Protobuf,
    }

    #[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
    pub enum MessageTimestampType {
        CreateTime,
        LogAppendTime,
    }

    /// `ServiceTaskCreateRequestBodyUpgradeCheck`: a renamed field with a
    /// default, a required newtype (as its `String`).
    #[derive(Debug, Deserialize, PartialEq)]
    pub struct ServiceTaskCreateRequestBodyUpgradeCheck {
        #[serde(rename = "async", default = "yes")]
        pub async_: bool,
        pub target_version: String,
    }
}

use derived::{AivenError as DerivedError, AivenErrorDetail as DerivedDetail};

fn detail(d: &AivenErrorDetail) -> DerivedDetail {
    DerivedDetail {
        error_code: d.error_code.clone(),
        message: d.message.clone(),
        more_info: d.more_info.clone(),
        status: d.status,
        extra: d.extra.clone(),
    }
}

fn error(e: &AivenError) -> DerivedError {
    DerivedError {
        errors: e.errors.as_ref().map(|v| v.iter().map(detail).collect()),
        message: e.message.clone(),
        extra: e.extra.clone(),
    }
}

/// Inputs that take every path: known, unknown and escaped keys, repeats,
/// nulls, wrong types, wrong shapes, truncation.
const CASES: &[&str] = &[
    r#"{}"#,
    r#"{"message":"m","errors":[{"message":"d","status":404,"error_code":"x","more_info":"u"}]}"#,
    r#"{"message":"m","unknown":{"deep":[1,2]},"other":null}"#,
    r#"{"mess\u0061ge":"escaped known key","\u00e9t\u00e9":"escaped unknown key"}"#,
    r#"{"message":"a","message":"b"}"#,
    r#"{"unknown":1,"unknown":2}"#,
    r#"{"message":null,"errors":null}"#,
    r#"{"message":5}"#,
    r#"{"errors":[{"status":"404"}]}"#,
    r#"{"errors":[{"status":1,"status":2}]}"#,
    r#"{"errors":{"message":"not a list"}}"#,
    r#"{"errors":[[]]}"#,
    r#"[]"#,
    r#"["m"]"#,
    r#""text""#,
    r#"null"#,
    r#"3"#,
    r#"{"message":"m""#,
    r#"{"message":"m",}"#,
    // `call` is a field of `AivenError` the server never sends: its key is
    // an unknown one.
    r#"{"call":"x","message":"m"}"#,
];

/// The types under test really have the written-out impl (a struct the
/// pass leaves alone keeps the derive, and this test would compare the
/// derive with itself).
#[test]
fn the_types_under_test_are_written_out() {
    fn written_out<T: aiven_api::decode::Open>() {}
    written_out::<AivenError>();
    written_out::<AivenErrorDetail>();
    written_out::<ConnectorConfig>();
}

/// A writer that fails once `room` bytes are written: every place a
/// serializer can fail, in turn.
struct Full {
    room: usize,
    written: Vec<u8>,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written.len() + buf.len() > self.room {
            return Err(std::io::Error::other(format!("full at {}", self.room)));
        }
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `ours` and `derived` write the same text, compact and pretty; and, cut
/// off at every byte, fail with the same error after the same output.
fn assert_same_output<A: Serialize, B: Serialize>(ours: &A, derived: &B, case: &str) {
    let text = serde_json::to_string(ours).expect("ours encodes");
    assert_eq!(
        text,
        serde_json::to_string(derived).expect("derived encodes"),
        "{case}"
    );
    assert_eq!(
        serde_json::to_string_pretty(ours).expect("ours encodes"),
        serde_json::to_string_pretty(derived).expect("derived encodes"),
        "{case}"
    );
    for room in 0..text.len() {
        let mut a = Full {
            room,
            written: Vec::new(),
        };
        let mut b = Full {
            room,
            written: Vec::new(),
        };
        let ours = serde_json::to_writer(&mut a, ours).expect_err("cut off");
        let derived = serde_json::to_writer(&mut b, derived).expect_err("cut off");
        assert_eq!(ours.to_string(), derived.to_string(), "{case} at {room}");
        assert_eq!(a.written, b.written, "{case} at {room}");
    }
}

#[test]
fn the_written_out_impl_encodes_as_the_derive_did() {
    let mut encoded = 0;
    for case in CASES {
        let (Ok(ours), Ok(derived)) = (
            serde_json::from_str::<AivenError>(case),
            serde_json::from_str::<DerivedError>(case),
        ) else {
            continue;
        };
        assert_same_output(&ours, &derived, case);
        encoded += 1;
    }
    assert!(encoded >= 7, "only {encoded} cases decoded");
    // Unknown keys after the known ones, in their order; `None` left out.
    let ours: AivenError = serde_json::from_str(r#"{"z":1,"message":"m","a":[2]}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&ours).unwrap(),
        r#"{"message":"m","z":1,"a":[2]}"#
    );
}

#[test]
fn a_renamed_field_encodes_under_its_wire_name() {
    let extra: Map<String, Value> = [("tasks.max".to_owned(), json!(2))].into_iter().collect();
    let cases = [
        (Some("io.aiven.Sink"), Some("sink")),
        (None, Some("sink")),
        (Some("io.aiven.Sink"), None),
        (None, None),
    ];
    for (class, name) in cases {
        let ours = ConnectorConfig {
            connector_class: class.map(str::to_owned),
            name: name.map(str::to_owned),
            extra: extra.clone(),
        };
        let derived = derived::ConnectorConfig {
            connector_class: class.map(str::to_owned),
            name: name.map(str::to_owned),
            extra: extra.clone(),
        };
        assert_same_output(&ours, &derived, &format!("{class:?} {name:?}"));
    }
    let ours = ConnectorConfig {
        connector_class: Some("io.aiven.Sink".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&ours).unwrap(),
        r#"{"connector.class":"io.aiven.Sink"}"#
    );
}

#[test]
fn the_written_out_impl_decodes_as_the_derive_did() {
    for case in CASES {
        let ours = serde_json::from_str::<AivenError>(case);
        let derived = serde_json::from_str::<DerivedError>(case);
        match (&ours, &derived) {
            (Ok(ours), Ok(derived)) => assert_eq!(&error(ours), derived, "{case}"),
            (Err(ours), Err(derived)) => {
                assert_eq!(ours.to_string(), derived.to_string(), "{case}")
            }
            _ => panic!("{case}: ours {ours:?}, the derive's {derived:?}"),
        }
        // The same through `serde_json::Value` (keys borrowed from the value,
        // not from the text; the lenient pass decodes this way).
        if let Ok(value) = serde_json::from_str::<Value>(case) {
            let ours = AivenError::deserialize(&value);
            let derived = DerivedError::deserialize(&value);
            match (&ours, &derived) {
                (Ok(ours), Ok(derived)) => assert_eq!(&error(ours), derived, "{case}"),
                (Err(ours), Err(derived)) => {
                    assert_eq!(ours.to_string(), derived.to_string(), "{case}")
                }
                _ => panic!("{case} as a Value: ours {ours:?}, the derive's {derived:?}"),
            }
        }
    }
}

/// The lenient pass (values of the wrong type set aside in `extra`, at the
/// struct they belong to, nested or not) as with the derive.
#[test]
fn the_lenient_pass_sets_aside_as_with_the_derive() {
    let cases = [
        r#"{"message":5,"errors":[{"status":"404","x":1},{"status":[1],"message":"d"}],"u":1}"#,
        r#"{"errors":{"not":"a list"},"message":"m"}"#,
        r#"{"errors":[{"status":1,"error_code":{"a":1},"more_info":false}],"message":[]}"#,
    ];
    for case in cases {
        let (ours, ours_report) =
            aiven_api::lenient::decode::<AivenError>(case.as_bytes()).expect("ours decodes");
        let (derived, derived_report) =
            aiven_api::lenient::decode::<DerivedError>(case.as_bytes()).expect("derived decodes");
        assert_eq!(error(&ours), derived, "{case}");
        assert_eq!(ours_report, derived_report, "{case}");
        assert!(ours_report.total > 0, "{case}: the lenient pass ran");
    }
}

#[test]
fn known_fields_are_set_and_the_rest_kept() {
    let e: AivenError = serde_json::from_value(json!({
        "message": "m",
        "errors": [{"status": 409, "extra": "a key named extra"}],
        "request_id": "r-1",
    }))
    .expect("decodes");
    assert_eq!(e.message.as_deref(), Some("m"));
    let d = &e.errors.as_ref().expect("errors")[0];
    assert_eq!(d.status, Some(409));
    assert_eq!(d.extra["extra"], json!("a key named extra"));
    assert_eq!(e.extra.len(), 1);
    assert_eq!(e.extra["request_id"], json!("r-1"));
    // Serializing puts the kept keys back in place.
    let back = serde_json::to_value(&e).expect("encodes");
    assert_eq!(back["request_id"], json!("r-1"));
    assert_eq!(back["errors"][0]["extra"], json!("a key named extra"));
}

#[test]
fn a_missing_field_is_none_for_an_option_and_an_error_otherwise() {
    let none: Result<Option<u32>, serde_json::Error> = aiven_api::decode::missing("count");
    assert_eq!(none.expect("an option"), None);
    let err = aiven_api::decode::missing::<u32, serde_json::Error>("count").unwrap_err();
    assert_eq!(err.to_string(), "missing field `count`");
}

#[test]
fn a_request_body_and_its_newtype_encode_as_the_derive_did() {
    use aiven_api::types::{
        SchemaType, ServiceSchemaRegistryCompatibilityRequestBody as Body,
        ServiceSchemaRegistryCompatibilityRequestBodySchema as Schema,
    };
    for (schema, schema_type) in [
        ("{\"type\":\"string\"}", Some(SchemaType::Avro)),
        ("syntax = \"proto3\";", Some(SchemaType::Protobuf)),
        ("{}", None),
    ] {
        let newtype: Schema = schema.parse().expect("a schema");
        assert_same_output(&newtype, &schema, schema);
        let ours = Body {
            schema: newtype,
            schema_type,
        };
        let derived = derived::ServiceSchemaRegistryCompatibilityRequestBody {
            schema: schema.to_owned(),
            schema_type,
        };
        assert_same_output(&ours, &derived, schema);
    }
    let body = Body {
        schema: "{}".parse().unwrap(),
        schema_type: Some(SchemaType::Json),
    };
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"schema":"{}","schemaType":"JSON"}"#
    );
}

/// Decodes `input` with `ours` and `derived` and compares: equal values
/// (through `same`), or errors with the same message.
fn assert_same_decode<A, B>(
    ours: Result<A, String>,
    derived: Result<B, String>,
    same: impl Fn(&A) -> B,
    case: &str,
) where
    A: std::fmt::Debug,
    B: std::fmt::Debug + PartialEq,
{
    match (&ours, &derived) {
        (Ok(ours), Ok(derived)) => assert_eq!(&same(ours), derived, "{case}"),
        (Err(ours), Err(derived)) => assert_eq!(ours, derived, "{case}"),
        _ => panic!("{case}: ours {ours:?}, the derive's {derived:?}"),
    }
}

#[test]
fn request_bodies_decode_as_the_derive_did() {
    use aiven_api::types::{
        ServiceSchemaRegistryCompatibilityRequestBody as Body,
        ServiceTaskCreateRequestBodyUpgradeCheck as UpgradeCheck,
    };
    fn written_out<T: aiven_api::decode::Closed>() {}
    written_out::<Body>();
    written_out::<UpgradeCheck>();
    let body = |b: &Body| derived::ServiceSchemaRegistryCompatibilityRequestBody {
        schema: b.schema.to_string(),
        schema_type: b.schema_type,
    };
    let check = |c: &UpgradeCheck| derived::ServiceTaskCreateRequestBodyUpgradeCheck {
        async_: c.async_,
        target_version: c.target_version.to_string(),
    };
    let bodies = [
        r#"{"schema":"s"}"#,
        r#"{"schema":"s","schemaType":"AVRO"}"#,
        r#"{"schemaType":null,"schema":"s"}"#,
        r#"{}"#,
        r#"{"schemaType":"JSON"}"#,
        r#"{"schema":"s","schema":"t"}"#,
        r#"{"schema":"s","unknown":[1,{"a":2}],"schemaType":"PROTOBUF"}"#,
        r#"{"sch\u0065ma":"escaped key"}"#,
        r#"{"schema":5}"#,
        r#"{"schema":"s","schemaType":"XML"}"#,
        r#"["s"]"#,
        r#"["s","JSON"]"#,
        r#"[]"#,
        r#"["s","JSON","more"]"#,
        r#"[5]"#,
        r#""text""#,
        r#"null"#,
        r#"3"#,
        r#"{"schema":"s""#,
    ];
    let mut decoded = 0;
    for case in bodies {
        let ours = serde_json::from_str::<Body>(case).map_err(|e| e.to_string());
        decoded += usize::from(ours.is_ok());
        let derived =
            serde_json::from_str::<derived::ServiceSchemaRegistryCompatibilityRequestBody>(case)
                .map_err(|e| e.to_string());
        assert_same_decode(ours, derived, body, case);
        if let Ok(value) = serde_json::from_str::<Value>(case) {
            let ours = Body::deserialize(&value).map_err(|e| e.to_string());
            let derived =
                derived::ServiceSchemaRegistryCompatibilityRequestBody::deserialize(&value)
                    .map_err(|e| e.to_string());
            assert_same_decode(ours, derived, body, &format!("{case} as a Value"));
        }
    }
    assert!(decoded >= 6, "only {decoded} cases decoded");
    for case in [
        r#"{"target_version":"16"}"#,
        r#"{"async":false,"target_version":"16"}"#,
        r#"{"async":"no","target_version":"16"}"#,
        r#"{"async":true}"#,
        r#"["16"]"#,
        r#"[false,"16"]"#,
        r#"[false]"#,
        r#"[]"#,
    ] {
        let ours = serde_json::from_str::<UpgradeCheck>(case).map_err(|e| e.to_string());
        let derived =
            serde_json::from_str::<derived::ServiceTaskCreateRequestBodyUpgradeCheck>(case)
                .map_err(|e| e.to_string());
        assert_same_decode(ours, derived, check, case);
    }
}

/// Keys that JSON cannot write: a field's index, bytes (UTF-8 or not).
#[test]
fn request_body_keys_by_index_and_bytes_decode_as_the_derive_did() {
    use aiven_api::types::ServiceSchemaRegistryCompatibilityRequestBody as Body;
    use serde::de::value::{Error, MapDeserializer};
    use serde::de::IntoDeserializer;
    /// The same entries through serde's `MapDeserializer`, to each.
    fn compare<K>(entries: &[(K, &'static str)])
    where
        K: Copy + std::fmt::Debug + IntoDeserializer<'static, Error>,
    {
        let map = || MapDeserializer::<_, Error>::new(entries.iter().copied());
        let ours = Body::deserialize(map()).map_err(|e| e.to_string());
        let derived = derived::ServiceSchemaRegistryCompatibilityRequestBody::deserialize(map())
            .map_err(|e| e.to_string());
        let body = |b: &Body| derived::ServiceSchemaRegistryCompatibilityRequestBody {
            schema: b.schema.to_string(),
            schema_type: b.schema_type,
        };
        assert_same_decode(ours, derived, body, &format!("{entries:?}"));
    }
    compare::<u64>(&[(0, "s")]);
    compare::<u64>(&[(0, "s"), (7, "ignored")]);
    compare::<u64>(&[(0, "s"), (0, "t")]);
    compare::<u64>(&[(7, "ignored")]);
    compare::<&[u8]>(&[(b"schema", "s")]);
    compare::<&[u8]>(&[(b"schema", "s"), (b"\xff\xfe", "not UTF-8: ignored")]);
    compare::<&[u8]>(&[(b"\xff", "x")]);
}

#[test]
fn string_enums_decode_and_encode_as_the_derive_did() {
    use aiven_api::types::{MessageTimestampType, SchemaType};
    fn written_out<T: aiven_api::decode::UnitEnum>() {}
    written_out::<SchemaType>();
    written_out::<MessageTimestampType>();
    let schema_type = |t: &SchemaType| match t {
        SchemaType::Avro => derived::SchemaType::Avro,
        SchemaType::Json => derived::SchemaType::Json,
        SchemaType::Protobuf => derived::SchemaType::Protobuf,
    };
    let timestamp = |t: &MessageTimestampType| match t {
        MessageTimestampType::CreateTime => derived::MessageTimestampType::CreateTime,
        MessageTimestampType::LogAppendTime => derived::MessageTimestampType::LogAppendTime,
    };
    let cases = [
        r#""AVRO""#,
        r#""PROTOBUF""#,
        r#""avro""#,
        r#""Avro""#,
        r#""XML""#,
        r#""CreateTime""#,
        r#""LogAppendTime""#,
        r#"{"JSON":null}"#,
        r#"{"JSON":1}"#,
        r#"{"XML":null}"#,
        r#"{"CreateTime":[]}"#,
        r#"{}"#,
        r#"{"JSON":null,"AVRO":null}"#,
        r#"5"#,
        r#"null"#,
        r#"[]"#,
        r#"["AVRO"]"#,
        r#""AVRO"#,
    ];
    for case in cases {
        let ours = serde_json::from_str::<SchemaType>(case).map_err(|e| e.to_string());
        let derived = serde_json::from_str::<derived::SchemaType>(case).map_err(|e| e.to_string());
        assert_same_decode(ours, derived, schema_type, case);
        let ours = serde_json::from_str::<MessageTimestampType>(case).map_err(|e| e.to_string());
        let derived =
            serde_json::from_str::<derived::MessageTimestampType>(case).map_err(|e| e.to_string());
        assert_same_decode(ours, derived, timestamp, case);
        if let Ok(value) = serde_json::from_str::<Value>(case) {
            let ours = SchemaType::deserialize(&value).map_err(|e| e.to_string());
            let derived = derived::SchemaType::deserialize(&value).map_err(|e| e.to_string());
            assert_same_decode(ours, derived, schema_type, &format!("{case} as a Value"));
        }
    }
    // A variant by index (formats that write enums as numbers).
    for index in [0u32, 2, 3, 99] {
        use serde::de::value::{Error, U32Deserializer};
        let ours = SchemaType::deserialize(U32Deserializer::<Error>::new(index))
            .map_err(|e| e.to_string());
        let derived = derived::SchemaType::deserialize(U32Deserializer::<Error>::new(index))
            .map_err(|e| e.to_string());
        assert_same_decode(ours, derived, schema_type, &format!("index {index}"));
    }
    for t in [SchemaType::Avro, SchemaType::Json, SchemaType::Protobuf] {
        assert_same_output(&t, &schema_type(&t), &format!("{t:?}"));
    }
    for t in [
        MessageTimestampType::CreateTime,
        MessageTimestampType::LogAppendTime,
    ] {
        assert_same_output(&t, &timestamp(&t), &format!("{t:?}"));
    }
    assert_eq!(
        serde_json::to_string(&SchemaType::Protobuf).unwrap(),
        r#""PROTOBUF""#
    );
}
