//! A spinner on standard error for runs long enough to wonder about (a state's data on a slow
//! disk): shown only on a terminal, and only once a run has taken `SHOW_AFTER`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the spinner shows.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A spinner that may show; [`Progress::finish`] (or dropping it) clears it.
pub struct Progress {
    bar: Option<ProgressBar>,
    done: Arc<AtomicBool>,
}

impl Progress {
    /// `message` (`linting 257 MB of data`) with a spinner and the time taken, once the run has
    /// taken `SHOW_AFTER`, when standard error is a terminal.
    pub fn start(message: String) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None, done };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message);
        let (shown, flag) = (bar.clone(), done.clone());
        let _ = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                std::thread::sleep(SHOW_AFTER);
                if !flag.load(Ordering::SeqCst) {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
        Progress {
            bar: Some(bar),
            done,
        }
    }

    /// Clears the spinner (if it showed) before the output is written.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `257 MB`, `12 kB`, `310 bytes`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 10_000_000 => format!("{} MB", b / 1_000_000),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 10_000 => format!("{} kB", b / 1_000),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(268_676_301), "268 MB");
        assert_eq!(size(2_500_000), "2.5 MB");
        assert_eq!(size(26_000), "26 kB");
        assert_eq!(size(310), "310 bytes");
    }
}
