//! The entities near a category's threshold (`lint --near 2%`): the ones whose status may flip
//! next year. Decided exactly, as the categories are.

use crate::check::model::Ratio;

use super::Evaluation;

/// Entities whose category share is within `margin` percentage points of its threshold (`2` is
/// two points), each as (entity, category, the condition and the distance in words); only the
/// entities in `only`, unless it is empty. Needs the evaluation's explanations.
pub fn near(ev: &Evaluation, margin: Ratio, only: &[String]) -> Vec<(String, String, String)> {
    // The gap is a fraction (0.011 is 1.1 points); the margin in points is a hundred times that.
    let Some(band) = Ratio::new(margin.num, margin.den.saturating_mul(100)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for x in &ev.explanations {
        if !only.is_empty() && !only.contains(&x.entity) {
            continue;
        }
        for c in &x.categories {
            let Some(gap) = c.gap else {
                continue;
            };
            let distance = Ratio {
                num: gap.num.saturating_abs(),
                den: gap.den,
            };
            if distance.cmp_exact(&band) != std::cmp::Ordering::Greater {
                let note = format!(
                    "{} ({})",
                    c.reason,
                    c.distance.clone().unwrap_or_else(|| c.state.describe())
                );
                out.push((x.entity.clone(), c.name.clone(), note));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{CategoryDecision, CategoryState, Explanation};

    fn explained(gaps: &[(i128, i128)]) -> Evaluation {
        let categories = gaps
            .iter()
            .map(|&(num, den)| CategoryDecision {
                name: format!("C{num}/{den}"),
                member: Some(true),
                state: CategoryState::Continuing,
                reason: "r".into(),
                history: Vec::new(),
                distance: None,
                reading: None,
                gap: Ratio::new(num, den),
            })
            .collect();
        Evaluation {
            explanations: vec![Explanation {
                entity_kind: "school".into(),
                entity: "E01".into(),
                entity_name: None,
                measures: Vec::new(),
                categories,
                windows: Vec::new(),
                rules: Vec::new(),
                retention: Vec::new(),
            }],
            ..Evaluation::default()
        }
    }

    #[test]
    fn the_band_is_exact_and_includes_its_edges() {
        // 2 points is 0.02: 0.02 and -0.02 are in, 0.0200001 is not.
        let ev = explained(&[(2, 100), (-2, 100), (200_001, 10_000_000), (0, 1)]);
        let two = Ratio::int(2);
        let names: Vec<String> = near(&ev, two, &[]).into_iter().map(|n| n.1).collect();
        assert_eq!(names, ["C2/100", "C-2/100", "C0/1"]);
        // A tenth of a point, as `--near 0.1%` gives it.
        let tenth = Ratio { num: 1, den: 10 };
        let ev = explained(&[(1, 1000), (11, 10_000)]);
        assert_eq!(near(&ev, tenth, &[]).len(), 1);
        assert!(near(&ev, tenth, &["E02".into()]).is_empty());
    }
}
