//! Personal data masking for the stored copy of a run: HKID numbers, Hong
//! Kong phone numbers and e-mail addresses become placeholders. The user's
//! on-screen output is never changed; only what is kept on disk.

use std::sync::LazyLock;

use regex::Regex;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+").expect("email pattern")
});

// HKID: one or two letters, six digits, a check digit (0-9 or A) usually in
// brackets: A123456(7), AB987654(A), A1234567.
static HKID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[A-Z]{1,2}\d{6}\s?(?:\([0-9A]\)|（[0-9A]）|[0-9A])").expect("hkid pattern")
});

// HK phone numbers: eight digits starting 2, 3, 5, 6, 7, 8 or 9, optionally
// written 4+4 with a space or hyphen, optionally after +852 / (852).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:\+|\(\+?)?852\)?[\s\-]?)?(?-u:\b)[235-9]\d{3}[\s\-]?\d{4}(?-u:\b)")
        .expect("phone pattern")
});

/// Replaces personal data in `text` with `[EMAIL]`, `[HKID]` and `[PHONE]`.
/// Returns the masked text and how many items were replaced.
pub fn mask_personal_data(text: &str) -> (String, usize) {
    let mut count = 0;
    let mut out = EMAIL
        .replace_all(text, |_: &regex::Captures<'_>| {
            count += 1;
            "[EMAIL]"
        })
        .into_owned();
    out = HKID
        .replace_all(&out, |_: &regex::Captures<'_>| {
            count += 1;
            "[HKID]"
        })
        .into_owned();
    out = PHONE
        .replace_all(&out, |_: &regex::Captures<'_>| {
            count += 1;
            "[PHONE]"
        })
        .into_owned();
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkid_phone_and_email_are_replaced() {
        let text =
            "陳大文（身份證號碼A123456(7)）可致電9123 4567或電郵chan.taiman@example.gov.hk聯絡。";
        let (masked, n) = mask_personal_data(text);
        assert_eq!(
            masked,
            "陳大文（身份證號碼[HKID]）可致電[PHONE]或電郵[EMAIL]聯絡。"
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn international_and_hyphenated_phone_forms_are_caught() {
        let (masked, n) = mask_personal_data("Call +852 2835-1234 or (852) 61234567.");
        assert_eq!(masked, "Call [PHONE] or [PHONE].");
        assert_eq!(n, 2);
    }

    #[test]
    fn amounts_dates_and_short_numbers_are_not_personal_data() {
        let text = "The scheme costs $18,600,000 from 2026-27; 120 square metres; 1 March 2027; ref AD/GEN/12.";
        assert_eq!(mask_personal_data(text), (text.to_string(), 0));
    }
}
