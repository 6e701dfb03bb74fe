//! `wenshu bench`: prompt-processing and generation speed through the full
//! engine path, against a bare llama-cpp-2 loop on the same model, threads
//! and prompt, in the same process.
//!
//! The bare loop is the floor the engine is held to: it tokenises, decodes
//! the prompt in the same batch size, and samples greedily token by token,
//! with none of the engine's channels, UTF-8 streaming or stop scanning. Runs
//! alternate between the two so that thermal or background drift hits both.

use std::time::Instant;

use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use serde::Serialize;

use crate::engine::llama::{backend, build_sampler, context_params, tokenize_prompt};
use crate::engine::{
    self, per_second, EngineConfig, EngineError, GenerateRequest, Generator, LlamaEngine,
    SamplingParams,
};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub engine: EngineConfig,
    /// Prompt length in tokens (approximately: the fixed text is cut to fit).
    pub prompt_tokens: usize,
    /// Tokens generated per run.
    pub gen_tokens: u32,
    /// Measured runs per path (after one warm-up run each).
    pub reps: usize,
}

/// One measured run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunFigures {
    pub prompt_tps: f64,
    pub generation_tps: f64,
    pub first_token_ms: f64,
}

/// Medians of one path's runs.
#[derive(Debug, Clone, Serialize)]
pub struct PathFigures {
    pub prompt_tps: f64,
    pub generation_tps: f64,
    pub first_token_ms: f64,
    pub runs: Vec<RunFigures>,
}

/// The whole benchmark result.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub model_file: String,
    pub threads: u32,
    pub gpu_layers: u32,
    pub n_batch: u32,
    pub prompt_tokens: usize,
    pub gen_tokens: u32,
    pub reps: usize,
    pub engine: PathFigures,
    pub bare: PathFigures,
    /// engine / bare, prompt processing.
    pub prompt_ratio: f64,
    /// engine / bare, generation.
    pub generation_ratio: f64,
}

/// Text the benchmark prompt is cut from: official-style Chinese and English,
/// so the tokeniser sees the mix real work has.
const BENCH_TEXT: &str = "政府今日公布二〇二六年施政報告的跟進進度。房屋署表示，公屋平均輪候時間已縮短至五點三年，\
並會在未來五年內提供約十五萬個公營房屋單位。The Transport Department will extend twelve bus routes \
to serve new housing estates from January, and the Environmental Protection Department will open \
two more community recycling stations. 發展局會繼續推展北部都會區的土地平整工程，並定期向立法會匯報。";

