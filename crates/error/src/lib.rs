//! What every error a user can see carries besides its English sentence.
//!
//! - a stable **code** (`input_empty`, `zip_bomb`, …): the desktop UI shows
//!   its own zh-Hant or English text by it, the CLI prints it in `--json`;
//! - its **kind**: the user's input or arguments are at fault ([`Kind::Usage`],
//!   CLI exit code 2) or something failed while running ([`Kind::Runtime`], 1);
//! - its **fix** as data ([`Fix`]): which setting to change or what to do,
//!   named neutrally, so each shell words it its own way (the CLI names a
//!   flag, the desktop app a field on its settings page). Sentences never
//!   name a flag of one shell.
//!
//! Every error type implements [`Coded`] through [`coded!`], which also
//! lists the type's codes in `CODES`: the match it writes must cover every
//! variant, so a new variant cannot be added without a code, and the list
//! the UI's texts are checked against cannot miss one.

use serde::{Deserialize, Serialize};

/// Whose fault an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Bad arguments, a bad input file, bad settings or prompt files, a thing
    /// asked for that is not there: the user can fix it (exit code 2).
    Usage,
    /// Something failed while running (exit code 1).
    Runtime,
}

/// Something a user can set, named by what it is, not by how a shell
/// spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// The model file.
    Model,
    /// The context length in tokens.
    Context,
    /// The output language.
    Target,
    /// The kind of document a draft is.
    DocType,
    /// The output file of a document translation.
    Output,
    /// The output folder of a folder job.
    OutFolder,
    /// The history database.
    Database,
    /// The number of key points of a summary.
    Points,
}

/// What to do about an error, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Fix {
    /// Give a larger value of the setting.
    Raise {
        setting: Setting,
    },
    /// Give a smaller value of the setting.
    Lower {
        setting: Setting,
    },
    /// Choose the setting, e.g. another model file or output folder;
    /// `suggest` is a value that works, when one is known.
    Choose {
        setting: Setting,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggest: Option<String>,
    },
    /// Look at the list of what there is (runs, jobs) to find the right id.
    ListRuns,
    ListJobs,
    /// Wait for the running job, or stop it.
    WaitOrCancelJob {
        job: i64,
    },
}

impl Fix {
    /// [`Fix::Choose`] without a suggestion.
    pub fn choose(setting: Setting) -> Self {
        Self::Choose {
            setting,
            suggest: None,
        }
    }
}

/// An error with a stable code, a kind and maybe a fix.
pub trait Coded: std::error::Error {
    /// Stable machine-readable code (snake_case).
    fn code(&self) -> &'static str;
    /// Whether the user's input is at fault.
    fn kind(&self) -> Kind;
    /// What to do about it, when there is something specific.
    fn fix(&self) -> Option<Fix> {
        None
    }
    /// `kind() == Kind::Usage`.
    fn is_usage(&self) -> bool {
        self.kind() == Kind::Usage
    }
}

/// Implements [`Coded`] for an error enum and gives it `CODES`, the codes
/// its own variants carry.
///
/// ```ignore
/// wenshu_error::coded! {
///     TaskError {
///         Self::EmptyInput => "input_empty", usage;
///         Self::ContextTooSmall { .. } => "context_too_small", usage,
///             fix = Fix::Raise { setting: Setting::Context };
///         Self::Worker(_) => "worker_failed", runtime;
///     }
///     delegate {
///         Self::Prompt(e) => e,
///     }
/// }
/// ```
///
/// A delegated variant takes its code, kind and fix from the error it
/// wraps (whose own `CODES` list its codes).
#[macro_export]
macro_rules! coded {
    (
        $ty:ty {
            $( $pat:pat => $code:literal, $kind:ident $(, fix = $fix:expr)? ; )*
        }
        $( delegate { $( $dpat:pat => $inner:expr ),* $(,)? } )?
    ) => {
        impl $ty {
            /// Every code this type's own variants carry (delegated
            /// variants list theirs in their own type).
            pub const CODES: &'static [&'static str] = &[$($code),*];

            /// Stable machine-readable code (see [`Coded::code`]).
            #[allow(dead_code)]
            pub fn code(&self) -> &'static str {
                <Self as $crate::Coded>::code(self)
            }

            /// Whether the user's input or arguments are at fault (exit code 2).
            #[allow(dead_code)]
            pub fn is_usage_error(&self) -> bool {
                <Self as $crate::Coded>::is_usage(self)
            }
        }

        impl $crate::Coded for $ty {
            #[allow(unused_variables)]
            fn code(&self) -> &'static str {
                match self {
                    $( $pat => $code, )*
                    $( $( $dpat => $crate::Coded::code($inner), )* )?
                }
            }

            #[allow(unused_variables)]
            fn kind(&self) -> $crate::Kind {
                match self {
                    $( $pat => $crate::coded!(@kind $kind), )*
                    $( $( $dpat => $crate::Coded::kind($inner), )* )?
                }
            }

            #[allow(unused_variables, unreachable_code, clippy::match_single_binding)]
            fn fix(&self) -> Option<$crate::Fix> {
                match self {
                    $( $pat => $crate::coded!(@fix $($fix)?), )*
                    $( $( $dpat => $crate::Coded::fix($inner), )* )?
                }
            }
        }
    };
    (@kind usage) => { $crate::Kind::Usage };
    (@kind runtime) => { $crate::Kind::Runtime };
    (@fix) => { None };
    (@fix $fix:expr) => { Some($fix) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Inner {
        Gone,
    }
    impl std::fmt::Display for Inner {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("gone")
        }
    }
    impl std::error::Error for Inner {}
    coded! {
        Inner {
            Self::Gone => "inner_gone", runtime;
        }
    }

    #[derive(Debug)]
    enum Outer {
        Small { n: u32 },
        Wrapped(Inner),
    }
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("outer")
        }
    }
    impl std::error::Error for Outer {}
    coded! {
        Outer {
            Self::Small { n } => "too_small", usage, fix = Fix::Raise { setting: Setting::Context };
        }
        delegate {
            Self::Wrapped(e) => e,
        }
    }

    #[test]
    fn codes_kinds_and_fixes_come_from_the_variant_or_the_wrapped_error() {
        let small = Outer::Small { n: 3 };
        assert_eq!(small.code(), "too_small");
        assert!(small.is_usage());
        assert_eq!(
            small.fix(),
            Some(Fix::Raise {
                setting: Setting::Context
            })
        );
        let wrapped = Outer::Wrapped(Inner::Gone);
        assert_eq!(wrapped.code(), "inner_gone");
        assert_eq!(wrapped.kind(), Kind::Runtime);
        assert_eq!(wrapped.fix(), None);
        assert_eq!(Outer::CODES, &["too_small"]);
        assert_eq!(Inner::CODES, &["inner_gone"]);
    }

    #[test]
    fn a_fix_serialises_as_tagged_data() {
        let fix = Fix::Choose {
            setting: Setting::Target,
            suggest: Some("en".into()),
        };
        let json = serde_json::to_string(&fix).unwrap();
        assert_eq!(
            json,
            r#"{"action":"choose","setting":"target","suggest":"en"}"#
        );
    }
}
