//! `wenshu bench …`: each benchmark's report from core, laid out as a table.

use std::path::{Path, PathBuf};

use crate::args::BenchArgs;
use crate::{flags, load_engine, print_json, CliError, Failure};

fn run_bench_history(args: &BenchArgs, db: Option<&Path>) -> Result<u8, Failure> {
    let path = db
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("wenshu-bench-history.sqlite3"));
    if args.fill_only {
        // Distinct seeds per process so concurrent fills write distinct runs.
        let base = u64::from(std::process::id()) << 32;
        let rate = wenshu_core::bench::history::fill(&path, args.runs, base, &mut |_| {})?;
        eprintln!(
            "added {} runs to {} at {rate:.0} runs/s",
            args.runs,
            path.display()
        );
        return Ok(0);
    }
    let report =
        wenshu_core::bench::history::run(&path, args.runs, 20, &mut |m| eprintln!("bench: {m}"))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "{} runs inserted at {:.0} runs/s (one transaction each); database {:.1} MB at {}",
        report.runs,
        report.insert_runs_per_s,
        report.database_bytes as f64 / 1e6,
        path.display()
    );
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>10}",
        "query class", "queries", "p50 ms", "p95 ms", "max ms", "mean hits"
    );
    for c in &report.classes {
        println!(
            "{:<34} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            c.class, c.queries, c.p50_ms, c.p95_ms, c.max_ms, c.mean_hits
        );
    }
    println!(
        "{:<34} {:>8} {:>9.2} {:>9.2}",
        "all", "", report.all_p50_ms, report.all_p95_ms
    );
    Ok(0)
}

pub fn run_bench(args: BenchArgs, db: Option<&Path>) -> Result<u8, Failure> {
    if args.what == "history" {
        return run_bench_history(&args, db);
    }
    if args.what == "batch" {
        return run_bench_batch(&args);
    }
    if args.what == "shortcut" {
        return run_bench_shortcut(&args);
    }
    if args.what == "checks" {
        return run_bench_checks(&args);
    }
    if args.what == "tasks" {
        return run_bench_tasks(&args);
    }
    if args.what == "docs" {
        return run_bench_docs(&args);
    }
    let session = crate::session(None, None)?;
    let mut config = session.engine_config(&flags(&args.engine))?;
    config.n_batch = args.batch.max(1);
    // Every rep must evaluate the whole prompt, as the bare loop does.
    config.prefix_cache = false;
    config.n_ctx = config
        .n_ctx
        .max((args.prompt_tokens as u32 + args.gen_tokens + 64).next_power_of_two());
    let bench = wenshu_core::bench::BenchConfig {
        engine: config,
        prompt_tokens: args.prompt_tokens.max(8),
        gen_tokens: args.gen_tokens.max(2),
        reps: args.reps as usize,
    };
    let report = wenshu_core::bench::run(&bench, &mut |msg| eprintln!("bench: {msg}"))?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | {} GPU layers | prompt {} tokens (batch {}) | generate {} tokens | {} runs each, medians",
        report.model_file, report.threads, report.gpu_layers, report.prompt_tokens, report.n_batch, report.gen_tokens, report.reps
    );
    println!(
        "{:<12} {:>14} {:>16} {:>16}",
        "path", "prompt tok/s", "generate tok/s", "first token ms"
    );
    for (name, f) in [("engine", &report.engine), ("bare loop", &report.bare)] {
        println!(
            "{:<12} {:>14.1} {:>16.1} {:>16.1}",
            name, f.prompt_tps, f.generation_tps, f.first_token_ms
        );
    }
    println!(
        "{:<12} {:>14.3} {:>16.3}",
        "engine/bare", report.prompt_ratio, report.generation_ratio
    );
    Ok(0)
}

fn run_bench_shortcut(args: &BenchArgs) -> Result<u8, Failure> {
    let session = crate::session(None, None)?;
    let config = session.engine_config(&flags(&args.engine))?;
    let library = session.prompts();
    // The "selection": the first three paragraphs of the sample press release.
    let sample = include_str!("../../samples/press-release.zh-Hant.txt");
    let text = wenshu_core::text::paragraphs(sample)
        .into_iter()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n\n");
    let report = wenshu_core::bench::shortcut::run(
        config,
        &library,
        &text,
        args.reps as usize,
        &mut |msg| eprintln!("bench: {msg}"),
    )?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | selection {} tokens | {} runs each, medians",
        report.model_file, report.threads, report.text_tokens, report.reps
    );
    println!(
        "selection alone, prompt to first token: {:>8.1} ms",
        report.text_alone_ms
    );
    println!(
        "shortcut → first token, prefix cached:  {:>8.1} ms ({:.2}x; planning {:.1} ms, {} tokens evaluated)",
        report.warm_ms, report.warm_ratio, report.warm_plan_ms, report.warm_evaluated_tokens
    );
    println!(
        "shortcut → first token, nothing cached: {:>8.1} ms ({:.2}x)",
        report.cold_ms, report.cold_ratio
    );
    Ok(0)
}

