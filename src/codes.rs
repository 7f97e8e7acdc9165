//! Every diagnostic code, in one list: the code a message prints (`mandate::check::unknown-name`)
//! and what it means. CODES.md is this list rendered; a test keeps the two the same
//! (`MANDATE_UPDATE_CODES=1 cargo test --lib codes` rewrites it).
//!
//! A leaf module: it uses nothing else in the crate, so every stage can name its codes.

use std::fmt;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $name:ident = $text:literal, )+) => {
        /// A diagnostic code. The text is stable: scripts and editors match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $name, )+
        }

        impl Code {
            /// Every code, in the order of the list.
            pub const ALL: &'static [Code] = &[$(Code::$name),+];

            /// The code as messages print it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)+
                }
            }

            /// What the code means: its doc comment.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$name => concat!($($doc, "\n"),+),)+
                }
            }
        }
    };
}

codes! {
    // ── reading the policy ──
    /// A policy file that cannot be read at all (missing, unreadable, not UTF-8).
    Io = "mandate::io",
    /// Text that does not follow the grammar (see GRAMMAR.md); the message says what was expected.
    Syntax = "mandate::syntax",
    /// An `include` of a file that cannot be read.
    IncludeMissing = "mandate::check::include-missing",
    /// An `include` that leads back to a file being read.
    IncludeCycle = "mandate::check::include-cycle",
    /// A chain of includes deeper than the limit (see SECURITY.md).
    IncludeDepth = "mandate::check::include-depth",
    /// An `include ... pinned "sha256:..."` whose file has changed since the revision was
    /// published (its text no longer has that SHA-256).
    IncludeChanged = "mandate::check::include-changed",
    /// A pin that is not `sha256:` and 64 hexadecimal digits.
    IncludePin = "mandate::check::include-pin",

    // ── the guide block ──
    /// A policy with rules but no `guide` block.
    NoGuide = "mandate::check::no-guide",
    /// A `guide` block in an included file (only the root file has one).
    GuideInInclude = "mandate::check::guide-in-include",
    /// A guide or category entry given twice.
    DuplicateKey = "mandate::check::duplicate-key",
    /// A guide or category entry that does not exist.
    UnknownKey = "mandate::check::unknown-key",
    /// A guide whose `replaces` names the guide itself.
    ReplacesItself = "mandate::check::replaces-itself",
    /// A guide without its school `year` (a warning: windows and deadlines are checked against it),
    /// or a category with transitions in a policy whose guide has no `year` (an error).
    NoYear = "mandate::check::no-year",

    // ── names ──
    /// A name defined twice (in one file or across includes); a value, field or set member listed
    /// twice; a spelling or column name that would stand for two things; a second `guide` block.
    Duplicate = "mandate::check::duplicate",
    /// A definition named after a built-in type (`date`, `text`, ...).
    ReservedName = "mandate::check::reserved-name",
    /// A name, field or value that is not defined; the help suggests the closest one.
    UnknownName = "mandate::check::unknown-name",
    /// A `replace` that replaces nothing: no file this one includes defines the name, or it defines
    /// something of another kind (a set replaced by a type).
    Replace = "mandate::check::replace",
    /// A type, set, constant or measure that nothing uses (only in the file being checked).
    Unused = "mandate::check::unused",

    // ── types, sets and records ──
    /// A name used as a type that is not one.
    NotAType = "mandate::check::not-a-type",
    /// A name used as a record that is not one.
    NotARecord = "mandate::check::not-a-record",
    /// A name used as a value that is another kind of definition.
    NotAValue = "mandate::check::not-a-value",
    /// A name used as a window that is not one.
    NotAWindow = "mandate::check::not-a-window",
    /// A value that is not one of its type's values.
    NotInType = "mandate::check::not-in-type",
    /// An empty spelling or column name, which matches nothing.
    Value = "mandate::check::value",
    /// An empty set after `in`.
    EmptySet = "mandate::check::empty-set",
    /// A set of values anywhere but on the right of `in`.
    SetHere = "mandate::check::set-here",
    /// A record with two headcount (`weight`) fields.
    TwoWeights = "mandate::check::two-weights",
    /// A record key declared `optional`.
    OptionalKey = "mandate::check::optional-key",
    /// A field or `per` naming a record that has no key, so nothing can refer to it.
    NotAnEntity = "mandate::check::not-an-entity",
    /// A record with no field that refers to the entity a statement is about.
    NoLink = "mandate::check::no-link",

    /// A `dated by` that names a field that is not a date.
    DatedBy = "mandate::check::dated-by",

    // ── expressions ──
    /// A chain of measures, each computed from the one before, longer than the limit (see
    /// SECURITY.md).
    MeasureChain = "mandate::check::measure-chain",
    /// A construct that would print a private field's value, or one computed from it.
    Private = "mandate::check::private",
    /// An operand, field or guide entry of the wrong type for where it stands.
    TypeMismatch = "mandate::check::type-mismatch",
    /// A constant that is not a literal or a date plus or minus a duration, or that depends on data.
    NotConstant = "mandate::check::not-constant",
    /// An aggregation (`count`, `sum`, ...) in a condition on one row or in a constant, where it
    /// cannot stand (a rule about an entity may use one; it becomes a hidden measure).
    AggregateHere = "mandate::check::aggregate-here",
    /// An aggregation without the field it needs, or `distinct` with anything but `count`.
    Aggregate = "mandate::check::aggregate",
    /// A measure or category that depends on itself.
    Cycle = "mandate::check::cycle",
    /// A statement whose entity (school, principal, ...) cannot be told.
    NoEntity = "mandate::check::no-entity",
    /// A measure about one entity (`per district`) used in a statement about another.
    WrongEntity = "mandate::check::wrong-entity",
    /// A statement whose fields could be about more than one entity, or about none: it needs
    /// `per ENTITY`.
    AmbiguousEntity = "mandate::check::ambiguous-entity",
    /// An aggregation over the entity's own record (`sum district.allocation` per district): there
    /// is one row, the entity itself, so its field is read directly.
    OwnRecord = "mandate::check::own-record",
    /// `missing` anywhere but in `X or missing` / `X and not missing`, or beside a condition that
    /// reads no optional value.
    Missing = "mandate::check::missing",
    /// A field path that has many rows where one value is needed.
    PathHere = "mandate::check::path-here",
    /// `rounded to` on a measure that is not a share, or to a step that is not positive.
    Rounding = "mandate::check::rounding",
    /// A share compared with a threshold without saying how it is rounded (`exact` or
    /// `rounded to 0.1%`).
    RoundingUnstated = "mandate::check::rounding-unstated",

    // ── literals ──
    /// A date that does not exist, has a two-digit year, or is beyond the dates mandate represents.
    BadDate = "mandate::check::bad-date",
    /// A school year whose years do not follow on (`2023-2025`) or are implausible.
    BadSchoolYear = "mandate::check::bad-school-year",
    /// The ratio `0:0`.
    BadRatio = "mandate::check::bad-ratio",
    /// A date range that ends before it starts.
    BackwardsRange = "mandate::check::backwards-range",
    /// A date range where a single value is needed.
    RangeHere = "mandate::check::range-here",

    // ── categories, windows and rules ──
    /// A category entry (`held`, `qualified`, `gain`, `loss`) of the wrong kind, or missing one
    /// another needs.
    CategoryEntry = "mandate::check::category-entry",
    /// A window that holds no day: it ends before it starts, or `after` and `before` leave nothing
    /// between.
    EmptyWindow = "mandate::check::empty-window",
    /// A window's dates or a due date outside the guide's school year.
    OutsideYear = "mandate::check::outside-year",
    /// School days counted without a `non_school_days` list (every weekday counts), a listed day
    /// outside the guide's school year, or a list written twice.
    SchoolDays = "mandate::check::school-days",
    /// An aggregate's `where` filter of more than one term whose end is not plain: inside a larger
    /// expression, or a whole condition (`count student where el and assessed > 5`).
    FilterEnds = "mandate::check::filter-ends",
    /// A category's threshold under `not`, to which `explain` and `--near` give no distance.
    ThresholdDistance = "mandate::check::threshold-distance",
    /// A deadline written without `some` (`certification where ... has completed by D`), which
    /// is met by some row; `mandate fmt` writes the word.
    Quantifier = "mandate::check::quantifier",
    /// Dates still in an earlier school year than the guide's `year` (a new revision copied from the
    /// last one): constants, windows, due dates, the `issued` date and dates in quoted guide text.
    StaleDate = "mandate::check::stale-date",
    /// A date in a rule's quoted guide text that is none of the dates the rule itself uses.
    QuoteDate = "mandate::check::quote-date",
    /// A retention period that is not longer than zero.
    Retention = "mandate::check::retention",

    // ── data ──
    /// A data file or folder that cannot be read, is empty or binary, or is not valid JSON/YAML.
    DataFile = "mandate::data::file",
    /// A data file whose name matches no record type.
    DataFileName = "mandate::data::file_name",
    /// A missing, extra or repeated column (or key).
    DataColumn = "mandate::data::column",
    /// A row that cannot be read as a whole: ragged, not a mapping, duplicate or missing key.
    DataRow = "mandate::data::row",
    /// A value that does not fit its field's type.
    DataValue = "mandate::data::value",
    /// An id that matches no loaded entity.
    DataReference = "mandate::data::reference",
    /// The count of errors left out after the per-column limit.
    DataLimit = "mandate::data::limit",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The list as CODES.md has it.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Every code a diagnostic of `mandate` can carry, generated from `src/codes.rs` (a test keeps \
         this file the same as the list there). The codes are stable: scripts and editors may match \
         on them.\n\n\
         | code | meaning |\n|---|---|\n",
    );
    for c in Code::ALL {
        let doc: Vec<&str> = c.doc().lines().map(str::trim).collect();
        out.push_str(&format!("| `{}` | {} |\n", c.as_str(), doc.join(" ")));
    }
    out
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_md_is_the_list() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/CODES.md");
        let want = markdown();
        if std::env::var_os("MANDATE_UPDATE_CODES").is_some() {
            if let Err(e) = std::fs::write(path, &want) {
                panic!("cannot write {path}: {e}");
            }
            return;
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "CODES.md is not the list in src/codes.rs; run `MANDATE_UPDATE_CODES=1 cargo test --lib codes`"
        );
    }

    #[test]
    fn each_code_is_written_once_and_documented() {
        let texts: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(texts.len(), Code::ALL.len(), "two codes print the same");
        for c in Code::ALL {
            assert!(c.as_str().starts_with("mandate::"), "{c}");
            assert!(!c.doc().trim().is_empty(), "{c} has no doc comment");
        }
    }

    /// The two codes given in `#[diagnostic(code(...))]` attributes, which cannot name the enum.
    #[test]
    fn derived_diagnostics_print_the_listed_codes() {
        use miette::Diagnostic;

        let Err(e) = crate::syntax::parse(crate::syntax::FileId(0), "const = 1") else {
            panic!("`const = 1` parsed");
        };
        let code = e.code().map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some(Code::Syntax.as_str()));

        let Err(e) = crate::check::load(std::path::Path::new("no/such/file.policy")) else {
            panic!("a missing file was read");
        };
        let code = e.code().map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some(Code::Io.as_str()));
    }
}
