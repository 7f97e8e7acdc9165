//! Opening files that untrusted input names: policies, includes, test files and data files. Each
//! must be a regular file (or, where a folder is expected, a folder of them). A named pipe, a
//! device or a socket is refused from its metadata before it is opened, and the open itself never
//! waits (`O_NONBLOCK`), so a FIFO swapped in between the two cannot hang the run. Whole-file
//! reads are capped (see [`crate::limits`]), so `/dev/zero` or a growing file cannot exhaust
//! memory. See SECURITY.md.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// What a path is when it is not a regular file, in words.
fn kind_of(meta: &Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("it is a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if ft.is_fifo() {
            return Some("it is a named pipe (FIFO), not a regular file");
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("it is a device, not a regular file");
        }
        if ft.is_socket() {
            return Some("it is a socket, not a regular file");
        }
    }
    Some("it is not a regular file")
}

fn not_regular(why: &str) -> io::Error {
    io::Error::other(why.to_string())
}

/// Opens `path` for reading when it is a regular file (a symbolic link is followed). Anything else
/// is an error whose message says what the path is; nothing blocks.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if let Some(why) = kind_of(&meta) {
        return Err(not_regular(why));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    // The path may have been swapped between the two looks: trust what was opened.
    if let Some(why) = kind_of(&file.metadata()?) {
        return Err(not_regular(why));
    }
    Ok(file)
}

/// Whether a file name ends in the extension of a data format that is read.
fn is_data_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["csv", "yaml", "yml", "json"]
            .iter()
            .any(|d| e.eq_ignore_ascii_case(d))
    })
}

/// Opens a data file: [`open_regular`], and when `path` is a symbolic link, the file it leads to
/// must itself be named as a CSV, YAML or JSON file, so a link to `/etc/passwd` in a data folder
/// is refused rather than read (and its first line shown as column names).
pub fn open_data(path: &Path) -> io::Result<File> {
    let link = std::fs::symlink_metadata(path)?.file_type().is_symlink();
    if link && !std::fs::canonicalize(path).is_ok_and(|t| is_data_name(&t)) {
        return Err(io::Error::other(
            "it is a symbolic link to a file that is not a CSV, YAML or JSON file".to_string(),
        ));
    }
    open_regular(path)
}

/// Where `text` holds a control character other than a tab or a line break (or a bidirectional
/// override), in words: a policy
/// is plain text, and such a character would reach the terminal raw when a diagnostic quotes the
/// line (an escape sequence can rewrite the screen).
pub fn control_character(text: &str) -> Option<String> {
    let (at, c) = text.char_indices().find(|&(_, c)| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                // Bidirectional overrides and isolates reorder what a reader sees ("Trojan
                // Source").
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })?;
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(format!(
        "it holds a control character (U+{:04X}) at line {line}, column {column}; a policy is \
         plain text",
        u32::from(c)
    ))
}

/// Why a whole-file read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// The file holds more than the limit (in bytes).
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => {
                let s = e.to_string();
                let s = s.split(" (os error").next().unwrap_or(&s).to_owned();
                let mut c = s.chars();
                match c.next() {
                    Some(first) => write!(f, "{}{}", first.to_lowercase(), c.as_str()),
                    None => Ok(()),
                }
            }
            ReadError::TooLarge(limit) => write!(
                f,
                "the file is larger than {}, the most this kind of file may hold",
                crate::limits::bytes(*limit)
            ),
        }
    }
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_file(open_regular(path).map_err(ReadError::Io)?, limit)
}

/// Reads a whole data file ([`open_data`]) of at most `limit` bytes.
pub fn read_data(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_file(open_data(path).map_err(ReadError::Io)?, limit)
}

fn read_file(file: File, limit: u64) -> Result<Vec<u8>, ReadError> {
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // A file that grows while it is read (or a /proc file that reports size 0) stops at the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_limited(path, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "the file is not UTF-8 text",
        ))
    })
}

/// Replaces the file at `path` with `bytes` so that a reader sees the old file or the new one,
/// never half of it: the text goes to a temporary file in the same folder, takes the old file's
/// permissions, is synced, and is renamed over the old one. A symbolic link stays a link; the
/// file it leads to is replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".mandate-fmt-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused() {
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.to_string(), "it is a device, not a regular file");
        let e = open_regular(Path::new("/")).unwrap_err();
        assert_eq!(e.to_string(), "it is a folder");
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_limited(&p, 10).unwrap().len(), 10);
        assert!(matches!(read_limited(&p, 9), Err(ReadError::TooLarge(9))));
    }
}