fn run_bench_tasks(args: &BenchArgs) -> Result<u8, Failure> {
    let session = crate::session(None, None)?;
    let engine = load_engine(session.engine_config(&flags(&args.engine))?)?;
    let library = session.prompts();
    let options = wenshu_core::bench::tasks::Options {
        tasks: !args.no_tasks,
        every: args.every,
        without_glossary: args.without_glossary,
    };
    let report = wenshu_core::bench::tasks::run(&engine, &library, &options, &mut |m| {
        eprintln!("bench: {m}")
    })?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} style | {} threads | greedy",
        report.model_file,
        match report.style {
            wenshu_core::prompts::Style::Chat => "chat",
            wenshu_core::prompts::Style::Completion => "completion",
        },
        report.threads
    );
    if !report.tasks.is_empty() {
        println!();
        println!(
            "{:<22} {:<16} {:>5} {:>8} {:>7} {:>6} {:>9} {:>8} {:>10} {:>9} {:>7}",
            "task",
            "direction",
            "calls",
            "prompt",
            "cached",
            "gen",
            "first ms",
            "total s",
            "prompt t/s",
            "gen t/s",
            "flagged"
        );
        for t in &report.tasks {
            println!(
                "{:<22} {:<16} {:>5} {:>8} {:>7} {:>6} {:>9.0} {:>8.1} {:>10.1} {:>9.1} {:>7}",
                t.task,
                t.direction,
                t.calls,
                t.prompt_tokens,
                t.cached_prompt_tokens,
                t.generated_tokens,
                t.first_output_ms,
                t.total_ms / 1000.0,
                t.prompt_tokens_per_s,
                t.generation_tokens_per_s,
                t.flagged
            );
        }
    }
    for f in &report.fidelity {
        println!();
        println!(
            "{} over {} reference pairs, base glossary {}: {:.0} s, {} tokens generated",
            f.direction,
            f.pairs,
            if f.base_glossary { "on" } else { "off" },
            f.seconds,
            f.generated_tokens
        );
        println!(
            "  figures kept   {:>5.1}%  ({} of {}; {} changed, {} missing; {} added)",
            f.figures_share(),
            f.figures_found,
            f.figures,
            f.figures_changed,
            f.figures_missing,
            f.figures_added
        );
        println!(
            "  names kept     {:>5.1}%  ({} of {}; {} written wrongly)",
            f.names_share(),
            f.names_found,
            f.names,
            f.names_changed
        );
        println!(
            "  script issues  {:>6}   pairs with nothing to review: {} of {}",
            f.script, f.pairs_clean, f.pairs
        );
        for e in &f.examples {
            println!("  e.g. {e}");
        }
    }
    Ok(0)
}

