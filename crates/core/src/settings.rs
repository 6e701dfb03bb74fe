//! Layered settings: built-in defaults, then the settings file, then
//! environment variables. The file carries a `version` so a future format
//! change can be recognised instead of misread.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The settings file's current format.
pub const SETTINGS_VERSION: u32 = 1;

/// Everything a user can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub version: u32,
    pub history: HistorySettings,
    pub engine: EngineSettings,
    pub app: AppSettings,
    pub glossary: GlossarySettings,
}

/// Which official names the checks and translation protection use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GlossarySettings {
    /// Use the bundled base glossary of bureaux, departments, statutory
    /// bodies and titles (the user's own entries always win over it).
    pub base: bool,
}

impl Default for GlossarySettings {
    fn default() -> Self {
        Self { base: true }
    }
}

/// How the model is loaded (the desktop app's settings page; the CLI's
/// flags override them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// The .gguf file; `None` uses the first catalogued model found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<PathBuf>,
    /// Layers offloaded to the GPU; `None` is automatic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_layers: Option<u32>,
    /// CPU threads; `None` uses every core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
    /// Context length in tokens.
    pub n_ctx: u32,
}

/// The desktop app's own preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppSettings {
    pub ui_lang: UiLang,
    pub theme: Theme,
    /// The global summary shortcut, e.g. `Ctrl+Alt+S`.
    pub shortcut: String,
}

/// The language of the app's own words (menus, buttons, messages).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray, strum::Display,
)]
pub enum UiLang {
    #[serde(rename = "zh-Hant")]
    #[strum(serialize = "zh-Hant")]
    ZhHant,
    #[serde(rename = "en")]
    #[strum(serialize = "en")]
    En,
}

/// Light, dark, or whatever the desktop uses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray, strum::Display,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            model: None,
            gpu_layers: None,
            threads: None,
            n_ctx: 4096,
        }
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            ui_lang: UiLang::ZhHant,
            theme: Theme::System,
            // Not Ctrl+Space: Word and Chinese input methods use it.
            shortcut: "Ctrl+Alt+S".into(),
        }
    }
}

