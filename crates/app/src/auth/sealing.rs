//! Encryption at rest for small secrets kept in the database (the TOTP secrets).
//!
//! The key is derived from the server secret (the JWT signing key, configured or kept in
//! `<data_dir>/jwt-secret`) with HKDF-SHA256 and a purpose label, so it is never stored and
//! differs from the signing key. Values are sealed with AES-256-GCM under a random 96-bit
//! nonce, with the owning row's id as associated data (a sealed value copied to another
//! row does not open), and stored as `v1:<base64(nonce || ciphertext || tag)>`. A stored
//! value without the `v1:` prefix is a legacy plaintext one.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

const VERSION_PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 12;

/// What a stored value turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    /// Sealed by this server: the plaintext.
    Sealed(String),
    /// Stored before encryption existed: the value as stored, to be sealed on next write.
    Legacy(String),
}

impl Opened {
    pub fn into_plaintext(self) -> String {
        match self {
            Opened::Sealed(p) | Opened::Legacy(p) => p,
        }
    }
}

/// A sealed value that does not open: the server secret changed since it was sealed, or
/// the stored value was altered.
#[derive(Debug, thiserror::Error)]
#[error("a sealed secret cannot be opened (was the server secret changed?)")]
pub struct SealError;

pub struct SecretCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretCipher(***)")
    }
}

impl SecretCipher {
    /// The cipher for `purpose` (for example `"totp"`), keyed from `server_secret`.
    pub fn derive(server_secret: &[u8], purpose: &str) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"intellicv secret sealing v1"), server_secret);
        let mut key = [0u8; 32];
        hkdf.expand(purpose.as_bytes(), &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self {
            cipher: Aes256Gcm::new(&key.into()),
        }
    }

    /// Seals `plaintext` for the row `owner`.
    pub fn seal(&self, owner: i64, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = owner.to_be_bytes();
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encrypts any message of a few bytes");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION_PREFIX}{}", STANDARD_NO_PAD.encode(bytes))
    }

    /// Opens a stored value of the row `owner`; a value without the version prefix is
    /// legacy plaintext and comes back as it is.
    pub fn open(&self, owner: i64, stored: &str) -> Result<Opened, SealError> {
        let Some(encoded) = stored.strip_prefix(VERSION_PREFIX) else {
            return Ok(Opened::Legacy(stored.to_owned()));
        };
        let bytes = STANDARD_NO_PAD.decode(encoded).map_err(|_| SealError)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SealError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError)?;
        let aad = owner.to_be_bytes();
        let plain = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError)?;
        String::from_utf8(plain)
            .map(Opened::Sealed)
            .map_err(|_| SealError)
    }

    /// Whether `stored` is sealed (as opposed to legacy plaintext).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(VERSION_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a server secret of at least thirty-two bytes";

    #[test]
    fn a_sealed_value_opens_for_its_owner_only_and_hides_the_plaintext() {
        let cipher = SecretCipher::derive(SECRET, "totp");
        let sealed = cipher.seal(7, "JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, cipher.seal(7, "JBSWY3DPEHPK3PXP"), "random nonce");
        assert_eq!(
            cipher.open(7, &sealed).unwrap(),
            Opened::Sealed("JBSWY3DPEHPK3PXP".into())
        );
        assert!(cipher.open(8, &sealed).is_err(), "bound to its row");
    }

    #[test]
    fn another_secret_or_purpose_cannot_open_and_tampering_is_detected() {
        let cipher = SecretCipher::derive(SECRET, "totp");
        let sealed = cipher.seal(1, "JBSWY3DPEHPK3PXP");
        let other = SecretCipher::derive(b"another server secret, also long enough", "totp");
        assert!(other.open(1, &sealed).is_err());
        assert!(
            SecretCipher::derive(SECRET, "other")
                .open(1, &sealed)
                .is_err()
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            cipher
                .open(1, &String::from_utf8(tampered).unwrap())
                .is_err()
        );
        assert!(cipher.open(1, "v1:").is_err());
        assert!(cipher.open(1, "v1:not base64!").is_err());
    }

    #[test]
    fn a_legacy_plaintext_value_is_recognised() {
        let cipher = SecretCipher::derive(SECRET, "totp");
        assert_eq!(
            cipher.open(1, "JBSWY3DPEHPK3PXP").unwrap(),
            Opened::Legacy("JBSWY3DPEHPK3PXP".into())
        );
        assert!(!SecretCipher::is_sealed("JBSWY3DPEHPK3PXP"));
    }
}
