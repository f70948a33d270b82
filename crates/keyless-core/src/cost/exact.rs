//! [`Exact`]: a small exact rational number, so money never drifts.
//!
//! Every price in the table is a short decimal (`0.00356`, `0.000111`), every
//! quantity a decimal or a multiple of 1/1024 (CPU units and MiB). Products and
//! sums of those are computed exactly as fractions `num/den` in `i128` and only
//! rounded when shown (to cents, [`Exact::cents`]). The cost model bounds its
//! inputs (see [`crate::cost::CostInputs::check`]) so that no operation can
//! overflow; the operators panic rather than wrap if that promise were broken.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Mul, Sub};

/// An exact fraction `num/den`, always kept reduced with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exact {
    num: i128,
    den: i128,
}

const fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

const OVERFLOW: &str = "cost arithmetic overflow: inputs outside the checked bounds";

impl Exact {
    /// Zero.
    pub const ZERO: Exact = Exact { num: 0, den: 1 };
    /// One.
    pub const ONE: Exact = Exact { num: 1, den: 1 };

    /// The fraction `num/den`, reduced. Panics if `den` is zero.
    pub fn ratio(num: i128, den: i128) -> Exact {
        assert!(den != 0, "Exact::ratio with a zero denominator");
        let sign = if den < 0 { -1 } else { 1 };
        let g = gcd(num, den).max(1);
        Exact {
            num: sign * num / g,
            den: sign * den / g,
        }
    }

    /// The decimal `units / 10^scale`, reduced; usable in constants (the
    /// embedded price table). Panics if `10^scale` does not fit.
    pub const fn decimal(units: i64, scale: u32) -> Exact {
        let den = 10i128.pow(scale);
        let num = units as i128;
        let g = gcd(num, den);
        Exact {
            num: num / g,
            den: den / g,
        }
    }

    /// The whole number `n`.
    pub fn int(n: i64) -> Exact {
        Exact {
            num: i128::from(n),
            den: 1,
        }
    }

    /// Parses a plain decimal such as `"730"`, `"0.5"`, `"-1.25"` or `".5"`
    /// (surrounding spaces allowed; no exponent, at most 30 digits).
    pub fn parse(text: &str) -> Result<Exact, String> {
        let t = text.trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return Err(format!("\"{t}\" is not a number like 12 or 0.5"));
        }
        if int_part.len() + frac_part.len() > 30 {
            return Err(format!("\"{t}\" has too many digits"));
        }
        let mut num: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            num = num * 10 + i128::from(b - b'0');
        }
        let den = 10i128.pow(frac_part.len() as u32);
        Ok(Exact::ratio(if negative { -num } else { num }, den))
    }

    /// The numerator of the reduced fraction.
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator of the reduced fraction (always positive).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// Whether this is below zero.
    pub fn is_negative(self) -> bool {
        self.num < 0
    }

    /// Whether this is a decimal with at most `places` digits after the point
    /// (its denominator divides `10^places`).
    pub fn has_at_most_decimals(self, places: u32) -> bool {
        10u128.pow(places).is_multiple_of(self.den.unsigned_abs())
    }

    /// The sum, or `None` on overflow.
    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g)?;
        let right = other.num.checked_mul(self.den / g)?;
        let den = (self.den / g).checked_mul(other.den)?;
        Some(Exact::ratio(left.checked_add(right)?, den))
    }

    /// The product, or `None` on overflow.
    pub fn checked_mul(self, other: Exact) -> Option<Exact> {
        // Cross-reduce first so the result is already reduced.
        let g1 = gcd(self.num, other.den).max(1);
        let g2 = gcd(other.num, self.den).max(1);
        let num = (self.num / g1).checked_mul(other.num / g2)?;
        let den = (self.den / g2).checked_mul(other.den / g1)?;
        Some(Exact::ratio(num, den))
    }

    /// The value rounded to whole cents (half away from zero), as a count of cents.
    pub fn cents(self) -> i128 {
        self.round_to(2)
    }

    /// The value rounded to `places` decimals (half away from zero), scaled by `10^places`.
    pub fn round_to(self, places: u32) -> i128 {
        let scale = 10i128.pow(places);
        // Split first so `num * scale` cannot overflow for large values.
        let whole = self.num / self.den;
        let rest = self.num % self.den; // same sign as num, |rest| < den
        let scaled_rest = rest.checked_mul(scale).expect(OVERFLOW);
        let q = scaled_rest / self.den;
        let r = scaled_rest % self.den;
        let round_away = 2 * r.abs() >= self.den;
        let frac = if round_away {
            q + scaled_rest.signum()
        } else {
            q
        };
        whole.checked_mul(scale).expect(OVERFLOW) + frac
    }

    /// The nearest `f64`, for charts and JSON output; never used in sums.
    pub fn to_f64(self) -> f64 {
        // Go through the exact decimal text so e.g. 0.04048 stays 0.04048.
        self.to_decimal_string(12).parse().unwrap_or(f64::NAN)
    }

    /// The value rounded to cents as an `f64` (e.g. `12.66`), for JSON output.
    pub fn to_cents_f64(self) -> f64 {
        format_scaled(self.cents(), 2).parse().unwrap_or(f64::NAN)
    }

    /// Plain decimal text: exact when the value has at most `max_places`
    /// decimals, otherwise rounded to `max_places`. Trailing zeros are dropped.
    pub fn to_decimal_string(self, max_places: u32) -> String {
        let places = (0..=max_places)
            .find(|&p| self.has_at_most_decimals(p))
            .unwrap_or(max_places);
        format_scaled(self.round_to(places), places)
    }

    /// Money text rounded to cents, e.g. `$1,234.50`.
    pub fn usd(self) -> String {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.abs();
        let dollars = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}${grouped}.{:02}", cents % 100)
    }
}

