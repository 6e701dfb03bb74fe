//! `wenshu bench tasks`: what one model does with each task, and what its
//! translations keep.
//!
//! - **tasks**: each task in each direction once on fixed inputs (the
//!   project's sample documents, a colloquial line to polish, memo notes),
//!   greedy: calls, prompt and generated tokens, first output, total time
//!   and tokens/s as the task runner reports them;
//! - **fidelity**: every reference pair ([`crate::checks::reference`]), or
//!   every n-th, translated in both directions, and the output checked
//!   against its source with the base glossary: the share of the source's
//!   figures found unchanged, of its official names found, and the pairs
//!   with nothing to review. With the base glossary on (the default for
//!   users: official names go through the model as placeholders) and,
//!   optionally, off (what the model does with the names on its own).
//!
//! The figures are for comparing prompts and models on one machine: a later
//! prompt change is measured by running this again.

use std::time::Instant;

use serde::Serialize;

use crate::checks::reference;
use crate::checks::{check, CheckOptions, Glossary, Mode};
use crate::engine::{Generator, SamplingParams};
use crate::prompts::{PromptLibrary, Style};
use crate::tasks::{DocType, Request, Runner, TaskError, TaskKind, TaskResult};
use crate::text::{self, Lang};

const PRESS_RELEASE: &str = include_str!("../../../../samples/press-release.zh-Hant.txt");
const NOTICE: &str = include_str!("../../../../samples/notice.en.txt");
const COLLOQUIAL_ZH: &str =
    "我哋下個月會喺沙田大會堂搞個講座，介紹新嘅回收計劃，想參加嘅街坊記得喺11月20號之前打2835 1234報名。";
const ROUGH_EN: &str = "pls be informed that the office will be closed on 25 Dec coz of xmas, any urgent matters can call 2835 1234 thx";
const NOTES_EN: &str =
    "all staff; fire drill on 9 December 2026 at 3pm; assemble at car park B; section heads to report attendance by 4pm";
const NOTES_ZH: &str =
    "全體職員；2026年12月9日下午3時進行消防演習；在B停車場集合；各組主管須於下午4時前匯報出席人數";

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run the per-task timings.
    pub tasks: bool,
    /// Translate every n-th reference pair (1 = all); 0 skips fidelity.
    pub every: usize,
    /// Also translate the pairs with the base glossary off.
    pub without_glossary: bool,
}

/// One task in one direction.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub task: String,
    pub direction: String,
    pub input_chars: usize,
    pub calls: u32,
    pub prompt_tokens: u64,
    pub cached_prompt_tokens: u64,
    pub generated_tokens: u64,
    pub first_output_ms: f64,
    pub total_ms: f64,
    /// Prompt tokens evaluated (not cached) per second of prompt time.
    pub prompt_tokens_per_s: f64,
    pub generation_tokens_per_s: f64,
    /// Items the checks flagged in the output.
    pub flagged: usize,
}

/// One direction over the reference pairs.
#[derive(Debug, Clone, Serialize)]
pub struct Fidelity {
    pub direction: String,
    pub base_glossary: bool,
    pub pairs: usize,
    /// Figures of the sources, and of them: found, changed, missing.
    pub figures: usize,
    pub figures_found: usize,
    pub figures_changed: usize,
    pub figures_missing: usize,
    /// Figures in the output that are not in the source.
    pub figures_added: usize,
    /// Official names of the sources (base glossary), and of them: found,
    /// written wrongly.
    pub names: usize,
    pub names_found: usize,
    pub names_changed: usize,
    /// Script issues: source words left untranslated, Simplified characters.
    pub script: usize,
    /// Pairs whose translation has nothing to review.
    pub pairs_clean: usize,
    pub generated_tokens: u64,
    pub seconds: f64,
    /// The first flagged items, `pair-id: message`, for reading.
    pub examples: Vec<String>,
}

