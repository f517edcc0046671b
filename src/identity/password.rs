//! Argon2id password hashing with bounded concurrency and bounded memory.
//!
//! At most `permits` hashes run at once (default: the core count), so a login
//! flood queues here instead of starving the token endpoint. Unknown users are
//! checked against a dummy hash so they cost the same time as known ones.
//!
//! Each permit owns one Argon2 working buffer (19 MiB for our parameters),
//! allocated on its first use and reused by every later hash: memory after a
//! login flood is `permits` × 19 MiB, however many logins there were. (Letting
//! the argon2 crate allocate a buffer per hash made glibc keep hundreds of
//! freed buffers in per-thread arenas: gigabytes after a flood.) A stored hash
//! with a larger memory cost than the pool's buffers gets a buffer of its own
//! for that one hash, up to [`MAX_M_COST`]; larger parameters are refused.
//!
//! Verification parses the PHC string (algorithm, version, parameters, salt,
//! hash) itself, computes with [`Argon2::hash_password_into_with_memory`] and
//! compares in constant time: the same answer as the argon2 crate's
//! `PasswordVerifier`, which always allocates.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use subtle::ConstantTimeEq as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory cost of new hashes in KiB (OWASP: 19 MiB).
pub const M_COST: u32 = 19 * 1024;
/// Passes of new hashes.
pub const T_COST: u32 = 2;
/// Lanes of new hashes.
pub const P_COST: u32 = 1;
/// The largest memory cost (KiB) a stored hash may ask for: 64 MiB, the
/// second recommendation of RFC 9106. Anything above is refused rather than
/// allocated.
pub const MAX_M_COST: u32 = 64 * 1024;
/// The largest number of passes a stored hash may ask for.
pub const MAX_T_COST: u32 = 32;

/// Length of the hash output of new hashes, in bytes.
const OUTPUT_LEN: usize = 32;
/// Length of the salt of new hashes, in bytes.
const SALT_LEN: usize = 16;

/// OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
pub fn params() -> Params {
    // The constants are valid, so `new` cannot fail; the fallback is the
    // argon2 crate's default, which is the same set.
    Params::new(M_COST, T_COST, P_COST, Some(OUTPUT_LEN)).unwrap_or_default()
}

/// The Argon2id context for new hashes.
pub fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Why a password could not be hashed or a stored hash could not be used.
/// Never carries the password or the stored hash.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The stored hash is not a PHC string the argon2 crate accepts (syntax,
    /// parameter names, salt, output length) or names another algorithm or
    /// version.
    #[error("the stored password hash is not a usable Argon2 PHC string: {0}")]
    Phc(password_hash::Error),
    /// The stored hash asks for more memory or passes than we allow.
    #[error(
        "the stored password hash asks for m={m_cost} KiB, t={t_cost}; \
         at most m={MAX_M_COST} KiB, t={MAX_T_COST} are allowed"
    )]
    TooCostly { m_cost: u32, t_cost: u32 },
    /// Argon2 itself refused the inputs.
    #[error("Argon2 failed: {0}")]
    Argon2(argon2::Error),
}

// The argon2 errors do not implement `std::error::Error` (the crates' `std`
// feature is off), so no `#[from]`.
impl From<password_hash::Error> for HashError {
    fn from(e: password_hash::Error) -> Self {
        HashError::Phc(e)
    }
}

impl From<argon2::Error> for HashError {
    fn from(e: argon2::Error) -> Self {
        HashError::Argon2(e)
    }
}

/// Argon2 working memory that can be reused from hash to hash.
///
/// [`Memory::pooled`] keeps a buffer for our parameters once it has been
/// allocated (on first use); [`Memory::one_off`] keeps nothing. A hash that
/// needs more blocks than are kept gets a temporary buffer of its own.
#[derive(Debug)]
pub struct Memory {
    kept: Vec<Block>,
    keep: usize,
}

impl Memory {
    /// Keeps a buffer for the parameters of new hashes (allocated on first use).
    pub fn pooled() -> Memory {
        Memory {
            kept: Vec::new(),
            keep: params().block_count(),
        }
    }

    /// Keeps nothing: every hash allocates its own buffer (CLI, tests).
    pub const fn one_off() -> Memory {
        Memory {
            kept: Vec::new(),
            keep: 0,
        }
    }

