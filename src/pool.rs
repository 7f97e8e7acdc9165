//! Jobs shared out among threads: each thread takes the next job not yet taken, so that a
//! thread slowed by other work on its core takes fewer jobs rather than holding up the others.

/// `job(0)`, ..., `job(n - 1)` on up to `threads` threads, each taking the next job not yet
/// taken; the results in job order. A job whose thread failed gives `None`.
pub fn pool<T: Send>(
    threads: usize,
    n: usize,
    job: impl Fn(usize) -> Option<T> + Sync,
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
