//! School-day arithmetic: `10 school days after D`, `5 weekdays before D`.
//!
//! A weekday is Monday to Friday. A school day is a weekday that is not one of the policy's
//! `non_school_days` (holidays and breaks). Counting never includes the day counted from: `N school
//! days after D` is the Nth school day strictly after `D`, whether or not `D` itself is a school day
//! (a Saturday or a holiday starts the count at the next school day); `N school days before D` is the
//! Nth school day strictly before `D`; zero school days is `D` itself. Days the list does not name are
//! school days when they are weekdays, summer included: a policy lists its summer break when a count
//! may reach it.
//!
//! The count is arithmetic, not a day-by-day walk: whole weeks are skipped five weekdays at a time
//! and each break at once, so a count costs one step per break it crosses, whatever `N` is.

use chrono::{Datelike, NaiveDate, TimeDelta};

/// The days that are not school days besides weekends: sorted, merged ranges, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NonSchoolDays {
    ranges: Vec<(NaiveDate, NaiveDate)>,
}

impl NonSchoolDays {
    /// From ranges in any order (a single day is a range of one day); overlapping and adjacent
    /// ranges merge, and a range whose end is before its start is left out.
    pub fn new(ranges: impl IntoIterator<Item = (NaiveDate, NaiveDate)>) -> Self {
        let mut v: Vec<(NaiveDate, NaiveDate)> =
            ranges.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort();
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match merged.last_mut() {
                Some(last) if last.1.succ_opt().is_none_or(|next| a <= next) => {
                    if b > last.1 {
                        last.1 = b;
                    }
                }
                _ => merged.push((a, b)),
            }
        }
        NonSchoolDays { ranges: merged }
    }

    /// The merged ranges, earliest first.
    pub fn ranges(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How many days the list holds (weekends inside a break included).
    pub fn days(&self) -> i64 {
        self.ranges
            .iter()
            .map(|(a, b)| (*b - *a).num_days() + 1)
            .sum()
    }

    /// The days listed here and not in `other`, as ranges.
    pub fn minus(&self, other: &NonSchoolDays) -> NonSchoolDays {
        let mut out = Vec::new();
        let mut j = 0;
        for (start, end) in &self.ranges {
            let mut from = Some(*start);
            // Skip the ranges of `other` that end before this one starts.
            while other.ranges.get(j).is_some_and(|(_, e)| e < start) {
                j += 1;
            }
            let mut k = j;
            while let (Some(f), Some((os, oe))) = (from, other.ranges.get(k)) {
                if os > end {
                    break;
                }
                if *os > f {
                    out.push((f, os.pred_opt().unwrap_or(f)));
                }
                from = oe.succ_opt().filter(|n| n <= end);
                k += 1;
            }
            if let Some(f) = from {
                out.push((f, *end));
            }
        }
        NonSchoolDays { ranges: out }
    }

    /// Whether `d` is listed (a holiday or a day of a break).
    pub fn listed(&self, d: NaiveDate) -> bool {
        let i = self.ranges.partition_point(|(_, end)| *end < d);
        self.ranges.get(i).is_some_and(|(start, _)| *start <= d)
    }

    /// Whether `d` is a school day: a weekday not listed.
    pub fn is_school_day(&self, d: NaiveDate) -> bool {
        is_weekday(d) && !self.listed(d)
    }

    /// The `n`th school day after `d` (`n > 0`), before it (`n < 0`), or `d` itself (`n == 0`).
    /// None when the date would be beyond what a date can hold.
    pub fn add(&self, d: NaiveDate, n: i64) -> Option<NaiveDate> {
        if n >= 0 {
            self.forward(d, n)
        } else {
            self.backward(d, n.checked_neg()?)
        }
    }

    fn forward(&self, d: NaiveDate, n: i64) -> Option<NaiveDate> {
        if n == 0 {
            return Some(d);
        }
        let mut left = n;
        let mut day = d;
        // The first break that ends after `day`, then each one after it.
        let first = self.ranges.partition_point(|(_, end)| *end <= day);
        for (start, end) in self.ranges.iter().skip(first) {
            if *start <= day {
                day = *end;
                continue;
            }
            let before = start.pred_opt()?;
            let w = weekdays_through(before)? - weekdays_through(day)?;
            if w >= left {
                return weekdays_after(day, left);
            }
            left -= w;
            day = *end;
        }
        weekdays_after(day, left)
    }

    fn backward(&self, d: NaiveDate, n: i64) -> Option<NaiveDate> {
        let mut left = n;
        let mut day = d;
        // The last break that starts before `day`, then each one before it.
        let last = self.ranges.partition_point(|(start, _)| *start < day);
        for (start, end) in self.ranges.iter().take(last).rev() {
            if *end >= day {
                day = *start;
                continue;
            }
            let w = weekdays_through(day.pred_opt()?)? - weekdays_through(*end)?;
            if w >= left {
                return weekdays_before(day, left);
            }
            left -= w;
            day = *start;
        }
        weekdays_before(day, left)
    }
}