impl Fidelity {
    pub fn figures_share(&self) -> f64 {
        share(self.figures_found, self.figures)
    }
    pub fn names_share(&self) -> f64 {
        share(self.names_found, self.names)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub model_file: String,
    pub style: Style,
    pub threads: u32,
    pub tasks: Vec<TaskRow>,
    pub fidelity: Vec<Fidelity>,
}

fn greedy(task: TaskKind, input: &str, target: Lang) -> Request {
    let mut request = Request::new(task, input);
    request.target = Some(target);
    request.sampling = SamplingParams::greedy();
    request
}

fn run_one(runner: &Runner<'_>, request: Request) -> Result<TaskResult, TaskError> {
    let plan = runner.plan(request)?;
    runner.run(&plan, &mut crate::tasks::NullSink, &Default::default())
}

fn first_paragraphs(text: &str, n: usize) -> String {
    text::paragraphs(text)
        .into_iter()
        .take(n)
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn task_row(result: &TaskResult, input: &str) -> TaskRow {
    let u = &result.provenance.usage;
    let per_s = |n: u64, ms: f64| {
        if ms > 0.0 {
            n as f64 * 1000.0 / ms
        } else {
            0.0
        }
    };
    TaskRow {
        task: match result.doc_type {
            Some(d) => format!("{} {}", result.task.as_str(), d.as_str()),
            None => result.task.as_str().to_string(),
        },
        direction: format!(
            "{} → {}",
            result.source_lang.code(),
            result.target_lang.code()
        ),
        input_chars: input.chars().count(),
        calls: u.calls,
        prompt_tokens: u.prompt_tokens,
        cached_prompt_tokens: u.cached_prompt_tokens,
        generated_tokens: u.generated_tokens,
        first_output_ms: u.first_output_ms,
        total_ms: u.total_ms,
        prompt_tokens_per_s: per_s(u.prompt_tokens - u.cached_prompt_tokens, u.prompt_ms),
        generation_tokens_per_s: per_s(u.generated_tokens, u.generation_ms),
        flagged: result.checks.as_ref().map_or(0, |c| c.counts.flagged),
    }
}

/// Each task once, in each direction.
fn tasks(runner: &Runner<'_>, progress: &mut dyn FnMut(&str)) -> Result<Vec<TaskRow>, TaskError> {
    let zh_two = first_paragraphs(PRESS_RELEASE, 2);
    let en_two = first_paragraphs(NOTICE, 2);
    let mut memo_en = greedy(TaskKind::Draft, NOTES_EN, Lang::En);
    memo_en.doc_type = Some(DocType::Memo);
    let mut memo_zh = greedy(TaskKind::Draft, NOTES_ZH, Lang::ZhHant);
    memo_zh.doc_type = Some(DocType::Memo);
    let jobs: Vec<(Request, &str)> = vec![
        (
            greedy(TaskKind::Summarise, PRESS_RELEASE, Lang::En),
            PRESS_RELEASE,
        ),
        (
            greedy(TaskKind::Summarise, PRESS_RELEASE, Lang::ZhHant),
            PRESS_RELEASE,
        ),
        (greedy(TaskKind::Summarise, NOTICE, Lang::ZhHant), NOTICE),
        (greedy(TaskKind::Translate, &zh_two, Lang::En), &zh_two),
        (greedy(TaskKind::Translate, &en_two, Lang::ZhHant), &en_two),
        (
            greedy(TaskKind::Polish, COLLOQUIAL_ZH, Lang::ZhHant),
            COLLOQUIAL_ZH,
        ),
        (greedy(TaskKind::Polish, ROUGH_EN, Lang::En), ROUGH_EN),
        (memo_en, NOTES_EN),
        (memo_zh, NOTES_ZH),
    ];
    let mut rows = Vec::new();
    for (i, (request, input)) in jobs.into_iter().enumerate() {
        let result = run_one(runner, request)?;
        let row = task_row(&result, input);
        progress(&format!(
            "task {}/9: {} {} in {:.1} s",
            i + 1,
            row.task,
            row.direction,
            row.total_ms / 1000.0
        ));
        rows.push(row);
    }
    Ok(rows)
}

/// The reference pairs translated one way, checked against their sources.
fn fidelity(
    runner: &Runner<'_>,
    every: usize,
    from_chinese: bool,
    base_glossary: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<Fidelity, TaskError> {
    let (from, to) = if from_chinese {
        (Lang::ZhHant, Lang::En)
    } else {
        (Lang::En, Lang::ZhHant)
    };
    let pairs: Vec<_> = reference::pairs()
        .into_iter()
        .step_by(every.max(1))
        .collect();
    // The names are always checked with the base glossary, whether or not
    // the translation used it, so the two runs count the same names.
    let glossary = Glossary::shared(&[], true);
    let mut out = Fidelity {
        direction: format!("{} → {}", from.code(), to.code()),
        base_glossary,
        pairs: pairs.len(),
        figures: 0,
        figures_found: 0,
        figures_changed: 0,
        figures_missing: 0,
        figures_added: 0,
        names: 0,
        names_found: 0,
        names_changed: 0,
        script: 0,
        pairs_clean: 0,
        generated_tokens: 0,
        seconds: 0.0,
        examples: Vec::new(),
    };
    let started = Instant::now();
    for (i, pair) in pairs.iter().enumerate() {
        let source = if from_chinese { &pair.zh } else { &pair.en };
        let mut request = greedy(TaskKind::Translate, source, to);
        request.base_glossary = base_glossary;
        let result = run_one(runner, request)?;
        out.generated_tokens += result.provenance.usage.generated_tokens;
        let report = check(
            &text::paragraphs(source),
            &text::paragraphs(&result.text),
            &CheckOptions {
                mode: Mode::Translation,
                source_lang: from,
                target_lang: to,
                glossary: Some(&glossary),
            },
        );
        let c = &report.counts;
        out.figures += c.figures_found + c.figures_changed + c.figures_missing;
        out.figures_found += c.figures_found;
        out.figures_changed += c.figures_changed;
        out.figures_missing += c.figures_missing;
        out.figures_added += c.figures_added;
        out.names += c.terms;
        out.names_found += c.terms_found;
        out.names_changed += c.terms_changed;
        out.script += c.script;
        out.pairs_clean += usize::from(c.flagged == 0);
        for message in report.flag_messages() {
            if out.examples.len() < 12 {
                out.examples.push(format!("{}: {message}", pair.id));
            }
        }
        if (i + 1) % 10 == 0 || i + 1 == pairs.len() {
            progress(&format!(
                "{} (base glossary {}): {}/{} pairs, {:.0} s",
                out.direction,
                if base_glossary { "on" } else { "off" },
                i + 1,
                pairs.len(),
                started.elapsed().as_secs_f64()
            ));
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// Runs the benchmark on `generator`.
///
/// # Errors
/// When a task fails (the model stops, a prompt is missing).
pub fn run(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, TaskError> {
    let runner = Runner::new(generator, prompts);
    let info = generator.info();
    let style = if info.has_chat_template {
        Style::Chat
    } else {
        Style::Completion
    };
    let tasks = if options.tasks {
        tasks(&runner, progress)?
    } else {
        Vec::new()
    };
    let mut fidelity_rows = Vec::new();
    if options.every > 0 {
        let mut modes = vec![true];
        if options.without_glossary {
            modes.push(false);
        }
        for base in modes {
            for from_chinese in [true, false] {
                fidelity_rows.push(fidelity(
                    &runner,
                    options.every,
                    from_chinese,
                    base,
                    progress,
                )?);
            }
        }
    }
    Ok(Report {
        model_file: info.file_name.clone(),
        style,
        threads: info.threads,
        tasks,
        fidelity: fidelity_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeGenerator;

    #[test]
    fn a_model_that_gives_one_pairs_correct_chinese_for_every_source_keeps_only_that_pairs_figures()
    {
        // The fake streams one character per token and the runner caps a
        // paragraph's tokens by its source's length, so the answer is a
        // Chinese one (shorter than any English source): the first pair's.
        let measured: Vec<_> = reference::pairs().into_iter().step_by(50).collect();
        let answer = measured[0].zh.clone();
        let reply = answer.clone();
        let fake = FakeGenerator::new(100_000, move |_| reply.clone());
        let library = PromptLibrary::from_dirs(Vec::new(), true);
        let runner = Runner::new(&fake, &library);
        let report = fidelity(&runner, 50, false, false, &mut |_| {}).unwrap();
        assert_eq!(report.pairs, measured.len());
        assert_eq!(report.direction, "en → zh-Hant");
        // Its own pair is clean; the others lose figures and names.
        assert_eq!(report.pairs_clean, 1, "{report:?}");
        assert!(report.figures_found > 0 && report.figures_found < report.figures);
        assert!(report.figures_share() > 0.0 && report.figures_share() < 100.0);
        assert!(report.names_found < report.names);
        assert!(report.figures_added > 0, "other pairs' figures are added");
        assert!(!report.examples.is_empty() && report.examples.len() <= 12);
    }
}
