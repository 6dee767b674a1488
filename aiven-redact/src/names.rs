//! The name rule: which property, map key, query or path parameter names
//! hold secrets, decided from the name's words alone (no description of
//! Aiven's has a `format: password`). Used at build time for the generated
//! types' `Debug` (through `aiven_openapi::sensitive`) and at run time by
//! every masking function of this crate, so the two never disagree.

/// How a value named by a sensitive property is masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sensitivity {
    /// The whole value is a secret (password, token, private key…): it is
    /// never printed, only whether it is there.
    Secret,
    /// A URI or URL: printed, with the password of its userinfo and the
    /// values of sensitive query parameters masked.
    Uri,
}

/// Nouns naming a secret when they head the name (`admin_password`,
/// `client_secret`, `download_cookie`), never as a qualifier
/// (`password_strength`, `password_updated_time` are not secrets).
const SECRET_HEADS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "otp",
    "hmac",
    "cookie",
    "cookies",
    "credential",
    "credentials",
    "authorization",
    "signature",
    "sig",
    "keytab",
    "keystore",
    // Single-word spellings of the qualified forms below.
    "apikey",
    "privatekey",
    "secretkey",
    "accesskey",
    "authtoken",
    "accesstoken",
    "clientsecret",
];

/// Words that make any name a secret wherever they stand: a JAAS
/// configuration embeds the login's password (`sasl_jaas_config`).
const SECRET_ANYWHERE: &[&str] = &["jaas"];

/// `*_token` is a secret except where the qualifier says it is a public
/// marker: a pagination cursor, or a domain-ownership challenge published in
/// DNS.
const PUBLIC_TOKEN_QUALIFIERS: &[&str] = &[
    "page",
    "next",
    "continuation",
    "pagination",
    "cursor",
    "challenge",
];

/// `*_key` is a secret only with one of these qualifiers: a bare `key` is a
/// tag's or a record's key, `acl_keys` are key patterns, `public_key` is public.
const SECRET_KEY_QUALIFIERS: &[&str] = &[
    "access",
    "private",
    "secret",
    "client",
    "api",
    "signing",
    "encryption",
    "master",
    "ssl",
    "tls",
    "sasl",
    "auth",
    "shared",
    "session",
    "hmac",
    "account",
    "storage",
    "license",
    "sas",
];

/// `*_cert` is public (a CA's, an identity provider's) except the client
/// certificate of a key pair, which Aiven hands out with its key.
const SECRET_CERT_QUALIFIERS: &[&str] = &["access", "client"];

/// `*_code` is public (an error's, a country's, a referral's) except a code
/// that proves who you are: a verification code in an e-mailed link.
const SECRET_CODE_QUALIFIERS: &[&str] = &["verification", "recovery"];

/// Trailing words that say how a value is encoded, not what it is:
/// `private_key_pem` is a private key, `password_hash` a password's hash.
const ENCODING_SUFFIXES: &[&str] = &[
    "value",
    "data",
    "material",
    "pem",
    "der",
    "b64",
    "base64",
    "hex",
    "raw",
    "encoded",
    "plain",
    "plaintext",
    "hash",
    "bytes",
];

/// Heads naming a URI or URL, which can carry a password in its userinfo or
/// a secret in its query (a pre-signed URL, an `otpauth://` URI).
const URI_HEADS: &[&str] = &["uri", "uris", "url", "urls", "dsn"];

