//! Numbers that must survive translation.
//!
//! Figures in official papers (amounts, dates, percentages, phone numbers)
//! are the first thing a reviewer checks. Every number written in digits in
//! the source should appear, in digits, in the translation; those that do
//! not are reported for a human look. Numbers written in words (一千二百,
//! "twelve") are not compared: their rendering legitimately changes form.

use std::sync::LazyLock;

use regex::Regex;

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[,，]\d{3})*(?:\.\d+)?").expect("valid number pattern"));

/// Full-width digits and separators as ASCII, so ２０２６ equals 2026.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            _ => c,
        })
        .collect()
}

/// The numbers written in digits in `text`, thousands separators removed,
/// in order of appearance.
pub fn numbers(text: &str) -> Vec<String> {
    let text = ascii_digits(text);
    NUMBER
        .find_iter(&text)
        .map(|m| m.as_str().replace([',', '，'], ""))
        .collect()
}

/// Source numbers missing from `output` (each occurrence counts: a figure
/// given twice in the source must be there twice), without duplicates.
pub fn missing_numbers(source: &str, output: &str) -> Vec<String> {
    let mut available = numbers(output);
    let mut missing = Vec::new();
    for n in numbers(source) {
        if let Some(i) = available.iter().position(|o| *o == n) {
            available.swap_remove(i);
        } else if !missing.contains(&n) {
            missing.push(n);
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_with_separators_removed_and_full_width_digits_read() {
        assert_eq!(
            numbers("HK$1,250 million, 3.5% in ２０２６; call 2835 1234."),
            vec!["1250", "3.5", "2026", "2835", "1234"]
        );
    }

    #[test]
    fn a_number_lost_in_translation_is_reported_once() {
        let source = "2,000 flats in 2026 and 2,000 more in 2027.";
        let output = "2026年有2000個單位，2027年再有2000個。";
        assert!(missing_numbers(source, output).is_empty());
        let wrong = "2026年有2000個單位，2028年再有200個。";
        assert_eq!(missing_numbers(source, wrong), vec!["2000", "2027"]);
    }
}
