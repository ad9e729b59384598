//! The collector's TLS mode: a certificate authority made at start, and a certificate it signs for `localhost`,
//! `127.0.0.1` and `::1`. Clients trust the authority explicitly (`Builder::add_root_certificate`), as a test does;
//! nothing is installed system-wide.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The collector's TLS side.
pub(super) struct Tls {
    pub(super) acceptor: TlsAcceptor,
    /// The authority's certificate (DER), for clients to trust.
    pub(super) root_der: Vec<u8>,
}

fn other(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

impl Tls {
    pub(super) fn new() -> io::Result<Self> {
        // Distinct names: a leaf named like its issuer looks self-signed to OpenSSL.
        let mut authority = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
        authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        authority.distinguished_name = DistinguishedName::new();
        authority
            .distinguished_name
            .push(DnType::CommonName, "patchwork test authority");
        let authority =
            CertifiedIssuer::self_signed(authority, KeyPair::generate().map_err(other)?)
                .map_err(other)?;
        let key = KeyPair::generate().map_err(other)?;
        let names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        let mut leaf = CertificateParams::new(names).map_err(other)?;
        leaf.distinguished_name = DistinguishedName::new();
        leaf.distinguished_name
            .push(DnType::CommonName, "patchwork test collector");
        let certificate = leaf.signed_by(&key, &authority).map_err(other)?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(other)?
            .with_no_client_auth()
            .with_single_cert(
                vec![certificate.der().clone(), authority.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .map_err(other)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            root_der: authority.der().to_vec(),
        })
    }
}
