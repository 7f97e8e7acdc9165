//! `mandate lsp`

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE};

/// Run the language server on standard input and output, for editors (VS Code, Neovim, Helix)
///
/// Diagnostics as you type, hover, go to definition, references, completion, formatting, quick
/// fixes, the outline and semantic tokens. Exit 0 after `shutdown` and `exit`, 1 on `exit` without `shutdown`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: Args) -> u8 {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = stdout.lock();
    match crate::lsp::serve(&mut input, &mut output) {
        Ok(true) => EXIT_OK,
        Ok(false) => EXIT_FINDINGS,
        Err(e) => {
            eprintln!("error: the language server's connection failed: {e}");
            EXIT_UNREADABLE
        }
    }
}
