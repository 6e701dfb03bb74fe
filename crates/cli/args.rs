//! Command-line arguments: the raw, low-level layer that `main` turns into
//! validated core requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wenshu_core::engine::GpuLayers;
use wenshu_core::store::export::ExportFormat;
use wenshu_core::tasks::DocType;
use wenshu_core::text::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "wenshu",
    version,
    about = "文書 Wenshu: drafts, summaries, translations and polishing of Hong Kong official documents, offline",
    long_about = None,
    after_help = "Exit status: 0 success, 1 failure while running (including Ctrl-C), 2 bad arguments or input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More detail on stderr (repeat for llama.cpp's own log).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// History database [default: the user's data directory]
    #[arg(long, global = true, env = "WENSHU_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Key points of a document, each citing the paragraphs it came from.
    #[command(alias = "summarize")]
    Summarise(TaskArgs),
    /// Translate between Traditional Chinese (Hong Kong) and English.
    Translate(TaskArgs),
    /// Draft an official document from notes.
    Draft(TaskArgs),
    /// Rewrite into formal written Chinese (書面語) or plain formal English.
    Polish(TaskArgs),
    /// Known models, GGUF metadata and checksums.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Measure speed: the engine against a bare llama.cpp loop, or the history store.
    Bench(BenchArgs),
    /// Past runs: list, search, show, export, delete, purge, rerun.
    #[command(subcommand)]
    History(HistoryCommand),
    /// Official terminology used by translation.
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// Translate whole folders of documents; resumable jobs with a report.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// Check a translation against its source: figures, dates, amounts, official names, script
    Check(CheckArgs),
    /// Serve tasks as JSON lines on stdin/stdout (the desktop app's supervised model process)
    #[command(hide = true)]
    Worker(WorkerArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 nothing flagged, 1 something flagged (or a failure), 2 bad input."
)]
pub struct CheckArgs {
    /// The original document (.txt, .md, .docx, .pdf)
    #[arg(value_name = "SOURCE")]
    pub source: PathBuf,
    /// Its translation, from Wenshu or anywhere else (.txt, .md, .docx, .pdf)
    #[arg(value_name = "TRANSLATION")]
    pub translation: PathBuf,
    /// Print the whole report as JSON
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report (side by side, items highlighted)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Leave out the bundled base glossary of official names (settings `[glossary] base`)
    #[arg(long)]
    pub no_base_glossary: bool,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Extra directory of prompt files
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Translate every .docx/.md/.txt/.pdf under SRC_DIR into the same paths under --out; run it again to resume
    Translate(BatchArgs),
    /// Progress of a job [default: the latest]
    Status {
        job: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Jobs, newest first
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Stop a running job (it stops after the segments in flight; its work is kept)
    Cancel { job: i64 },
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Folder of documents (read only; never modified)
    #[arg(value_name = "SRC_DIR")]
    pub source: PathBuf,
    /// Output language
    #[arg(long, value_name = "en|zh-Hant")]
    pub to: Lang,
    /// Output folder; the source tree is mirrored into it
    #[arg(long, value_name = "OUT_DIR")]
    pub out: PathBuf,
    /// Segments translated at once, as parallel sequences of one model context
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parallel: u32,
    /// Also write a two-column review copy (source | translation) of each file
    #[arg(long)]
    pub bilingual: bool,
    /// Also write NAME.check.html, the reviewer's side-by-side check report, next to each output
    #[arg(long)]
    pub html: bool,
    /// Pseudo-translate without a model (every paragraph marked ⟦…⟧ and lengthened, formatting
    /// tags carried), to check that the documents survive before a long job
    #[arg(long)]
    pub pseudo: bool,
    /// Random seed for sampling
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// Sampling temperature; 0 = greedy
    #[arg(long, default_value_t = 0.2)]
    pub temperature: f32,
    /// Cap on generated tokens per segment
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Print the summary as JSON at the end
    #[arg(long)]
    pub json: bool,
    /// Extra directory of prompt files
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Runs, newest first
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Page number, from 1
        #[arg(long, default_value_t = 1)]
        page: usize,
        #[arg(long)]
        json: bool,
    },
    /// Runs whose input or output contains QUERY (Chinese in either script, or English)
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One run with its input, output and provenance
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Write runs to a file (md, json or docx)
    Export {
        #[arg(required = true)]
        ids: Vec<i64>,
        /// [default: by the extension of -o, else md]
        #[arg(long, value_enum)]
        format: Option<ExportFormatArg>,
        /// Output file [default: standard output for md and json]
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Delete runs
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Delete runs older than an age such as 90d, 12w or 24h
    Purge {
        #[arg(long, value_name = "AGE")]
        older_than: String,
    },
    /// Repeat a run with its recorded model, prompt and seed; say whether the output is identical
    Rerun {
        id: i64,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum GlossaryCommand {
    /// Add (or update) a term pair
    Add {
        en: String,
        zh: String,
        #[arg(long, default_value = "")]
        domain: String,
        #[arg(long, default_value = "")]
        note: String,
        /// An English abbreviation or short form accepted after the full name (repeatable)
        #[arg(long = "alias-en", value_name = "ALIAS")]
        aliases_en: Vec<String>,
        /// A Chinese short form accepted after the full name (repeatable)
        #[arg(long = "alias-zh", value_name = "ALIAS")]
        aliases_zh: Vec<String>,
        /// enforce: protected by a placeholder during translation; check: only checked
        #[arg(long, value_enum, default_value_t = TermModeArg::Enforce)]
        mode: TermModeArg,
        /// body (bureau, department, statutory body) or title (an office holder)
        #[arg(long, value_enum, default_value_t = TermKindArg::Body)]
        kind: TermKindArg,
    },
    /// Every entry of your glossary (or, with --base, of the bundled base glossary)
    List {
        #[arg(long)]
        json: bool,
        /// The bundled base glossary of official names instead
        #[arg(long)]
        base: bool,
    },
    /// Remove entries by id or by either term
    Remove { key: String },
    /// Import a TSV or CSV file: English, Chinese, optional domain, optional note
    Import { file: PathBuf },
    /// Export to TSV or CSV (by extension)
    Export { file: PathBuf },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormatArg {
    Md,
    Json,
    Docx,
}

impl From<ExportFormatArg> for ExportFormat {
    fn from(f: ExportFormatArg) -> Self {
        match f {
            ExportFormatArg::Md => Self::Md,
            ExportFormatArg::Json => Self::Json,
            ExportFormatArg::Docx => Self::Docx,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TermModeArg {
    Enforce,
    Check,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TermKindArg {
    Body,
    Title,
}

/// Where the model comes from and how it runs. Each option left out comes
/// from the environment (`WENSHU_MODEL`), then the settings file's
/// `[engine]`, then the default.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// GGUF model file [default: WENSHU_MODEL, else settings `engine.model`, else the first
    /// catalogued model found on disk]
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Layers to offload to the GPU: `auto` or a number (0 = CPU only) [default: settings, else auto]
    #[arg(long, value_name = "auto|N")]
    pub gpu_layers: Option<GpuLayers>,
    /// CPU threads [default: settings, else all cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
    /// Context length in tokens [default: settings, else 4096]
    #[arg(long = "ctx", value_name = "TOKENS", value_parser = clap::value_parser!(u32).range(256..=1_048_576))]
    pub n_ctx: Option<u32>,
}

#[derive(Debug, Args)]
pub struct TaskArgs {
    /// Input file, or `-` (or nothing) for standard input
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
    /// Output language: en or zh-Hant [default: translate → the other language; others → the input's]
    #[arg(long, value_name = "en|zh-Hant")]
    pub to: Option<Lang>,
    /// Document type (draft)
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: Option<DocType>,
    /// Tone of a draft: formal or neutral
    #[arg(long, default_value = "formal", value_parser = ["formal", "neutral"])]
    pub tone: String,
    /// Most key points in a summary (1 to 20)
    #[arg(long, default_value_t = 5)]
    pub max_points: u32,
    /// Random seed for sampling (same input + seed ⇒ same output)
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// Sampling temperature; 0 = greedy
    #[arg(long, default_value_t = 0.2)]
    pub temperature: f32,
    /// Cap on generated tokens per model call [default: the prompt's own]
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Print one JSON object (result, provenance, timings) instead of streaming text
    #[arg(long)]
    pub json: bool,
    /// Translate: write the document here (.docx, .md, .txt; a PDF becomes .docx or .md)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Translate a document: pseudo-translate without a model (every paragraph marked ⟦…⟧ and
    /// lengthened, formatting tags carried), to check that it survives translation
    #[arg(long, requires = "output")]
    pub pseudo: bool,
    /// Translate a document: paragraphs translated at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parallel: u32,
    /// Extra directory of prompt files, searched before the bundled ones
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// The catalog (models/catalog.toml) and which files are present
    List {
        #[arg(long)]
        json: bool,
    },
    /// Read a GGUF file's header and metadata
    Info {
        /// Model file [default: the model Wenshu would use]
        path: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Check a file's sha256 against the catalog (or --sha256)
    Verify {
        path: Option<PathBuf>,
        /// Expected sha256 [default: the catalog entry for this file name]
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// `history` measures the store; `batch` parallel sequences and .docx
    /// parsing; `shortcut` the summary shortcut's time to first token;
    /// `checks` false alarms, perturbations caught and speed of the checks;
    /// `tasks` each task timed on --model, and the figures and official
    /// names its translations of the reference pairs keep; `docs` what a
    /// round trip (unchanged, pseudo-translated, optionally through a model)
    /// does to a folder of real .docx files
    #[arg(value_parser = ["engine", "history", "batch", "shortcut", "checks", "tasks", "docs"], default_value = "engine")]
    pub what: String,
    /// `bench docs`: the folder of .docx files (see scripts/docx-corpus)
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// `bench docs`: write the pseudo-translated files here, for LibreOffice
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// `bench docs`: also translate every --every-th mixed-format paragraph with the model
    #[arg(long)]
    pub with_model: bool,
    /// `bench tasks`: translate every N-th reference pair (1 = all 210; 0 = none)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub every: usize,
    /// `bench tasks`: translate the pairs a second time with the base glossary off
    #[arg(long)]
    pub without_glossary: bool,
    /// `bench tasks`: skip the per-task timings
    #[arg(long)]
    pub no_tasks: bool,
    /// Runs to generate for `bench history`
    #[arg(long, default_value_t = 100_000)]
    pub runs: usize,
    /// `bench history`: only add the generated runs to --db (tests use this
    /// to write from several processes at once)
    #[arg(long)]
    pub fill_only: bool,
    /// Prompt length in tokens
    #[arg(long, default_value_t = 512)]
    pub prompt_tokens: usize,
    /// Tokens generated per run
    #[arg(long, default_value_t = 128)]
    pub gen_tokens: u32,
    /// Measured runs per path (after a warm-up)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=50))]
    pub reps: u64,
    /// Prompt decode batch size
    #[arg(long, default_value_t = 512)]
    pub batch: u32,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}