/// `value / 10^places` as plain decimal text.
fn format_scaled(value: i128, places: u32) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let value = value.abs();
    if places == 0 {
        return format!("{sign}{value}");
    }
    let scale = 10i128.pow(places);
    format!(
        "{sign}{}.{:0width$}",
        value / scale,
        value % scale,
        width = places as usize
    )
}

impl Add for Exact {
    type Output = Exact;
    fn add(self, other: Exact) -> Exact {
        self.checked_add(other).expect(OVERFLOW)
    }
}

impl Sub for Exact {
    type Output = Exact;
    fn sub(self, other: Exact) -> Exact {
        self.checked_add(Exact {
            num: -other.num,
            den: other.den,
        })
        .expect(OVERFLOW)
    }
}

impl Mul for Exact {
    type Output = Exact;
    fn mul(self, other: Exact) -> Exact {
        self.checked_mul(other).expect(OVERFLOW)
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::ZERO, Add::add)
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Exact) -> Ordering {
        (*self - *other).num.cmp(&0)
    }
}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Exact) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Default for Exact {
    fn default() -> Exact {
        Exact::ZERO
    }
}

impl From<u32> for Exact {
    fn from(n: u32) -> Exact {
        Exact::int(i64::from(n))
    }
}

impl fmt::Display for Exact {
    /// Exact decimal text when the value has at most 12 decimals (always true
    /// for values built from the price table), otherwise rounded to 12.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string(12))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(text: &str) -> Exact {
        Exact::parse(text).unwrap()
    }

    #[test]
    fn parses_and_prints_decimals_exactly() {
        assert_eq!(x("0.00356"), Exact::ratio(356, 100_000));
        assert_eq!(x("730"), Exact::int(730));
        assert_eq!(x(".5"), Exact::ratio(1, 2));
        assert_eq!(x(" -1.25 "), Exact::ratio(-5, 4));
        assert_eq!(x("0.000111").to_string(), "0.000111");
        assert_eq!(Exact::ratio(1, 1024).to_string(), "0.0009765625");
        assert_eq!(Exact::ratio(1, 3).to_string(), "0.333333333333");
        for bad in ["", ".", "1e5", "1.2.3", "abc", "--1", "1,5"] {
            assert!(Exact::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn constant_decimals_equal_parsed_ones() {
        for (units, scale, text) in [
            (4048, 5, "0.04048"),
            (4445, 6, "0.004445"),
            (466725, 8, "0.00466725"),
            (1, 1, "0.1"),
            (730, 0, "730"),
            (7300, 1, "730"),
            (0, 3, "0"),
        ] {
            assert_eq!(Exact::decimal(units, scale), x(text), "{text}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        // 0.1 + 0.2 is exactly 0.3 (it is not in f64).
        assert_eq!(x("0.1") + x("0.2"), x("0.3"));
        // 0.25 × 0.04048 × 730 = 7.3876 exactly.
        assert_eq!(x("0.25") * x("0.04048") * Exact::int(730), x("7.3876"));
        assert_eq!(x("1") - x("0.7"), x("0.3"));
        assert!(x("0.3") > x("0.29999999"));
        assert_eq!([x("1.5"), x("2.25")].into_iter().sum::<Exact>(), x("3.75"));
    }

    #[test]
    fn rounds_half_away_from_zero_only_when_asked() {
        assert_eq!(x("9.010025").cents(), 901);
        assert_eq!(x("7.20875").cents(), 721);
        assert_eq!(x("0.005").cents(), 1);
        assert_eq!(x("0.00499999").cents(), 0);
        assert_eq!(x("-0.005").cents(), -1);
        assert_eq!(x("2.5").round_to(0), 3);
        assert_eq!(x("12.66").to_cents_f64(), 12.66);
        assert_eq!(x("1234567.891").usd(), "$1,234,567.89");
        assert_eq!(x("0.004").usd(), "$0.00");
        assert_eq!(x("100").usd(), "$100.00");
    }

    #[test]
    fn many_small_amounts_do_not_drift() {
        // 100 000 × 0.000111 is exactly 11.1; summing floats drifts.
        let price = x("0.000111");
        let exact: Exact = (0..100_000).map(|_| price).sum();
        assert_eq!(exact, x("11.1"));
        let float: f64 = (0..100_000).map(|_| 0.000111f64).sum();
        assert_ne!(float, 11.1, "floats drift; this is why Exact exists");
    }
}
