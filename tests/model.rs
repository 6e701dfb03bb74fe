//! Real-model behaviour through the core API. The demo model writes poor
//! prose, so these assert on what the software controls: determinism,
//! streaming, structure, script, cancellation, coverage of long input.

use std::time::{Duration, Instant};

use wenshu_core::engine::{
    self, CancelToken, GenerateRequest, Generator, SamplingParams, StopReason,
};
use wenshu_core::tasks::{DocType, Runner, Status, TaskKind};
use wenshu_core::text::{self, Lang};

use crate::util::{self, engine, request, run_task, sample, simplified_chars, small_engine};

#[test]
fn the_same_input_and_seed_give_byte_identical_output_twice() {
    let input = sample("press-release.zh-Hant.txt");
    let first = run_task(engine(), request(TaskKind::Summarise, &input, 96)).0;
    let second = run_task(engine(), request(TaskKind::Summarise, &input, 96)).0;
    assert!(!first.text.is_empty(), "the summary is empty");
    assert_eq!(first.text, second.text);
    assert_eq!(
        first.provenance.usage.generated_tokens,
        second.provenance.usage.generated_tokens
    );
    // The raw engine too, with sampling (not greedy) and a fixed seed.
    let mut raw = GenerateRequest::new("香港特別行政區政府今日宣布", 40);
    raw.sampling = SamplingParams {
        temperature: 0.9,
        seed: 99,
        ..SamplingParams::default()
    };
    let a = engine::generate(engine(), raw.clone(), &mut |_| {}).unwrap();
    let b = engine::generate(engine(), raw, &mut |_| {}).unwrap();
    assert_eq!(a.text, b.text);
    assert!(a.generated_tokens > 0);
}

#[test]
fn a_chinese_summary_streams_pieces_that_concatenate_to_exactly_the_final_text() {
    let input = sample("press-release.zh-Hant.txt");
    let mut req = request(TaskKind::Summarise, &input, 120);
    req.target = Some(Lang::ZhHant);
    let (result, pieces) = run_task(engine(), req);
    assert!(
        pieces.len() > 1,
        "expected several streamed pieces, got {pieces:?}"
    );
    assert_eq!(pieces.concat(), result.text);
    // Every shown key point is one line starting with "- ".
    let points = result.key_points.expect("a summary has key points");
    assert_eq!(result.text.lines().count(), points.len());
    assert!(result.text.lines().all(|l| l.starts_with("- ")));
    for point in &points {
        assert!(point
            .paragraphs
            .iter()
            .all(|&n| (1..=result.input_paragraphs).contains(&n)));
    }
}

#[test]
fn the_raw_engine_stream_concatenates_to_its_completion_text() {
    let mut req = GenerateRequest::new("立法會今日通過", 48);
    req.sampling = SamplingParams::greedy();
    let mut pieces = Vec::new();
    let done = engine::generate(engine(), req, &mut |p| pieces.push(p.to_string())).unwrap();
    assert_eq!(pieces.concat(), done.text);
    assert!(
        !done.text.contains('\u{fffd}'),
        "a character was garbled: {:?}",
        done.text
    );
}

#[test]
fn translating_a_six_paragraph_document_keeps_six_paragraphs_in_order() {
    let input = sample("notice.en.txt");
    let source = text::paragraphs(&input);
    assert_eq!(source.len(), 6, "the sample has six paragraphs");
    let mut req = request(TaskKind::Translate, &input, 80);
    req.target = Some(Lang::ZhHant);
    req.sampling = SamplingParams::greedy();
    let (result, _) = run_task(engine(), req.clone());
    let out = text::paragraphs(&result.text);
    assert_eq!(out.len(), 6, "output paragraphs: {out:#?}");
    assert_eq!(result.output_paragraphs, 6);
    // Order: with greedy decoding, paragraph i of the document translation is
    // exactly what translating paragraph i alone gives.
    for i in [0, 5] {
        let mut alone = req.clone();
        alone.input = source[i].clone();
        let (single, _) = run_task(engine(), alone);
        assert_eq!(
            out[i],
            single.text.trim(),
            "paragraph {} is out of place",
            i + 1
        );
    }
}

