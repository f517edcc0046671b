//! The access-token signing key (Ed25519), its JWKS, and JWT issue/verify in
//! the RFC 9068 profile. The key is generated at first start, kept in the data
//! directory with mode 0600, and parsed once: [`Keys`] holds the parsed key
//! pair and the encoded JOSE header, and [`Keys::sign`] builds the compact JWS
//! itself (jsonwebtoken's `encode` would parse the PKCS#8 key on every call).

use std::path::Path;

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::files::write_private;
use crate::util;

pub const KEY_FILE: &str = "signing-key.ed25519.pk8";
pub const JWT_TYPE: &str = "at+jwt";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the signing key {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the signing key {path} is not a valid Ed25519 PKCS#8 key")]
    Invalid { path: String },
    #[error("could not generate a signing key")]
    Generate,
    #[error("could not sign a token: {0}")]
    Sign(String),
}

/// Claims of an access token (RFC 9068 plus `sid`, the link id, so a revoked
/// link revokes its access tokens).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    pub sid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub preferred_username: String,
}

/// Why a presented access token is not acceptable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is malformed or its signature is invalid")]
    Invalid,
}

pub struct Keys {
    kid: String,
    /// The signing key, parsed once at start.
    pair: Ed25519KeyPair,
    /// base64url of the JOSE header (`typ`, `alg`, `kid`), encoded once.
    header_b64: String,
    decoding: DecodingKey,
    validation: Validation,
    jwks: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// Loads the key from `dir`, generating it on first start.
    pub fn load_or_create(dir: &Path, issuer: &str, audience: &str) -> Result<Keys, KeyError> {
        let path = dir.join(KEY_FILE);
        let shown = path.display().to_string();
        let pkcs8 = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new())
                    .map_err(|_| KeyError::Generate)?;
                write_private(&path, doc.as_ref()).map_err(|source| KeyError::Io {
                    path: shown.clone(),
                    source,
                })?;
                doc.as_ref().to_vec()
            }
            Err(source) => {
                return Err(KeyError::Io {
                    path: shown,
                    source,
                });
            }
        };
        Keys::from_pkcs8(&pkcs8, issuer, audience).ok_or(KeyError::Invalid { path: shown })
    }

    fn from_pkcs8(pkcs8: &[u8], issuer: &str, audience: &str) -> Option<Keys> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).ok()?;
        let public = pair.public_key().as_ref().to_vec();
        let x = util::b64url(&public);
        // RFC 7638 thumbprint: members in lexicographic order, no spaces.
        let thumb_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = util::b64url(&util::sha256(thumb_input.as_bytes()));
        let jwks = serde_json::json!({
            "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" }]
        })
        .to_string();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(JWT_TYPE.to_owned());
        header.kid = Some(kid.clone());
        // The same header bytes jsonwebtoken::encode would write.
        let header_b64 = util::b64url(&serde_json::to_vec(&header).ok()?);
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        Some(Keys {
            kid,
            pair,
            header_b64,
            decoding: DecodingKey::from_ed_der(&public),
            validation,
            jwks,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS document, serialised once.
    pub fn jwks_json(&self) -> &str {
        &self.jwks
    }

    /// Signs `claims` as a compact JWS (RFC 7515):
    /// `b64url(header) . b64url(claims JSON) . b64url(Ed25519 signature)`,
    /// the signature over the first two parts joined by the dot.
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, KeyError> {
        // Room for our claims (about 300 bytes) without regrowing.
        let mut json = Vec::with_capacity(512);
        serde_json::to_writer(&mut json, claims).map_err(|e| KeyError::Sign(e.to_string()))?;
        // 4/3 for base64, 86 characters for the 64-byte signature, two dots.
        let mut out = String::with_capacity(self.header_b64.len() + json.len() * 4 / 3 + 92);
        out.push_str(&self.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&json, &mut out);
        let signature = self.pair.sign(out.as_bytes());
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut out);
        Ok(out)
    }

    /// Verifies signature, `typ`, `kid`, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, VerifyError> {
        if token.len() > 4096 {
            return Err(VerifyError::Invalid);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Invalid)?;
        if header.typ.as_deref() != Some(JWT_TYPE)
            || header.kid.as_deref() != Some(self.kid.as_str())
        {
            return Err(VerifyError::Invalid);
        }
        match jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                Err(VerifyError::Expired)
            }
            Err(_) => Err(VerifyError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            iss: "https://issuer.example".into(),
            sub: "local:alice".into(),
            aud: "https://issuer.example".into(),
            exp,
            iat: util::now(),
            jti: "j1".into(),
            client_id: "c1".into(),
            scope: "music:read".into(),
            sid: "l1".into(),
            preferred_username: "alice".into(),
        }
    }

    #[test]
    fn sign_then_verify_round_trips_and_key_persists() {
        let dir = tempfile::tempdir().unwrap();
        let k = Keys::load_or_create(
            dir.path(),
            "https://issuer.example",
            "https://issuer.example",
        )
        .unwrap();
        let c = claims(util::now() + 60);
        let t = k.sign(&c).unwrap();
        assert_eq!(k.verify(&t).unwrap(), c);
        let k2 = Keys::load_or_create(
            dir.path(),
            "https://issuer.example",
            "https://issuer.example",
        )
        .unwrap();
        assert_eq!(k.kid(), k2.kid());
        assert_eq!(k2.verify(&t).unwrap(), c);
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let k = Keys::load_or_create(
            dir.path(),
            "https://issuer.example",
            "https://issuer.example",
        )
        .unwrap();
        assert_eq!(
            k.verify(&k.sign(&claims(util::now() - 1)).unwrap()),
            Err(VerifyError::Expired)
        );
        let t = k.sign(&claims(util::now() + 60)).unwrap();
        let mut tampered = t.clone().into_bytes();
        let i = t.find('.').unwrap() + 3;
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            k.verify(std::str::from_utf8(&tampered).unwrap()),
            Err(VerifyError::Invalid)
        );
        let other = tempfile::tempdir().unwrap();
        let k2 = Keys::load_or_create(
            other.path(),
            "https://issuer.example",
            "https://issuer.example",
        )
        .unwrap();
        assert_eq!(k2.verify(&t), Err(VerifyError::Invalid));
        let wrong_iss = Keys::load_or_create(
            dir.path(),
            "https://other.example",
            "https://issuer.example",
        )
        .unwrap();
        assert_eq!(wrong_iss.verify(&t), Err(VerifyError::Invalid));
    }

    #[test]
    fn sign_matches_jsonwebtoken_encode() {
        // Ed25519 signatures are deterministic: our compact JWS must be the
        // very bytes jsonwebtoken::encode produces with the same key.
        let dir = tempfile::tempdir().unwrap();
        let k = Keys::load_or_create(dir.path(), "i", "a").unwrap();
        let pkcs8 = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(JWT_TYPE.to_owned());
        header.kid = Some(k.kid().to_owned());
        let c = claims(util::now() + 60);
        let theirs =
            jsonwebtoken::encode(&header, &c, &jsonwebtoken::EncodingKey::from_ed_der(&pkcs8))
                .unwrap();
        assert_eq!(k.sign(&c).unwrap(), theirs);
        let mut c = claims(util::now() + 60);
        c.preferred_username = String::new();
        c.sub = "ma:\"quoted\" \u{e9}".into();
        let theirs =
            jsonwebtoken::encode(&header, &c, &jsonwebtoken::EncodingKey::from_ed_der(&pkcs8))
                .unwrap();
        assert_eq!(k.sign(&c).unwrap(), theirs);
    }

    #[test]
    fn jwks_publishes_the_kid() {
        let dir = tempfile::tempdir().unwrap();
        let k = Keys::load_or_create(dir.path(), "i", "a").unwrap();
        let v: serde_json::Value = serde_json::from_str(k.jwks_json()).unwrap();
        assert_eq!(v["keys"][0]["kid"], k.kid());
        assert_eq!(v["keys"][0]["crv"], "Ed25519");
        assert_eq!(v["keys"][0]["x"].as_str().unwrap().len(), 43);
    }
}
