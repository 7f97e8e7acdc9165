//! Jobs shared out among threads: each thread takes the next job not yet taken, so that a
//! thread slowed by other work on its core takes fewer jobs rather than holding up the others.

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
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<(usize, Option<T>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.clamp(1, n.max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= n {
                            break;
                        }
                        out.push((k, job(k)));
                    }
                    while then() {}
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (k, r) in done {
        if let Some(slot) = results.get_mut(k) {
            *slot = r;
        }
    }
    results
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