fn run_bench_docs(args: &BenchArgs) -> Result<u8, Failure> {
    use wenshu_core::bench::docs;
    let Some(corpus) = args.corpus.as_deref() else {
        return Err(CliError::CorpusMissing(
            "give the folder of .docx files: --corpus DIR (scripts/docx-corpus fetch makes one)"
                .into(),
        )
        .into());
    };
    if !corpus.is_dir() {
        return Err(CliError::CorpusMissing(format!(
            "{} is not a folder; give the folder of .docx files with --corpus",
            corpus.display()
        ))
        .into());
    }
    let session = crate::session(None, None)?;
    let library = session.prompts();
    let engine = if args.with_model {
        Some(load_engine(session.engine_config(&flags(&args.engine))?)?)
    } else {
        None
    };
    let options = docs::Options {
        corpus,
        out: args.out.as_deref(),
        model: engine.as_ref().map(|e| {
            (
                e as &dyn wenshu_core::engine::Generator,
                &library,
                args.every,
            )
        }),
    };
    let report = docs::run(&options, &mut |_| {})?;
    let broken: usize = report.passes.iter().map(|p| p.broken.len()).sum();
    if args.json {
        print_json(&report)?;
        return Ok(u8::from(broken > 0));
    }
    println!(
        "corpus: {} ({} .docx, {} do not read: {})",
        report.corpus,
        report.docx_files,
        report.unreadable.len(),
        report
            .unreadable
            .iter()
            .map(|(n, c)| format!("{n} [{c}]"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let share = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    for p in &report.passes {
        println!(
            "{:<8} {} files, {} broken; hyperlinks {}/{}, fields {}/{}, content controls {}/{} kept; mixed-format paragraphs {}/{} ({:.1} %) keep their formatting; {} need a look",
            p.name,
            p.files,
            p.broken.len(),
            p.hyperlinks.1,
            p.hyperlinks.0,
            p.fields.1,
            p.fields.0,
            p.content_controls.1,
            p.content_controls.0,
            p.mixed_kept,
            p.mixed,
            share(p.mixed_kept, p.mixed),
            p.needs_look
        );
        for b in &p.broken {
            println!("  broken  {b}");
        }
    }
    if let Some(m) = &report.model {
        println!(
            "model {}: {} mixed-format paragraphs: {} exact, {} repaired, {} lost formatting ({:.1} % keep it)",
            m.model,
            m.paragraphs,
            m.exact,
            m.repaired,
            m.lost,
            share(m.exact + m.repaired, m.paragraphs)
        );
    }
    println!(
        "read + rewrite: {} pages ({} blocks) in {:.1} ms (median of 5)",
        report.pages, report.blocks, report.read_rewrite_ms
    );
    Ok(u8::from(broken > 0))
}

fn run_bench_checks(args: &BenchArgs) -> Result<u8, Failure> {
    let report = wenshu_core::bench::checks::run(&mut |msg| eprintln!("bench: {msg}"));
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "reference set: {} correct bilingual pairs, checked in both directions",
        report.pairs
    );
    for d in &report.directions {
        println!();
        println!(
            "{}: {} items checked on correct pairs; false alarms: {} figures, {} names, {} script",
            d.direction,
            d.items_checked,
            d.false_alarms_figures,
            d.false_alarms_terms,
            d.false_alarms_script
        );
        for f in &d.false_alarms {
            println!("  false alarm  {f}");
        }
        println!(
            "  {:<26} {:>6} {:>7} {:>8}",
            "perturbation", "made", "caught", "share"
        );
        for p in &d.perturbations {
            let share = if p.made == 0 {
                0.0
            } else {
                100.0 * p.caught as f64 / p.made as f64
            };
            println!(
                "  {:<26} {:>6} {:>7} {:>7.1}%",
                p.kind, p.made, p.caught, share
            );
        }
        println!(
            "  {:<26} {:>6} {:>7} {:>7.1}%",
            "all",
            d.made,
            d.caught,
            100.0 * d.caught_share
        );
        for p in d.perturbations.iter().filter(|p| !p.missed.is_empty()) {
            println!("  missed ({}): {}", p.kind, p.missed.join(", "));
        }
    }
    println!();
    println!(
        "protection: {} names protected; {} would alter a correct translation",
        report.protection.names_protected,
        report.protection.altered.len()
    );
    for a in &report.protection.altered {
        println!("  altered  {a}");
    }
    let s = &report.speed;
    println!(
        "speed: {} pages ({} paragraphs, {} + {} characters, {} items): zh→en {:.0} ms, en→zh {:.0} ms",
        s.pages, s.paragraphs, s.source_chars, s.target_chars, s.items, s.zh_to_en_ms, s.en_to_zh_ms
    );
    Ok(0)
}

fn run_bench_batch(args: &BenchArgs) -> Result<u8, Failure> {
    let session = crate::session(None, None)?;
    let config = session.engine_config(&flags(&args.engine))?;
    let report = wenshu_core::bench::batch::run(
        config,
        &[1, 4, 8],
        args.gen_tokens.max(8),
        args.reps as usize,
        &mut |msg| eprintln!("bench: {msg}"),
    )?;
    if args.json {
        print_json(&report)?;
        return Ok(0);
    }
    println!(
        "model {} | {} threads | {} tokens per sequence | {} runs each, medians",
        report.model_file, report.threads, report.gen_tokens, report.reps
    );
    println!(
        "{:<12} {:>16} {:>10}",
        "sequences", "tokens/s (all)", "vs 1"
    );
    for level in &report.levels {
        println!(
            "{:<12} {:>16.1} {:>9.2}x",
            level.sequences, level.tokens_per_second, level.speedup
        );
    }
    let d = &report.docx;
    println!(
        "docx: {} pages, {} bytes, {} blocks: read {:.1} ms + rewrite {:.1} ms = {:.1} ms",
        d.pages, d.bytes, d.blocks, d.read_ms, d.render_ms, d.total_ms
    );
    Ok(0)
}
