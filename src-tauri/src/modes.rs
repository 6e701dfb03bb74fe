//! The child modes of this binary: `worker` serves model requests to the
//! app's supervisor; `batch-worker` runs one folder job. Both load the model
//! in their own process, so llama.cpp never runs in the window's process.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use wenshu_core::batch::wire::{self, BatchEvent, BatchSpec, LineWriter};
use wenshu_core::batch::BatchOptions;
use wenshu_core::engine::{CancelToken, EngineConfig, GpuLayers, LlamaEngine, SamplingParams};
use wenshu_core::prompts::{self, PromptLibrary};
use wenshu_core::store::Store;

/// How the child loads the model (set by the app from its settings).
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    #[arg(long)]
    pub threads: Option<u32>,
    #[arg(long)]
    pub gpu_layers: Option<u32>,
}

impl EngineArgs {
    fn config(&self) -> EngineConfig {
        let mut config = EngineConfig::new(&self.model);
        config.n_ctx = self.ctx;
        config.threads = self.threads;
        config.gpu_layers = self.gpu_layers.map_or(GpuLayers::Auto, GpuLayers::Count);
        config
    }
}

fn library() -> PromptLibrary {
    PromptLibrary::standard(&prompts::dev_tree_dir().into_iter().collect::<Vec<_>>())
}

/// `worker`: load the model, then answer JSON-line requests until stdin
/// closes. A model that cannot load is reported on stderr (the supervisor
/// shows its last line) with exit code 2.
pub fn worker(args: &EngineArgs) -> i32 {
    let engine = match LlamaEngine::load(args.config()) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e:#}");
            return 2;
        }
    };
    wenshu_core::worker::serve(
        &engine,
        &library(),
        BufReader::new(std::io::stdin()),
        Box::new(std::io::stdout()),
    );
    0
}

/// `batch-worker`: read one [`BatchSpec`] line, run the job, report it as
/// JSON lines; a `stop` line (or stdin closing) pauses it.
pub fn batch_worker(args: &EngineArgs, db: &std::path::Path) -> i32 {
    let mut out = LineWriter::new(std::io::stdout());
    let mut stdin = BufReader::new(std::io::stdin());
    let mut first = String::new();
    let spec: BatchSpec = match stdin
        .read_line(&mut first)
        .map(|_| serde_json::from_str(&first))
    {
        Ok(Ok(spec)) => spec,
        _ => {
            out.send(&BatchEvent::failed(
                "internal",
                "the batch process got no job description",
            ));
            return 2;
        }
    };
    let mut store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            out.send(&BatchEvent::failed(e.code(), format!("{e:#}")));
            return 1;
        }
    };
    let glossary = store.glossary_list().unwrap_or_default();
    // Two sequences keep a small machine responsive while a job runs.
    let parallel = if spec.parallel == 0 { 2 } else { spec.parallel };
    let opts = BatchOptions {
        source: spec.source,
        out: spec.out,
        target: spec.target,
        parallel,
        bilingual: spec.bilingual,
        sampling: SamplingParams::default(),
        max_tokens: None,
        glossary,
        // The child reads the same settings file as the window.
        base_glossary:
            wenshu_core::settings::Settings::load(&wenshu_core::settings::default_path())
                .map(|s| s.glossary.base)
                .unwrap_or(true),
        html_reports: spec.check_reports,
        limits: Default::default(),
        pseudo: false,
    };
    if let Err(e) = wenshu_core::batch::folders(&opts) {
        out.send(&BatchEvent::failed(e.code(), format!("{e:#}")));
        return 1;
    }
    let mut config = args.config();
    config.parallel = parallel as u32;
    let engine = match LlamaEngine::load(config) {
        Ok(engine) => engine,
        Err(e) => {
            out.send(&BatchEvent::failed(e.code(), format!("{e:#}")));
            return 1;
        }
    };
    let cancel = CancelToken::new();
    wire::stop_on_request(stdin, cancel.clone());
    wire::run_and_report(&engine, &library(), &mut store, &opts, &mut out, &cancel)
}
