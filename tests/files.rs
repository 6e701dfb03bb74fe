//! Broken model files: each gives its own clear error before llama.cpp sees
//! it (no model needed beyond copying a piece of the demo model).

use wenshu_core::engine::{EngineConfig, EngineError, LlamaEngine};
use wenshu_core::models::ModelFileError;

use crate::util::{demo_model, write_tiny_gguf};

fn load_err(path: &std::path::Path) -> EngineError {
    match LlamaEngine::load(EngineConfig::new(path)) {
        Ok(_) => panic!("{} loaded but should not", path.display()),
        Err(e) => e,
    }
}

#[test]
fn a_missing_model_file_says_it_is_missing_and_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_err(&dir.path().join("nope.gguf"));
    assert!(
        matches!(err, EngineError::ModelFile(ModelFileError::Missing { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), "model_missing");
    assert!(err.to_string().contains("nope.gguf"));
}

#[test]
fn a_zero_byte_model_file_is_reported_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.gguf");
    std::fs::write(&path, b"").unwrap();
    let err = load_err(&path);
    assert!(
        matches!(err, EngineError::ModelFile(ModelFileError::Empty { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), "model_empty");
}

#[test]
fn a_truncated_model_file_reports_expected_and_found_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.gguf");
    let bytes = std::fs::read(demo_model()).unwrap();
    let keep = 8 * 1024 * 1024;
    std::fs::write(&path, &bytes[..keep]).unwrap();
    let err = load_err(&path);
    match &err {
        EngineError::ModelFile(ModelFileError::Truncated {
            expected, found, ..
        }) => {
            assert_eq!(*found, keep as u64);
            assert_eq!(*expected, bytes.len() as u64);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    assert!(err.to_string().contains(&bytes.len().to_string()), "{err}");
}

#[test]
fn a_file_that_is_not_gguf_is_reported_as_wrong_magic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    std::fs::write(&path, b"PK\x03\x04 this is a zip, not a model").unwrap();
    let err = load_err(&path);
    assert!(
        matches!(
            err,
            EngineError::ModelFile(ModelFileError::WrongMagic { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "model_wrong_magic");
}

#[test]
fn a_valid_gguf_of_an_unknown_architecture_fails_in_llama_cpp_without_killing_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alien.gguf");
    write_tiny_gguf(&path, &[("general.architecture", "wenshu-test-arch")]);
    let err = load_err(&path);
    assert!(matches!(err, EngineError::Load { .. }), "{err:?}");
}
