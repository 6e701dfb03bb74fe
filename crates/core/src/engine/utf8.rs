//! Turns the byte pieces of generated tokens into text without ever splitting a
//! character.
//!
//! A token is a byte sequence, not a character: byte-level vocabularies cut a
//! three-byte Chinese character across two or three tokens. Decoding each piece
//! on its own would print replacement characters mid-stream; this buffer keeps
//! an incomplete tail until the next piece completes it.

/// Incremental UTF-8 decoder for token pieces.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Appends `bytes` and returns every complete character now available.
    ///
    /// Bytes that can never become valid UTF-8 are replaced by U+FFFD so that
    /// one bad token cannot stall the stream.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(text) => {
                    out.push_str(text);
                    self.pending.clear();
                    return out;
                }
                Err(err) => {
                    let valid = err.valid_up_to();
                    // SAFETY-free: from_utf8 told us this prefix is valid.
                    out.push_str(std::str::from_utf8(&self.pending[..valid]).unwrap_or_default());
                    match err.error_len() {
                        // An incomplete sequence at the end: wait for more bytes.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// Returns whatever is left at the end of generation; an incomplete
    /// character becomes U+FFFD rather than disappearing silently.
    pub fn finish(&mut self) -> String {
        let rest = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_character_split_over_three_tokens_comes_out_whole_once() {
        let bytes = "發展局".as_bytes();
        let mut stream = Utf8Stream::default();
        let mut out = String::new();
        for byte in bytes {
            out.push_str(&stream.push(std::slice::from_ref(byte)));
        }
        out.push_str(&stream.finish());
        assert_eq!(out, "發展局");
    }

    #[test]
    fn pieces_split_at_every_position_reassemble_to_the_original() {
        let text = "房屋署 said: 公屋輪候時間 5.6 年。";
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut stream = Utf8Stream::default();
            let mut out = stream.push(&bytes[..cut]);
            out.push_str(&stream.push(&bytes[cut..]));
            out.push_str(&stream.finish());
            assert_eq!(out, text, "cut at byte {cut}");
        }
    }

    #[test]
    fn an_invalid_byte_becomes_one_replacement_character_and_the_stream_continues() {
        let mut stream = Utf8Stream::default();
        let out = stream.push(b"ab\xffcd");
        assert_eq!(out, "ab\u{fffd}cd");
    }

    #[test]
    fn an_unfinished_character_at_the_end_is_reported_not_dropped() {
        let mut stream = Utf8Stream::default();
        let head = &"局".as_bytes()[..2];
        assert_eq!(stream.push(head), "");
        assert_eq!(stream.finish(), "\u{fffd}");
    }
}
