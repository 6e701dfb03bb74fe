//! Tests of planning and running every verb, over a fake generator.

use super::*;
use crate::engine::fake::FakeGenerator;
use crate::tasks::DocType;

fn library() -> PromptLibrary {
    PromptLibrary::from_dirs(vec![], true)
}

fn run(fake: &FakeGenerator, request: Request) -> (TaskResult, Vec<String>) {
    let prompts = library();
    let runner = Runner::new(fake, &prompts);
    let plan = runner.plan(request).unwrap();
    let mut pieces = Vec::new();
    let mut sink = |p: &str| pieces.push(p.to_string());
    let result = runner.run(&plan, &mut sink, &CancelToken::new()).unwrap();
    (result, pieces)
}

#[test]
fn translation_keeps_one_output_paragraph_per_input_paragraph_even_when_the_model_adds_newlines() {
    let fake = FakeGenerator::new(4000, |_| "Line one\nline two\n\nextra".to_string());
    let input = "第一段。\n\n第二段。\n\n第三段。";
    let mut request = Request::new(TaskKind::Translate, input);
    request.target = Some(Lang::En);
    let (result, pieces) = run(&fake, request);
    assert_eq!(result.input_paragraphs, 3);
    assert_eq!(result.output_paragraphs, 3);
    assert_eq!(pieces.concat(), result.text);
    assert_eq!(fake.prompts().len(), 3);
}

#[test]
fn a_paragraph_the_model_leaves_empty_keeps_its_source_and_a_warning() {
    let fake = FakeGenerator::new(4000, |_| "\n".to_string());
    let mut request = Request::new(TaskKind::Translate, "Hello there.\n\nSecond one.");
    request.target = Some(Lang::ZhHant);
    let (result, _) = run(&fake, request);
    assert_eq!(result.output_paragraphs, 2);
    assert_eq!(result.warnings.len(), 2);
    assert!(result.text.contains("Hello there."));
}

#[test]
fn a_summary_stopped_at_its_point_limit_is_complete_not_cancelled() {
    let fake = FakeGenerator::new(4000, |_| {
        "- First point about the bus routes [1]\n- Second point about stops [1]\n- Third point about fares [1]\n- Fourth point [1]\n".to_string()
    });
    let mut request = Request::new(
        TaskKind::Summarise,
        "The department will open new bus routes, review stops and fares, and report in March.",
    );
    request.max_points = 2;
    let (result, _) = run(&fake, request);
    assert_eq!(result.key_points.as_ref().map(Vec::len), Some(2));
    assert_eq!(result.status, Status::Completed);
}

#[test]
fn chinese_output_is_converted_to_hong_kong_traditional_in_the_stream() {
    let fake = FakeGenerator::new(4000, |_| "我们将于下月推出新计划。".to_string());
    let mut request = Request::new(TaskKind::Translate, "We will launch a new plan next month.");
    request.target = Some(Lang::ZhHant);
    let (result, pieces) = run(&fake, request);
    assert_eq!(result.text, "我們將於下月推出新計劃。");
    assert_eq!(pieces.concat(), result.text);
}

#[test]
fn a_long_input_is_summarised_by_map_and_reduce_without_dropping_paragraphs() {
    // The fake cites the first paragraph number it sees in each prompt.
    let fake = FakeGenerator::new(900, |prompt| {
        let tail = prompt.rsplit("###").next().unwrap_or(prompt);
        let n = tail
            .split('[')
            .filter_map(|s| s.split(']').next()?.trim().parse::<usize>().ok())
            .next()
            .unwrap_or(1);
        format!("- 要點甲 [{n}]\n- 要點乙 [{n}]\n\n")
    });
    let paragraph = "房屋署公布公屋輪候時間。".repeat(12);
    let input: Vec<String> = (0..12).map(|_| paragraph.clone()).collect();
    let mut request = Request::new(TaskKind::Summarise, input.join("\n\n"));
    request.max_tokens = Some(40);
    let (result, pieces) = run(&fake, request);
    assert!(
        fake.prompts().len() >= 3,
        "expected map calls and a reduce call, got {}",
        fake.prompts().len()
    );
    let last = fake.prompts().last().cloned().unwrap();
    assert!(
        last.contains("要點甲"),
        "the reduce prompt carries the gathered points"
    );
    let mut covered: Vec<usize> = fake.prompts()[..fake.prompts().len() - 1]
        .iter()
        .flat_map(|p| {
            (1..=12)
                .filter(|n| p.contains(&format!("[{n}] ")))
                .collect::<Vec<_>>()
        })
        .collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(
        covered,
        (1..=12).collect::<Vec<_>>(),
        "every paragraph reached a map prompt"
    );
    assert_eq!(pieces.concat(), result.text);
    assert!(result
        .key_points
        .unwrap()
        .iter()
        .all(|p| !p.paragraphs.is_empty()));
}

