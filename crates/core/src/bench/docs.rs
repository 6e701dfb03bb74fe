//! `wenshu bench docs`: what a translation does to real Word files.
//!
//! Over a folder of .docx (the real-world corpus of `scripts/docx-corpus`),
//! each file is put through a round trip ([`wenshu_documents::roundtrip`])
//! twice: unchanged (the identity) and pseudo-translated. Reported: files
//! read, files whose round trip broke a check (entries changed, blocks
//! wrong, hyperlinks, fields, content controls, breaks, tabs, note marks or
//! drawings counted differently), and the share of mixed-format paragraphs
//! (those with at least one paired tag) whose formatting came back on the
//! right words. With a model, every n-th mixed paragraph is also translated
//! by it and its tags checked. Also timed: reading and rewriting the
//! generated 300-page document.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use wenshu_documents::{inline, roundtrip, sample, Document, Format, Limits};

use crate::engine::{Generator, SamplingParams};
use crate::prompts::PromptLibrary;
use crate::tasks::{Request, Runner, TaskError, TaskKind};
use crate::text::{self, Lang};

/// One way of translating the corpus.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pass {
    pub name: String,
    pub files: usize,
    /// Files whose round trip broke a check, with what broke.
    pub broken: Vec<String>,
    pub hyperlinks: (usize, usize),
    pub fields: (usize, usize),
    pub content_controls: (usize, usize),
    pub mixed: usize,
    pub mixed_kept: usize,
    pub needs_look: usize,
}

/// Tags carried by a model over the corpus' mixed paragraphs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelPass {
    pub model: String,
    pub paragraphs: usize,
    /// Every tag and placeholder came back once, balanced.
    pub exact: usize,
    /// Came back after a safe repair (a restored tag, a dropped stray tag…).
    pub repaired: usize,
    /// Some formatting was lost: the paragraph is reported for a look.
    pub lost: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub corpus: String,
    pub docx_files: usize,
    /// Files that do not read, by error code (encrypted, not a zip…).
    pub unreadable: Vec<(String, String)>,
    pub passes: Vec<Pass>,
    pub model: Option<ModelPass>,
    /// Reading and rewriting the generated 300-page document: pages, blocks, median ms of 5.
    pub pages: usize,
    pub blocks: usize,
    pub read_rewrite_ms: f64,
    /// Where the pseudo-translated outputs were written, for LibreOffice.
    pub out: Option<String>,
}

/// Options of a run.
pub struct Options<'a> {
    pub corpus: &'a Path,
    /// Write each pseudo-translated output here under its input's name.
    pub out: Option<&'a Path>,
    /// With a model: translate every n-th mixed paragraph through it.
    pub model: Option<(&'a dyn Generator, &'a PromptLibrary, usize)>,
}