/// Monday to Friday.
pub fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().num_days_from_monday() < 5
}

/// Days from Monday, January 1, 2001 (negative before it).
fn day_number(d: NaiveDate) -> Option<i64> {
    let epoch = NaiveDate::from_ymd_opt(2001, 1, 1)?;
    Some((d - epoch).num_days())
}

fn from_day_number(n: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2001, 1, 1)?.checked_add_signed(TimeDelta::try_days(n)?)
}

/// The weekdays from the epoch through `d` (a relative count: only differences mean anything).
fn weekdays_through(d: NaiveDate) -> Option<i64> {
    let t = day_number(d)?;
    let weeks = t.div_euclid(7);
    let rest = t.rem_euclid(7);
    weeks.checked_mul(5)?.checked_add((rest + 1).min(5))
}

/// The `k`th weekday after `d` (`k >= 1`).
fn weekdays_after(d: NaiveDate, k: i64) -> Option<NaiveDate> {
    let t = day_number(d)?;
    // From a Saturday or a Sunday, count as from the Friday before.
    let wd = t.rem_euclid(7).min(4);
    let monday = t - t.rem_euclid(7);
    let total = wd.checked_add(k)?;
    from_day_number(monday.checked_add(total.div_euclid(5).checked_mul(7)?)? + total.rem_euclid(5))
}

