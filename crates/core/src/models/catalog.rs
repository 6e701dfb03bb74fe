//! The model catalog: the models Wenshu knows by name, read from
//! `models/catalog.toml`.
//!
//! Models are data, not code: a bureau adds a model by adding an entry, and
//! the entry's sha256 and size let Wenshu tell a good copy from a damaged or
//! different one before llama.cpp loads it. Entries whose exact file is not
//! pinned (no `sha256`/`size`) are allowed and shown as unverified, so the
//! catalog can recommend a model without inventing a checksum. Everything is
//! checked when the catalog is read, and each problem names the file, the
//! entry and the fix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The catalog shipped with Wenshu, compiled in so the CLI has it even
/// without a `models/` folder.
pub const BUILTIN_CATALOG: &str = include_str!("../../../../models/catalog.toml");

/// How prompts are given to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum PromptStyle {
    /// A base model: the prompt is a document for it to continue (few-shot).
    Completion,
    /// An instruct model: messages through its chat template.
    Chat,
}

/// One model the catalog knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Short unique name used on the command line, e.g. `gemma-3-270m-demo`.
    pub name: String,
    /// File name of the GGUF (no folders), e.g. `gemma-3-270m-q4_k_m.gguf`.
    pub file: String,
    /// Lowercase hex sha256 of the exact file; `None` = unverified entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Exact file size in bytes; `None` = unverified entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Licence of the weights, e.g. `Apache-2.0`, `Gemma Terms of Use`.
    pub licence: String,
    pub style: PromptStyle,
    /// Context length the model was trained for, in tokens.
    pub context: u32,
    /// What it needs to run at a useful speed.
    pub hardware: String,
    pub description: String,
    /// Where to get the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whom the model is the first choice for, e.g. `desktops without a GPU`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_for: Option<String>,
}

impl CatalogEntry {
    /// Whether the entry pins the exact file (sha256 and size), so a copy can
    /// be checked; unverified entries only recommend a model.
    pub fn is_verified(&self) -> bool {
        self.sha256.is_some() && self.size.is_some()
    }
}

/// The parsed, checked catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Format version; this Wenshu reads 1.
    pub version: u32,
    #[serde(default)]
    pub models: Vec<CatalogEntry>,
}

/// Everything wrong a catalog file can be, with the fix in each message.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "cannot read the model catalog {}; check that the file exists and is readable",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model catalog {}{}: {message}; fix the TOML there", path.display(), line_suffix(*line))]
    Syntax {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error(
        "model catalog {} has version {version}, but this Wenshu reads version 1; \
         update Wenshu or write the catalog in version 1",
        path.display()
    )]
    UnsupportedVersion { path: PathBuf, version: u32 },
    #[error(
        "model catalog {} lists the name '{name}' twice; give each model a unique name",
        path.display()
    )]
    DuplicateName { path: PathBuf, name: String },
    #[error(
        "model catalog {}: model '{name}' has sha256 '{value}', which is not 64 hexadecimal digits; \
         paste the full sha256 of the file, or remove the line to list the model as unverified",
        path.display()
    )]
    BadSha256 {
        path: PathBuf,
        name: String,
        value: String,
    },
    #[error(
        "model catalog {}: model '{name}' has size 0; give the file's exact size in bytes, \
         or remove the line to list the model as unverified",
        path.display()
    )]
    BadSize { path: PathBuf, name: String },
    #[error("model catalog {}: model '{name}': {reason}", path.display())]
    BadEntry {
        path: PathBuf,
        name: String,
        reason: String,
    },
}

