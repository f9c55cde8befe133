//! Password hashing: one set of argon2id parameters, and a small fixed pool of threads that runs
//! every hash or verification a request can cause, behind a bounded queue (DESIGN.md invariant
//! 11: what a stranger can make the store do costs bounded memory and CPU).
//!
//! Each argon2 run holds `m` KiB of memory for its whole duration. Running them on the blocking
//! pool (up to 512 threads) let a login flood hold hundreds of those buffers at once, and the
//! allocator kept them afterwards. Here at most `threads` runs are alive at any moment, always on
//! the same few threads (so the allocator reuses the same memory), and at most `queue` more wait
//! for a thread; anything beyond that is refused at once with [`Busy`] instead of piling up.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
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

/// Hashes `password` with [`argon2`] and a fresh salt, on the calling thread.
pub fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the PHC string `hash` (with the hash's own parameters), on the
/// calling thread. An unparseable hash matches nothing.
pub fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
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

type Job = Box<dyn FnOnce() + Send>;

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
                .spawn(move || loop {
                    let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = next else { return };
                    // A panicking job must not take the thread (and the pool's capacity) down.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
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
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>, Busy> {
        let (tx, rx) = oneshot::channel();
        let runs = Arc::clone(&self.runs);
        let job: Job = Box::new(move || {
            if tx.is_closed() {
                return;
            }
            runs.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }

    /// Whether `password` matches `hash`, computed on the pool.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        let answer = self.submit(move || verify_now(&password, &hash))?;
        // A job that panicked dropped its sender: no match.
        Ok(answer.await.unwrap_or(false))
    }

    /// A new hash of `password`, computed on the pool.
    pub async fn hash(&self, password: String) -> Result<Result<String, String>, Busy> {
        let answer = self.submit(move || hash_now(&password))?;
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
        let h = hash_now("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"), "{h}");
        assert!(verify_now("rahasia-123", &h));
        assert!(!verify_now("rahasia-124", &h));
        assert!(!needs_rehash(&h));
        // A hash made with the argon2 crate's default (19 MiB, t = 2), as the store made before.
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default()
            .hash_password(b"rahasia-123", &salt)
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(verify_now("rahasia-123", &old));
        assert!(!verify_now("rahasia-124", &old));
        assert!(needs_rehash(&old));
        assert!(!verify_now("rahasia-123", "not a hash"));
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let pool = PasswordPool::new(1, 2).unwrap();
        // Hold the only thread until released.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        let first = pool
            .submit(move || {
                let _ = started_tx.send(());
                let _ = held.recv();
                1
            })
            .unwrap();
        started.await.unwrap();
        // Two may wait; the third is refused without waiting.
        let second = pool.submit(|| 2).unwrap();
        let third = pool.submit(|| 3).unwrap();
        assert_eq!(pool.submit(|| 4).unwrap_err(), Busy);
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
            .submit(move || {
                let _ = started_tx.send(());
                let _ = held.recv();
            })
            .unwrap();
        started.await.unwrap();
        drop(pool.submit(|| ()).unwrap()); // the caller hangs up while queued
        let third = pool.submit(|| ()).unwrap();
        release.send(()).unwrap();
        first.await.unwrap();
        third.await.unwrap();
        assert_eq!(pool.runs(), 2, "the abandoned job did not run");
    }
}
