//! Password hashing: one set of argon2id parameters, and a small fixed pool of threads that runs
//! every hash or verification a request can cause, behind a bounded queue (DESIGN.md invariant
//! 11: what a stranger can make the store do costs bounded memory and CPU).
//!
//! Each argon2 run needs `m` KiB of working memory. Running them on the blocking pool (up to 512
//! threads) let a login flood hold hundreds of those buffers at once, and the allocator kept
//! them afterwards. Here at most `threads` runs happen at any moment, each thread keeping one
//! working buffer ([`Scratch`]) that it reuses for every run — asking the allocator for a fresh
//! 12 MiB per run made glibc keep several of them per thread — and at most `queue` more wait for
//! a thread; anything beyond that is refused at once with [`Busy`] instead of piling up.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

/// Memory per hash, in KiB (12 MiB).
pub const M_COST_KIB: u32 = 12 * 1024;
/// Passes over that memory.
pub const T_COST: u32 = 3;
/// Lanes.
pub const P_COST: u32 = 1;

/// The one argon2 configuration the store hashes with: argon2id, m = 12 MiB, t = 3, p = 1.
///
/// Why these: OWASP's password storage cheat sheet lists equally strong argon2id settings that
/// trade memory for passes — m = 19 MiB/t = 2 (the argon2 crate's default) and m = 12 MiB/t = 3
/// among them. The store runs on a small VPS where memory is the scarce resource, so it takes
/// the one with less memory per hash and a little more CPU. Together with the pool below (two
/// hashes at a time) password checking never holds more than about 24 MiB.
///
/// Hashes are PHC strings that carry their own parameters, so hashes made with other settings
/// (such as the earlier 19 MiB/t = 2 default) still verify; a successful login re-hashes them
/// with these (see [`needs_rehash`]).
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .expect("argon2 parameters are within argon2's limits");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A real hash made with [`argon2`] (of a random password nobody knows), verified when the
/// username does not exist so that an unknown user costs exactly what a known one does.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=12288,t=3,p=1$bWFkZHN0b3JlLWR1bW15IQ$RCddgu8+1TlaOyqgOVZXxSJWhoNtGMS4GOWVqbULc2A";

/// Argon2's working memory, kept between runs by the thread that owns it, so that a run does not
/// ask the allocator for `m` KiB every time (which made glibc keep a growing number of such
/// buffers). It grows to the largest `m` it has run with, up to [`Scratch::KEEP_BLOCKS`].
#[derive(Default)]
pub struct Scratch {
    blocks: Vec<Block>,
}

impl Scratch {
    /// The largest buffer kept between runs, in 1 KiB blocks (64 MiB); a stored hash that needs
    /// more gets a buffer of its own for its run.
    pub const KEEP_BLOCKS: usize = 64 * 1024;

    fn run(&mut self, argon2: &Argon2<'_>, pwd: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
        let needed = argon2.params().block_count();
        if needed > Self::KEEP_BLOCKS {
            return argon2.hash_password_into(pwd, salt, out).is_ok();
        }
        if self.blocks.len() < needed {
            self.blocks.resize(needed, Block::default());
        }
        argon2
            .hash_password_into_with_memory(pwd, salt, out, &mut self.blocks[..needed])
            .is_ok()
    }

    /// A PHC string for `password` made with [`argon2`] and a fresh salt.
    pub fn hash(&mut self, password: &str) -> Result<String, String> {
        let failed = |e: &dyn std::fmt::Display| format!("password hashing failed: {e}");
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_buf = [0u8; 64];
        let raw_salt = salt
            .as_salt()
            .decode_b64(&mut salt_buf)
            .map_err(|e| failed(&e))?;
        let argon2 = argon2();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        if !self.run(&argon2, password.as_bytes(), raw_salt, &mut out) {
            return Err(failed(&"argon2 refused the input"));
        }
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon2.params()).map_err(|e| failed(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(hash.to_string())
    }

    /// Whether `password` matches the PHC string `hash`, computed with the hash's own algorithm,
    /// version and parameters (as `argon2`'s `PasswordVerifier` does). An unreadable hash
    /// matches nothing.
    pub fn verify(&mut self, password: &str, hash: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(v)) => v,
            Some(Err(_)) => return false,
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(raw_salt) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let mut out = [0u8; Output::MAX_LENGTH];
        let out = &mut out[..expected.len()];
        let argon2 = Argon2::new(algorithm, version, params);
        self.run(&argon2, password.as_bytes(), raw_salt, out)
            && bool::from(expected.as_bytes().ct_eq(out))
    }
}

/// Hashes `password` with [`argon2`] and a fresh salt, on the calling thread.
pub fn hash_now(password: &str) -> Result<String, String> {
    Scratch::default().hash(password)
}

/// Whether `password` matches the PHC string `hash` (with the hash's own parameters), on the
/// calling thread. An unparseable hash matches nothing.
pub fn verify_now(password: &str, hash: &str) -> bool {
    Scratch::default().verify(password, hash)
}

/// Whether a stored hash was made with other settings than [`argon2`]'s (or cannot be read).
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || params.m_cost() != M_COST_KIB
        || params.t_cost() != T_COST
        || params.p_cost() != P_COST
}

/// Every hashing thread is busy and the queue in front of them is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// A fixed set of threads for password work with a bounded queue in front of them.
#[derive(Debug)]
pub struct PasswordPool {
    jobs: SyncSender<Job>,
    runs: Arc<AtomicU64>,
}