/// Runs the benchmark.
///
/// # Errors
/// When the model cannot be loaded or a decode fails.
pub fn run(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<BenchReport, EngineError> {
    progress("loading the model through the engine");
    let engine = LlamaEngine::load(config.engine.clone())?;
    progress("loading the model for the bare loop");
    let backend = backend()?;
    let params = LlamaModelParams::default().with_n_gpu_layers(engine.info().gpu_layers);
    let model =
        LlamaModel::load_from_file(backend, &config.engine.model, &params).map_err(|e| {
            EngineError::Load {
                path: config.engine.model.clone(),
                reason: e.to_string(),
            }
        })?;
    let ctx_params = context_params(&config.engine);
    let mut ctx = model
        .new_context(backend, ctx_params)
        .map_err(|e| EngineError::Context {
            n_ctx: config.engine.n_ctx,
            reason: e.to_string(),
        })?;
    let prompt = bench_prompt(&model, config.prompt_tokens);
    let tokens = tokenize_prompt(&model, &prompt);
    let n_batch = config.engine.n_batch as usize;
    let mut batch = LlamaBatch::new(n_batch.max(1), 1);

    let mut engine_runs = Vec::new();
    let mut bare_runs = Vec::new();
    for rep in 0..=config.reps {
        let label = if rep == 0 {
            "warm-up".to_string()
        } else {
            format!("run {rep}/{}", config.reps)
        };
        progress(&format!("{label}: engine"));
        let mut request = GenerateRequest::new(prompt.clone(), config.gen_tokens);
        request.sampling = SamplingParams::greedy();
        request.ignore_eog = true;
        let completion = engine::generate(&engine, request, &mut |_| {})?;
        let e = RunFigures {
            prompt_tps: completion.prompt_tps(),
            generation_tps: completion.generation_tps(),
            first_token_ms: completion.timings.first_token_ms,
        };
        progress(&format!("{label}: bare loop"));
        let b = bare_run(
            &mut ctx,
            &mut batch,
            &tokens,
            n_batch,
            config.gen_tokens,
            model.n_vocab(),
        )?;
        if rep > 0 {
            engine_runs.push(e);
            bare_runs.push(b);
        }
    }
    let engine_fig = summarise(engine_runs);
    let bare_fig = summarise(bare_runs);
    Ok(BenchReport {
        model_file: engine.info().file_name.clone(),
        threads: engine.info().threads,
        gpu_layers: engine.info().gpu_layers,
        n_batch: config.engine.n_batch,
        prompt_tokens: tokens.len(),
        gen_tokens: config.gen_tokens,
        reps: config.reps,
        prompt_ratio: ratio(engine_fig.prompt_tps, bare_fig.prompt_tps),
        generation_ratio: ratio(engine_fig.generation_tps, bare_fig.generation_tps),
        engine: engine_fig,
        bare: bare_fig,
    })
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// The fixed prompt, cut to about `n` tokens of the model's vocabulary.
fn bench_prompt(model: &LlamaModel, n: usize) -> String {
    let mut text = String::new();
    while tokenize_prompt(model, &text).len() < n {
        text.push_str(BENCH_TEXT);
    }
    // Trim whole characters until the count fits.
    while tokenize_prompt(model, &text).len() > n {
        let cut = text.len().saturating_sub(4).max(1);
        let mut cut = cut;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// The reference loop: what a minimal llama-cpp-2 program does.
fn bare_run(
    ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
    batch: &mut LlamaBatch<'_>,
    tokens: &[llama_cpp_2::token::LlamaToken],
    n_batch: usize,
    gen_tokens: u32,
    n_vocab: i32,
) -> Result<RunFigures, EngineError> {
    let started = Instant::now();
    ctx.clear_kv_cache();
    let last = tokens.len() - 1;
    for (chunk_no, chunk) in tokens.chunks(n_batch).enumerate() {
        batch.clear();
        for (i, &token) in chunk.iter().enumerate() {
            let pos = chunk_no * n_batch + i;
            batch
                .add(token, pos as i32, &[0], pos == last)
                .map_err(|e| EngineError::Decode(e.to_string()))?;
        }
        ctx.decode(batch)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
    }
    let mut sampler = build_sampler(&SamplingParams::greedy(), n_vocab);
    let mut index = batch.n_tokens() - 1;
    let mut n_past = tokens.len();
    let mut first = None;
    let mut generated = 0u32;
    loop {
        let token = sampler.sample(ctx, index);
        generated += 1;
        if first.is_none() {
            first = Some(Instant::now());
        }
        if generated >= gen_tokens {
            break;
        }
        batch.clear();
        batch
            .add(token, n_past as i32, &[0], true)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
        ctx.decode(batch)
            .map_err(|e| EngineError::Decode(e.to_string()))?;
        n_past += 1;
        index = 0;
    }
    let end = Instant::now();
    let first = first.unwrap_or(end);
    let prompt_ms = first.duration_since(started).as_secs_f64() * 1000.0;
    let generation_ms = end.duration_since(first).as_secs_f64() * 1000.0;
    Ok(RunFigures {
        prompt_tps: per_second(tokens.len() as f64, prompt_ms),
        generation_tps: per_second(generated.saturating_sub(1) as f64, generation_ms),
        first_token_ms: prompt_ms,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn summarise(runs: Vec<RunFigures>) -> PathFigures {
    PathFigures {
        prompt_tps: median(runs.iter().map(|r| r.prompt_tps).collect()),
        generation_tps: median(runs.iter().map(|r| r.generation_tps).collect()),
        first_token_ms: median(runs.iter().map(|r| r.first_token_ms).collect()),
        runs,
    }
}

pub mod checks;
pub mod docs;
pub mod tasks;

/// `wenshu bench history`: insert rate and search latency of the store with
/// many generated runs.
pub mod history {
    use std::path::Path;
    use std::time::Instant;

    use serde::Serialize;
    use serde_json::json;

    use crate::store::{now_ms, RunRecord, RunStatus, Store, StoreError};

    /// Latency figures for one class of query.
    #[derive(Debug, Clone, Serialize)]
    pub struct QueryFigures {
        pub class: &'static str,
        pub queries: usize,
        pub p50_ms: f64,
        pub p95_ms: f64,
        pub max_ms: f64,
        pub mean_hits: f64,
    }

    /// The history benchmark's result.
    #[derive(Debug, Clone, Serialize)]
    pub struct HistoryReport {
        pub runs: usize,
        pub insert_runs_per_s: f64,
        pub database_bytes: u64,
        pub classes: Vec<QueryFigures>,
        pub all_p50_ms: f64,
        pub all_p95_ms: f64,
    }

    const ZH: &[&str] = &[
        "房屋署今日公佈公屋平均輪候時間為五點三年。",
        "運輸署將於下月起加密東涌巴士路線班次。",
        "立法會財務委員會批准撥款興建社區回收站。",
        "衞生署提醒市民及早接種季節性流感疫苗。",
        "發展局會繼續推展北部都會區的土地平整工程。",
        "環境保護署在沙田及元朗增設兩個回收站。",
        "教育局公布新學年幼稚園學額的分配安排。",
        "稅務局提醒納稅人於限期前遞交報稅表。",
        "民政事務總署在十八區舉辦防火安全講座。",
        "康樂及文化事務署將關閉體育館進行翻新。",
        "勞工處推出新一輪就業計劃協助青年求職。",
        "社會福利署增加長者社區照顧服務名額。",
    ];
    const EN: &[&str] = &[
        "The Housing Department announced the average waiting time for public rental housing.",
        "The Transport Department will increase bus frequencies in Tung Chung next month.",
        "The Finance Committee of the Legislative Council approved funding for recycling stations.",
        "The Department of Health reminds the public to receive seasonal influenza vaccination.",
        "The Development Bureau will continue site formation works in the Northern Metropolis.",
        "The Environmental Protection Department opened two recycling stations in Sha Tin.",
        "The Education Bureau announced kindergarten place allocation for the new school year.",
        "The Inland Revenue Department reminds taxpayers to file returns before the deadline.",
        "The Home Affairs Department held fire safety talks in all eighteen districts.",
        "The Leisure and Cultural Services Department will close a sports centre for renovation.",
        "The Labour Department launched a new employment programme for young people.",
        "The Social Welfare Department added places for community care services for elders.",
    ];

    /// Deterministic pseudo-random numbers (xorshift64*): the same database
    /// every run, without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn text(rng: &mut Rng, zh: bool, sentences: usize) -> String {
        let pool = if zh { ZH } else { EN };
        let sep = if zh { "" } else { " " };
        (0..sentences)
            .map(|_| pool[rng.below(pool.len())])
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// A generated run; `age_days` spreads creation times over the past year.
    pub fn generated_run(seed: u64, age_days: u32) -> RunRecord {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let zh = rng.below(2) == 0;
        let n_in = 3 + rng.below(4);
        let input = text(&mut rng, zh, n_in);
        let n_out = 2 + rng.below(3);
        let output = text(&mut rng, !zh, n_out);
        let created_at =
            now_ms() - i64::from(age_days) * 86_400_000 - (rng.below(86_400_000)) as i64;
        RunRecord {
            id: 0,
            created_at,
            task: "translate".into(),
            doc_type: None,
            source_lang: if zh { "zh-Hant" } else { "en" }.into(),
            target_lang: if zh { "en" } else { "zh-Hant" }.into(),
            status: RunStatus::Completed,
            input,
            output,
            error: None,
            model_file: "gemma-3-270m-q4_k_m.gguf".into(),
            model_sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818".into(),
            prompt_id: "translate.general.en-to-zh-Hant".into(),
            prompt_version: 1,
            prompt_hash: "0".repeat(64),
            prompts: json!([]),
            request: json!({ "target": if zh { "en" } else { "zh-Hant" } }),
            sampling: json!({ "temperature": 0.2, "top_p": 0.9, "min_p": 0.05, "repeat_penalty": 1.1, "repeat_last_n": 64, "seed": 42 }),
            seed: 42,
            prompt_tokens: 300,
            generated_tokens: 80,
            total_ms: 2500.0,
            usage: json!({}),
            glossary: None,
            checks: None,
            masked: false,
        }
    }

    /// Inserts `runs` generated runs into the store at `path` (one transaction
    /// each, as real runs are written), `seed_base` making them distinct.
    ///
    /// # Errors
    /// Store errors.
    pub fn fill(
        path: &Path,
        runs: usize,
        seed_base: u64,
        progress: &mut dyn FnMut(usize),
    ) -> Result<f64, StoreError> {
        let mut store = Store::open(path)?;
        let started = Instant::now();
        for i in 0..runs {
            let seed = seed_base + i as u64;
            store.insert_run(&generated_run(seed, (seed % 365) as u32))?;
            if i % 5000 == 0 {
                progress(i);
            }
        }
        Ok(runs as f64 / started.elapsed().as_secs_f64().max(1e-9))
    }

    fn percentile(sorted: &[f64], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank.min(sorted.len() - 1)]
    }

    /// Fills a fresh database at `path` and measures searches.
    ///
    /// # Errors
    /// Store errors.
    pub fn run(
        path: &Path,
        runs: usize,
        repeats: usize,
        progress: &mut dyn FnMut(&str),
    ) -> Result<HistoryReport, StoreError> {
        let _ = std::fs::remove_file(path);
        progress(&format!("inserting {runs} generated runs"));
        let rate = fill(path, runs, 1, &mut |i| progress(&format!("  {i} runs")))?;
        let store = Store::open(path)?;
        let classes: [(&'static str, &[&str]); 5] = [
            (
                "chinese, 3+ characters",
                &[
                    "房屋署",
                    "立法會財務委員會",
                    "回收站",
                    "流感疫苗",
                    "北部都會區",
                ],
            ),
            ("simplified query", &["运输署", "环境保护署", "长者社区"]),
            (
                "english",
                &[
                    "recycling",
                    "Legislative Council",
                    "influenza",
                    "Northern Metropolis",
                ],
            ),
            ("chinese, 1-2 characters", &["稅", "房屋", "疫苗", "講座"]),
            // Nothing matches: the index lookup finds no row to stop early on.
            ("absent terms", &["颱風", "渡輪航線", "typhoon", "颶"]),
        ];
        let mut all = Vec::new();
        let mut figures = Vec::new();
        for (class, queries) in classes {
            progress(&format!("searching: {class}"));
            let mut times = Vec::new();
            let mut hits = 0usize;
            for _ in 0..repeats {
                for q in queries {
                    let t = Instant::now();
                    hits += store.search(q, 20)?.len();
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            all.extend(times.iter().copied());
            times.sort_by(|a, b| a.total_cmp(b));
            figures.push(QueryFigures {
                class,
                queries: times.len(),
                p50_ms: percentile(&times, 50.0),
                p95_ms: percentile(&times, 95.0),
                max_ms: times.last().copied().unwrap_or(0.0),
                mean_hits: hits as f64 / times.len().max(1) as f64,
            });
        }
        all.sort_by(|a, b| a.total_cmp(b));
        Ok(HistoryReport {
            runs,
            insert_runs_per_s: rate,
            database_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            classes: figures,
            all_p50_ms: percentile(&all, 50.0),
            all_p95_ms: percentile(&all, 95.0),
        })
    }
}

/// `wenshu bench batch`: throughput of parallel sequences, and the cost of
/// reading and rewriting a large .docx without any model work.
pub mod batch {
    use std::sync::mpsc;
    use std::time::Instant;

    use serde::Serialize;

    use super::{median, BENCH_TEXT};
    use crate::engine::{
        EngineConfig, EngineError, Event, GenerateRequest, Generator, LlamaEngine, SamplingParams,
    };

    /// Aggregate generation speed with one number of parallel sequences.
    #[derive(Debug, Clone, Serialize)]
    pub struct Level {
        pub sequences: u32,
        /// Generated tokens per second over all sequences (median of reps).
        pub tokens_per_second: f64,
        /// Against one sequence.
        pub speedup: f64,
    }

    /// Parse + rewrite of the generated document.
    #[derive(Debug, Clone, Serialize)]
    pub struct DocxFigures {
        pub pages: usize,
        pub bytes: usize,
        pub blocks: usize,
        pub read_ms: f64,
        pub render_ms: f64,
        pub total_ms: f64,
    }

    #[derive(Debug, Clone, Serialize)]
    pub struct Report {
        pub model_file: String,
        pub threads: u32,
        pub gen_tokens: u32,
        pub reps: usize,
        pub levels: Vec<Level>,
        pub docx: DocxFigures,
    }

    /// One measurement: `n` requests submitted together, each generating
    /// `gen` tokens; returns generated tokens per second over the generation
    /// phase (from the last first token to the last token).
    fn aggregate(engine: &LlamaEngine, n: u32, gen: u32) -> Result<f64, EngineError> {
        let started = Instant::now();
        let receivers = (0..n)
            .map(|i| {
                // Different short prompts, so no sequence copies another.
                let start = (i as usize * 37) % (BENCH_TEXT.len() / 2);
                let start = (start..)
                    .find(|&s| BENCH_TEXT.is_char_boundary(s))
                    .unwrap_or(0);
                let prompt: String = BENCH_TEXT[start..].chars().take(40).collect();
                let mut request = GenerateRequest::new(prompt, gen);
                request.sampling = SamplingParams::greedy();
                request.ignore_eog = true;
                let (tx, rx) = mpsc::channel();
                engine.submit(request, tx).map(|_| rx)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut tokens = 0u64;
        let mut last_first_token_ms: f64 = 0.0;
        for rx in receivers {
            loop {
                match rx.recv().map_err(|_| EngineError::Stopped)? {
                    Event::Token(_) => {}
                    Event::Done(c) => {
                        tokens += u64::from(c.generated_tokens.saturating_sub(1));
                        last_first_token_ms = last_first_token_ms.max(c.timings.first_token_ms);
                        break;
                    }
                    Event::Failed { error, .. } => return Err(error),
                }
            }
        }
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        let window = (wall_ms - last_first_token_ms).max(1.0);
        Ok(tokens as f64 * 1000.0 / window)
    }

    /// Runs the benchmark: one engine with `max(levels)` slots.
    ///
    /// # Errors
    /// When the model cannot be loaded or decoding fails.
    pub fn run(
        mut config: EngineConfig,
        levels: &[u32],
        gen_tokens: u32,
        reps: usize,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Report, EngineError> {
        config.parallel = levels.iter().copied().max().unwrap_or(1);
        config.n_ctx = 512;
        config.prefix_cache = false;
        progress("loading the model");
        let engine = LlamaEngine::load(config)?;
        let mut figures = Vec::new();
        for &n in levels {
            progress(&format!("{n} parallel sequence(s)"));
            aggregate(&engine, n, 8)?; // warm-up
            let runs = (0..reps.max(1))
                .map(|_| aggregate(&engine, n, gen_tokens))
                .collect::<Result<Vec<_>, _>>()?;
            figures.push((n, median(runs)));
        }
        let base = figures
            .first()
            .map(|f| f.1)
            .unwrap_or(1.0)
            .max(f64::EPSILON);
        let levels = figures
            .into_iter()
            .map(|(sequences, tps)| Level {
                sequences,
                tokens_per_second: tps,
                speedup: tps / base,
            })
            .collect();
        progress("reading and rewriting a 300-page .docx");
        let docx = docx_figures(300, reps.max(3))?;
        Ok(Report {
            model_file: engine.info().file_name.clone(),
            threads: engine.info().threads,
            gen_tokens,
            reps,
            levels,
            docx,
        })
    }

    /// Reads the generated document from memory and renders it back with
    /// every block replaced; medians over `reps`.
    pub fn docx_figures(pages: usize, reps: usize) -> Result<DocxFigures, EngineError> {
        use wenshu_documents::{sample, Document, Format, Limits};
        let bytes = sample::docx(pages);
        let limits = Limits::default();
        let (mut reads, mut renders, mut blocks) = (Vec::new(), Vec::new(), 0);
        for _ in 0..reps {
            let t = Instant::now();
            let doc = Document::from_bytes(&bytes, Format::Docx, &limits)
                .map_err(|e| EngineError::Backend(format!("sample document: {e}")))?;
            reads.push(t.elapsed().as_secs_f64() * 1000.0);
            let texts: Vec<String> = doc
                .blocks()
                .iter()
                .map(|b| format!("{}。", b.text))
                .collect();
            blocks = texts.len();
            let t = Instant::now();
            let out = doc
                .render(&texts, Format::Docx)
                .map_err(|e| EngineError::Backend(format!("sample document: {e}")))?;
            renders.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(out);
        }
        let read_ms = median(reads);
        let render_ms = median(renders);
        Ok(DocxFigures {
            pages,
            bytes: bytes.len(),
            blocks,
            read_ms,
            render_ms,
            total_ms: read_ms + render_ms,
        })
    }
}

/// `wenshu bench shortcut`: time from the summary shortcut to the first
/// generated token, against evaluating the selected text alone.
pub mod shortcut {
    use std::time::Instant;

    use serde::Serialize;

    use super::median;
    use crate::engine::{
        self, EngineConfig, GenerateRequest, Generator, LlamaEngine, SamplingParams,
    };
    use crate::prompts::PromptLibrary;
    use crate::tasks::{Request, Runner, TaskError, TaskKind};
    use crate::text::Lang;

    #[derive(Debug, Clone, Serialize)]
    pub struct Report {
        pub model_file: String,
        pub threads: u32,
        pub text_tokens: usize,
        pub reps: usize,
        /// Prompt evaluation of the selected text alone, to its first token.
        pub text_alone_ms: f64,
        /// Shortcut to first token, the prompt's fixed part already cached.
        pub warm_ms: f64,
        /// Of that, checking the request and preparing the prompt.
        pub warm_plan_ms: f64,
        /// Prompt tokens evaluated with the prefix cached (selection, paragraph
        /// labels, the prompt's closing line).
        pub warm_evaluated_tokens: u64,
        /// Shortcut to first token with nothing cached.
        pub cold_ms: f64,
        pub warm_ratio: f64,
        pub cold_ratio: f64,
    }

    /// (shortcut → first token, planning part, prompt tokens evaluated).
    fn first_token(runner: &Runner<'_>, text: &str) -> Result<(f64, f64, u64), TaskError> {
        let started = Instant::now();
        let mut request = Request::new(TaskKind::Summarise, text);
        request.target = Some(Lang::ZhHant);
        request.max_tokens = Some(4);
        request.sampling = SamplingParams::greedy();
        let plan = runner.plan(request)?;
        let planned = started.elapsed().as_secs_f64() * 1000.0;
        let result = runner.run(&plan, &mut crate::tasks::NullSink, &Default::default())?;
        let usage = result.provenance.usage;
        Ok((
            planned + usage.first_token_ms,
            planned,
            usage.prompt_tokens - usage.cached_prompt_tokens,
        ))
    }

    /// Runs the benchmark on `text` (the "selection").
    ///
    /// # Errors
    /// When the model cannot be loaded or a task fails.
    pub fn run(
        mut config: EngineConfig,
        prompts: &PromptLibrary,
        text: &str,
        reps: usize,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Report, TaskError> {
        config.parallel = 1;
        progress("loading the model twice (prefix cache on and off)");
        config.prefix_cache = true;
        let warm_engine = LlamaEngine::load(config.clone())?;
        config.prefix_cache = false;
        let cold_engine = LlamaEngine::load(config)?;
        let warm_runner = Runner::new(&warm_engine, prompts);
        let cold_runner = Runner::new(&cold_engine, prompts);
        let text_tokens = cold_engine.count_tokens(text)?;
        let (mut alone, mut warm, mut cold) = (Vec::new(), Vec::new(), Vec::new());
        let (mut plans, mut evaluated) = (Vec::new(), 0);
        for rep in 0..=reps.max(1) {
            let mut request = GenerateRequest::new(text, 1);
            request.sampling = SamplingParams::greedy();
            let c = engine::generate(&cold_engine, request, &mut |_| {})?;
            // The app warms the prompt when it starts and after each use.
            warm_runner.warm(TaskKind::Summarise, Lang::ZhHant)?;
            let (w, plan_ms, tokens) = first_token(&warm_runner, text)?;
            let (k, _, _) = first_token(&cold_runner, text)?;
            if rep > 0 {
                // Rep 0 is a warm-up.
                alone.push(c.timings.first_token_ms);
                warm.push(w);
                cold.push(k);
                plans.push(plan_ms);
                evaluated = tokens;
            }
        }
        let text_alone_ms = median(alone);
        let warm_ms = median(warm);
        let cold_ms = median(cold);
        Ok(Report {
            model_file: warm_engine.info().file_name.clone(),
            threads: warm_engine.info().threads,
            text_tokens,
            reps: reps.max(1),
            text_alone_ms,
            warm_ms,
            warm_plan_ms: median(plans),
            warm_evaluated_tokens: evaluated,
            cold_ms,
            warm_ratio: warm_ms / text_alone_ms.max(f64::EPSILON),
            cold_ratio: cold_ms / text_alone_ms.max(f64::EPSILON),
        })
    }
}