fn glossary() -> Vec<crate::store::GlossaryEntry> {
    vec![
        crate::store::GlossaryEntry::new("Housing Department", "房屋署"),
        crate::store::GlossaryEntry::new("Legislative Council", "立法會"),
    ]
}

#[test]
fn glossary_placeholders_carried_by_the_model_become_the_official_terms() {
    // Echo the placeholders the prompt's last line holds, as a model should.
    let fake = FakeGenerator::new(4000, |prompt| {
        let last = prompt
            .lines()
            .rev()
            .find(|l| l.starts_with("English:"))
            .unwrap_or("");
        last.replace("English:", "")
            .replace("will brief", "將向")
            .replace('.', "匯報。")
    });
    let mut request = Request::new(
        TaskKind::Translate,
        "The Housing Department will brief the Legislative Council.",
    );
    request.target = Some(Lang::ZhHant);
    request.glossary = glossary();
    request.base_glossary = false;
    let (result, pieces) = run(&fake, request);
    let prompt = &fake.prompts()[0];
    assert!(
        prompt.contains("English: The [T1] will brief the [T2]."),
        "{prompt}"
    );
    assert_eq!(result.text, "The 房屋署 將向 the 立法會匯報。");
    assert_eq!(pieces.concat(), result.text);
    let checks = result.checks.unwrap();
    assert_eq!(checks.terms.len(), 2);
    assert!(checks
        .terms
        .iter()
        .all(|t| t.verdict == crate::checks::Verdict::Found));
}

#[test]
fn inline_tags_and_glossary_placeholders_go_through_together_and_tags_are_not_figures() {
    let fake = FakeGenerator::new(4000, |prompt| {
        let last = prompt
            .lines()
            .rev()
            .find(|l| l.starts_with("English:"))
            .unwrap_or("");
        last.replace("English:", "")
            .replace("will brief", "將於2027年向")
            .replace('.', "簡介。")
            // A model that drops a placeholder: its digit must not read as a missing figure.
            .replace("<x1/>", "")
    });
    let mut request = Request::new(
        TaskKind::Translate,
        "<g1>Note:</g1> The Housing Department will brief the <g2>Legislative Council</g2><x1/>.",
    );
    request.target = Some(Lang::ZhHant);
    request.glossary = glossary();
    request.base_glossary = false;
    let (result, _) = run(&fake, request);
    let prompt = &fake.prompts()[0];
    // The worked pair with tags is shown, and the paragraph keeps both kinds of marker.
    assert!(prompt.contains("<g2>Buildings Ordinance</g2>"), "{prompt}");
    assert!(
        prompt.contains("English: <g1>Note:</g1> The [T1] will brief the <g2>[T2]</g2><x1/>."),
        "{prompt}"
    );
    assert_eq!(
        result.text,
        "<g1>Note:</g1> The 房屋署 將於2027年向 the <g2>立法會</g2>簡介。"
    );
    // The digits of the tags are not figures: only 2027, which the source lacks, is flagged.
    let checks = result.checks.unwrap();
    let figures: Vec<String> = checks.figure_flags();
    assert_eq!(figures.len(), 1, "{figures:?}");
    assert!(figures[0].contains("2027"), "{figures:?}");
    assert!(checks
        .terms
        .iter()
        .all(|t| t.verdict == crate::checks::Verdict::Found));
}

#[test]
fn a_title_that_starts_with_a_department_name_is_protected_and_checked_as_the_title() {
    // The model carries the placeholder through, as the prompt shows.
    let fake = FakeGenerator::new(4000, |prompt| {
        let n = prompt.matches("[T").count();
        assert!(n >= 1, "no placeholder in {prompt}");
        "The [T1] said that the works had started.".to_string()
    });
    let mut request = Request::new(TaskKind::Translate, "運輸署副署長表示，工程已經展開。");
    request.target = Some(Lang::En);
    let (result, _) = run(&fake, request);
    let prompt = &fake.prompts()[0];
    assert!(
        !prompt
            .rsplit("###")
            .next()
            .unwrap_or(prompt)
            .contains("運輸署"),
        "{prompt}"
    );
    assert_eq!(
        result.text,
        "The Deputy Commissioner for Transport said that the works had started."
    );
    let checks = result.checks.unwrap();
    let terms: Vec<(&str, crate::checks::Verdict)> = checks
        .terms
        .iter()
        .map(|t| (t.source_term.as_str(), t.verdict))
        .collect();
    assert_eq!(terms, vec![("運輸署副署長", crate::checks::Verdict::Found)]);
    assert!(!checks.flagged(), "{:?}", checks.flag_messages());
}

