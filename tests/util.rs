//! Shared fixtures for the integration tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wenshu_core::engine::{CancelToken, EngineConfig, Generator, LlamaEngine, SamplingParams};
use wenshu_core::prompts::PromptLibrary;
use wenshu_core::tasks::{Request, Runner, TaskKind, TaskResult};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The demo model; panics with the fix when it is missing.
pub fn demo_model() -> PathBuf {
    let path = root().join("models/gemma-3-270m-q4_k_m.gguf");
    assert!(
        path.is_file(),
        "the demo model is missing at {}; run models/fetch-demo first (make test does)",
        path.display()
    );
    path
}

/// One engine for the whole test binary (the demo model, 4096-token context).
pub fn engine() -> &'static LlamaEngine {
    static ENGINE: OnceLock<LlamaEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::new(demo_model());
        config.n_ctx = 4096;
        LlamaEngine::load(config).expect("the demo model loads")
    })
}

/// An engine with a small context, for inputs longer than the context.
pub fn small_engine() -> &'static LlamaEngine {
    static ENGINE: OnceLock<LlamaEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::new(demo_model());
        config.n_ctx = 1024;
        LlamaEngine::load(config).expect("the demo model loads with a small context")
    })
}

/// An engine that decodes up to four requests as parallel sequences.
pub fn parallel_engine() -> &'static LlamaEngine {
    static ENGINE: OnceLock<LlamaEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::new(demo_model());
        config.n_ctx = 1024;
        config.parallel = 4;
        LlamaEngine::load(config).expect("the demo model loads with four sequences")
    })
}

pub fn library() -> PromptLibrary {
    PromptLibrary::from_dirs(vec![root().join("prompts")], false)
}

pub fn sample(name: &str) -> String {
    std::fs::read_to_string(root().join("samples").join(name)).expect("sample document exists")
}

/// Runs a task on `engine` (any generator), returning the result and the
/// streamed pieces.
pub fn run_task(engine: &dyn Generator, request: Request) -> (TaskResult, Vec<String>) {
    let library = library();
    let runner = Runner::new(engine, &library);
    let plan = runner.plan(request).expect("request plans");
    let mut pieces = Vec::new();
    let mut sink = |p: &str| pieces.push(p.to_string());
    let result = runner
        .run(&plan, &mut sink, &CancelToken::new())
        .expect("task runs");
    (result, pieces)
}

/// A request with seeded sampling and a cap that keeps tests quick.
pub fn request(task: TaskKind, input: &str, max_tokens: u32) -> Request {
    let mut request = Request::new(task, input);
    request.max_tokens = Some(max_tokens);
    request.sampling = SamplingParams {
        temperature: 0.7,
        seed: 1234,
        ..SamplingParams::default()
    };
    request
}

/// Characters OpenCC's s2t tables (with the HK variants, phrase tables
/// first) would change in `text`: Simplified forms left in it. Uses OpenCC
/// directly, independent of the code under test, except that the HK
/// Government's own forms (公布, 東涌 …, `zh::HK_FORMS`), which OpenCC's HK
/// tables would change, are accepted as written.
pub fn simplified_chars(text: &str) -> Vec<char> {
    use ferrous_opencc::config::BuiltinConfig;
    use ferrous_opencc::OpenCC;
    static S2HK: OnceLock<OpenCC> = OnceLock::new();
    let s2hk = S2HK.get_or_init(|| OpenCC::from_config(BuiltinConfig::S2hk).expect("OpenCC s2hk"));
    let converted = s2hk.convert(text);
    assert_eq!(
        converted.chars().count(),
        text.chars().count(),
        "s2hk kept the length"
    );
    let chars: Vec<char> = text.chars().collect();
    let mut kept = vec![false; chars.len()];
    for form in wenshu_core::text::zh::HK_FORMS {
        let f: Vec<char> = form.chars().collect();
        for start in 0..chars.len().saturating_sub(f.len() - 1) {
            if chars[start..start + f.len()] == f[..] {
                kept[start..start + f.len()]
                    .iter_mut()
                    .for_each(|k| *k = true);
            }
        }
    }
    let mut found = Vec::new();
    for (i, (a, b)) in text.chars().zip(converted.chars()).enumerate() {
        if a != b && !kept[i] && !found.contains(&a) {
            found.push(a);
        }
    }
    found
}

/// Writes a minimal GGUF v3 file: the given string metadata, no tensors.
pub fn write_tiny_gguf(path: &Path, kv: &[(&str, &str)]) {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"GGUF");
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes()); // tensors
    bytes.extend_from_slice(&(kv.len() as u64).to_le_bytes());
    for (key, value) in kv {
        bytes.extend_from_slice(&(key.len() as u64).to_le_bytes());
        bytes.extend_from_slice(key.as_bytes());
        bytes.extend_from_slice(&8u32.to_le_bytes()); // string type
        bytes.extend_from_slice(&(value.len() as u64).to_le_bytes());
        bytes.extend_from_slice(value.as_bytes());
    }
    while bytes.len() % 32 != 0 {
        bytes.push(0);
    }
    std::fs::write(path, bytes).expect("write tiny gguf");
}

/// A history database shared by the CLI tests of this process.
pub fn scratch_db() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
        .join("history.sqlite3")
}

/// An empty WENSHU_HOME, so no settings or prompt overrides of the tester's leak in.
pub fn scratch_home() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
        .to_path_buf()
}

/// The `wenshu` binary with the demo model and a given database.
pub fn wenshu_with_db(db: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("wenshu").expect("wenshu binary is built");
    cmd.env_remove("RUST_LOG")
        .env_remove("WENSHU_HISTORY")
        .env_remove("WENSHU_MASK")
        .env_remove("WENSHU_RETENTION_DAYS")
        .env("WENSHU_MODEL", demo_model())
        .env("WENSHU_DB", db)
        .env("WENSHU_HOME", scratch_home())
        .current_dir(root());
    cmd
}