impl PasswordPool {
    /// The store's pool: two hashing threads, sixteen waiting requests.
    pub const THREADS: usize = 2;
    pub const QUEUE: usize = 16;

    /// Starts `threads` hashing threads; at most `queue` jobs wait for one of them. The threads
    /// end when the pool is dropped.
    pub fn new(threads: usize, queue: usize) -> std::io::Result<PasswordPool> {
        let (jobs, rx) = sync_channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    let mut scratch = Scratch::default();
                    loop {
                        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = next else { return };
                        // A panicking job must not take the thread (and the pool's capacity)
                        // down.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut scratch)));
                    }
                })?;
        }
        Ok(PasswordPool {
            jobs,
            runs: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many jobs the pool's threads have started (tests read it to prove a request was
    /// refused before any hashing).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::SeqCst)
    }

    /// Queues `work`; [`Busy`] at once when the queue is full. A job whose caller has gone away
    /// (client hang-up) before a thread picks it up is skipped.
    fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>, Busy> {
        let (tx, rx) = oneshot::channel();
        let runs = Arc::clone(&self.runs);
        let job: Job = Box::new(move |scratch| {
            if tx.is_closed() {
                return;
            }
            runs.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(work(scratch));
        });
        match self.jobs.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }

    /// Whether `password` matches `hash`, computed on the pool.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        let answer = self.submit(move |scratch| scratch.verify(&password, &hash))?;
        // A job that panicked dropped its sender: no match.
        Ok(answer.await.unwrap_or(false))
    }

    /// A new hash of `password`, computed on the pool.
    pub async fn hash(&self, password: String) -> Result<Result<String, String>, Busy> {
        let answer = self.submit(move |scratch| scratch.hash(&password))?;
        Ok(answer
            .await
            .unwrap_or_else(|_| Err("password hashing stopped".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_hash_with_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_HASH).expect("parseable");
        assert!(parsed.hash.is_some() && parsed.salt.is_some());
        assert!(!needs_rehash(DUMMY_HASH), "made with argon2()'s parameters");
        assert!(!verify_now("", DUMMY_HASH));
    }

    #[test]
    fn hashes_verify_and_older_parameters_still_do() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut scratch = Scratch::default();
        let h = scratch.hash("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"), "{h}");
        assert!(scratch.verify("rahasia-123", &h));
        assert!(!scratch.verify("rahasia-124", &h));
        assert!(!needs_rehash(&h));
        // The argon2 crate's own verifier agrees with ours.
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(argon2().verify_password(b"rahasia-123", &parsed).is_ok());
        // A hash made with the argon2 crate's default (19 MiB, t = 2), as the store made before,
        // verifies with the same (reused, now larger) memory — and then a 12 MiB one again.
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default()
            .hash_password(b"rahasia-123", &salt)
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(scratch.verify("rahasia-123", &old));
        assert!(!scratch.verify("rahasia-124", &old));
        assert!(needs_rehash(&old));
        assert!(scratch.verify("rahasia-123", &h));
        // Other argon2 variants and versions are read from the hash too.
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::default())
            .hash_password(b"rahasia-123", &salt)
            .unwrap()
            .to_string();
        assert!(argon2i.starts_with("$argon2i$v=16$"), "{argon2i}");
        assert!(scratch.verify("rahasia-123", &argon2i));
        assert!(!scratch.verify("rahasia-124", &argon2i));
        assert!(!scratch.verify("rahasia-123", "not a hash"));
        assert!(!scratch.verify("rahasia-123", "$argon2id$v=19$m=12288,t=3,p=1$c2FsdA"));
    }

    #[test]
    fn the_working_memory_is_kept_and_reused() {
        let mut scratch = Scratch::default();
        assert!(!scratch.verify("x", DUMMY_HASH));
        let kept = scratch.blocks.as_ptr();
        assert_eq!(scratch.blocks.len(), M_COST_KIB as usize);
        for _ in 0..3 {
            assert!(!scratch.verify("y", DUMMY_HASH));
            scratch.hash("z").unwrap();
        }
        assert_eq!(scratch.blocks.as_ptr(), kept, "no new buffer per run");
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let pool = PasswordPool::new(1, 2).unwrap();
        // Hold the only thread until released.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        let first = pool
            .submit(move |_| {
                let _ = started_tx.send(());
                let _ = held.recv();
                1
            })
            .unwrap();
        started.await.unwrap();
        // Two may wait; the third is refused without waiting.
        let second = pool.submit(|_| 2).unwrap();
        let third = pool.submit(|_| 3).unwrap();
        assert_eq!(pool.submit(|_| 4).unwrap_err(), Busy);
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), 1);
        assert_eq!(second.await.unwrap(), 2);
        assert_eq!(third.await.unwrap(), 3);
        assert_eq!(pool.runs(), 3);
        // Room again.
        assert!(pool.verify("x".into(), DUMMY_HASH.into()).await == Ok(false));
        assert_eq!(pool.runs(), 4);
    }

    #[tokio::test]
    async fn a_job_whose_caller_left_is_skipped() {
        let pool = PasswordPool::new(1, 4).unwrap();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        let first = pool
            .submit(move |_| {
                let _ = started_tx.send(());
                let _ = held.recv();
            })
            .unwrap();
        started.await.unwrap();
        drop(pool.submit(|_| ()).unwrap()); // the caller hangs up while queued
        let third = pool.submit(|_| ()).unwrap();
        release.send(()).unwrap();
        first.await.unwrap();
        third.await.unwrap();
        assert_eq!(pool.runs(), 2, "the abandoned job did not run");
    }
}