/// What is kept of each run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistorySettings {
    /// Keep a record of every run.
    pub enabled: bool,
    /// Runs older than this many days are deleted at start-up; 0 keeps them all.
    pub retention_days: u32,
    /// Replace HKID numbers, HK phone numbers and e-mail addresses in the
    /// stored copy.
    pub mask_personal_data: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            history: HistorySettings::default(),
            engine: EngineSettings::default(),
            app: AppSettings::default(),
            glossary: GlossarySettings::default(),
        }
    }
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            retention_days: 0,
            mask_personal_data: false,
        }
    }
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "settings file {path} is not valid: {message}; fix it or delete it to use the defaults"
    )]
    Invalid { path: PathBuf, message: String },
    #[error("settings file {path} has version {found}; this Wenshu understands version {SETTINGS_VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error("setting {field} = {value:?} is not valid: {expected}")]
    Value {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("cannot write settings file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("environment variable {name}={value} is not valid: {expected}")]
    Env {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

wenshu_error::coded! {
    SettingsError {
        Self::Read { .. } => "settings_invalid", usage;
        Self::Invalid { .. } => "settings_invalid", usage;
        Self::Version { .. } => "settings_invalid", usage;
        Self::Value { .. } => "settings_invalid", usage;
        Self::Env { .. } => "settings_invalid", usage;
        Self::Write { .. } => "settings_write", runtime;
    }
}

/// The settings file: `$WENSHU_HOME/settings.toml`, else the user's config
/// directory (`~/.config/wenshu/settings.toml` on Linux).
pub fn default_path() -> PathBuf {
    if let Some(home) = std::env::var_os("WENSHU_HOME") {
        return PathBuf::from(home).join("settings.toml");
    }
    dirs::config_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("wenshu")
        .join("settings.toml")
}

/// A TOML error on one line: where (the line) and what, without the
/// excerpt of the file that `toml` draws over several lines.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end_matches('\n').replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

impl Settings {
    /// Defaults, then `path` if it exists, then `WENSHU_HISTORY` (on/off),
    /// `WENSHU_RETENTION_DAYS`, `WENSHU_MASK` (on/off) and
    /// `WENSHU_BASE_GLOSSARY` (on/off).
    ///
    /// # Errors
    /// An unreadable or invalid file, or an invalid environment value.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let mut settings = match std::fs::read_to_string(path) {
            Ok(text) => {
                let s: Settings = toml::from_str(&text).map_err(|e| SettingsError::Invalid {
                    path: path.to_path_buf(),
                    message: toml_error(&text, &e),
                })?;
                if s.version != SETTINGS_VERSION {
                    return Err(SettingsError::Version {
                        path: path.to_path_buf(),
                        found: s.version,
                    });
                }
                s
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        if let Some(v) = env("WENSHU_HISTORY") {
            settings.history.enabled = on_off("WENSHU_HISTORY", &v)?;
        }
        if let Some(v) = env("WENSHU_MASK") {
            settings.history.mask_personal_data = on_off("WENSHU_MASK", &v)?;
        }
        if let Some(v) = env("WENSHU_BASE_GLOSSARY") {
            settings.glossary.base = on_off("WENSHU_BASE_GLOSSARY", &v)?;
        }
        if let Some(v) = env("WENSHU_RETENTION_DAYS") {
            settings.history.retention_days = v.trim().parse().map_err(|_| SettingsError::Env {
                name: "WENSHU_RETENTION_DAYS",
                value: v.clone(),
                expected: "a whole number of days (0 keeps everything)",
            })?;
        }
        settings.validate().map_err(|e| SettingsError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(settings)
    }
}

impl Settings {
    /// Checks values a file or the app could get wrong.
    ///
    /// # Errors
    /// The first invalid value, named, with what is expected.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let bad = |field, value: String, expected| {
            Err(SettingsError::Value {
                field,
                value,
                expected,
            })
        };
        if self.app.shortcut.trim().is_empty() {
            return bad(
                "app.shortcut",
                self.app.shortcut.clone(),
                "a key combination such as Ctrl+Alt+S",
            );
        }
        if !(512..=262_144).contains(&self.engine.n_ctx) {
            return bad(
                "engine.n_ctx",
                self.engine.n_ctx.to_string(),
                "a context length from 512 to 262144 tokens",
            );
        }
        if self.engine.threads.is_some_and(|t| t == 0 || t > 512) {
            return bad(
                "engine.threads",
                self.engine
                    .threads
                    .map_or_else(String::new, |t| t.to_string()),
                "1 to 512 threads, or automatic",
            );
        }
        if self.history.retention_days > 36_500 {
            return bad(
                "history.retention_days",
                self.history.retention_days.to_string(),
                "0 (keep everything) to 36500 days",
            );
        }
        Ok(())
    }

    /// Validates, then writes the settings file atomically (a temporary
    /// file in the same folder, then a rename), creating its folder.
    ///
    /// # Errors
    /// An invalid value, or the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let write = |source| SettingsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| SettingsError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(write)?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("settings"),
            std::process::id()
        ));
        std::fs::write(&tmp, text).map_err(write)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write(e)
        })
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn on_off(name: &'static str, value: &str) -> Result<bool, SettingsError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "true" | "yes" => Ok(true),
        "0" | "off" | "false" | "no" => Ok(false),
        _ => Err(SettingsError::Env {
            name,
            value: value.to_string(),
            expected: "on or off",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load(&dir.path().join("none.toml")).unwrap();
        assert!(s.history.enabled);
        assert_eq!(s.history.retention_days, 0);
    }

    #[test]
    fn the_file_overrides_defaults_and_a_wrong_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(
            &path,
            "version = 1\n[history]\nretention_days = 90\nmask_personal_data = true\n",
        )
        .unwrap();
        let s = Settings::load(&path).unwrap();
        assert_eq!(s.history.retention_days, 90);
        assert!(s.history.mask_personal_data && s.history.enabled);
        std::fs::write(&path, "version = 7\n").unwrap();
        assert!(matches!(
            Settings::load(&path),
            Err(SettingsError::Version { found: 7, .. })
        ));
        std::fs::write(&path, "version = 1\n[history]\nretension_days = 3\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.to_string().contains("retension_days"), "{err}");
    }

    #[test]
    fn saved_settings_load_back_equal_and_older_files_get_the_new_sections_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("settings.toml");
        let mut s = Settings::default();
        s.engine.model = Some(PathBuf::from("/models/x.gguf"));
        s.engine.threads = Some(3);
        s.app.ui_lang = UiLang::En;
        s.app.shortcut = "Ctrl+Shift+J".into();
        s.history.retention_days = 30;
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temporary file left"
        );

        std::fs::write(&path, "version = 1\n[history]\nretention_days = 5\n").unwrap();
        let old = Settings::load(&path).unwrap();
        assert_eq!(old.app, AppSettings::default());
        assert_eq!(old.engine, EngineSettings::default());
    }

    #[test]
    fn invalid_values_are_refused_by_name_and_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let mut s = Settings::default();
        s.app.shortcut = " ".into();
        let err = s.save(&path).unwrap_err();
        assert!(err.to_string().contains("app.shortcut"), "{err}");
        assert!(!path.exists());
        s.app.shortcut = "Ctrl+Alt+S".into();
        s.engine.n_ctx = 16;
        assert!(s
            .save(&path)
            .unwrap_err()
            .to_string()
            .contains("engine.n_ctx"));
        std::fs::write(&path, "version = 1\n[app]\ntheme = \"purple\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("purple"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}