#[test]
fn a_figure_lost_in_translation_is_reported_missing_and_an_invented_one_added() {
    let fake = FakeGenerator::new(4000, |_| {
        "2026年將提供1,000個單位，查詢電話2835 1234。".to_string()
    });
    let mut request = Request::new(
        TaskKind::Translate,
        "In 2026 the department will provide 1,000 flats at HK$2.5 million each.",
    );
    request.target = Some(Lang::ZhHant);
    let (result, _) = run(&fake, request);
    let checks = result.checks.unwrap();
    let flags = checks.flag_messages();
    assert_eq!(checks.counts.figures_missing, 1, "{flags:?}");
    assert_eq!(checks.counts.figures_added, 1, "{flags:?}");
    assert!(
        flags
            .iter()
            .any(|f| f.contains("HK$2.5 million") && f.contains("missing")),
        "{flags:?}"
    );
    assert!(
        flags
            .iter()
            .any(|f| f.contains("2835 1234") && f.contains("not in the source")),
        "{flags:?}"
    );
}

#[test]
fn a_summary_that_invents_a_figure_is_flagged_and_one_that_drops_figures_is_not() {
    let source = "The Environmental Protection Department will open two recycling stations in Sha Tin on 3 March, costing $12 million.";
    let invented = FakeGenerator::new(4000, |_| {
        "- Two stations will open, costing about $5.4 million [1]\n".to_string()
    });
    let (result, _) = run(&invented, Request::new(TaskKind::Summarise, source));
    let checks = result.checks.unwrap();
    assert_eq!(checks.mode, crate::checks::Mode::Summary);
    assert_eq!(
        checks.counts.figures_added,
        1,
        "{:?}",
        checks.flag_messages()
    );
    let faithful = FakeGenerator::new(4000, |_| "- Stations open on 3 March [1]\n".to_string());
    let (result, _) = run(&faithful, Request::new(TaskKind::Summarise, source));
    let checks = result.checks.unwrap();
    assert!(!checks.flagged(), "{:?}", checks.flag_messages());
    assert_eq!(checks.counts.figures_found, 1);
}

#[test]
fn the_glossary_check_flags_a_term_the_model_dropped() {
    let fake = FakeGenerator::new(4000, |_| "[T1]將向議會匯報。".to_string());
    let mut request = Request::new(
        TaskKind::Translate,
        "The Housing Department will brief the Legislative Council.",
    );
    request.target = Some(Lang::ZhHant);
    request.glossary = glossary();
    request.base_glossary = false;
    let (result, _) = run(&fake, request);
    assert_eq!(result.text, "房屋署將向議會匯報。");
    let checks = result.checks.unwrap();
    let missing = checks.missing_terms();
    assert_eq!(missing, vec!["Legislative Council → 立法會".to_string()]);
}

#[test]
fn a_draft_without_a_document_type_is_refused_before_any_generation() {
    let fake = FakeGenerator::new(4000, |_| "x".into());
    let prompts = library();
    let runner = Runner::new(&fake, &prompts);
    let err = runner
        .plan(Request::new(TaskKind::Draft, "notes"))
        .unwrap_err();
    assert!(matches!(err, TaskError::MissingDocType));
    assert!(fake.prompts().is_empty());
    let mut ok = Request::new(TaskKind::Draft, "notes");
    ok.doc_type = Some(DocType::Memo);
    assert!(runner.plan(ok).is_ok());
}

#[test]
fn translating_english_to_english_is_a_usage_error_that_suggests_the_fix() {
    let fake = FakeGenerator::new(4000, |_| "x".into());
    let prompts = library();
    let runner = Runner::new(&fake, &prompts);
    let mut request = Request::new(TaskKind::Translate, "Plain English text.");
    request.target = Some(Lang::En);
    let err = runner.plan(request).unwrap_err();
    assert!(err.is_usage_error());
    assert!(err.to_string().contains("choose zh-Hant"), "{err}");
    assert_eq!(
        wenshu_error::Coded::fix(&err),
        Some(wenshu_error::Fix::Choose {
            setting: wenshu_error::Setting::Target,
            suggest: Some("zh-Hant".into()),
        })
    );
}

#[test]
fn empty_input_is_refused() {
    let fake = FakeGenerator::new(4000, |_| "x".into());
    let prompts = library();
    let err = Runner::new(&fake, &prompts)
        .plan(Request::new(TaskKind::Polish, "  \n "))
        .unwrap_err();
    assert!(matches!(err, TaskError::EmptyInput));
}

#[test]
fn cancelling_returns_the_partial_text_with_a_cancelled_status() {
    let fake = FakeGenerator::new(4000, |_| "Some words here. ".repeat(50));
    let prompts = library();
    let runner = Runner::new(&fake, &prompts);
    let mut request = Request::new(TaskKind::Draft, "會議安排");
    request.doc_type = Some(DocType::Memo);
    request.target = Some(Lang::En);
    let plan = runner.plan(request).unwrap();
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    let mut seen = String::new();
    let mut sink = |p: &str| {
        seen.push_str(p);
        if seen.len() > 40 {
            c2.cancel();
        }
    };
    let result = runner.run(&plan, &mut sink, &cancel).unwrap();
    assert_eq!(result.status, Status::Cancelled);
    assert!(!result.text.is_empty() && result.text.len() < 16 * 50);
}
