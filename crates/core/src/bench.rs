//! `wenshu bench`: prompt-processing and generation speed through the full
//! engine path, against a bare llama-cpp-2 loop on the same model, threads
//! and prompt, in the same process.
//!
//! The bare loop is the floor the engine is held to: it tokenises, decodes
//! the prompt in the same batch size, and samples greedily token by token,
//! with none of the engine's channels, UTF-8 streaming or stop scanning. Runs
//! alternate between the two so that thermal or background drift hits both.

use std::num::NonZeroU32;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use serde::Serialize;

use crate::engine::llama::{backend, build_sampler, tokenize_prompt};
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
    let threads = config.engine.effective_threads() as i32;
    let ctx_params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.engine.n_ctx))
        .with_n_batch(config.engine.n_batch)
        .with_n_ubatch(config.engine.n_batch)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
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
