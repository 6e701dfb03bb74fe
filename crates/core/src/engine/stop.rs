//! Stop sequences over a stream of text.
//!
//! Text that might be the beginning of a stop sequence is held back until the
//! next piece shows whether it is; otherwise a caller would already have shown
//! the user "###" before we knew it was the end marker.

/// Finds stop sequences in streamed text and decides what is safe to emit.
#[derive(Debug)]
pub struct StopScanner {
    stops: Vec<String>,
    text: String,
    emitted: usize,
}

/// What the scanner says after each piece.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan {
    /// Emit this text (may be empty); generation goes on.
    Continue(String),
    /// A stop sequence was found: emit this last text and stop.
    Stopped(String),
}

impl StopScanner {
    /// A scanner for the given stop sequences (empty strings are ignored).
    pub fn new(stops: &[String]) -> Self {
        Self {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            text: String::new(),
            emitted: 0,
        }
    }

    /// Adds a piece of generated text.
    pub fn push(&mut self, piece: &str) -> Scan {
        // A stop sequence can only start within the longest stop's reach of the
        // old end, so search from there rather than from the beginning.
        let longest = self.stops.iter().map(String::len).max().unwrap_or(0);
        let mut search_from = self.text.len().saturating_sub(longest);
        while !self.text.is_char_boundary(search_from) {
            search_from -= 1;
        }
        self.text.push_str(piece);
        let found = self
            .stops
            .iter()
            .filter_map(|stop| {
                self.text[search_from..]
                    .find(stop.as_str())
                    .map(|at| search_from + at)
            })
            .min();
        if let Some(at) = found {
            self.text.truncate(at);
            let out = self.text[self.emitted.min(at)..].to_string();
            self.emitted = self.text.len();
            return Scan::Stopped(out);
        }
        let hold = self.held_back_len();
        let safe_end = self.text.len() - hold;
        let out = if safe_end > self.emitted {
            self.text[self.emitted..safe_end].to_string()
        } else {
            String::new()
        };
        self.emitted = self.emitted.max(safe_end);
        Scan::Continue(out)
    }

    /// Ends the stream: whatever was held back is released.
    pub fn finish(&mut self) -> String {
        let out = self.text[self.emitted..].to_string();
        self.emitted = self.text.len();
        out
    }

    /// All text so far, without any stop sequence.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Length in bytes of the longest suffix of the text that is a proper
    /// prefix of some stop sequence.
    fn held_back_len(&self) -> usize {
        let mut best = 0;
        for stop in &self.stops {
            for (len, _) in stop.char_indices().skip(1) {
                if len > best && self.text.ends_with(&stop[..len]) {
                    best = len;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (Vec<String>, bool, String) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut scanner = StopScanner::new(&stops);
        let mut out = Vec::new();
        let mut stopped = false;
        for piece in pieces {
            match scanner.push(piece) {
                Scan::Continue(t) => out.push(t),
                Scan::Stopped(t) => {
                    out.push(t);
                    stopped = true;
                    break;
                }
            }
        }
        if !stopped {
            out.push(scanner.finish());
        }
        (out, stopped, scanner.text().to_string())
    }

    #[test]
    fn a_stop_sequence_split_across_pieces_is_never_emitted() {
        let (out, stopped, text) = run(&["###"], &["要點", "一#", "#", "#之後"]);
        assert!(stopped);
        assert_eq!(out.concat(), "要點一");
        assert_eq!(text, "要點一");
    }

    #[test]
    fn text_that_only_looked_like_a_stop_is_released_on_the_next_piece() {
        let (out, stopped, _) = run(&["\n\n"], &["第一點\n", "第二點"]);
        assert!(!stopped);
        assert_eq!(
            out,
            vec!["第一點".to_string(), "\n第二點".to_string(), String::new()]
        );
    }

    #[test]
    fn the_earliest_of_several_stop_sequences_wins() {
        let (out, _, _) = run(&["\n", "###"], &["abc### def\nxyz"]);
        assert_eq!(out.concat(), "abc");
    }

    #[test]
    fn without_stop_sequences_everything_passes_through_at_once() {
        let (out, stopped, _) = run(&[], &["一", "二"]);
        assert!(!stopped);
        assert_eq!(out, vec!["一".to_string(), "二".to_string(), String::new()]);
    }
}
