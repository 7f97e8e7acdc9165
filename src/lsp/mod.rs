//! `mandate lsp`: a language server for policy files over standard input and output.
//!
//! It reuses the rest of the crate and parses nothing itself: each open document is loaded with
//! [`crate::check::load_overlay`] (its includes from the editor's open buffers, else from disk)
//! and checked with [`crate::check::check`]; formatting is [`crate::fmt::format_source`]. The
//! messages are `lsp-server`'s, the payloads `lsp-types`'; the loop is single-threaded and reads
//! its own frames, so that a malformed message is answered with a JSON-RPC error instead of
//! ending the connection.
//!
//! | file | what it does |
//! |---|---|
//! | `mod.rs` | the message loop: framing, lifecycle, dispatch |
//! | `analysis.rs` | one document checked, its definitions and diagnostics |
//! | `features.rs` | hover, definition, references, completion, outline, code actions, formatting |
//! | `semantic.rs` | semantic tokens: the literals the AST holds |
//! | `text.rs` | LSP positions (UTF-16), `file:` URIs, words |

pub mod analysis;
pub mod features;
pub mod semantic;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use analysis::Analysis;

/// One open document.
struct Doc {
    text: String,
    version: Option<i32>,
    /// Its canonical path, for the includes of other documents.
    path: Option<PathBuf>,
    analysis: Option<Analysis>,
    /// The last analysis whose text parsed, while the current one does not: completion offers
    /// its names while a statement is half typed.
    parsed: Option<Analysis>,
}

/// The server's state.
#[derive(Default)]
pub struct Server {
    docs: BTreeMap<String, Doc>,
    initialized: bool,
    shutdown: bool,
}

/// The largest message read (a policy is at most `limits::POLICY_BYTES`; JSON escaping can
/// double it).
const MAX_MESSAGE: usize = 4 * crate::limits::POLICY_BYTES as usize + 65536;

/// Serves one client until `exit` or the end of input. Ok(true) when the client asked for
/// `shutdown` before `exit`, as the protocol wants (exit code 0), Ok(false) otherwise.
pub fn serve(input: &mut impl BufRead, output: &mut impl Write) -> io::Result<bool> {
    let mut server = Server::default();
    loop {
        let frame = match read_frame(input) {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                write_raw(
                    output,
                    &error_json(Value::Null, ErrorCode::ParseError, &e.to_string()),
                )?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let msg = match serde_json::from_str::<Message>(&frame) {
            Ok(m) => m,
            Err(e) => {
                // Valid JSON that is not a message keeps its id; anything else has none.
                let (id, code) = match serde_json::from_str::<Value>(&frame) {
                    Ok(v) => (
                        v.get("id").cloned().unwrap_or(Value::Null),
                        ErrorCode::InvalidRequest,
                    ),
                    Err(_) => (Value::Null, ErrorCode::ParseError),
                };
                write_raw(
                    output,
                    &error_json(id, code, &format!("malformed message: {e}")),
                )?;
                continue;
            }
        };
        match msg {
            Message::Request(req) => {
                let resp = server.request(req);
                Message::Response(resp).write(output)?;
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(server.shutdown);
                }
                server.notification(n, output)?;
            }
            Message::Response(_) => {}
        }
        output.flush()?;
    }
}

/// Reads one `Content-Length` frame. None at the end of input; InvalidData for a malformed
/// header or body (the body, when its length was known, is consumed, so the next frame reads).
fn read_frame<R: BufRead>(input: &mut R) -> io::Result<Option<String>> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let mut size = None;
    let mut seen = false;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return if seen {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "input ended in a header",
                ))
            } else {
                Ok(None)
            };
        }
        seen = true;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(format!("malformed header: {line:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            size = value.trim().parse::<usize>().ok();
        }
    }
    let Some(size) = size else {
        return Err(bad("a message without a valid Content-Length".into()));
    };
    if size > MAX_MESSAGE {
        // Skip it without holding it.
        io::copy(&mut Read::take(&mut *input, size as u64), &mut io::sink())?;
        return Err(bad(format!("a message of {size} bytes is too large")));
    }
    let mut buf = vec![0u8; size];
    input.read_exact(&mut buf)?;
    String::from_utf8(buf)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

