//! The checks a match must pass beyond its pattern: the Luhn check, assigned SSN ranges.

/// Whether the digits of `text` (13 to 19 of them) pass the Luhn check.
pub(super) fn passes_luhn(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A US SSN in assigned ranges (area not 000, 666 or 9xx; group and serial not zero), or a UK NI number.
pub(super) fn is_national_id(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [area, group, serial] if area.len() == 3 => {
            *area != "000"
                && *area != "666"
                && !area.starts_with('9')
                && *group != "00"
                && *serial != "0000"
        }
        // The UK NI shape (letters and digits, no dashes).
        _ => text.chars().any(|c| c.is_ascii_alphabetic()),
    }
}