    /// Runs `argon2` on the kept buffer when it is large enough, else on a
    /// temporary one.
    fn compute(
        &mut self,
        argon2: &Argon2<'_>,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), HashError> {
        let need = argon2.params().block_count();
        if need <= self.keep {
            if self.kept.len() < self.keep {
                self.kept = vec![Block::new(); self.keep];
            }
            if let Some(blocks) = self.kept.get_mut(..need) {
                argon2.hash_password_into_with_memory(password, salt, out, blocks)?;
                return Ok(());
            }
        }
        let mut temporary = vec![Block::new(); need];
        argon2.hash_password_into_with_memory(password, salt, out, temporary.as_mut_slice())?;
        Ok(())
    }

    /// The blocks kept (0 until first use or for a one-off buffer).
    pub fn kept_blocks(&self) -> usize {
        self.kept.len()
    }
}

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash_with(password: &str, memory: &mut Memory) -> Result<String, HashError> {
    let mut salt = [0u8; SALT_LEN];
    crate::util::fill_random(&mut salt);
    let mut out = [0u8; OUTPUT_LEN];
    let argon2 = argon2();
    memory.compute(&argon2, password.as_bytes(), &salt, &mut out)?;
    let salt = SaltString::encode_b64(&salt)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Hashes a password into a PHC string (synchronous; CLI, preparation tools).
pub fn hash(password: &str) -> Result<String, HashError> {
    hash_with(password, &mut Memory::one_off())
}

/// Checks `password` against the PHC string `phc`: `Ok(false)` for a wrong
/// password, an error when the stored hash cannot be used.
pub fn verify_with(password: &str, phc: &str, memory: &mut Memory) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(phc)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    // Parameter names, keyid, data and the output length as the crate reads them.
    let params = Params::try_from(&parsed)?;
    if params.m_cost() > MAX_M_COST || params.t_cost() > MAX_T_COST {
        return Err(HashError::TooCostly {
            m_cost: params.m_cost(),
            t_cost: params.t_cost(),
        });
    }
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(password_hash::Error::PhcStringField.into());
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let mut out_buf = [0u8; Output::MAX_LENGTH];
    let out = out_buf
        .get_mut(..expected.len())
        .ok_or(password_hash::Error::OutputSize {
            provided: std::cmp::Ordering::Greater,
            expected: Output::MAX_LENGTH,
        })?;
    memory.compute(
        &Argon2::new(algorithm, version, params),
        password.as_bytes(),
        salt,
        out,
    )?;
    Ok(bool::from(out.ct_eq(expected.as_bytes())))
}

/// Verifies a password against a PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    verify_with(password, phc, &mut Memory::one_off()).unwrap_or(false)
}

/// A PHC string with our parameters, a random salt and a random output: no
/// password matches it (and the answer for it is ignored anyway), but checking
/// a password against it costs exactly what a real hash costs.
fn dummy_phc() -> String {
    let mut salt = [0u8; SALT_LEN];
    let mut out = [0u8; OUTPUT_LEN];
    crate::util::fill_random(&mut salt);
    crate::util::fill_random(&mut out);
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!(
        "$argon2id$v=19$m={M_COST},t={T_COST},p={P_COST}${}${}",
        b64.encode(salt),
        b64.encode(out)
    )
}

/// The hash permits and their working buffers: a buffer is taken with a
/// permit and given back before the permit is released, so at most `permits`
/// buffers exist.
struct Pool {
    permits: Arc<Semaphore>,
    free: Mutex<Vec<Memory>>,
}

impl Pool {
    async fn lease(self: &Arc<Self>) -> Option<Lease> {
        let permit = Arc::clone(&self.permits).acquire_owned().await.ok()?;
        let memory = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_else(Memory::pooled);
        Some(Lease {
            pool: Arc::clone(self),
            memory,
            _permit: permit,
        })
    }
}

/// A hash permit with its working buffer. Dropping it returns the buffer to
/// the pool, then releases the permit.
struct Lease {
    pool: Arc<Pool>,
    memory: Memory,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let memory = std::mem::replace(&mut self.memory, Memory::one_off());
        self.pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(memory);
    }
}

/// The bounded hashing service used by the server.
#[derive(Clone)]
pub struct Hasher {
    pool: Arc<Pool>,
    dummy: Arc<str>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("available", &self.pool.permits.available_permits())
            .finish()
    }
}

