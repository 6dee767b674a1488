// The name rule: which property names hold secrets. One source for both
// sides: aiven-openapi's codegen `include!`s it (module `sensitive`), and
// aiven-api's build script copies it into OUT_DIR for `aiven_api::redact`,
// so the generated `Debug` impls and the runtime redactor never disagree.
// Plain comments only: the file is `include!`d, where inner docs are refused.
// No dependencies beyond `std`.

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