/// Runs the benchmark.
///
/// # Errors
/// When the corpus folder cannot be read or an output cannot be written
/// (as a task error with its message), or the model fails.
pub fn run(options: &Options<'_>, progress: &mut dyn FnMut(&str)) -> Result<Report, TaskError> {
    let limits = Limits::default();
    let io = |what: String| TaskError::Engine(crate::engine::EngineError::Backend(what));
    let mut files: Vec<PathBuf> = std::fs::read_dir(options.corpus)
        .map_err(|e| io(format!("cannot read {}: {e}", options.corpus.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| Format::from_path(p) == Some(Format::Docx))
        .collect();
    files.sort();
    let mut report = Report {
        corpus: options.corpus.display().to_string(),
        docx_files: files.len(),
        ..Report::default()
    };
    if let Some(out) = options.out {
        std::fs::create_dir_all(out)
            .map_err(|e| io(format!("cannot create {}: {e}", out.display())))?;
        report.out = Some(out.display().to_string());
    }
    let mut identity = Pass {
        name: "identity".into(),
        ..Pass::default()
    };
    let mut pseudo = Pass {
        name: "pseudo".into(),
        ..Pass::default()
    };
    let mut mixed_sources: Vec<String> = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes =
            std::fs::read(path).map_err(|e| io(format!("cannot read {}: {e}", path.display())))?;
        let document = match Document::from_bytes(&bytes, Format::Docx, &limits) {
            Ok(d) => d,
            Err(e) => {
                report.unreadable.push((name, e.code().to_string()));
                continue;
            }
        };
        mixed_sources.extend(
            document
                .blocks()
                .iter()
                .filter_map(|b| b.markup.clone())
                .filter(|m| !inline::Spec::of(m).tags.is_empty()),
        );
        for (pass, pseudo_pass) in [(&mut identity, false), (&mut pseudo, true)] {
            pass.files += 1;
            let result = roundtrip::docx(&bytes, &limits, |source| {
                if pseudo_pass {
                    inline::pseudo(source)
                } else {
                    source.to_string()
                }
            });
            match result {
                Ok(trip) => {
                    let mut broken = Vec::new();
                    if !trip.changed_entries.is_empty() {
                        broken.push(format!(
                            "entries changed: {}",
                            trip.changed_entries.join(", ")
                        ));
                    }
                    if let Some(first) = trip.wrong_blocks.first() {
                        broken.push(format!(
                            "{} block(s) read back wrong, the first is block {} ({:?})",
                            trip.wrong_blocks.len(),
                            first + 1,
                            document.blocks().get(*first).map(|b| b.source())
                        ));
                    }
                    if trip.before != trip.after {
                        broken.push(format!("counts {:?} became {:?}", trip.before, trip.after));
                    }
                    if !broken.is_empty() {
                        pass.broken.push(format!("{name}: {}", broken.join("; ")));
                    }
                    pass.hyperlinks.0 += trip.before.hyperlinks;
                    pass.hyperlinks.1 += trip.after.hyperlinks;
                    pass.fields.0 += trip.before.fields;
                    pass.fields.1 += trip.after.fields;
                    pass.content_controls.0 += trip.before.content_controls;
                    pass.content_controls.1 += trip.after.content_controls;
                    pass.mixed += trip.mixed;
                    pass.mixed_kept += trip.mixed_kept;
                    pass.needs_look += trip.needs_look;
                    if let (true, Some(out)) = (pseudo_pass, options.out) {
                        std::fs::write(out.join(&name), &trip.output).map_err(|e| {
                            io(format!("cannot write {}: {e}", out.join(&name).display()))
                        })?;
                    }
                }
                Err(e) => pass.broken.push(format!("{name}: {e}")),
            }
        }
        progress(&format!("{name}: read and written back"));
    }
    report.passes = vec![identity, pseudo];

    if let Some((generator, prompts, every)) = options.model {
        report.model = Some(model_pass(
            generator,
            prompts,
            &mixed_sources,
            every.max(1),
            progress,
        )?);
    }

    let source = sample::docx(300);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let document =
            Document::from_bytes(&source, Format::Docx, &limits).map_err(|e| io(e.to_string()))?;
        let same: Vec<String> = document
            .blocks()
            .iter()
            .map(|b| b.source().to_string())
            .collect();
        let rendered = document
            .render(&same, Format::Docx)
            .map_err(|e| io(e.to_string()))?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        report.blocks = document.blocks().len();
        debug_assert!(!rendered.bytes.is_empty());
    }
    times.sort_by(f64::total_cmp);
    report.pages = 300;
    report.read_rewrite_ms = times[times.len() / 2];
    Ok(report)
}

/// Every `every`-th mixed paragraph translated by the model, greedy, its tags checked.
fn model_pass(
    generator: &dyn Generator,
    prompts: &PromptLibrary,
    sources: &[String],
    every: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<ModelPass, TaskError> {
    let runner = Runner::new(generator, prompts);
    let mut pass = ModelPass {
        model: generator.info().file_name.clone(),
        ..ModelPass::default()
    };
    for source in sources.iter().step_by(every) {
        let words = inline::plain(source);
        let target = if text::detect(&words).is_chinese() {
            Lang::En
        } else {
            Lang::ZhHant
        };
        let mut request = Request::new(TaskKind::Translate, source);
        request.target = Some(target);
        request.sampling = SamplingParams::greedy();
        let plan = runner.plan(request)?;
        let result = runner.run(&plan, &mut crate::tasks::NullSink, &Default::default())?;
        let checked = inline::check(&inline::Spec::of(source), &result.text);
        pass.paragraphs += 1;
        let lost = checked.problems.iter().any(|p| {
            matches!(
                p,
                inline::Problem::MissingTag { .. } | inline::Problem::MissingPlaceholder { .. }
            )
        });
        if checked.problems.is_empty() {
            pass.exact += 1;
        } else if lost {
            pass.lost += 1;
        } else {
            pass.repaired += 1;
        }
        progress(&format!("model: {} paragraphs", pass.paragraphs));
    }
    Ok(pass)
}