impl Hasher {
    pub fn new(permits: usize) -> Hasher {
        Hasher {
            pool: Arc::new(Pool {
                permits: Arc::new(Semaphore::new(permits.max(1))),
                free: Mutex::new(Vec::new()),
            }),
            dummy: dummy_phc().into(),
        }
    }

    /// Verifies `password` against `phc`, or against the dummy hash when
    /// `phc` is None (then the answer is always false). Waits for a permit.
    ///
    /// The permit and its buffer go with the hash to the blocking pool, so a
    /// caller that gives up (client gone) cannot free the permit while its
    /// hash still runs.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let Some(mut lease) = self.pool.lease().await else {
            return false;
        };
        let known = phc.is_some();
        let phc: Arc<str> = phc
            .map(Arc::from)
            .unwrap_or_else(|| Arc::clone(&self.dummy));
        let password = password.to_owned();
        let result =
            tokio::task::spawn_blocking(move || verify_with(&password, &phc, &mut lease.memory))
                .await;
        match result {
            Ok(Ok(ok)) => ok && known,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "a stored password hash cannot be checked; the login fails");
                false
            }
            Err(_) => false,
        }
    }

    /// Buffers allocated so far and the blocks each keeps (tests, diagnostics).
    pub fn buffers(&self) -> Vec<usize> {
        self.pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(Memory::kept_blocks)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    /// The old path: the argon2 crate's own verifier (allocates per hash).
    fn crate_verify(password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// A PHC string made by the argon2 crate's own `PasswordHasher`.
    fn crate_hash(password: &str, alg: Algorithm, ver: Version, params: Params) -> String {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        Argon2::new(alg, ver, params)
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("Correct horse", &h));
        assert!(!verify("correct horse", "not a phc string"));
        // The crate's verifier agrees with our hashes.
        assert!(crate_verify("correct horse", &h));
        assert!(!crate_verify("Correct horse", &h));
    }

    #[test]
    fn new_path_agrees_with_the_crate_on_its_own_hashes() {
        // One pooled buffer reused across every case, including larger and
        // smaller parameters than the buffer's and a reuse after a larger hash.
        let mut memory = Memory::pooled();
        let cases = [
            (
                Algorithm::Argon2id,
                Version::V0x13,
                M_COST,
                T_COST,
                P_COST,
                None,
            ),
            (Algorithm::Argon2id, Version::V0x13, 64, 1, 1, None),
            (Algorithm::Argon2id, Version::V0x13, 4096, 3, 4, Some(16)),
            (Algorithm::Argon2id, Version::V0x13, 1024, 2, 2, Some(64)),
            (Algorithm::Argon2i, Version::V0x13, 2048, 3, 1, None),
            (Algorithm::Argon2d, Version::V0x13, 2048, 1, 1, None),
            (Algorithm::Argon2id, Version::V0x10, 2048, 2, 1, None),
            (Algorithm::Argon2i, Version::V0x10, 1024, 1, 2, None),
            // Larger than the pooled buffer: a temporary buffer for this one.
            (Algorithm::Argon2id, Version::V0x13, M_COST + 8, 1, 1, None),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                M_COST,
                T_COST,
                P_COST,
                None,
            ),
        ];
        for (alg, ver, m, t, p, len) in cases {
            let params = Params::new(m, t, p, len).unwrap();
            let h = crate_hash("pass word", alg, ver, params);
            for (pw, right) in [("pass word", true), ("pass wore", false), ("", false)] {
                assert_eq!(crate_verify(pw, &h), right, "{h}");
                assert_eq!(verify_with(pw, &h, &mut memory).unwrap(), right, "{h}");
                assert_eq!(verify(pw, &h), right, "{h}");
            }
        }
        assert_eq!(memory.kept_blocks(), params().block_count());
    }

    #[test]
    fn pooled_buffer_is_allocated_once_and_reused() {
        let mut memory = Memory::pooled();
        assert_eq!(memory.kept_blocks(), 0, "allocated on first use only");
        let h = hash_with("first password", &mut memory).unwrap();
        let ptr = memory.kept.as_ptr();
        assert!(verify_with("first password", &h, &mut memory).unwrap());
        assert!(!verify_with("other password", &h, &mut memory).unwrap());
        let small = crate_hash(
            "x",
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        assert!(verify_with("x", &small, &mut memory).unwrap());
        assert_eq!(memory.kept.as_ptr(), ptr, "no new buffer");
        assert_eq!(memory.kept_blocks(), params().block_count());
        // A one-off memory keeps nothing.
        let mut once = Memory::one_off();
        assert!(verify_with("first password", &h, &mut once).unwrap());
        assert_eq!(once.kept_blocks(), 0);
    }

    #[test]
    fn malformed_and_foreign_phc_strings_never_verify() {
        let good = crate_hash(
            "pw",
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        let (head, hash_part) = good.rsplit_once('$').unwrap();
        let bad = [
            String::new(),
            "not a phc string".into(),
            "$argon2id".into(),
            "$argon2id$v=19$m=64,t=1,p=1".into(),
            // No hash, no salt.
            head.to_owned(),
            format!("{head}$"),
            // Another algorithm, an unknown version, an unknown parameter.
            good.replacen("argon2id", "scrypt", 1),
            good.replacen("argon2id", "argon2x", 1),
            good.replacen("v=19", "v=20", 1),
            good.replacen("p=1", "p=1,x=3", 1),
            // Invalid parameters, a salt too short for Argon2, bad base64.
            good.replacen("m=64", "m=1", 1),
            good.replacen("t=1", "t=0", 1),
            format!("$argon2id$v=19$m=64,t=1,p=1$c2FsdA${hash_part}"),
            format!("{head}$!!!!"),
            // A truncated output (still valid base64, different length).
            format!("{head}${}", &hash_part[..hash_part.len() - 4]),
        ];
        let mut memory = Memory::pooled();
        for phc in &bad {
            assert!(!crate_verify("pw", phc), "{phc}");
            assert!(!verify("pw", phc), "{phc}");
            assert!(
                !verify_with("pw", phc, &mut memory).unwrap_or(false),
                "{phc}"
            );
        }
        // Some of them are errors (so the server can say why), not mismatches.
        assert!(verify_with("pw", "not a phc string", &mut memory).is_err());
        assert!(verify_with("pw", &good.replacen("argon2id", "scrypt", 1), &mut memory).is_err());
        assert!(verify_with("pw", &good, &mut memory).unwrap());
    }

    #[test]
    fn absurd_parameters_are_refused_not_allocated() {
        // 4 GiB and a huge pass count: refused before any allocation.
        for params in [
            "m=4194304,t=1,p=1",
            "m=65537,t=1,p=1",
            "m=64,t=33,p=1",
            "m=64,t=4294967295,p=1",
        ] {
            let phc = format!(
                "$argon2id$v=19${params}$c2l4dGVlbiBieXRlIHNsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY"
            );
            let err = verify_with("pw", &phc, &mut Memory::one_off()).unwrap_err();
            assert!(matches!(err, HashError::TooCostly { .. }), "{phc}: {err}");
            assert!(err.to_string().contains("at most m=65536 KiB"), "{err}");
            assert!(!verify("pw", &phc));
        }
        // The largest allowed memory cost is computed (one temporary buffer).
        let params = Params::new(MAX_M_COST, 1, 1, None).unwrap();
        let h = crate_hash("pw", Algorithm::Argon2id, Version::V0x13, params);
        assert!(verify_with("pw", &h, &mut Memory::pooled()).unwrap());
    }

    #[test]
    fn dummy_hash_has_our_parameters_and_matches_nothing() {
        let d = dummy_phc();
        assert!(d.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{d}");
        let parsed = PasswordHash::new(&d).unwrap();
        assert_eq!(
            Params::try_from(&parsed).unwrap().block_count(),
            params().block_count()
        );
        assert_eq!(parsed.hash.unwrap().len(), OUTPUT_LEN);
        assert!(!verify_with("", &d, &mut Memory::one_off()).unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_dummy_password() {
        let h = Hasher::new(2);
        assert!(
            !h.verify(
                "not a real password: makes unknown users cost one hash",
                None
            )
            .await
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn buffers_are_bounded_by_the_permits() {
        let h = Hasher::new(2);
        let phc = hash("pool password").unwrap();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (h, phc) = (h.clone(), phc.clone());
            tasks.push(tokio::spawn(async move {
                let pw = if i % 2 == 0 { "pool password" } else { "wrong" };
                let known = i % 3 != 0;
                let ok = h.verify(pw, known.then_some(phc.as_str())).await;
                assert_eq!(ok, known && i % 2 == 0);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let buffers = h.buffers();
        assert!((1..=2).contains(&buffers.len()), "{buffers:?}");
        assert!(
            buffers.iter().all(|&b| b == params().block_count()),
            "{buffers:?}"
        );
    }
}
