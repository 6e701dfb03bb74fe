//! Chat style on a real instruct model: Qwen2.5-Coder-1.5B-Instruct, with
//! its ChatML template (`models/fetch-demo --instruct`; `make test` fetches
//! it). Every task runs end to end through the model's own chat template;
//! the checks run on its real output. Calls are few and short: a 1.5B model
//! on two cores reads about 30 prompt tokens and writes about 15 tokens a
//! second.
//!
//! Sampling is greedy unless a test says otherwise, so each output is fixed
//! for a given build and machine; the assertions are on what the software
//! controls (format, citations, placeholders, script, the checks' verdicts
//! against an independent reading of the output), never on prose.

use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use wenshu_core::checks::{Kind, Verdict};
use wenshu_core::engine::{
    CancelToken, ChatMessage, EngineConfig, EngineError, Event, GenerateRequest, Generator,
    LlamaEngine, ModelInfo, SamplingParams,
};
use wenshu_core::models::Catalog;
use wenshu_core::prompts::{PromptLibrary, Style};
use wenshu_core::store::GlossaryEntry;
use wenshu_core::tasks::{DocType, Request, Runner, Status, TaskKind, TaskResult};
use wenshu_core::text::Lang;

use crate::util::{library, root, run_task, simplified_chars, wenshu_with_db};

const FILE: &str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf";

/// The instruct model; panics with the fix when it is missing.
pub fn instruct_model() -> std::path::PathBuf {
    let path = root().join("models").join(FILE);
    assert!(
        path.is_file(),
        "the instruct model is missing at {}; run `models/fetch-demo --instruct` first (make test does)",
        path.display()
    );
    path
}

/// One engine for every test here.
fn engine() -> &'static LlamaEngine {
    static ENGINE: OnceLock<LlamaEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::new(instruct_model());
        config.n_ctx = 4096;
        LlamaEngine::load(config).expect("the instruct model loads")
    })
}

/// The real engine, recording every prompt it is given and every raw
/// completion (before placeholders are restored), so a test can see what
/// went through the chat template and what the model itself wrote.
struct Recording<'a> {
    inner: &'a LlamaEngine,
    prompts: Mutex<Vec<String>>,
    raw: std::sync::Arc<Mutex<Vec<String>>>,
}

impl<'a> Recording<'a> {
    fn new(inner: &'a LlamaEngine) -> Self {
        Self {
            inner,
            prompts: Mutex::new(Vec::new()),
            raw: Default::default(),
        }
    }
}

impl Generator for Recording<'_> {
    fn info(&self) -> &ModelInfo {
        self.inner.info()
    }
    fn count_tokens(&self, text: &str) -> Result<usize, EngineError> {
        self.inner.count_tokens(text)
    }
    fn apply_chat_template(&self, messages: &[ChatMessage]) -> Result<String, EngineError> {
        self.inner.apply_chat_template(messages)
    }
    fn submit(&self, request: GenerateRequest, events: Sender<Event>) -> Result<(), EngineError> {
        self.prompts.lock().unwrap().push(request.prompt.clone());
        let (tx, rx) = mpsc::channel();
        self.inner.submit(request, tx)?;
        let raw = self.raw.clone();
        std::thread::spawn(move || {
            for event in rx {
                if let Event::Done(done) = &event {
                    raw.lock().unwrap().push(done.text.clone());
                }
                if events.send(event).is_err() {
                    break;
                }
            }
        });
        Ok(())
    }
}

fn greedy(task: TaskKind, input: &str, target: Lang, max_tokens: u32) -> Request {
    let mut request = Request::new(task, input);
    request.target = Some(target);
    request.max_tokens = Some(max_tokens);
    request.sampling = SamplingParams::greedy();
    request
}

fn run(request: Request) -> (TaskResult, Vec<String>) {
    run_task(engine(), request)
}

fn assert_chat(result: &TaskResult) {
    assert!(
        !result.provenance.prompts.is_empty()
            && result
                .provenance
                .prompts
                .iter()
                .all(|p| p.style == Style::Chat),
        "not chat style: {:?}",
        result.provenance.prompts
    );
    assert_eq!(result.provenance.model_file, FILE);
}

/// Chinese characters (CJK ideographs, extension A and the compatibility
/// block), read here independently of the checks.
fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'))
}

const ZH_DOC: &str = "運輸署今日（十二月一日）宣布，屯門至中環的新巴士路線將於2027年2月3日起投入服務，繁忙時段每8分鐘一班，單程車費為$15.2。\n\n署方預計新路線每日可接載約6,500名乘客，並會在試行六個月後檢討服務。查詢可致電2804 2600。";

const EN_DOC: &str = "The Environmental Protection Department announced today (1 December) that three new food waste collection points will open in Kwun Tong on 15 January 2027.\n\nThe points will open from 7am to 11pm daily and are expected to collect about 12 tonnes of food waste a day. Enquiries: 2838 3111.";

