//! Plots as inline SVG, drawn in Rust: a histogram with a threshold line and a band around it,
//! horizontal bars, and a timeline of date ranges with a marker day.
//!
//! Every plot is a [`maud::Markup`]: labels are escaped by the template engine, coordinates are
//! finite numbers with one decimal (the same input gives the same bytes), and each plot has a
//! `<title>` and a `<desc>` that say in words what it shows, for a screen reader and for a page
//! read without pictures. A plot of no data says so instead of drawing empty axes.

use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};

/// A linear map from a domain (data units) to a range (pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// A domain of one point (all values equal) is widened by half a unit each way, so that
    /// the point lands in the middle of the range rather than dividing by zero.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        let (mut d0, mut d1) = domain;
        if !d0.is_finite() || !d1.is_finite() {
            (d0, d1) = (0.0, 1.0);
        }
        if d1 < d0 {
            (d0, d1) = (d1, d0);
        }
        if (d1 - d0).abs() < f64::EPSILON {
            (d0, d1) = (d0 - 0.5, d1 + 0.5);
        }
        Scale {
            d0,
            d1,
            r0: range.0,
            r1: range.1,
        }
    }

    /// The pixel for `x`; a value that is not a number maps to the start of the range.
    pub fn at(&self, x: f64) -> f64 {
        if !x.is_finite() {
            return self.r0;
        }
        self.r0 + (x - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// A coordinate as written into the SVG: one decimal, never `NaN` or `inf`.
pub fn n(x: f64) -> String {
    if x.is_finite() {
        let s = format!("{x:.1}");
        // `-0.0` and `0.0` are one point.
        if s == "-0.0" { "0.0".into() } else { s }
    } else {
        "0.0".into()
    }
}

/// A step of 1, 2 or 5 times a power of ten that cuts `0..=max` into at most `ticks` parts.
pub fn nice_step(max: f64, ticks: usize) -> f64 {
    if !max.is_finite() || max <= 0.0 || ticks == 0 {
        return 1.0;
    }
    let raw = max / ticks as f64;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Counts of `values` in `bins` equal bins over `lo..hi`. Bins include their lower edge, or with
/// `right_closed` their upper edge (so that a value on a `> 70%` threshold, which does not pass,
/// is drawn below the line). A value beyond the ends falls in the end bin; one that is not a
/// number in none.
pub fn bin_counts(values: &[f64], lo: f64, hi: f64, bins: usize, right_closed: bool) -> Vec<usize> {
    let mut counts = vec![0usize; bins.max(1)];
    let width = hi - lo;
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = if width > 0.0 {
            let at = (v - lo) / width * counts.len() as f64;
            // Edges computed in floating point: a value within a hair of an edge is on it.
            let near = at.round();
            let at = if (at - near).abs() < 1e-9 { near } else { at };
            if right_closed {
                at.ceil() - 1.0
            } else {
                at.floor()
            }
        } else {
            0.0
        };
        let i = (i.max(0.0) as usize).min(counts.len() - 1);
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    counts
}

/// A histogram of shares (fractions, 0.45 for 45%) over 0%–100%.
pub struct Histogram<'a> {
    /// Unique in the page: the ids of the plot's title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    /// What one value is: `school`.
    pub unit: &'a str,
    pub values: &'a [f64],
    /// The threshold, as a fraction, drawn as a line.
    pub threshold: Option<f64>,
    /// Half the width of the band drawn around the threshold, as a fraction (0.02 is 2 points).
    pub band: Option<f64>,
    /// Values not plotted (suppressed or undefined), said in the description.
    pub left_out: usize,
    /// Bins over 0%–100%.
    pub bins: usize,
    /// Bins include their upper edge (a `>` or `<=` threshold), not their lower one.
    pub right_closed: bool,
}

const W: f64 = 640.0;

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn plural(k: usize, word: &str) -> String {
    format!("{k} {word}{}", if k == 1 { "" } else { "s" })
}

/// Draws `h`: bars per bin, the band, the threshold line, axes with ticks.
pub fn histogram(h: &Histogram<'_>) -> Markup {
    let (left, right, top, bottom) = (44.0, 16.0, 14.0, 40.0);
    let height = 220.0;
    let bins = h.bins.max(1);
    let counts = bin_counts(h.values, 0.0, 1.0, bins, h.right_closed);
    let max = counts.iter().copied().max().unwrap_or(0);
    // Counts: whole steps only.
    let step = nice_step(max as f64, 4).max(1.0);
    let y_max = if max == 0 {
        1.0
    } else {
        (max as f64 / step).ceil() * step
    };
    let x = Scale::new((0.0, 1.0), (left, W - right));
    let y = Scale::new((0.0, y_max), (height - bottom, top));
    let plotted = h.values.iter().filter(|v| v.is_finite()).count();
    let mut desc = format!("{} plotted", plural(plotted, h.unit));
    if let Some(t) = h.threshold {
        let (above, words) = if h.right_closed {
            let k = h.values.iter().filter(|v| **v > t).count();
            (k, ("above it", "at or below"))
        } else {
            let k = h.values.iter().filter(|v| **v >= t).count();
            (k, ("at or above it", "below"))
        };
        desc.push_str(&format!(
            "; threshold {}: {} {}, {} {}",
            pct(t),
            above,
            words.0,
            plotted - above,
            words.1
        ));
        if let Some(b) = h.band {
            let near = h
                .values
                .iter()
                .filter(|v| (**v - t).abs() <= b + 1e-12)
                .count();
            desc.push_str(&format!(
                "; {} within {} points ({} to {})",
                near,
                n(b * 100.0).trim_end_matches(".0"),
                pct((t - b).max(0.0)),
                pct((t + b).min(1.0))
            ));
        }
    }
    if h.left_out > 0 {
        desc.push_str(&format!(
            "; {} not plotted (share suppressed or undefined)",
            h.left_out
        ));
    }
    let bw = (W - left - right) / bins as f64;
    let y_ticks: Vec<f64> = (0..=((y_max / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    let title_id = format!("{}-title", h.id);
    let desc_id = format!("{}-desc", h.id);
    html! {
        svg class="plot" viewBox={"0 0 " (n(W)) " " (n(height))} role="img"
            aria-labelledby={(title_id) " " (desc_id)} {
            title id=(title_id) { (h.title) }
            desc id=(desc_id) { (desc) }
            @if let (Some(t), Some(b)) = (h.threshold, h.band) {
                rect class="band" x=(n(x.at((t - b).max(0.0)))) y=(n(top))
                    width=(n(x.at((t + b).min(1.0)) - x.at((t - b).max(0.0))))
                    height=(n(height - bottom - top)) {}
            }
            @for t in &y_ticks {
                line class="grid" x1=(n(left)) x2=(n(W - right)) y1=(n(y.at(*t))) y2=(n(y.at(*t))) {}
                text class="tick" x=(n(left - 6.0)) y=(n(y.at(*t) + 4.0)) text-anchor="end" { (t) }
            }
            @for (i, c) in counts.iter().enumerate() {
                @if *c > 0 {
                    rect class="bar" x=(n(left + i as f64 * bw + 0.5)) y=(n(y.at(*c as f64)))
                        width=(n((bw - 1.0).max(0.5))) height=(n(y.at(0.0) - y.at(*c as f64))) {
                        title { (pct(i as f64 / bins as f64)) "–" (pct((i + 1) as f64 / bins as f64)) ": " (plural(*c, h.unit)) }
                    }
                }
            }
            line class="axis" x1=(n(left)) x2=(n(W - right)) y1=(n(y.at(0.0))) y2=(n(y.at(0.0))) {}
            @for i in 0..=10 {
                @let v = i as f64 / 10.0;
                line class="axis" x1=(n(x.at(v))) x2=(n(x.at(v))) y1=(n(y.at(0.0))) y2=(n(y.at(0.0) + 4.0)) {}
                text class="tick" x=(n(x.at(v))) y=(n(y.at(0.0) + 16.0)) text-anchor="middle" { (pct(v)) }
            }
            @if let Some(t) = h.threshold {
                line class="threshold" x1=(n(x.at(t))) x2=(n(x.at(t))) y1=(n(top - 4.0)) y2=(n(y.at(0.0))) {}
                text class="label threshold-label" x=(n(x.at(t) + 4.0)) y=(n(top + 8.0)) { "threshold " (pct(t)) }
            }
            text class="tick" x=(n(left + (W - left - right) / 2.0)) y=(n(height - 4.0)) text-anchor="middle" {
                (h.unit) "s per " (pct(1.0 / bins as f64)) " bin"
            }
        }
    }
}

/// Horizontal bars with a label and a count each.
pub fn bars(id: &str, title: &str, items: &[(String, usize)]) -> Markup {
    let label_w = 210.0;
    let row = 24.0;
    let top = 6.0;
    let height = top * 2.0 + row * items.len().max(1) as f64;
    let max = items.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let x = Scale::new((0.0, max.max(1) as f64), (label_w, W - 50.0));
    let desc = if items.is_empty() {
        "nothing to show".to_string()
    } else {
        items
            .iter()
            .map(|(l, c)| format!("{l}: {c}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg class="plot" viewBox={"0 0 " (n(W)) " " (n(height))} role="img"
            aria-labelledby={(title_id) " " (desc_id)} {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            @if items.is_empty() {
                text class="label" x=(n(8.0)) y=(n(top + row * 0.65)) { "nothing to show" }
            }
            @for (i, (label, c)) in items.iter().enumerate() {
                @let y0 = top + i as f64 * row;
                text class="label" x=(n(label_w - 8.0)) y=(n(y0 + row * 0.65)) text-anchor="end" { (label) }
                rect class="bar" x=(n(label_w)) y=(n(y0 + 4.0)) width=(n(x.at(*c as f64) - label_w)) height=(n(row - 8.0)) {}
                text class="label" x=(n(x.at(*c as f64) + 6.0)) y=(n(y0 + row * 0.65)) { (c) }
            }
        }
    }
}

/// One row of a timeline: a range of days (inclusive), or one day.
pub struct Span<'a> {
    pub label: &'a str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// `deadline` draws a diamond on `end`; anything else a bar.
    pub deadline: bool,
}

fn day_number(d: NaiveDate) -> f64 {
    f64::from(d.num_days_from_ce())
}

/// The year `from..=to` with a tick per month, a row per span, and a line at `marker`.
pub fn timeline(
    id: &str,
    title: &str,
    (from, to): (NaiveDate, NaiveDate),
    spans: &[Span<'_>],
    marker: Option<(&str, NaiveDate)>,
) -> Markup {
    let label_w = 230.0;
    let row = 22.0;
    let top = 30.0;
    let height = top + row * spans.len().max(1) as f64 + 10.0;
    let x = Scale::new(
        (day_number(from), day_number(to) + 1.0),
        (label_w, W - 12.0),
    );
    let mut months = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
    while let Some(d) = m {
        if d > to || months.len() > 240 {
            break;
        }
        if d >= from {
            months.push(d);
        }
        m = d.checked_add_months(chrono::Months::new(1));
    }
    let us = crate::check::model::us_date;
    let mut desc = spans
        .iter()
        .map(|s| {
            if s.start == s.end {
                format!("{}: {}", s.label, us(s.start))
            } else {
                format!("{}: {} to {}", s.label, us(s.start), us(s.end))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    if spans.is_empty() {
        desc = "no dated window or deadline".into();
    }
    if let Some((l, d)) = marker {
        desc.push_str(&format!("; {l} {}", us(d)));
    }
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg class="plot" viewBox={"0 0 " (n(W)) " " (n(height))} role="img"
            aria-labelledby={(title_id) " " (desc_id)} {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            @for d in &months {
                line class="grid" x1=(n(x.at(day_number(*d)))) x2=(n(x.at(day_number(*d))))
                    y1=(n(top - 6.0)) y2=(n(height - 10.0)) {}
                text class="tick" x=(n(x.at(day_number(*d)) + 2.0)) y=(n(top - 10.0)) {
                    (d.format("%b").to_string())
                }
            }
            @if spans.is_empty() {
                text class="label" x=(n(8.0)) y=(n(top + row * 0.65)) { "no dated window or deadline" }
            }
            @for (i, s) in spans.iter().enumerate() {
                @let y0 = top + i as f64 * row;
                @let (a, b) = (x.at(day_number(s.start)), x.at(day_number(s.end) + 1.0));
                text class="label" x=(n(label_w - 8.0)) y=(n(y0 + row * 0.65)) text-anchor="end" { (s.label) }
                @if s.deadline {
                    @let cx = (a + b) / 2.0;
                    @let cy = y0 + row / 2.0;
                    path class="deadline" d={"M" (n(cx)) " " (n(cy - 6.0)) " L" (n(cx + 6.0)) " " (n(cy)) " L" (n(cx)) " " (n(cy + 6.0)) " L" (n(cx - 6.0)) " " (n(cy)) " Z"} {
                        title { (s.label) ": " (us(s.end)) }
                    }
                } @else {
                    rect class="window" x=(n(a)) y=(n(y0 + 5.0)) width=(n((b - a).max(2.0))) height=(n(row - 10.0)) {
                        title { (s.label) ": " (us(s.start)) " to " (us(s.end)) }
                    }
                }
            }
            @if let Some((l, d)) = marker {
                @if d >= from && d <= to {
                    line class="asof" x1=(n(x.at(day_number(d) + 0.5))) x2=(n(x.at(day_number(d) + 0.5)))
                        y1=(n(top - 6.0)) y2=(n(height - 4.0)) {}
                    text class="label asof-label" x=(n(x.at(day_number(d) + 0.5) + 4.0)) y=(n(height - 2.0)) { (l) " " (us(d)) }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn scales_map_ends_to_ends_and_survive_one_point_domains() {
        let s = Scale::new((0.0, 10.0), (100.0, 200.0));
        assert_eq!(s.at(0.0), 100.0);
        assert_eq!(s.at(10.0), 200.0);
        assert_eq!(s.at(5.0), 150.0);
        // Inverted ranges (a y axis) work the same way.
        let y = Scale::new((0.0, 4.0), (200.0, 0.0));
        assert_eq!(y.at(1.0), 150.0);
        // All values equal: the point is in the middle, never NaN.
        let one = Scale::new((3.0, 3.0), (0.0, 100.0));
        assert_eq!(one.at(3.0), 50.0);
        let bad = Scale::new((f64::NAN, 1.0), (0.0, 10.0));
        assert!(bad.at(0.5).is_finite());
        assert_eq!(s.at(f64::NAN), 100.0);
        assert_eq!(n(f64::INFINITY), "0.0");
        assert_eq!(n(-0.04), "0.0");
        assert_eq!(n(12.345), "12.3");
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(43.0, 4), 20.0);
        assert_eq!(nice_step(4.0, 4), 1.0);
        assert_eq!(nice_step(1.0, 4), 0.5);
        assert_eq!(nice_step(0.0, 4), 1.0);
        assert_eq!(nice_step(9000.0, 4), 5000.0);
    }

    #[test]
    fn bins_take_every_value_once() {
        let v = [0.0, 0.1, 0.69, 0.7, 0.71, 1.0, f64::NAN, -0.1, 1.5];
        let c = bin_counts(&v, 0.0, 1.0, 10, false);
        assert_eq!(c.iter().sum::<usize>(), 8, "{c:?}");
        assert_eq!(c[0], 2); // 0.0 and the clamped -0.1
        assert_eq!(c[6], 1); // 0.69
        assert_eq!(c[7], 2); // 0.7, 0.71
        assert_eq!(c[9], 2); // 1.0 and the clamped 1.5
        // Upper edges included: 0.7 is drawn with 0.69, below a `> 70%` line; 0.1 joins 0.0
        // and the clamped -0.1 in the first bin.
        let r = bin_counts(&v, 0.0, 1.0, 10, true);
        assert_eq!(r.iter().sum::<usize>(), 8, "{r:?}");
        assert_eq!((r[0], r[6], r[7], r[9]), (3, 2, 1, 2), "{r:?}");
        assert_eq!(bin_counts(&[], 0.0, 1.0, 0, false), vec![0]);
        assert_eq!(bin_counts(&[0.5], 1.0, 1.0, 3, true), vec![1, 0, 0]);
    }

    fn hist(values: &[f64]) -> String {
        histogram(&Histogram {
            id: "h",
            title: "PHBAO: hbao_share",
            unit: "school",
            values,
            threshold: Some(0.7),
            band: Some(0.02),
            left_out: 1,
            bins: 50,
            right_closed: true,
        })
        .into_string()
    }

    #[test]
    fn histograms_say_what_they_show() {
        let s = hist(&[0.5, 0.69, 0.71, 0.9]);
        assert!(s.starts_with("<svg"), "{s}");
        assert!(
            s.contains(
                "4 schools plotted; threshold 70%: 2 above it, 2 at or below; 2 within 2 points (68% to 72%); 1 not plotted"
            ),
            "{s}"
        );
        assert_eq!(s.matches("class=\"bar\"").count(), 4);
        assert!(s.contains("class=\"threshold\""));
        assert!(s.contains("class=\"band\""));
        assert!(!s.contains("NaN") && !s.contains("inf"));
    }

    #[test]
    fn empty_one_and_equal_values_draw_without_nan() {
        let empty = hist(&[]);
        assert!(empty.contains("0 schools plotted"), "{empty}");
        assert_eq!(empty.matches("class=\"bar\"").count(), 0);
        let one = hist(&[0.75]);
        assert!(one.contains("1 school plotted"), "{one}");
        assert_eq!(one.matches("class=\"bar\"").count(), 1);
        let same = hist(&[0.8; 7]);
        assert_eq!(same.matches("class=\"bar\"").count(), 1);
        assert!(same.contains("7 schools"), "{same}");
        for s in [empty, one, same] {
            assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
        }
        let none = bars("b", "nothing", &[]);
        assert!(none.into_string().contains("nothing to show"));
        let t = timeline(
            "t",
            "year",
            (date(2023, 7, 1), date(2024, 6, 30)),
            &[],
            None,
        );
        assert!(t.into_string().contains("no dated window or deadline"));
    }

    #[test]
    fn labels_are_escaped() {
        let b = bars(
            "b",
            "<script>alert(1)</script>",
            &[("a & <b> \"c\"".into(), 3)],
        )
        .into_string();
        assert!(!b.contains("<script>"), "{b}");
        assert!(b.contains("&lt;script&gt;"), "{b}");
        assert!(b.contains("a &amp; &lt;b&gt; &quot;c&quot;"), "{b}");
        let t = timeline(
            "t\" onload=\"x",
            "y",
            (date(2023, 7, 1), date(2024, 6, 30)),
            &[],
            None,
        )
        .into_string();
        assert!(!t.contains("\" onload=\"x"), "{t}");
    }

    #[test]
    fn timelines_place_days_and_the_marker() {
        let spans = [
            Span {
                label: "first_conference",
                start: date(2023, 11, 13),
                end: date(2023, 11, 17),
                deadline: false,
            },
            Span {
                label: "certify due",
                start: date(2024, 1, 31),
                end: date(2024, 1, 31),
                deadline: true,
            },
        ];
        let s = timeline(
            "t",
            "the year",
            (date(2023, 7, 1), date(2024, 6, 30)),
            &spans,
            Some(("as of", date(2024, 2, 15))),
        )
        .into_string();
        // Twelve months, a bar, a diamond, the as-of line.
        assert_eq!(s.matches("class=\"tick\"").count(), 12, "{s}");
        assert_eq!(s.matches("class=\"window\"").count(), 1);
        assert_eq!(s.matches("class=\"deadline\"").count(), 1);
        assert!(s.contains("class=\"asof\""));
        assert!(s.contains("first_conference: 11/13/2023 to 11/17/2023"));
        assert!(s.contains("as of 2/15/2024"));
        // A marker outside the year is left out of the drawing (the description still says it).
        let out = timeline(
            "t",
            "y",
            (date(2023, 7, 1), date(2024, 6, 30)),
            &spans,
            Some(("as of", date(2025, 1, 1))),
        )
        .into_string();
        assert!(!out.contains("class=\"asof\""));
    }
}
