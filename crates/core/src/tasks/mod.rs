//! The four verbs — summarise, translate, draft, polish — as request → plan →
//! run → result.
//!
//! A [`Request`] is what a user asked for; [`Runner::plan`] checks it against
//! the model and the prompt library and fixes every decision (languages,
//! prompts, chunking) before any token is generated, so bad input fails fast
//! and cheaply. [`Runner::run`] executes the plan, streaming the final text to
//! a [`Sink`] exactly as it will appear in the result, and returns the text
//! with its provenance: which model file, which prompt versions, which
//! parameters and seed, how many tokens and how long.

pub mod history;
mod post;
mod run;
mod terms;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::checks::CheckReport;
use crate::engine::{CancelToken, EngineError, SamplingParams, StopReason};
use crate::prompts::{PromptError, PromptRef};
use crate::store::GlossaryEntry;
use crate::text::Lang;
use wenshu_error::{Fix, Setting};

pub use run::{Plan, Runner};

/// The most key points a summary may have.
pub const MAX_POINTS: u32 = 20;

/// The verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Summarise,
    Translate,
    Draft,
    Polish,
}

impl TaskKind {
    pub const ALL: [TaskKind; 4] = [Self::Draft, Self::Summarise, Self::Translate, Self::Polish];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summarise => "summarise",
            Self::Translate => "translate",
            Self::Draft => "draft",
            Self::Polish => "polish",
        }
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kinds of official document a draft can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocType {
    Memo,
    Letter,
    PressRelease,
    LegcoReply,
    ProgressReport,
    Minutes,
    Circular,
    Speech,
}

impl DocType {
    pub const ALL: [DocType; 8] = [
        Self::Memo,
        Self::Letter,
        Self::PressRelease,
        Self::LegcoReply,
        Self::ProgressReport,
        Self::Minutes,
        Self::Circular,
        Self::Speech,
    ];

    /// The name used in prompt file names and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Memo => "memo",
            Self::Letter => "letter",
            Self::PressRelease => "press-release",
            Self::LegcoReply => "legco-reply",
            Self::ProgressReport => "progress-report",
            Self::Minutes => "minutes",
            Self::Circular => "circular",
            Self::Speech => "speech",
        }
    }

    /// What the document is called in the output language.
    pub fn label(self, lang: Lang) -> &'static str {
        let zh = lang.is_chinese();
        match (self, zh) {
            (Self::Memo, true) => "便箋",
            (Self::Memo, false) => "memo",
            (Self::Letter, true) => "公函",
            (Self::Letter, false) => "letter",
            (Self::PressRelease, true) => "新聞公報",
            (Self::PressRelease, false) => "press release",
            (Self::LegcoReply, true) => "立法會問題答覆",
            (Self::LegcoReply, false) => "reply to a LegCo question",
            (Self::ProgressReport, true) => "進度報告",
            (Self::ProgressReport, false) => "progress report",
            (Self::Minutes, true) => "會議記錄",
            (Self::Minutes, false) => "minutes",
            (Self::Circular, true) => "通告",
            (Self::Circular, false) => "circular",
            (Self::Speech, true) => "致辭",
            (Self::Speech, false) => "speech",
        }
    }
}

impl FromStr for DocType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|d| d.as_str()).collect();
                format!(
                    "unknown document type `{s}`; use one of {}",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the user asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub task: TaskKind,
    pub input: String,
    /// Output language; inferred from the input when `None`.
    pub target: Option<Lang>,
    /// Required for drafts.
    pub doc_type: Option<DocType>,
    /// "formal" (default) or "neutral".
    pub tone: String,
    pub sampling: SamplingParams,
    /// Overrides the prompt's own cap on generated tokens per model call.
    pub max_tokens: Option<u32>,
    /// Upper bound on key points in a summary.
    pub max_points: u32,
    /// The user's official terms; a translation protects those in its input
    /// and is checked for their renderings.
    pub glossary: Vec<GlossaryEntry>,
    /// Also use the bundled base glossary of official names (settings
    /// `[glossary] base`); the user's entries win over it.
    #[serde(default = "yes")]
    pub base_glossary: bool,
}

fn yes() -> bool {
    true
}

impl Request {
    /// A request with default settings.
    pub fn new(task: TaskKind, input: impl Into<String>) -> Self {
        Self {
            task,
            input: input.into(),
            target: None,
            doc_type: None,
            tone: "formal".into(),
            sampling: SamplingParams::default(),
            max_tokens: None,
            max_points: 5,
            glossary: Vec::new(),
            base_glossary: true,
        }
    }
}

/// Where streamed output and progress go while a task runs.
pub trait Sink {
    /// A piece of the final text; all pieces concatenated equal the result's text.
    fn text(&mut self, piece: &str);
    /// A stage of a multi-step task started (e.g. part 2 of 5 of a long summary).
    fn progress(&mut self, _stage: &Progress) {}
}

/// A sink that keeps nothing.
pub struct NullSink;
impl Sink for NullSink {
    fn text(&mut self, _piece: &str) {}
}

impl<F: FnMut(&str)> Sink for F {
    fn text(&mut self, piece: &str) {
        self(piece)
    }
}