#[test]
fn the_instruct_model_is_catalogued_verified_and_every_prompt_renders_through_its_chat_template() {
    let catalog = Catalog::builtin().unwrap();
    let entry = catalog
        .find_by_name("qwen2.5-coder-1.5b-instruct")
        .expect("catalogued");
    assert!(entry.is_verified());
    assert_eq!(entry.file, FILE);
    assert_eq!(entry.licence, "Apache-2.0");
    assert!(entry.recommended_for.is_some());
    // The file on disk is the catalogued one.
    let out = wenshu_with_db(&std::env::temp_dir().join("wenshu-instruct-verify.sqlite3"))
        .args(["models", "verify"])
        .arg(instruct_model())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("qwen2.5-coder-1.5b-instruct"), "{stdout}");

    // Every prompt file, every document type: the chat form goes through the
    // model's ChatML template, worked turns included, ending with the
    // assistant's turn open.
    let engine = engine();
    assert!(engine.info().has_chat_template);
    let library = PromptLibrary::from_dirs(vec![root().join("prompts")], false);
    let vars = wenshu_core::tasks::sample_template_vars();
    let files = PromptLibrary::bundled_files();
    assert_eq!(files.len(), 24, "{files:?}");
    for rel in files {
        let parts: Vec<&str> = rel.trim_end_matches(".toml").split('/').collect();
        let (task, rest) = (parts[0], parts[1]);
        let (doc_type, direction) = rest.split_once('.').unwrap();
        let prompt = library.get(task, doc_type, direction).unwrap();
        let rendered = prompt.render(engine, &vars).unwrap();
        assert_eq!(rendered.prompt.style, Style::Chat, "{rel}");
        let text = &rendered.text;
        assert!(text.starts_with("<|im_start|>system\n"), "{rel}: {text}");
        assert!(text.ends_with("<|im_start|>assistant\n"), "{rel}: {text}");
        assert!(
            rendered.stop.is_empty(),
            "chat answers end at the end of turn"
        );
        let turns = text.matches("<|im_start|>").count();
        assert!(turns >= 3 && turns % 2 == 1, "{rel}: {turns} turns");
    }
}

#[test]
fn summaries_in_chat_style_cite_their_paragraphs_in_the_asked_language_and_stream_the_result() {
    // Chinese document, English points.
    let (en, pieces) = run(greedy(TaskKind::Summarise, ZH_DOC, Lang::En, 140));
    assert_chat(&en);
    assert_eq!(en.status, Status::Completed);
    assert!(pieces.len() > 1, "{pieces:?}");
    assert_eq!(pieces.concat(), en.text, "streamed pieces are the result");
    let points = en.key_points.clone().expect("key points");
    assert!(!points.is_empty());
    assert_eq!(en.text.lines().count(), points.len(), "{}", en.text);
    let cited = |points: &[wenshu_core::tasks::KeyPoint]| {
        points.iter().filter(|p| !p.paragraphs.is_empty()).count()
    };
    for point in &points {
        assert!(point.paragraphs.iter().all(|&n| (1..=2).contains(&n)));
    }
    // Most points cite their paragraphs; each one that cannot be traced to
    // the document is named in a warning, never shown as if it were cited.
    assert!(cited(&points) * 2 > points.len(), "{points:?}");
    let uncited = points.len() - cited(&points);
    assert_eq!(
        en.warnings
            .iter()
            .filter(|w| w.contains("cites no paragraph"))
            .count(),
        uncited,
        "{:?}",
        en.warnings
    );
    assert!(
        !has_han(&en.text),
        "Chinese left in the English summary: {}",
        en.text
    );
    let checks = en.checks.as_ref().expect("a summary is checked");
    assert!(checks.script.is_empty(), "{:?}", checks.script);

    // English document, Traditional Chinese points.
    let (zh, _) = run(greedy(TaskKind::Summarise, EN_DOC, Lang::ZhHant, 120));
    assert_chat(&zh);
    let points = zh.key_points.clone().expect("key points");
    assert!(!points.is_empty());
    assert!(cited(&points) * 2 > points.len(), "{points:?}");
    for point in &points {
        assert!(has_han(&point.text), "not Chinese: {point:?}");
    }
    assert_eq!(
        simplified_chars(&zh.text),
        Vec::<char>::new(),
        "{}",
        zh.text
    );
}

fn glossary() -> Vec<GlossaryEntry> {
    vec![
        GlossaryEntry::new("Recycling Store", "回收便利點"),
        GlossaryEntry::new("Kwun Tong", "觀塘"),
    ]
}