/// Whether the value of the property `name` must not be printed as is, and
/// how to mask it. Decided from the name's words (split at `_`, `-`, `.`,
/// spaces and camelCase: `docURL` is `doc url`): the last word, after
/// encoding suffixes, is the head noun.
pub fn sensitivity(name: &str) -> Option<Sensitivity> {
    let words = name_words(name);
    let word = |w: &String, list: &[&str]| list.contains(&w.as_str());
    if words.iter().any(|w| word(w, SECRET_ANYWHERE)) {
        return Some(Sensitivity::Secret);
    }
    // `connection_string`: checked before `string` could be read as a suffix.
    if words.ends_with(&["connection".to_string(), "string".to_string()]) {
        return Some(Sensitivity::Uri);
    }
    let mut end = words.len();
    while end > 1 && word(&words[end - 1], ENCODING_SUFFIXES) {
        end -= 1;
    }
    let head = words.get(end.checked_sub(1)?)?;
    let qualifier = end.checked_sub(2).map(|i| words[i].as_str());
    let qualified = |list: &[&str]| qualifier.is_some_and(|q| list.contains(&q));
    let secret = match head.as_str() {
        h if SECRET_HEADS.contains(&h) => true,
        "token" | "tokens" => !qualified(PUBLIC_TOKEN_QUALIFIERS),
        "key" | "keys" => qualified(SECRET_KEY_QUALIFIERS),
        "cert" | "certs" | "certificate" | "certificates" => qualified(SECRET_CERT_QUALIFIERS),
        "code" | "codes" => qualified(SECRET_CODE_QUALIFIERS),
        h if URI_HEADS.contains(&h) => return Some(Sensitivity::Uri),
        _ => false,
    };
    secret.then_some(Sensitivity::Secret)
}

/// The lower-case words of a property name.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            // `docURL` → doc|URL; `URLPath` → URL|Path.
            let boundary = (prev.is_lowercase() || prev.is_ascii_digit()) && cur.is_uppercase()
                || prev.is_uppercase() && cur.is_uppercase() && next_lower;
            if boundary {
                words.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            words.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_the_head_noun() {
        for name in [
            "password",
            "admin_password",
            "new_password",
            "sasl_plain_password",
            "passwd",
            "client_secret",
            "token",
            "full_token",
            "stripe_token",
            "x-amz-security-token",
            "otp",
            "hmac",
            "download_cookie",
            "credentials",
            "Authorization",
            "X-Amz-Signature",
            "apiKey",
            "access_key",
            "kafka_access_key",
            "ssl_key",
            "private_key",
            "private_key_pem",
            "secret_access_key",
            "password_hash",
            "access_cert",
            "kafka_access_cert",
            "ssl_client_cert",
            "sasl_jaas_config",
            "ssl_keystore",
            "verification_code",
            "invite_verification_code",
        ] {
            assert_eq!(sensitivity(name), Some(Sensitivity::Secret), "{name}");
        }
    }

    #[test]
    fn uris_are_masked_not_hidden() {
        for name in [
            "service_uri",
            "connection_uri",
            "source_service_uri",
            "uri",
            "docURL",
            "download_url",
            "dsn",
            "jdbc_connection_string",
        ] {
            assert_eq!(sensitivity(name), Some(Sensitivity::Uri), "{name}");
        }
    }

    #[test]
    fn look_alikes_are_not_secrets() {
        for name in [
            "key",
            "keys",
            "public_key",
            "key_id",
            "redis_acl_keys",
            "valkey_acl_keys",
            "ca_cert",
            "saml_cert",
            "saml_certificate",
            "certificate",
            "kafka_ssl_ca",
            "token_count",
            "token_prefix",
            "access_token_expiry",
            "refresh_token_expiry",
            "token_validity_begin",
            "auth_token_max_age_seconds",
            "personal_tokens_enabled",
            "next_page_token",
            "challenge_token",
            "password_strength",
            "error_code",
            "referral_code",
            "country_code",
            "password_auth_enabled",
            "password_updated_time",
            "min_password_length",
            "credentials_consumed",
            "credentials_user_id",
            "sum_sort_merge_passes",
            "access_cert_not_valid_after_time",
            "authentication",
            "auth",
            "ssl",
            "service_uri_params",
            "bypass",
            "hash",
            "value",
            "",
            "_",
        ] {
            assert_eq!(sensitivity(name), None, "{name}");
        }
    }

    #[test]
    fn words_split_at_separators_and_case() {
        assert_eq!(name_words("docURL"), ["doc", "url"]);
        assert_eq!(name_words("URLPath"), ["url", "path"]);
        assert_eq!(name_words("X-Amz-Signature"), ["x", "amz", "signature"]);
        assert_eq!(name_words("kafka.ssl_key"), ["kafka", "ssl", "key"]);
        assert_eq!(name_words("apiKey2"), ["api", "key2"]);
        assert!(name_words("").is_empty());
    }
}
