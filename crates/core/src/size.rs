//! Sizes that come from input (file headers, layer fields, settings), computed in `u64` and
//! held under caps that fit 32 bits, so that the page (wasm32, where `usize` has 32 bits) and the
//! command line (64 bits) give the same verdict on the same file. Nothing read from a file is
//! multiplied or added as a `usize` before it has passed through here.

/// The most any size read from input may reach: what a 32-bit address space can index.
pub const MAX_SIZE: u64 = u32::MAX as u64;

/// The largest file Atelier reads, refused by its size before any of it is read: four times
/// the full Fashion-MNIST `train.csv`, and well inside what a browser tab can hold.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Refuses a file of `bytes` bytes over [`MAX_FILE_BYTES`], naming it.
pub fn check_file_size(name: &str, bytes: u64) -> Result<(), String> {
    if bytes > MAX_FILE_BYTES {
        return Err(format!(
            "{name}: the file is {} MB; Atelier reads files up to {} MB",
            bytes.div_ceil(1 << 20),
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(())
}

/// The product of `factors`, or `None` when it overflows or passes `cap` (itself at most
/// [`MAX_SIZE`]).
pub fn checked_product(factors: impl IntoIterator<Item = u64>, cap: u64) -> Option<u64> {
    factors
        .into_iter()
        .try_fold(1u64, |product, factor| product.checked_mul(factor))
        .filter(|&product| product <= cap.min(MAX_SIZE))
}

/// The sum of `terms`, or `None` when it overflows or passes `cap` (itself at most
/// [`MAX_SIZE`]).
pub fn checked_sum(terms: impl IntoIterator<Item = u64>, cap: u64) -> Option<u64> {
    terms
        .into_iter()
        .try_fold(0u64, |sum, term| sum.checked_add(term))
        .filter(|&sum| sum <= cap.min(MAX_SIZE))
}

/// Refuses JSON from input holding a whole number above `u32::MAX` anywhere but in the
/// fields named in `wide` (those typed `u64`, such as a seed): a `usize` field would take it
/// natively and fail to parse in the page, so the two would give different verdicts. Checked
/// on the parsed value before it becomes typed settings or layers.
pub fn check_json_numbers(value: &serde_json::Value, wide: &[&str]) -> Result<(), String> {
    use serde_json::Value;
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(n) if n > MAX_SIZE => Err(format!(
                "the number {n} is larger than any size Atelier reads ({MAX_SIZE})"
            )),
            _ => Ok(()),
        },
        Value::Array(items) => items.iter().try_for_each(|v| check_json_numbers(v, wide)),
        Value::Object(fields) => fields
            .iter()
            .filter(|(key, _)| !wide.contains(&key.as_str()))
            .try_for_each(|(_, v)| check_json_numbers(v, wide)),
        _ => Ok(()),
    }
}

/// A size that has passed a cap of at most [`MAX_SIZE`], as an index on this platform: every
/// platform Atelier runs on has a `usize` of at least 32 bits, so this never saturates for such
/// a size.
pub fn to_usize(size: u64) -> usize {
    usize::try_from(size.min(MAX_SIZE)).unwrap_or(usize::MAX)
}

/// A `usize` from this platform (a length, a count) as a size, never wrapping.
pub fn of(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same product computed the way a 32-bit `usize` would, with checked arithmetic.
    fn product_at_32_bits(factors: &[u64], cap: u64) -> Option<u64> {
        let mut product = 1u32;
        for &factor in factors {
            product = product.checked_mul(u32::try_from(factor).ok()?)?;
        }
        Some(u64::from(product)).filter(|&p| p <= cap)
    }

    /// Products that wrap a 32-bit `usize` (a 5,478,275-image IDX header: 4,294,967,600 bytes,
    /// 304 after wrapping) and ones that do not: both widths give one verdict. Every factor
    /// read from input fits 32 bits (IDX fields are 32-bit; larger JSON numbers are refused by
    /// [`check_json_numbers`]).
    #[test]
    fn the_verdict_is_the_same_at_32_and_64_bits() {
        let cases: &[&[u64]] = &[
            &[5_478_275, 784],
            &[60_000, 784],
            &[u32::MAX as u64, 2],
            &[65_536, 65_536],
            &[65_535, 65_537],
            &[0, u32::MAX as u64],
            &[u32::MAX as u64, u32::MAX as u64],
            &[1 << 31, 2],
            &[1 << 16, 1 << 15],
        ];
        for factors in cases {
            for cap in [1 << 20, 256 << 20, MAX_SIZE] {
                assert_eq!(
                    checked_product(factors.iter().copied(), cap),
                    product_at_32_bits(factors, cap),
                    "{factors:?} under {cap}"
                );
            }
        }
        // The wrapped 32-bit product that let such a header through before.
        assert_eq!(5_478_275u32.wrapping_mul(784), 304);
        assert_eq!(checked_product([5_478_275, 784], MAX_SIZE), None);
    }

    #[test]
    fn sums_are_checked_like_products() {
        assert_eq!(checked_sum([16, 47_040_000], MAX_SIZE), Some(47_040_016));
        assert_eq!(checked_sum([22, u32::MAX as u64], MAX_SIZE), None);
        assert_eq!(checked_sum([u64::MAX, 1], MAX_SIZE), None);
        assert_eq!(to_usize(MAX_SIZE), u32::MAX as usize);
    }
}