#[test]
fn no_simplified_only_character_survives_in_any_zh_hant_output() {
    let zh = sample("press-release.zh-Hant.txt");
    let en = sample("notice.en.txt");
    let mut outputs = Vec::new();
    let mut summary = request(TaskKind::Summarise, &zh, 96);
    summary.target = Some(Lang::ZhHant);
    outputs.push(run_task(engine(), summary).0.text);
    let mut translation = request(TaskKind::Translate, &en, 60);
    translation.target = Some(Lang::ZhHant);
    outputs.push(run_task(engine(), translation).0.text);
    let mut draft = request(
        TaskKind::Draft,
        "下星期三下午三時在會議室開會，討論明年的預算，請各組提交資料。",
        120,
    );
    draft.doc_type = Some(DocType::Memo);
    draft.target = Some(Lang::ZhHant);
    outputs.push(run_task(engine(), draft).0.text);
    // Simplified input must come out Traditional too.
    let mut polish = request(
        TaskKind::Polish,
        "我们下个月会搞一个新的计划，大家记得来参加。",
        60,
    );
    polish.target = Some(Lang::ZhHant);
    outputs.push(run_task(engine(), polish).0.text);
    for text in &outputs {
        assert!(!text.trim().is_empty());
        let found = simplified_chars(text);
        assert!(
            found.is_empty(),
            "Simplified characters {found:?} in zh-Hant output: {text}"
        );
    }
}

#[test]
fn cancelling_mid_generation_returns_the_partial_text_promptly() {
    let library = util::library();
    let runner = Runner::new(engine(), &library);
    let mut req = request(
        TaskKind::Draft,
        "Notes: new recycling stations open in January; opening hours 8am to 8pm.",
        400,
    );
    req.doc_type = Some(DocType::PressRelease);
    req.target = Some(Lang::En);
    let plan = runner.plan(req).unwrap();
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let mut cancelled_at = None;
    let mut seen = String::new();
    let mut sink = |piece: &str| {
        seen.push_str(piece);
        if cancelled_at.is_none() && seen.chars().count() >= 10 {
            cancelled_at = Some(Instant::now());
            trigger.cancel();
        }
    };
    let result = runner.run(&plan, &mut sink, &cancel).unwrap();
    let cancelled_at = cancelled_at.expect("some text arrived before the cancel");
    assert_eq!(result.status, Status::Cancelled);
    assert!(!result.text.is_empty());
    assert!(result.provenance.usage.generated_tokens < 400);
    // One decode step of a 270M model takes tens of milliseconds.
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(3),
        "cancel took {:?}",
        cancelled_at.elapsed()
    );
}

#[test]
fn the_engine_honours_stop_sequences_and_max_tokens() {
    let mut req = GenerateRequest::new("1, 2, 3, 4, 5, 6, 7,", 64);
    req.sampling = SamplingParams::greedy();
    req.stop = vec!["10".into()];
    let done = engine::generate(engine(), req.clone(), &mut |_| {}).unwrap();
    if done.stop_reason == StopReason::StopSequence {
        assert!(!done.text.contains("10"));
    }
    req.stop.clear();
    req.max_tokens = 5;
    req.ignore_eog = true;
    let capped = engine::generate(engine(), req, &mut |_| {}).unwrap();
    assert_eq!(capped.generated_tokens, 5);
    assert_eq!(capped.stop_reason, StopReason::MaxTokens);
}

/// About three times the small engine's 1024-token context.
fn long_document() -> String {
    let zh = sample("press-release.zh-Hant.txt");
    let paragraphs = text::paragraphs(&zh);
    let mut out = Vec::new();
    let mut round = 0;
    while out.len() < 60 {
        for p in &paragraphs {
            out.push(format!("（第{}輪）{p}", round + 1));
        }
        round += 1;
    }
    out.join("\n\n")
}

#[test]
fn an_input_three_times_longer_than_the_context_is_summarised_without_truncation() {
    let input = long_document();
    let tokens = small_engine().count_tokens(&input).unwrap();
    let n_ctx = small_engine().info().n_ctx as usize;
    assert!(
        tokens >= 3 * n_ctx,
        "test input is {tokens} tokens for a {n_ctx}-token context"
    );
    let mut req = request(TaskKind::Summarise, &input, 48);
    req.target = Some(Lang::ZhHant);
    let (result, pieces) = run_task(small_engine(), req);
    let usage = result.provenance.usage;
    // At least one map call per context's worth of input, then a merge.
    assert!(
        usage.calls as usize > tokens / n_ctx,
        "only {} model calls",
        usage.calls
    );
    assert!(
        usage.prompt_tokens as usize >= tokens,
        "prompts covered {} of {tokens} input tokens",
        usage.prompt_tokens
    );
    assert_eq!(result.input_paragraphs, text::paragraphs(&input).len());
    assert_eq!(pieces.concat(), result.text);
    assert!(result
        .provenance
        .prompts
        .iter()
        .any(|p| p.id == "summarise.reduce.zh-Hant"));
}

