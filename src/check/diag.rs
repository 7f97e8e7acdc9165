//! Diagnostics about a policy: one struct, a stable code per kind, a span, a label and a help line.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::syntax::{SourceFile, Sources, Span, SyntaxError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// A problem found in a policy file.
#[derive(Clone, Debug)]
pub struct Problem {
    /// A stable code, `mandate::check::unknown-name`.
    pub code: &'static str,
    pub level: Level,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            code,
            level: Level::Error,
            message: message.into(),
            span,
            label: "here".into(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            level: Level::Warning,
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
        self.level == Level::Error
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
            code: "mandate::syntax",
            level: Level::Error,
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
        Some(match self.problem.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
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