/// Progress of a multi-call task.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub stage: &'static str,
    pub index: usize,
    pub of: usize,
}

/// One key point of a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPoint {
    pub text: String,
    /// Paragraph numbers (1-based) the point came from; empty when neither the
    /// model nor the overlap check could tie it to a paragraph.
    pub paragraphs: Vec<usize>,
}

/// Token counts and times over all model calls of a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub calls: u32,
    pub prompt_tokens: u64,
    /// Of `prompt_tokens`, those reused from the cache (a prompt prefix
    /// shared with the previous call) rather than evaluated.
    #[serde(default)]
    pub cached_prompt_tokens: u64,
    pub generated_tokens: u64,
    pub prompt_ms: f64,
    pub generation_ms: f64,
    /// From the start of the task to the first streamed text.
    pub first_output_ms: f64,
    /// From the start of the task to the first token the model generated
    /// (before any line or clause buffering).
    #[serde(default)]
    pub first_token_ms: f64,
    pub total_ms: f64,
}

/// Where a result came from, enough to reproduce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub wenshu_version: String,
    pub model_file: String,
    pub model_sha256: String,
    pub n_ctx: u32,
    pub gpu_layers: u32,
    pub threads: u32,
    pub prompts: Vec<PromptRef>,
    pub sampling: SamplingParams,
    pub max_tokens: Option<u32>,
    pub usage: Usage,
}

/// A finished (or cancelled) task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskResult {
    pub task: TaskKind,
    pub text: String,
    pub source_lang: Lang,
    pub target_lang: Lang,
    pub doc_type: Option<DocType>,
    /// Summaries only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_points: Option<Vec<KeyPoint>>,
    /// Paragraphs in the input, and in the output for translate/polish.
    pub input_paragraphs: usize,
    pub output_paragraphs: usize,
    /// `cancelled` when the user stopped it; the text is then partial.
    pub status: Status,
    /// What a reviewer is told: every figure and official name of the source
    /// with its verdict, figures the output added, and script problems
    /// (`None` when the run was cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<CheckReport>,
    /// Other things a reviewer should look at (untranslatable paragraph, etc.).
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Completed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 2] = [Self::Completed, Self::Cancelled];
}

/// Why a task could not be planned or run.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("the input is empty; give some text (a file, or text on standard input)")]
    EmptyInput,
    #[error("cannot {task} from {from} to {to}; choose {suggest} as the output language")]
    Direction {
        task: TaskKind,
        from: Lang,
        to: Lang,
        suggest: Lang,
    },
    #[error("a draft needs a document type: one of memo, letter, press-release, legco-reply, progress-report, minutes, circular, speech")]
    MissingDocType,
    #[error("a summary has between 1 and {MAX_POINTS} key points, not {0}")]
    PointsOutOfRange(u32),
    #[error(
        "the prompt `{prompt}` alone takes {tokens} tokens of the {n_ctx}-token context, \
         leaving no room for text; raise the context length"
    )]
    ContextTooSmall {
        prompt: String,
        tokens: usize,
        n_ctx: u32,
    },
    #[error(transparent)]
    Prompt(#[from] PromptError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

wenshu_error::coded! {
    TaskError {
        Self::EmptyInput => "input_empty", usage;
        Self::Direction { suggest, .. } => "unsupported_direction", usage,
            fix = Fix::Choose { setting: Setting::Target, suggest: Some(suggest.code().into()) };
        Self::MissingDocType => "missing_doc_type", usage, fix = Fix::choose(Setting::DocType);
        Self::PointsOutOfRange(_) => "points_out_of_range", usage, fix = Fix::choose(Setting::Points);
        Self::ContextTooSmall { .. } => "context_too_small", usage,
            fix = Fix::Raise { setting: Setting::Context };
    }
    delegate {
        Self::Prompt(e) => e,
        Self::Engine(e) => e,
    }
}

impl TaskError {
    /// Partial output of a generation that failed midway, if any.
    pub fn partial(&self) -> Option<&str> {
        match self {
            Self::Engine(EngineError::Generation { partial, .. }) if !partial.is_empty() => {
                Some(partial)
            }
            _ => None,
        }
    }
}

/// Helper for callers that need a cancel token tied to a request.
pub fn cancel_token() -> CancelToken {
    CancelToken::new()
}

pub(crate) fn status_of(reason: StopReason) -> Status {
    if reason == StopReason::Cancelled {
        Status::Cancelled
    } else {
        Status::Completed
    }
}

/// Template variables filled with sample values, for checking prompt files
/// without a model.
pub fn sample_template_vars() -> serde_json::Value {
    serde_json::json!({
        "text": "政府今日公布新措施。",
        "paragraphs": [ { "n": 1, "text": "政府今日公布新措施。" }, { "n": 2, "text": "措施下月生效。" } ],
        "points": [ "政府公布新措施 [1]", "措施下月生效 [2]" ],
        "doc_type_label": "便箋",
        "tone": "formal",
        "max_points": 5,
        "glossary": [ { "source": "Housing Department", "target": "房屋署" } ],
        "tags": true,
    })
}