#[test]
fn translation_both_ways_carries_glossary_placeholders_through_the_chat_template() {
    let cases = [
        (
            "Three new Recycling Stores will open in Kwun Tong on 15 January 2027.",
            Lang::ZhHant,
        ),
        ("觀塘將於2027年1月15日新設三個回收便利點。", Lang::En),
    ];
    for (input, to) in cases {
        let recording = Recording::new(engine());
        let mut request = greedy(TaskKind::Translate, input, to, 80);
        request.glossary = glossary();
        let (result, pieces) = run_task(&recording, request);
        assert_chat(&result);
        assert_eq!(pieces.concat(), result.text);
        // The placeholders went through the chat template, listed as terms
        // with their renderings; the source's own name is not in the request.
        let prompts = recording.prompts.lock().unwrap().clone();
        assert_eq!(prompts.len(), 1);
        let user = prompts[0].rsplit("<|im_start|>user\n").next().unwrap();
        assert!(user.contains("[T1]") && user.contains("[T2]"), "{user}");
        let source_terms: [&str; 2] = if to == Lang::ZhHant {
            ["Recycling Store", "Kwun Tong"]
        } else {
            ["回收便利點", "觀塘"]
        };
        for term in source_terms {
            assert!(!user.contains(term), "{term} reached the model: {user}");
        }
        // The model wrote each one back, as its placeholder or already as
        // the rendering the term list gives it, and the software restored
        // the placeholders.
        let raw = recording.raw.lock().unwrap().concat();
        let placeholders = raw.matches("[T").count();
        let rendered = [("Recycling Store", "回收便利點"), ("Kwun Tong", "觀塘")]
            .iter()
            .filter(|(en, zh)| {
                if to == Lang::ZhHant {
                    raw.contains(zh)
                } else {
                    raw.to_lowercase().contains(&en.to_lowercase())
                }
            })
            .count();
        assert!(
            placeholders + rendered >= 2,
            "a term is neither carried nor rendered: {raw}"
        );
        assert!(!result.text.contains("[T"), "{}", result.text);
        let checks = result.checks.as_ref().unwrap();
        let user_terms: Vec<_> = checks
            .terms
            .iter()
            .filter(|t| {
                glossary()
                    .iter()
                    .any(|g| g.en == t.target_term || g.zh == t.target_term)
            })
            .collect();
        assert_eq!(user_terms.len(), 2, "{:?}", checks.terms);
        for term in user_terms {
            let kept = if to == Lang::En {
                result
                    .text
                    .to_lowercase()
                    .contains(&term.target_term.to_lowercase())
            } else {
                result.text.contains(&term.target_term)
            };
            assert_eq!(
                term.verdict == Verdict::Found,
                kept,
                "{term:?} / {}",
                result.text
            );
        }
        if to == Lang::ZhHant {
            assert_eq!(simplified_chars(&result.text), Vec::<char>::new());
            assert!(
                result.text.contains("回收便利點") && result.text.contains("觀塘"),
                "{}",
                result.text
            );
        } else {
            assert!(!has_han(&result.text), "{}", result.text);
        }
    }
}

#[test]
fn polish_and_drafts_in_chat_style_keep_their_formats() {
    let (polished, _) = run(greedy(
        TaskKind::Polish,
        "我哋下個月會喺沙田大會堂搞個講座，想參加嘅街坊記得喺11月20號之前打2835 1234報名。",
        Lang::ZhHant,
        90,
    ));
    assert_chat(&polished);
    assert_eq!(polished.output_paragraphs, 1, "{}", polished.text);
    assert_eq!(simplified_chars(&polished.text), Vec::<char>::new());
    assert!(polished.text.contains("2835 1234"), "{}", polished.text);
    for cantonese in ['哋', '喺', '嘅'] {
        assert!(!polished.text.contains(cantonese), "{}", polished.text);
    }

    let notes = "all staff; fire drill on 9 Dec 2026 at 3pm; assemble at car park B";
    let mut memo = greedy(TaskKind::Draft, notes, Lang::En, 48);
    memo.doc_type = Some(DocType::Memo);
    let (memo, _) = run(memo);
    assert_chat(&memo);
    let lines: Vec<&str> = memo.text.lines().collect();
    assert_eq!(
        lines.first().map(|l| l.trim()),
        Some("Memo"),
        "{}",
        memo.text
    );
    for label in ["From:", "To:"] {
        assert!(
            lines.iter().any(|l| l.starts_with(label)),
            "{label}: {}",
            memo.text
        );
    }

    let mut zh = greedy(
        TaskKind::Draft,
        "全體職員；12月9日下午3時消防演習；在B停車場集合",
        Lang::ZhHant,
        40,
    );
    zh.doc_type = Some(DocType::Memo);
    let (zh, _) = run(zh);
    assert_chat(&zh);
    assert_eq!(
        zh.text.lines().next().map(str::trim),
        Some("便箋"),
        "{}",
        zh.text
    );
    assert!(
        zh.text.contains("由：") && zh.text.contains("致："),
        "{}",
        zh.text
    );
    assert_eq!(simplified_chars(&zh.text), Vec::<char>::new());
}