#[test]
fn an_input_three_times_longer_than_the_context_is_translated_without_truncation() {
    let input = long_document();
    let n_ctx = small_engine().info().n_ctx as usize;
    assert!(small_engine().count_tokens(&input).unwrap() >= 3 * n_ctx);
    let mut req = request(TaskKind::Translate, &input, 12);
    req.target = Some(Lang::En);
    let (result, _) = run_task(small_engine(), req);
    let source = text::paragraphs(&input);
    assert_eq!(text::paragraphs(&result.text).len(), source.len());
    assert!(result.provenance.usage.calls as usize >= source.len());
}

/// Prompts of different lengths, so sequences start and end at different
/// steps and slots are refilled while others are still generating.
fn parallel_prompts() -> Vec<String> {
    let mut prompts: Vec<String> = text::paragraphs(&sample("notice.en.txt"))
        .into_iter()
        .map(|p| format!("English: {p}\n中文："))
        .collect();
    prompts.extend(
        text::paragraphs(&sample("press-release.zh-Hant.txt"))
            .into_iter()
            .take(3)
            .map(|p| format!("中文：{p}\nEnglish:")),
    );
    // Whole documents: over 512 cached tokens, where llama.cpp's CPU kernels
    // are most tempted to take a different path for a lone sequence.
    prompts.push(format!("{}\n中文：", sample("notice.en.txt")));
    prompts.push(format!("{}\nEnglish:", sample("press-release.zh-Hant.txt")));
    prompts
}

#[test]
fn parallel_decoding_gives_the_same_text_per_request_as_sequential_decoding_with_greedy_sampling() {
    let prompts = parallel_prompts();
    let make = |prompt: &str, i: usize| {
        let mut r = GenerateRequest::new(prompt, 24 + 8 * (i as u32 % 3));
        r.sampling = SamplingParams::greedy();
        r
    };
    // Reference: one request at a time on the one-sequence engine.
    let sequential: Vec<String> = prompts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            engine::generate(engine(), make(p, i), &mut |_| {})
                .unwrap()
                .text
        })
        .collect();
    // All submitted at once to the four-sequence engine: eleven requests, four
    // slots, so seven wait and take over slots as earlier ones finish.
    let receivers: Vec<_> = prompts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (tx, rx) = std::sync::mpsc::channel();
            util::parallel_engine().submit(make(p, i), tx).unwrap();
            rx
        })
        .collect();
    let parallel: Vec<String> = receivers
        .into_iter()
        .map(|rx| loop {
            match rx.recv().expect("the engine answers") {
                engine::Event::Done(c) => break c.text,
                engine::Event::Failed { error, .. } => panic!("generation failed: {error}"),
                engine::Event::Token(_) => {}
            }
        })
        .collect();
    assert!(sequential.iter().all(|t| !t.is_empty()));
    for (i, (a, b)) in sequential.iter().zip(&parallel).enumerate() {
        assert_eq!(
            a, b,
            "request {i} differs between sequential and parallel decoding"
        );
    }
}

#[test]
fn reusing_the_cached_prompt_prefix_skips_work_and_changes_no_output() {
    use wenshu_core::engine::{EngineConfig, LlamaEngine};
    let mut config = EngineConfig::new(util::demo_model());
    config.prefix_cache = false;
    let uncached = LlamaEngine::load(config).expect("the demo model loads");
    // An engine of its own: the shared one serves other tests at the same
    // time, whose prompts can take its cached prefix between two calls here.
    let cached =
        LlamaEngine::load(EngineConfig::new(util::demo_model())).expect("the demo model loads");
    let input = sample("notice.en.txt");
    let make = || {
        let mut r = request(TaskKind::Translate, &input, 24);
        r.sampling = SamplingParams::greedy();
        r.target = Some(Lang::ZhHant);
        r
    };
    let (with_cache, _) = run_task(&cached, make());
    let (without, _) = run_task(&uncached, make());
    assert_eq!(with_cache.text, without.text);
    let (a, b) = (with_cache.provenance.usage, without.provenance.usage);
    assert_eq!(a.prompt_tokens, b.prompt_tokens);
    assert_eq!(b.cached_prompt_tokens, 0);
    // Six paragraphs, one call each, all sharing the prompt's examples.
    assert!(a.calls >= 6);
    assert!(
        a.cached_prompt_tokens * 2 > a.prompt_tokens,
        "most of the prompt should come from the cache: {a:?}"
    );
}