wenshu_error::coded! {
    CatalogError {
        Self::Unreadable { .. } => "catalog_unreadable", usage;
        Self::Syntax { .. } => "catalog_syntax", usage;
        Self::UnsupportedVersion { .. } => "catalog_unsupported_version", usage;
        Self::DuplicateName { .. } => "catalog_duplicate_name", usage;
        Self::BadSha256 { .. } => "catalog_bad_sha256", usage;
        Self::BadSize { .. } => "catalog_bad_size", usage;
        Self::BadEntry { .. } => "catalog_bad_entry", usage;
    }
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

/// Only the version, read first so a newer catalog is reported as such rather
/// than as unknown fields.
#[derive(Deserialize)]
struct VersionOnly {
    version: Option<u32>,
}

impl Catalog {
    /// Parses and checks catalog TOML; `origin` names the file in errors.
    ///
    /// Checks: `version = 1`, unique names (ignoring case), names usable on a
    /// command line, `file` a bare `.gguf` file name listed once, `sha256`
    /// (when given) 64 hex digits — stored lowercase — `size` (when given)
    /// above zero, `context` above zero.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Syntax`] with the line for TOML errors, unknown or
    /// missing fields; [`CatalogError::UnsupportedVersion`];
    /// [`CatalogError::DuplicateName`], [`CatalogError::BadSha256`],
    /// [`CatalogError::BadSize`] or [`CatalogError::BadEntry`] for a bad entry.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Catalog, CatalogError> {
        let syntax = |e: toml::de::Error| CatalogError::Syntax {
            path: origin.to_path_buf(),
            line: e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| before.matches('\n').count() + 1),
            message: e.message().trim().to_string(),
        };
        let head: VersionOnly = toml::from_str(text).map_err(syntax)?;
        match head.version {
            None => {
                return Err(CatalogError::Syntax {
                    path: origin.to_path_buf(),
                    line: None,
                    message: "missing `version = 1` at the top".into(),
                })
            }
            Some(1) => {}
            Some(version) => {
                return Err(CatalogError::UnsupportedVersion {
                    path: origin.to_path_buf(),
                    version,
                })
            }
        }
        let mut catalog: Catalog = toml::from_str(text).map_err(syntax)?;
        catalog.check(origin)?;
        Ok(catalog)
    }

    /// Reads and checks a catalog file.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Unreadable`] if the file cannot be read, otherwise as
    /// [`Catalog::from_toml`].
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// The catalog compiled into Wenshu ([`BUILTIN_CATALOG`]).
    ///
    /// # Errors
    ///
    /// As [`Catalog::from_toml`]; a unit test keeps the shipped file valid.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Self::from_toml(BUILTIN_CATALOG, Path::new("<built-in models/catalog.toml>"))
    }

    /// The entry with this name (ASCII case ignored).
    pub fn find_by_name(&self, name: &str) -> Option<&CatalogEntry> {
        let name = name.trim();
        self.models
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }

    /// The entry for this file name; a path is reduced to its file name, and
    /// ASCII case is ignored as Windows file systems do.
    pub fn find_by_file_name(&self, file_name: &str) -> Option<&CatalogEntry> {
        let base = Path::new(file_name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(file_name);
        self.models
            .iter()
            .find(|m| m.file.eq_ignore_ascii_case(base))
    }

    /// The verified entry whose sha256 is `sha` (hex, any case).
    pub fn find_by_sha256(&self, sha: &str) -> Option<&CatalogEntry> {
        let sha = sha.trim();
        self.models.iter().find(|m| {
            m.sha256
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(sha))
        })
    }

    fn check(&mut self, origin: &Path) -> Result<(), CatalogError> {
        let path = || origin.to_path_buf();
        let mut names: Vec<String> = Vec::new();
        let mut files: Vec<(String, String)> = Vec::new();
        for m in &mut self.models {
            let bad = |reason: String| CatalogError::BadEntry {
                path: path(),
                name: m.name.clone(),
                reason,
            };
            let name_ok = !m.name.is_empty()
                && m.name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
                });
            if !name_ok {
                return Err(bad(
                    "the name must be lowercase letters, digits, '-', '_' or '.', as it is typed \
                     on the command line; rename it"
                        .into(),
                ));
            }
            let lower = m.name.to_ascii_lowercase();
            if names.contains(&lower) {
                return Err(CatalogError::DuplicateName {
                    path: path(),
                    name: m.name.clone(),
                });
            }
            names.push(lower);

            let file_ok = !m.file.contains(['/', '\\'])
                && m.file.len() > ".gguf".len()
                && m.file.to_ascii_lowercase().ends_with(".gguf");
            if !file_ok {
                return Err(bad(format!(
                    "file '{}' must be a bare file name ending in .gguf, without folders; \
                     Wenshu looks for it in its model folders",
                    m.file
                )));
            }
            let file_lower = m.file.to_ascii_lowercase();
            if let Some((_, other)) = files.iter().find(|(f, _)| *f == file_lower) {
                return Err(bad(format!(
                    "file '{}' is already listed for model '{other}'; one file, one entry",
                    m.file
                )));
            }
            files.push((file_lower, m.name.clone()));

            if let Some(sha) = &mut m.sha256 {
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(CatalogError::BadSha256 {
                        path: path(),
                        name: m.name.clone(),
                        value: sha.clone(),
                    });
                }
                sha.make_ascii_lowercase();
            }
            if m.size == Some(0) {
                return Err(CatalogError::BadSize {
                    path: path(),
                    name: m.name.clone(),
                });
            }
            if m.context == 0 {
                return Err(bad(
                    "context is 0; give the context length the model was trained for".into(),
                ));
            }
            if m.sha256.is_some() != m.size.is_some() {
                return Err(bad(
                    "give both sha256 and size to pin the file, or neither to list the model \
                     as unverified"
                        .into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO_SHA: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

    fn entry(name: &str, file: &str, extra: &str) -> String {
        format!(
            "[[models]]\nname = \"{name}\"\nfile = \"{file}\"\nlicence = \"MIT\"\nstyle = \"chat\"\n\
             context = 4096\nhardware = \"any\"\ndescription = \"test\"\n{extra}\n"
        )
    }

    fn parse(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::from_toml(text, Path::new("test.toml"))
    }

    #[test]
    fn the_shipped_catalog_parses_and_pins_the_demo_model() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/catalog.toml");
        let catalog = Catalog::load(&path).unwrap();
        assert_eq!(catalog.version, 1);
        let demo = catalog.find_by_name("gemma-3-270m-demo").unwrap();
        assert_eq!(demo.file, "gemma-3-270m-q4_k_m.gguf");
        assert_eq!(demo.sha256.as_deref(), Some(DEMO_SHA));
        assert_eq!(demo.size, Some(253_113_024));
        assert_eq!(demo.style, PromptStyle::Completion);
        assert_eq!(demo.context, 32768);
        assert_eq!(demo.licence, "Gemma Terms of Use");
        assert!(demo.is_verified());
        assert!(catalog.models.iter().any(|m| m.style == PromptStyle::Chat));
        // The recommended CPU model is pinned, chat style, and says whom it is for.
        let instruct = catalog.find_by_name("qwen2.5-coder-1.5b-instruct").unwrap();
        assert!(instruct.is_verified());
        assert_eq!(instruct.style, PromptStyle::Chat);
        assert_eq!(instruct.licence, "Apache-2.0");
        assert_eq!(
            instruct.recommended_for.as_deref(),
            Some("desktops without a GPU")
        );
        // The compiled-in copy is the same file.
        assert_eq!(
            Catalog::builtin().unwrap().models.len(),
            catalog.models.len()
        );
    }

    #[test]
    fn lookups_ignore_case_and_folders() {
        let catalog = Catalog::builtin().unwrap();
        let by_file = catalog
            .find_by_file_name("/opt/models/GEMMA-3-270M-Q4_K_M.gguf")
            .unwrap();
        assert_eq!(by_file.name, "gemma-3-270m-demo");
        let by_sha = catalog.find_by_sha256(&DEMO_SHA.to_uppercase()).unwrap();
        assert_eq!(by_sha.name, "gemma-3-270m-demo");
        assert!(catalog.find_by_name("GEMMA-3-270M-DEMO").is_some());
        assert!(catalog.find_by_name("no-such-model").is_none());
        assert!(catalog.find_by_sha256(&"0".repeat(64)).is_none());
    }

    #[test]
    fn unverified_entries_parse_and_say_so() {
        let c = parse(&format!("version = 1\n{}", entry("a", "a.gguf", ""))).unwrap();
        assert!(!c.models[0].is_verified());
        let e = parse(&format!(
            "version = 1\n{}",
            entry("a", "a.gguf", "size = 10")
        ))
        .unwrap_err();
        assert!(e.to_string().contains("both sha256 and size"), "{e}");
    }

    #[test]
    fn a_duplicate_name_is_rejected() {
        let text = format!(
            "version = 1\n{}{}",
            entry("same", "a.gguf", ""),
            entry("same", "b.gguf", "")
        );
        assert!(matches!(
            parse(&text),
            Err(CatalogError::DuplicateName { name, .. }) if name == "same"
        ));
    }

    #[test]
    fn a_bad_sha256_or_zero_size_is_rejected() {
        let text = format!(
            "version = 1\n{}",
            entry("a", "a.gguf", "sha256 = \"abc\"\nsize = 5")
        );
        assert!(
            matches!(parse(&text), Err(CatalogError::BadSha256 { value, .. }) if value == "abc")
        );
        let text = format!(
            "version = 1\n{}",
            entry("a", "a.gguf", &format!("sha256 = \"{DEMO_SHA}\"\nsize = 0"))
        );
        assert!(matches!(parse(&text), Err(CatalogError::BadSize { .. })));
    }

    #[test]
    fn sha256_is_stored_lowercase() {
        let text = format!(
            "version = 1\n{}",
            entry(
                "a",
                "a.gguf",
                &format!("sha256 = \"{}\"\nsize = 5", DEMO_SHA.to_uppercase())
            )
        );
        assert_eq!(
            parse(&text).unwrap().models[0].sha256.as_deref(),
            Some(DEMO_SHA)
        );
    }

    #[test]
    fn bad_names_files_and_duplicate_files_are_rejected() {
        for (name, file) in [("Has Space", "a.gguf"), ("a", "dir/a.gguf"), ("a", "a.bin")] {
            let text = format!("version = 1\n{}", entry(name, file, ""));
            assert!(
                matches!(parse(&text), Err(CatalogError::BadEntry { .. })),
                "{name} {file}"
            );
        }
        let text = format!(
            "version = 1\n{}{}",
            entry("a", "x.gguf", ""),
            entry("b", "X.GGUF", "")
        );
        let e = parse(&text).unwrap_err();
        assert!(
            e.to_string().contains("already listed for model 'a'"),
            "{e}"
        );
    }

    #[test]
    fn toml_errors_report_the_line() {
        let text = "version = 1\n\n[[models]]\nname = \"a\nfile = \"a.gguf\"\n";
        match parse(text) {
            Err(CatalogError::Syntax { line, .. }) => assert_eq!(line, Some(4)),
            other => panic!("expected Syntax, got {other:?}"),
        }
        let text = format!("version = 1\n{}", entry("a", "a.gguf", "colour = \"red\""));
        let e = parse(&text).unwrap_err();
        assert_eq!(e.code(), "catalog_syntax");
        assert!(e.to_string().contains("colour"), "{e}");
    }

    #[test]
    fn other_versions_and_a_missing_version_are_rejected() {
        assert!(matches!(
            parse("version = 2\n[[models]]\nfuture = true\n"),
            Err(CatalogError::UnsupportedVersion { version: 2, .. })
        ));
        let e = parse(&entry("a", "a.gguf", "")).unwrap_err();
        assert!(e.to_string().contains("version = 1"), "{e}");
    }

    #[test]
    fn a_missing_catalog_file_is_unreadable() {
        let e = Catalog::load(Path::new("/no/such/catalog.toml")).unwrap_err();
        assert_eq!(e.code(), "catalog_unreadable");
    }
}