#[test]
fn stop_ends_a_chat_generation_promptly_and_keeps_the_partial_text() {
    let library = library();
    let runner = Runner::new(engine(), &library);
    let mut request = greedy(
        TaskKind::Draft,
        "new recycling stations open in January; opening hours 8am to 8pm; enquiries 2835 1234",
        Lang::En,
        400,
    );
    request.doc_type = Some(DocType::PressRelease);
    let plan = runner.plan(request).unwrap();
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let mut at = None;
    let mut seen = String::new();
    let mut sink = |piece: &str| {
        seen.push_str(piece);
        if at.is_none() && seen.chars().count() >= 10 {
            at = Some(Instant::now());
            trigger.cancel();
        }
    };
    let result = runner.run(&plan, &mut sink, &cancel).unwrap();
    let at = at.expect("text arrived before the stop");
    assert_eq!(result.status, Status::Cancelled);
    assert!(!result.text.is_empty());
    assert!(result.provenance.usage.generated_tokens < 400);
    // One decode step of the 1.5B model on two cores is under 0.2 s.
    assert!(at.elapsed() < Duration::from_secs(5), "{:?}", at.elapsed());
}

#[test]
fn a_rerun_from_history_on_the_instruct_model_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let out = wenshu_with_db(&db)
        .env("WENSHU_MODEL", instruct_model())
        .args([
            "translate",
            "-",
            "--to",
            "en",
            "--temperature",
            "0.8",
            "--seed",
            "5",
            "--max-tokens",
            "24",
            "--json",
        ])
        .write_stdin("運輸署將於下月加密東涌巴士班次。")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["provenance"]["model_file"], FILE);
    assert_eq!(run["provenance"]["prompts"][0]["style"], "chat");
    let id = run["run_id"].as_i64().unwrap().to_string();
    // Without WENSHU_MODEL: the rerun finds the recorded model by itself.
    let rerun = wenshu_with_db(&db)
        .env_remove("WENSHU_MODEL")
        .args(["history", "rerun", &id, "--json"])
        .output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let rerun: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    assert_eq!(rerun["identical"], true, "{rerun}");
    assert_eq!(rerun["same_prompt"], true);
}

/// Whether `text` holds one of the correct renderings of an amount, read
/// independently of the checks: the forms a translator would write.
fn renders_amount(text: &str, forms: &[&str]) -> bool {
    forms.iter().any(|f| text.contains(f))
}

#[test]
fn the_checks_flag_the_amounts_the_instruct_model_gets_wrong_and_pass_the_ones_it_keeps() {
    let cases: [(&str, Lang, &[&str]); 2] = [
        (
            "The Housing Department will spend about $4.6 million on new lifts.",
            Lang::ZhHant,
            &["460萬", "四百六十萬", "4,600,000", "4 600 000"],
        ),
        (
            "工程費用約二千四百四十萬元。",
            Lang::En,
            &["24.4 million", "24,400,000", "24 400 000"],
        ),
    ];
    let mut flagged = 0;
    for (input, to, right) in cases {
        let (result, _) = run(greedy(TaskKind::Translate, input, to, 60));
        assert_chat(&result);
        let checks = result.checks.as_ref().unwrap();
        let amount = checks
            .figures
            .iter()
            .find(|f| f.kind == Kind::Money && f.source.is_some())
            .unwrap_or_else(|| panic!("no amount read in the source: {:?}", checks.figures));
        let kept = renders_amount(&result.text, right);
        assert_eq!(
            amount.verdict == Verdict::Found,
            kept,
            "verdict {:?} for {:?} in {}",
            amount.verdict,
            amount.source,
            result.text
        );
        if !kept {
            flagged += 1;
            assert!(checks.flagged());
            assert!(
                result.checks.as_ref().unwrap().counts.flagged > 0,
                "{}",
                checks.summary_line()
            );
        }
        // Untranslated text: flagged exactly when the output has it.
        let left = if to == Lang::En {
            has_han(&result.text)
        } else {
            result
                .text
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() >= 3 && w.chars().any(|c| c.is_ascii_lowercase()))
        };
        assert_eq!(
            !checks.script.is_empty(),
            left,
            "{:?} / {}",
            checks.script,
            result.text
        );
    }
    // On this model both amounts come back wrong (scale words: 4.6億元 or
    // 4,600萬元 for $4.6 million; "2.4 billion" or "two thousand four hundred
    // forty million" for 二千四百四十萬元), the errors a reviewer must catch.
    assert!(
        flagged >= 1,
        "no case produced a wrong amount; pick harder ones"
    );
}
