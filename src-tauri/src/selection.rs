//! The text the shortcut summarises: on Linux (X11) the PRIMARY selection,
//! which holds whatever is highlighted in any program without a copy, then
//! the clipboard. On Windows and macOS this build reads the clipboard only
//! (UI Automation and Accessibility capture are not implemented; the user
//! copies first).

use crate::state::Selection;

/// Where to look first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The highlighted text, then the clipboard.
    Selection,
    /// The clipboard only (the tray's "Summarise clipboard").
    Clipboard,
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

#[cfg(target_os = "linux")]
fn primary(clipboard: &mut arboard::Clipboard) -> Option<String> {
    use arboard::{GetExtLinux, LinuxClipboardKind};
    non_empty(
        clipboard
            .get()
            .clipboard(LinuxClipboardKind::Primary)
            .text()
            .ok(),
    )
}

#[cfg(not(target_os = "linux"))]
fn primary(_clipboard: &mut arboard::Clipboard) -> Option<String> {
    None
}

/// Captures text from `source`, falling back to the clipboard.
pub fn capture(source: Source) -> Selection {
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return Selection {
            text: String::new(),
            source: "none".into(),
        };
    };
    if source == Source::Selection {
        if let Some(text) = primary(&mut clipboard) {
            return Selection {
                text,
                source: "primary".into(),
            };
        }
    }
    match non_empty(clipboard.get_text().ok()) {
        Some(text) => Selection {
            text,
            source: "clipboard".into(),
        },
        None => Selection {
            text: String::new(),
            source: "none".into(),
        },
    }
}
