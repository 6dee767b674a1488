//! Project certificate authorities: each project has its own CA, a real
//! self-signed X.509 certificate (ECDSA P-256), generated once and kept in
//! the state so that it stays the same across restarts with `--state`.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde::{Deserialize, Serialize};

/// A project's CA: its certificate and private key, PEM.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ProjectCa {
    /// The certificate (`-----BEGIN CERTIFICATE-----`).
    pub cert_pem: String,
    /// Its private key (PKCS#8), kept to sign service certificates.
    pub key_pem: String,
}

/// When the CA and the certificates it signs expire (what
/// `access_cert_not_valid_after_time` says).
pub const NOT_AFTER: &str = "2034-01-01T00:00:00Z";

/// The CA's parameters: a fixed ten-year validity (not the clock's time, so
/// a manual clock set anywhere still sees a valid CA).
fn params(project: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("{project} Project CA"));
    dn.push(DnType::OrganizationName, "Aiven simulator");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = rcgen::date_time_ymd(2024, 1, 1);
    p.not_after = rcgen::date_time_ymd(2034, 1, 1);
    p
}

impl ProjectCa {
    /// A new CA for `project`.
    pub fn generate(project: &str) -> Self {
        // Key generation and self-signing with fixed parameters cannot fail
        // short of a broken crypto backend.
        let key = KeyPair::generate().expect("an ECDSA P-256 key");
        let cert = params(project)
            .self_signed(&key)
            .expect("a self-signed CA certificate");
        Self {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A client certificate for `username`, signed by this CA of
    /// `project`, and its private key (PEM): the `access_cert` and
    /// `access_key` of a Kafka service user.
    pub fn client_certificate(&self, project: &str, username: &str) -> (String, String) {
        // The stored key and fixed parameters are the simulator's own; a
        // failure here is a bug, not an input error.
        let ca_key = KeyPair::from_pem(&self.key_pem).expect("the stored CA key parses");
        let issuer = Issuer::new(params(project), ca_key);
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, username);
        dn.push(DnType::OrganizationName, "Aiven simulator");
        p.distinguished_name = dn;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        p.not_before = rcgen::date_time_ymd(2024, 1, 1);
        p.not_after = rcgen::date_time_ymd(2034, 1, 1);
        let key = KeyPair::generate().expect("an ECDSA P-256 key");
        let cert = p
            .signed_by(&key, &issuer)
            .expect("a certificate signed by the project CA");
        (cert.pem(), key.serialize_pem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_is_pem_and_differs_per_project() {
        let a = ProjectCa::generate("a");
        let b = ProjectCa::generate("b");
        assert!(a.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(a.key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_ne!(a.cert_pem, b.cert_pem);
    }
}
