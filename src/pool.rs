//! Jobs shared out among threads: each thread takes the next job not yet taken, so that a
//! thread slowed by other work on its core takes fewer jobs rather than holding up the others.
//!
//! On rayon (a pool of `threads` threads per call, its jobs spawned first-in first-out). It
//! replaced a hand-written loop over `std::thread::scope` with an atomic job counter after
//! `bench/compare.sh` (per-round ratio to the plain scan, state lint, JSON; 2 cores, host load
//! 5-6) found it no slower: all threads, 20 rounds, median 2.69x (rayon) against 2.79x, median
//! wall 1.380 s both; one thread, 10 rounds, median 2.18x against 2.51x.

use std::sync::Mutex;

/// `job(0)`, ..., `job(n - 1)` on up to `threads` threads, each taking the next job not yet
/// taken; the results in job order. A job whose thread failed gives `None`.
pub fn pool<T: Send>(
    threads: usize,
    n: usize,
    job: impl Fn(usize) -> Option<T> + Sync,
) -> Vec<Option<T>> {
    pool_then(threads, n, job, &|| false)
}

/// [`pool`], and each thread that finds no job left calls `then` until it returns false: other
/// work, done by whichever threads are free first, before the results are given back.
pub fn pool_then<T: Send>(
    threads: usize,
    n: usize,
    job: impl Fn(usize) -> Option<T> + Sync,
    then: &(dyn Fn() -> bool + Sync),
) -> Vec<Option<T>> {
    let threads = threads.clamp(1, n.max(1));
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let run = || {
        // FIFO: the jobs are taken in order, and a thread finds the `then` tasks only when no
        // job is left.
        rayon::scope_fifo(|s| {
            for (k, slot) in slots.iter().enumerate() {
                let job = &job;
                s.spawn_fifo(move |_| {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(k)))
                        .ok()
                        .flatten();
                    if let Ok(mut slot) = slot.lock() {
                        *slot = r;
                    }
                });
            }
            for _ in 0..threads {
                s.spawn_fifo(move |_| {
                    let _ =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| while then() {}));
                });
            }
        });
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p.install(run),
        Err(_) => run(),
    }
    slots
        .into_iter()
        .map(|s| s.into_inner().ok().flatten())
        .collect()
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_in_job_order_and_other_work_done_once() {
        let side = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let then = || {
            if side.fetch_add(1, Ordering::Relaxed) < 10 {
                done.fetch_add(1, Ordering::Relaxed);
                true
            } else {
                false
            }
        };
        for threads in 1..5 {
            side.store(0, Ordering::Relaxed);
            done.store(0, Ordering::Relaxed);
            let got = pool_then(threads, 7, |k| (k != 3).then_some(k * k), &then);
            let want: Vec<Option<usize>> = (0..7).map(|k| (k != 3).then_some(k * k)).collect();
            assert_eq!(got, want);
            assert_eq!(done.load(Ordering::Relaxed), 10);
        }
        assert_eq!(pool(2, 0, Some), Vec::<Option<usize>>::new());
    }
}
