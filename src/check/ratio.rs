//! Exact rational numbers: shares, percentages and decimals are compared without rounding.

/// An exact rational number, `num / den` with `den > 0`. Shares are compared exactly.
///
/// Equality and hashing are by value, whatever the terms: `1/2 == 50/100`, and both hash alike
/// (a policy's `0.50` is 50/100, a data file's is reduced to 1/2; a
/// [`Value`](super::model::Value) holding either must be the same key in a set or map).
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        (self.num == other.num && self.den == other.den)
            || self.cmp_exact(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ratio {}

impl std::hash::Hash for Ratio {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let r = self.reduced();
        r.num.hash(state);
        r.den.hash(state);
    }
}

impl Ratio {
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        Some(Ratio { num, den })
    }

    pub fn int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// The same number in lowest terms (`2/4` is `1/2`).
    pub fn reduced(self) -> Ratio {
        let g = gcd(self.num, self.den);
        if g <= 1 {
            return self;
        }
        Ratio {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// Compares exactly: `a/b` with `c/d` as `a*d` with `c*b`, each product in 256 bits, so no
    /// product overflows (30-digit data values against an 18-digit threshold do).
    pub fn cmp_exact(&self, other: &Ratio) -> std::cmp::Ordering {
        product(self.num, other.den).cmp(&product(other.num, self.den))
    }

    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// `x * y` exactly, as a key that orders like the product: a sign, then a 256-bit magnitude
/// (high half, low half), with the magnitude's order reversed for negative products.
fn product(x: i128, y: i128) -> (i128, std::cmp::Reverse<(u128, u128)>, (u128, u128)) {
    const LOW: u128 = u64::MAX as u128;
    let (a, b) = (x.unsigned_abs(), y.unsigned_abs());
    let (a1, a0, b1, b0) = (a >> 64, a & LOW, b >> 64, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // Each term is under 2^64, so the sum fits.
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    let sign = x.signum() * y.signum();
    if sign < 0 {
        (sign, std::cmp::Reverse((high, low)), (0, 0))
    } else {
        (sign, std::cmp::Reverse((0, 0)), (high, low))
    }
}

/// The greatest common divisor of `a` and `b`, never negative; 0 when both are 0.
pub fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Only gcd(i128::MIN, 0) and gcd(i128::MIN, i128::MIN) do not fit; no ratio has either.
    i128::try_from(a).unwrap_or(i128::MAX)
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn ratios_reduce_to_lowest_terms_with_the_sign_on_top() {
        let r = |n, d| Ratio::new(n, d).map(Ratio::reduced).map(|r| (r.num, r.den));
        assert_eq!(r(2, 4), Some((1, 2)));
        assert_eq!(r(-6, -4), Some((3, 2)));
        assert_eq!(r(6, -4), Some((-3, 2)));
        assert_eq!(r(0, 5), Some((0, 1)));
        assert_eq!(r(7, 0), None);
        assert_eq!(gcd(i128::MIN, 4), 4);
        assert_eq!(gcd(0, 0), 0);
        let min = Ratio {
            num: i128::MIN,
            den: 2,
        };
        assert_eq!(min.reduced().num, i128::MIN / 2);
        assert_eq!(min.reduced().den, 1);
    }

    #[test]
    fn comparisons_are_exact_where_cross_products_overflow() {
        use std::cmp::Ordering::*;
        let r = |n: i128, d: i128| Ratio::new(n, d).map(Ratio::reduced);
        let Some(threshold) = r(123_456_789_012_345_678, 10i128.pow(18)) else {
            panic!("threshold")
        };
        let above = r(123_456_789_012_345_678_000_000_000_001, 10i128.pow(30));
        let below = r(123_456_789_012_345_677_999_999_999_999, 10i128.pow(30));
        let (Some(above), Some(below)) = (above, below) else {
            panic!("values")
        };
        assert_eq!(above.cmp_exact(&threshold), Greater);
        assert_eq!(threshold.cmp_exact(&above), Less);
        assert_eq!(below.cmp_exact(&threshold), Less);
        let neg = |x: Ratio| Ratio {
            num: -x.num,
            den: x.den,
        };
        assert_eq!(neg(above).cmp_exact(&neg(threshold)), Less);
        assert_eq!(neg(below).cmp_exact(&neg(threshold)), Greater);
        assert_eq!(neg(below).cmp_exact(&threshold), Less);
        assert_eq!(above.cmp_exact(&above), Equal);
        let zero = Ratio::int(0);
        assert_eq!(zero.cmp_exact(&neg(above)), Greater);
        assert_eq!(zero.cmp_exact(&zero), Equal);
        let big = Ratio::int(i128::MAX);
        let small = Ratio {
            num: i128::MIN + 1,
            den: 1,
        };
        assert_eq!(small.cmp_exact(&big), Less);
        assert_eq!(
            Ratio {
                num: i128::MAX,
                den: i128::MAX - 1
            }
            .cmp_exact(&Ratio {
                num: i128::MAX - 1,
                den: i128::MAX - 2
            }),
            Less
        );
    }
}
