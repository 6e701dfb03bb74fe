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
    #[error("environment variable {name}={value} is not valid: {expected}")]
    Env {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
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

impl Settings {
    /// Defaults, then `path` if it exists, then `WENSHU_HISTORY` (on/off),
    /// `WENSHU_RETENTION_DAYS` and `WENSHU_MASK` (on/off).
    ///
    /// # Errors
    /// An unreadable or invalid file, or an invalid environment value.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let mut settings = match std::fs::read_to_string(path) {
            Ok(text) => {
                let s: Settings = toml::from_str(&text).map_err(|e| SettingsError::Invalid {
                    path: path.to_path_buf(),
                    message: e.to_string(),
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
        if let Some(v) = env("WENSHU_RETENTION_DAYS") {
            settings.history.retention_days = v.trim().parse().map_err(|_| SettingsError::Env {
                name: "WENSHU_RETENTION_DAYS",
                value: v.clone(),
                expected: "a whole number of days (0 keeps everything)",
            })?;
        }
        Ok(settings)
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
}
