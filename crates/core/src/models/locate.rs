//! Where model files and the catalog are looked for, shared by the CLI and
//! the desktop app: `$WENSHU_HOME/models`, the user's data folder
//! (`~/.local/share/wenshu/models` on Linux), then a development tree's
//! `models/` folder that the calling binary names.

use std::path::{Path, PathBuf};

use wenshu_error::{Fix, Setting};

use super::{Catalog, CatalogError};

/// No model file was given and none of the catalogued ones was found.
#[derive(Debug, thiserror::Error)]
#[error(
    "no model found (looked for the catalogued files in {searched}); choose a .gguf file, \
     or run models/fetch-demo for the demo model"
)]
pub struct ModelMissing {
    pub searched: String,
}

wenshu_error::coded! {
    ModelMissing {
        Self { .. } => "model_missing", usage, fix = Fix::choose(Setting::Model);
    }
}

/// The folders searched for models, in order. `dev` is a development
/// tree's `models/` folder, used when it exists.
pub fn model_dirs(dev: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("WENSHU_HOME") {
        dirs.push(PathBuf::from(home).join("models"));
    }
    if let Some(data) = dirs::data_dir() {
        dirs.push(data.join("wenshu").join("models"));
    }
    dirs.extend(dev.filter(|d| d.is_dir()).map(Path::to_path_buf));
    dirs
}

/// The first `catalog.toml` found in `dirs`, else the built-in copy.
///
/// # Errors
/// A catalog file that cannot be read or parsed.
pub fn load_catalog(dirs: &[PathBuf]) -> Result<Catalog, CatalogError> {
    for dir in dirs {
        let path = dir.join("catalog.toml");
        if path.is_file() {
            return Catalog::load(&path);
        }
    }
    Catalog::builtin()
}

/// The first catalogued model file present in `dirs`, in catalog order.
///
/// # Errors
/// [`ModelMissing`] naming the folders searched.
pub fn find_model(catalog: &Catalog, dirs: &[PathBuf]) -> Result<PathBuf, ModelMissing> {
    for entry in &catalog.models {
        for dir in dirs {
            let candidate = dir.join(&entry.file);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(ModelMissing {
        searched: searched.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_catalogued_file_present_is_found_and_a_miss_names_the_folders() {
        let catalog = Catalog::builtin().unwrap();
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let dirs = vec![first.path().to_path_buf(), second.path().to_path_buf()];
        let err = find_model(&catalog, &dirs).unwrap_err();
        assert!(err
            .to_string()
            .contains(&first.path().display().to_string()));
        let file = &catalog.models[0].file;
        std::fs::write(second.path().join(file), b"x").unwrap();
        assert_eq!(
            find_model(&catalog, &dirs).unwrap(),
            second.path().join(file)
        );
    }
}
