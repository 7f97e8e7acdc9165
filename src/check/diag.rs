//! Diagnostics about a policy: one struct, a stable code per kind, a span, a label and a help line.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::model::Severity;
use crate::codes::Code;
use crate::syntax::{SourceFile, Sources, Span, SyntaxError};

/// A problem found in a policy file.
#[derive(Clone, Debug)]
pub struct Problem {
    /// A stable code, `mandate::check::unknown-name`.
    pub code: Code,
    pub level: Severity,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            code,
            level: Severity::Error,
            message: message.into(),
            span,
            label: "here".into(),
            help: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            level: Severity::Warning,
            ..Problem::error(code, span, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Problem {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Severity::Error
    }

    pub fn from_syntax(e: &SyntaxError) -> Problem {
        let (message, help) = match e {
            SyntaxError::Expected {
                expected,
                found,
                help,
                ..
            } => (format!("expected {expected}, found {found}"), help.clone()),
            SyntaxError::Custom { message, help, .. } => (message.clone(), Some(help.clone())),
        };
        Problem {
            code: Code::Syntax,
            level: Severity::Error,
            message,
            span: e.span(),
            label: "here".into(),
            help,
        }
    }

    /// Attaches the source text, for rendering with miette.
    pub fn with_source(&self, sources: &Sources) -> Rendered {
        let file = sources.get(self.span.file).cloned().unwrap_or(SourceFile {
            name: "<unknown>".into(),
            text: String::new(),
        });
        Rendered {
            problem: self.clone(),
            source: NamedSource::new(file.name, file.text),
        }
    }

    /// `file:line:col` of the span's start.
    pub fn location(&self, sources: &Sources) -> String {
        let (l, c) = sources.line_col(self.span.file, self.span.start);
        format!("{}:{l}:{c}", sources.name(self.span.file))
    }
}

/// Sort key: file, position, message, so output never depends on the order checks ran in.
pub fn sort(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        (a.span.file, a.span.start, a.span.end, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.span.end,
            &b.message,
        ))
    });
}

/// One severity for every message: a policy problem, a data error, a finding (`Info` is miette's
/// advice).
impl From<Severity> for miette::Severity {
    fn from(s: Severity) -> miette::Severity {
        match s {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        }
    }
}

/// A problem with its source, ready for miette.
#[derive(Debug)]
pub struct Rendered {
    problem: Problem,
    source: NamedSource<String>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.problem.level.into())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.problem.span;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.problem.label.clone()),
            s,
        ))))
    }
}
