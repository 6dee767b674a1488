//! The workspace's one TLS crypto backend: rustls with ring.
//!
//! reqwest is built without a crypto backend of its own (its `rustls`
//! feature would bring aws-lc-rs, a C build, beside the ring that ureq and
//! rcgen use), so a provider must be installed before any reqwest client is
//! built. [`client_builder`] does that; the generated [`Client::new`](crate::Client::new)
//! and aiven-ext's client use it. A program that builds its own
//! `reqwest::Client` for [`Client::new_with_client`](crate::Client::new_with_client)
//! calls [`install_crypto_provider`] first, or starts from [`client_builder`].

/// Installs ring as the process's rustls crypto provider, unless the
/// program has installed one already (any backend: its choice is kept).
/// Cheap after the first call.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way one provider is set.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// `reqwest::ClientBuilder::new()`, with the crypto provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::ClientBuilder::new()
}
