//! The child modes of this binary: `worker` serves model requests to the
//! app's supervisor; `batch-worker` runs one folder job. Both load the model
//! in their own process, so llama.cpp never runs in the window's process.
//! What each does is core's (`worker::serve`, `batch::child::serve`); this
//! only parses the engine flags the app's session wrote.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use wenshu_core::engine::{GpuLayers, LlamaEngine};
use wenshu_core::session::{EngineFlags, Places, Session};

/// How the child loads the model (`Session::child_command` writes these).
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub ctx: Option<u32>,
    #[arg(long)]
    pub threads: Option<u32>,
    #[arg(long)]
    pub gpu_layers: Option<GpuLayers>,
}

impl EngineArgs {
    fn flags(&self) -> EngineFlags {
        EngineFlags {
            model: Some(self.model.clone()),
            gpu_layers: self.gpu_layers,
            threads: self.threads,
            n_ctx: self.ctx,
        }
    }
}

/// The child's session: the same settings file as the window.
fn session(db: Option<&Path>) -> Result<Session, String> {
    Session::load(Places::standard().with_db(db)).map_err(|e| e.to_string())
}

/// `worker`: load the model, then answer JSON-line requests until stdin
/// closes. A model that cannot load is reported on stderr (the supervisor
/// shows its last line) with exit code 2.
pub fn worker(args: &EngineArgs) -> i32 {
    let loaded = session(None).and_then(|session| {
        let config = session
            .engine_config(&args.flags())
            .map_err(|e| e.to_string())?;
        let engine = LlamaEngine::load(config).map_err(|e| e.to_string())?;
        Ok((session, engine))
    });
    let (session, engine) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    wenshu_core::worker::serve(
        &engine,
        &session.prompts(),
        BufReader::new(std::io::stdin()),
        Box::new(std::io::stdout()),
    );
    0
}

/// `batch-worker`: read one job line, run the job, report it as JSON
/// lines; a `stop` line (or stdin closing) pauses it.
pub fn batch_worker(args: &EngineArgs, db: &Path) -> i32 {
    let prepared = session(Some(db)).and_then(|session| {
        let config = session
            .engine_config(&args.flags())
            .map_err(|e| e.to_string())?;
        Ok((session, config))
    });
    match prepared {
        Ok((session, config)) => {
            wenshu_core::batch::child::serve(&session, config, BufReader::new(std::io::stdin()), db)
        }
        Err(message) => {
            eprintln!("{message}");
            2
        }
    }
}
