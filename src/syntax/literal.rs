//! The literals of the policy language as the parser reads them: exact decimals, dates as the
//! guide printed them, ranges, durations. Re-exported from [`super::ast`], whose nodes hold them.

/// A decimal number kept exactly: `digits / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    pub digits: i64,
    pub scale: u32,
}

impl Decimal {
    pub fn denominator(self) -> i64 {
        10i64.checked_pow(self.scale).unwrap_or(i64::MAX)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.digits);
        }
        let den = self.denominator();
        let whole = self.digits / den;
        let frac = (self.digits % den).abs();
        write!(f, "{whole}.{frac:0width$}", width = self.scale as usize)
    }
}

/// `1234567` as `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Month names as the guides print them, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How a date was printed; the formatter keeps the form the guide uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    /// `1/31/2024`
    Us,
    /// `2024-01-31`
    Iso,
    /// `January 31, 2024`
    Long,
}

/// A date as written. It may not exist (`2/30/2024`); the checker says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateLit {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub style: DateStyle,
    /// Digits in the year as written (a two-digit year is an error).
    pub year_digits: u32,
}

/// How a range was printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeStyle {
    /// `November 13-17, 2023`
    Days,
    /// `November 28 - December 2, 2023`
    Months,
    /// `December 18, 2023 - January 5, 2024`
    Dash,
    /// `11/13/2023 .. 11/17/2023`
    Dots,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DurationUnit {
    Day,
    Week,
    Month,
    Year,
    /// A weekday that is not in `non_school_days`.
    SchoolDay,
    /// Monday to Friday.
    Weekday,
}

impl DurationUnit {
    /// Counted in school days or weekdays, not on the calendar.
    pub fn counts_school_days(self) -> bool {
        matches!(self, DurationUnit::SchoolDay | DurationUnit::Weekday)
    }

    pub fn word(self, n: i64) -> &'static str {
        match (self, n == 1) {
            (DurationUnit::SchoolDay, true) => "school day",
            (DurationUnit::SchoolDay, false) => "school days",
            (DurationUnit::Weekday, true) => "weekday",
            (DurationUnit::Weekday, false) => "weekdays",
            (DurationUnit::Day, true) => "day",
            (DurationUnit::Day, false) => "days",
            (DurationUnit::Week, true) => "week",
            (DurationUnit::Week, false) => "weeks",
            (DurationUnit::Month, true) => "month",
            (DurationUnit::Month, false) => "months",
            (DurationUnit::Year, true) => "year",
            (DurationUnit::Year, false) => "years",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub n: i64,
    pub unit: DurationUnit,
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.n, self.unit.word(self.n))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(Decimal),
    /// A percentage: `70%` is `Decimal { digits: 70, scale: 0 }`.
    Percent(Decimal),
    /// An amount of money in dollars: `$5,000.50` is `Decimal { digits: 500050, scale: 2 }`,
    /// `$500,000` has scale 0 (as printed).
    Money(Decimal),
    Ratio(i64, i64),
    Date(DateLit),
    Range(DateLit, DateLit, RangeStyle),
    Duration(Duration),
    /// `2023-2024`: the years as written.
    SchoolYear(i64, i64),
    Str(String),
    Bool(bool),
}