/// The `k`th weekday before `d` (`k >= 1`).
fn weekdays_before(d: NaiveDate, k: i64) -> Option<NaiveDate> {
    let t = day_number(d)?;
    // From a Saturday or a Sunday, count as from the Monday after; days counted back from Friday.
    let r = t.rem_euclid(7);
    let (friday, back) = if r > 4 {
        (t - r + 11, 4)
    } else {
        (t - r + 4, 4 - r)
    };
    let total = back.checked_add(k)?;
    from_day_number(friday.checked_sub(total.div_euclid(5).checked_mul(7)?)? - total.rem_euclid(5))
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(d) => d,
            None => panic!("no such date {y}-{m}-{d}"),
        }
    }

    /// What the arithmetic stands for: walk day by day.
    fn naive(cal: &NonSchoolDays, d: NaiveDate, n: i64) -> NaiveDate {
        let mut day = d;
        let mut left = n.abs();
        while left > 0 {
            day = if n > 0 {
                day.succ_opt().unwrap_or(day)
            } else {
                day.pred_opt().unwrap_or(day)
            };
            if cal.is_school_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// LAUSD's 2023-24 breaks, as a school calendar lists them.
    fn lausd() -> NonSchoolDays {
        NonSchoolDays::new([
            (date(2023, 9, 4), date(2023, 9, 4)),
            (date(2023, 11, 10), date(2023, 11, 10)),
            (date(2023, 11, 20), date(2023, 11, 24)),
            (date(2023, 12, 18), date(2024, 1, 5)),
            (date(2024, 1, 15), date(2024, 1, 15)),
            (date(2024, 2, 19), date(2024, 2, 19)),
            (date(2024, 3, 25), date(2024, 3, 29)),
        ])
    }

    #[test]
    fn counting_starts_after_the_day_counted_from() {
        let cal = lausd();
        // Friday, November 3, 2023: 10 school days later skips Veterans Day (Friday the 10th)
        // and the Thanksgiving break.
        // Written out: 6, 7, 8, 9, (10 holiday), 13, 14, 15, 16, 17, (20-24 break), 27.
        assert_eq!(cal.add(date(2023, 11, 3), 10), Some(date(2023, 11, 27)));
        // From a holiday, the count starts at the next school day.
        assert_eq!(cal.add(date(2023, 11, 10), 1), Some(date(2023, 11, 13)));
        // From a Saturday.
        assert_eq!(cal.add(date(2023, 11, 4), 1), Some(date(2023, 11, 6)));
        // Back from a Monday after a break.
        assert_eq!(cal.add(date(2024, 1, 8), -1), Some(date(2023, 12, 15)));
        assert_eq!(cal.add(date(2024, 1, 8), 0), Some(date(2024, 1, 8)));
        // Zero from a holiday is the holiday: nothing is counted.
        assert_eq!(cal.add(date(2023, 11, 10), 0), Some(date(2023, 11, 10)));
    }

    #[test]
    fn leap_days_and_year_ends_are_ordinary_days() {
        let none = NonSchoolDays::default();
        // Thursday, February 29, 2024 is a weekday.
        assert_eq!(none.add(date(2024, 2, 28), 1), Some(date(2024, 2, 29)));
        assert_eq!(none.add(date(2024, 3, 1), -1), Some(date(2024, 2, 29)));
        // 2023 ends on a Sunday; 2024 starts on a Monday.
        assert_eq!(none.add(date(2023, 12, 29), 1), Some(date(2024, 1, 1)));
        let cal = lausd();
        assert_eq!(cal.add(date(2023, 12, 15), 1), Some(date(2024, 1, 8)));
        assert_eq!(cal.add(date(2024, 2, 16), 10), Some(date(2024, 3, 4)));
    }

    #[test]
    fn ranges_merge_and_are_looked_up() {
        let cal = NonSchoolDays::new([
            (date(2024, 1, 3), date(2024, 1, 5)),
            (date(2024, 1, 1), date(2024, 1, 2)),
            (date(2024, 1, 4), date(2024, 1, 10)),
            (date(2024, 2, 1), date(2024, 1, 1)),
        ]);
        assert_eq!(cal.ranges(), &[(date(2024, 1, 1), date(2024, 1, 10))]);
        assert_eq!(cal.days(), 10);
        assert!(cal.listed(date(2024, 1, 10)));
        assert!(!cal.listed(date(2024, 1, 11)));
        assert!(!cal.is_school_day(date(2024, 1, 13)));
        assert!(cal.is_school_day(date(2024, 1, 11)));
    }

    #[test]
    fn minus_leaves_the_days_of_one_list_only() {
        let a = NonSchoolDays::new([
            (date(2023, 11, 20), date(2023, 11, 24)),
            (date(2023, 12, 18), date(2024, 1, 5)),
        ]);
        let b = NonSchoolDays::new([
            (date(2023, 11, 22), date(2023, 11, 22)),
            (date(2023, 12, 11), date(2023, 12, 19)),
            (date(2024, 1, 5), date(2024, 1, 9)),
        ]);
        assert_eq!(
            a.minus(&b).ranges(),
            &[
                (date(2023, 11, 20), date(2023, 11, 21)),
                (date(2023, 11, 23), date(2023, 11, 24)),
                (date(2023, 12, 20), date(2024, 1, 4)),
            ]
        );
        assert_eq!(
            b.minus(&a).ranges(),
            &[
                (date(2023, 12, 11), date(2023, 12, 17)),
                (date(2024, 1, 6), date(2024, 1, 9)),
            ]
        );
        assert!(a.minus(&a).is_empty());
        assert_eq!(a.minus(&NonSchoolDays::default()), a);
    }

    #[test]
    fn the_extremes_are_none_not_a_panic() {
        let cal = lausd();
        assert_eq!(cal.add(NaiveDate::MAX, 1), None);
        assert_eq!(cal.add(NaiveDate::MIN, -1), None);
        assert_eq!(cal.add(date(2024, 1, 1), i64::MAX), None);
        assert_eq!(cal.add(date(2024, 1, 1), i64::MIN), None);
    }

    /// The arithmetic against the day-by-day walk, on random calendars, dates and counts.
    #[test]
    fn the_arithmetic_is_the_walk() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        let base = date(2023, 6, 1);
        let day = |n: u64| base + TimeDelta::days(i64::try_from(n).unwrap_or(0));
        for _ in 0..3000 {
            let ranges: Vec<(NaiveDate, NaiveDate)> = (0..next(8))
                .map(|_| {
                    let a = next(500);
                    (day(a), day(a + next(12)))
                })
                .collect();
            let cal = NonSchoolDays::new(ranges);
            let from = day(next(500));
            let n = i64::try_from(next(121)).unwrap_or(0) - 60;
            assert_eq!(
                cal.add(from, n),
                Some(naive(&cal, from, n)),
                "{n} school days from {from} with {:?}",
                cal.ranges()
            );
            let plain = NonSchoolDays::default();
            assert_eq!(plain.add(from, n), Some(naive(&plain, from, n)));
        }
    }
}