fn write_raw(output: &mut impl Write, value: &Value) -> io::Result<()> {
    let text = value.to_string();
    write!(output, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    output.flush()
}

fn error_json(id: Value, code: ErrorCode, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code as i32, "message": message}})
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(value)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn capabilities() -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        text_document_sync: Some(lt::TextDocumentSyncCapability::Kind(
            lt::TextDocumentSyncKind::FULL,
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lt::OneOf::Left(true)),
        references_provider: Some(lt::OneOf::Left(true)),
        completion_provider: Some(lt::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "{".into(), " ".into(), "=".into()]),
            ..lt::CompletionOptions::default()
        }),
        document_formatting_provider: Some(lt::OneOf::Left(true)),
        code_action_provider: Some(lt::CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(lt::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lt::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lt::SemanticTokensOptions {
                    legend: semantic::legend(),
                    full: Some(lt::SemanticTokensFullOptions::Bool(true)),
                    ..lt::SemanticTokensOptions::default()
                },
            ),
        ),
        ..lt::ServerCapabilities::default()
    }
}

type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    fn request(&mut self, req: Request) -> Response {
        let id: RequestId = req.id.clone();
        let answer = if req.method == "initialize" {
            self.initialized = true;
            Ok(json!({
                "capabilities": capabilities(),
                "serverInfo": {"name": "mandate", "version": env!("CARGO_PKG_VERSION")},
            }))
        } else if !self.initialized {
            Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".into(),
            ))
        } else if self.shutdown {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ))
        } else if req.method == "shutdown" {
            self.shutdown = true;
            Ok(Value::Null)
        } else {
            self.answer(&req.method, req.params)
        };
        match answer {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn doc(&self, uri: &lt::Uri) -> Result<&Analysis, (ErrorCode, String)> {
        self.docs
            .get(uri.as_str())
            .and_then(|d| d.analysis.as_ref())
            .ok_or((
                ErrorCode::InvalidParams,
                format!("`{}` is not open", uri.as_str()),
            ))
    }

    fn answer(&self, method: &str, p: Value) -> Answer {
        let to = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match method {
            "textDocument/hover" => {
                let p: lt::HoverParams = params(p)?;
                let a = self.doc(&p.text_document_position_params.text_document.uri)?;
                to(serde_json::to_value(features::hover(
                    a,
                    p.text_document_position_params.position,
                )))
            }
            "textDocument/definition" => {
                let p: lt::GotoDefinitionParams = params(p)?;
                let a = self.doc(&p.text_document_position_params.text_document.uri)?;
                to(serde_json::to_value(features::definition(
                    a,
                    p.text_document_position_params.position,
                )))
            }
            "textDocument/references" => {
                let p: lt::ReferenceParams = params(p)?;
                let a = self.doc(&p.text_document_position.text_document.uri)?;
                to(serde_json::to_value(features::references(
                    a,
                    p.text_document_position.position,
                    p.context.include_declaration,
                )))
            }
            "textDocument/completion" => {
                let p: lt::CompletionParams = params(p)?;
                let uri = &p.text_document_position.text_document.uri;
                let a = self.doc(uri)?;
                let defs = match self.docs.get(uri.as_str()).and_then(|d| d.parsed.as_ref()) {
                    Some(good) => &good.defs,
                    None => &a.defs,
                };
                to(serde_json::to_value(features::completion(
                    a,
                    defs,
                    p.text_document_position.position,
                )))
            }
            "textDocument/documentSymbol" => {
                let p: lt::DocumentSymbolParams = params(p)?;
                let a = self.doc(&p.text_document.uri)?;
                to(serde_json::to_value(features::symbols(a)))
            }
            "textDocument/semanticTokens/full" => {
                let p: lt::SemanticTokensParams = params(p)?;
                let a = self.doc(&p.text_document.uri)?;
                to(serde_json::to_value(lt::SemanticTokens {
                    result_id: None,
                    data: semantic::tokens(a),
                }))
            }
            "textDocument/codeAction" => {
                let p: lt::CodeActionParams = params(p)?;
                let a = self.doc(&p.text_document.uri)?;
                to(serde_json::to_value(features::code_actions(
                    a,
                    &p.text_document.uri,
                    &p.context.diagnostics,
                )))
            }
            "textDocument/formatting" => {
                let p: lt::DocumentFormattingParams = params(p)?;
                let doc = self.docs.get(p.text_document.uri.as_str()).ok_or((
                    ErrorCode::InvalidParams,
                    format!("`{}` is not open", p.text_document.uri.as_str()),
                ))?;
                match features::format(&doc.text) {
                    Ok(edits) => to(serde_json::to_value(edits)),
                    Err(e) => Err((
                        ErrorCode::RequestFailed,
                        format!("cannot format a file with a syntax error: {e}"),
                    )),
                }
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method `{method}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification, output: &mut impl Write) -> io::Result<()> {
        if !self.initialized || self.shutdown {
            return Ok(());
        }
        // A notification cannot be answered: a malformed one is dropped.
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = params::<lt::DidOpenTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let uri = p.text_document.uri.as_str().to_string();
                let path = text::uri_path(&uri).map(|p| std::fs::canonicalize(&p).unwrap_or(p));
                self.docs.insert(
                    uri,
                    Doc {
                        text: p.text_document.text,
                        version: Some(p.text_document.version),
                        path,
                        analysis: None,
                        parsed: None,
                    },
                );
                self.reanalyze(output)
            }
            "textDocument/didChange" => {
                let Ok(p) = params::<lt::DidChangeTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
                    return Ok(());
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.text = change.text;
                }
                doc.version = Some(p.text_document.version);
                self.reanalyze(output)
            }
            "textDocument/didClose" => {
                let Ok(p) = params::<lt::DidCloseTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let uri = p.text_document.uri.as_str().to_string();
                self.docs.remove(&uri);
                publish(output, &uri, Vec::new(), None)?;
                self.reanalyze(output)
            }
            _ => Ok(()),
        }
    }

    /// Checks every open document again (one may include another) and publishes diagnostics.
    fn reanalyze(&mut self, output: &mut impl Write) -> io::Result<()> {
        let texts: Vec<(PathBuf, String)> = self
            .docs
            .values()
            .filter_map(|d| Some((d.path.clone()?, d.text.clone())))
            .collect();
        let open = |p: &Path| texts.iter().find(|(q, _)| q == p).map(|(_, t)| t.clone());
        for (uri, doc) in &mut self.docs {
            let a = Analysis::new(uri, doc.text.clone(), &open);
            let diags = a.diagnostics();
            let old = doc.analysis.replace(a);
            if doc.analysis.as_ref().is_some_and(Analysis::parsed) {
                doc.parsed = None;
            } else if let Some(old) = old.filter(Analysis::parsed) {
                doc.parsed = Some(old);
            }
            publish(output, uri, diags, doc.version)?;
        }
        Ok(())
    }
}

fn publish(
    output: &mut impl Write,
    uri: &str,
    diagnostics: Vec<lt::Diagnostic>,
    version: Option<i32>,
) -> io::Result<()> {
    let params = json!({"uri": uri, "diagnostics": diagnostics, "version": version});
    Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    ))
    .write(output)?;
    output.flush()
}

/// Checks `text` as the document at `uri` and returns its diagnostics: what the server publishes
/// after an edit (for the latency benchmark).
pub fn diagnostics_for(uri: &str, text: String) -> Vec<lt::Diagnostic> {
    Analysis::new(uri, text, &|_| None).diagnostics()
}
