//! History, glossary and provenance in the SQLite store, through the CLI
//! and the real demo model.

use std::process::{Command as Std, Stdio};
use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;
use wenshu_core::store::{now_ms, Store};

use crate::util::wenshu_with_db;

fn db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    (dir, path)
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn a_run_from_the_cli_appears_in_history_with_every_provenance_field_filled() {
    let (_dir, path) = db();
    let out = wenshu_with_db(&path)
        .args([
            "summarise",
            "-",
            "--to",
            "zh-Hant",
            "--max-tokens",
            "48",
            "--seed",
            "11",
            "--json",
        ])
        .write_stdin("房屋署今日公佈，公屋平均輪候時間為五點三年。\n\n署方會在明年增建一萬個單位。")
        .output()
        .unwrap();
    let result = json_of(&out);
    let id = result["run_id"].as_i64().expect("the run id is reported");
    let list = json_of(
        &wenshu_with_db(&path)
            .args(["history", "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(list["runs"][0]["id"], id);
    let run = json_of(
        &wenshu_with_db(&path)
            .args(["history", "show", &id.to_string(), "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(run["task"], "summarise");
    assert_eq!(run["status"], "completed");
    assert_eq!(run["output"], result["text"]);
    assert_eq!(run["model_file"], "gemma-3-270m-q4_k_m.gguf");
    assert_eq!(
        run["model_sha256"],
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    );
    assert_eq!(run["prompt_id"], "summarise.general.zh-Hant");
    assert!(run["prompt_version"].as_u64().unwrap() >= 1);
    assert_eq!(run["prompt_hash"].as_str().unwrap().len(), 64);
    assert_eq!(run["seed"], 11);
    assert_eq!(run["sampling"]["seed"], 11);
    assert!(run["prompt_tokens"].as_u64().unwrap() > 0);
    assert!(run["total_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(run["source_lang"], "zh-Hant");
    assert_eq!(run["target_lang"], "zh-Hant");
    assert!(run["created_at"].as_i64().unwrap() > 0);
    assert_eq!(run["request"]["target"], "zh-Hant");
    assert!(!run["prompts"].as_array().unwrap().is_empty());
}

#[test]
fn rerun_of_a_seeded_run_reports_identical_output() {
    let (_dir, path) = db();
    let out = wenshu_with_db(&path)
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
            "40",
            "--json",
        ])
        .write_stdin("運輸署將於下月加密東涌巴士班次。")
        .output()
        .unwrap();
    let id = json_of(&out)["run_id"].as_i64().unwrap();
    let rerun = json_of(
        &wenshu_with_db(&path)
            .args(["history", "rerun", &id.to_string(), "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(rerun["identical"], true);
    assert_eq!(rerun["same_prompt"], true);
    assert!(
        rerun["rerun_id"].as_i64().unwrap() > id,
        "the rerun is itself recorded"
    );
}

#[test]
fn search_finds_traditional_runs_from_simplified_and_english_queries_and_short_ones() {
    let (_dir, path) = db();
    wenshu_with_db(&path)
        .args(["polish", "-", "--max-tokens", "30"])
        .write_stdin("環境保護署會喺沙田開新回收站。")
        .assert()
        .success();
    wenshu_with_db(&path)
        .args(["polish", "-", "--max-tokens", "30"])
        .write_stdin("The library in Tai Po will open longer hours.")
        .assert()
        .success();
    let ids = |q: &str| -> Vec<i64> {
        let v = json_of(
            &wenshu_with_db(&path)
                .args(["history", "search", q, "--json"])
                .output()
                .unwrap(),
        );
        v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids("环境保护署"), vec![1]);
    assert_eq!(ids("回收"), vec![1], "two-character query");
    assert_eq!(ids("tai po"), vec![2]);
    assert!(ids("颱風").is_empty());
}

#[test]
fn glossary_terms_are_restored_and_checked_against_the_real_models_output() {
    let (dir, path) = db();
    let terms = dir.path().join("terms.tsv");
    std::fs::write(
        &terms,
        "en\tzh\tdomain\nTransport Department\t運輸署\ttransport\nLegislative Council\t立法會\t\nHousing Department\t房屋署\thousing\n",
    )
    .unwrap();
    wenshu_with_db(&path)
        .args(["glossary", "import"])
        .arg(&terms)
        .assert()
        .success();
    let text = "The Transport Department will brief the Legislative Council next week.\n\nThe Housing Department will open a new estate.";
    let out = wenshu_with_db(&path)
        .args([
            "translate",
            "-",
            "--to",
            "zh-Hant",
            "--json",
            "--max-tokens",
            "60",
            "--temperature",
            "0",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    let result = json_of(&out);
    let output = result["text"].as_str().unwrap();
    // The demo model may drop a placeholder; the software's job is that
    // every kept one becomes the official term and that the check says
    // exactly which renderings are in the output.
    let terms: Vec<&Value> = result["checks"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["verdict"] != "changed")
        .collect();
    assert_eq!(terms.len(), 3, "{terms:?}");
    let mut restored = 0;
    for check in &terms {
        let target = check["target_term"].as_str().unwrap();
        assert!(["運輸署", "立法會", "房屋署"].contains(&target));
        assert_eq!(
            check["origin"], "user",
            "the user's entry wins over the base glossary's"
        );
        assert_eq!(
            check["verdict"] == "found",
            output.contains(target),
            "{check} vs {output}"
        );
        restored += usize::from(output.contains(target));
    }
    assert!(
        restored >= 1,
        "no official term reached the output: {output}"
    );
    assert!(!output.contains("[T"), "a placeholder leaked: {output}");
    // Every figure of the source has a verdict too.
    let figures = result["checks"]["figures"].as_array().unwrap();
    assert!(figures
        .iter()
        .all(|f| f["verdict"].is_string() && f["kind"].is_string()));
    // The check is stored with the run.
    let id = result["run_id"].as_i64().unwrap().to_string();
    let run = json_of(
        &wenshu_with_db(&path)
            .args(["history", "show", &id, "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(run["checks"]["terms"], result["checks"]["terms"]);
    assert_eq!(run["checks"]["counts"], result["checks"]["counts"]);
}

#[test]
fn several_processes_writing_at_once_lose_no_run() {
    let (_dir, path) = db();
    let bin = assert_cmd::cargo::cargo_bin("wenshu");
    let spawn = || {
        Std::new(&bin)
            .args(["bench", "history", "--runs", "200", "--db"])
            .arg(&path)
            .arg("--fill-only")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Four at once on a file that does not exist yet: creating the schema
    // races too, not only the inserts.
    let children: Vec<_> = (0..4).map(|_| spawn()).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), 800);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn a_writer_killed_mid_transaction_leaves_an_intact_database_and_no_half_run() {
    let (_dir, path) = db();
    let bin = assert_cmd::cargo::cargo_bin("wenshu");
    let mut child = Std::new(&bin)
        .args(["bench", "history", "--runs", "1000000", "--db"])
        .arg(&path)
        .arg("--fill-only")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it write for a while, then kill it without warning.
    let mut waited = Duration::ZERO;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        waited += Duration::from_millis(100);
        let n = Store::open(&path)
            .map(|s| s.count().unwrap_or(0))
            .unwrap_or(0);
        if n > 500 || waited > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.count().unwrap() > 0);
    assert_eq!(
        store.check().unwrap(),
        Vec::<String>::new(),
        "integrity_check ok and every run whole"
    );
}

#[test]
fn purge_and_retention_delete_exactly_the_old_runs() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).unwrap();
    for age in [0u32, 5, 30, 89, 91, 120, 365] {
        store
            .insert_run(&wenshu_core::bench::history::generated_run(
                u64::from(age) + 1,
                age,
            ))
            .unwrap();
    }
    drop(store);
    wenshu_with_db(&path)
        .args(["history", "purge", "--older-than", "100d"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted 2"));
    let left = |path: &std::path::Path| Store::open(path).unwrap().count().unwrap();
    assert_eq!(left(&path), 5);
    // Retention runs at start-up of any command that opens the store.
    wenshu_with_db(&path)
        .env("WENSHU_RETENTION_DAYS", "60")
        .args(["history", "list"])
        .assert()
        .success();
    assert_eq!(left(&path), 3);
    let store = Store::open(&path).unwrap();
    let cutoff = now_ms() - 60 * 86_400_000;
    assert!(store
        .list(10, 0)
        .unwrap()
        .iter()
        .all(|r| r.created_at >= cutoff));
    wenshu_with_db(&path)
        .args(["history", "purge", "--older-than", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("90d"));
}

#[test]
fn masking_replaces_personal_data_in_the_stored_copy_only() {
    let (dir, path) = db();
    let input = "請陳先生（身份證A123456(7)）致電9123 4567或電郵chan@example.gov.hk確認出席。";
    let source = dir.path().join("in.txt");
    std::fs::write(&source, input).unwrap();
    let out = wenshu_with_db(&path)
        .env("WENSHU_MASK", "on")
        .args(["polish", "--max-tokens", "40", "--json"])
        .arg(&source)
        .output()
        .unwrap();
    let result = json_of(&out);
    let id = result["run_id"].as_i64().unwrap();
    let run = Store::open(&path).unwrap().get(id).unwrap();
    assert!(run.masked);
    assert_eq!(
        run.input,
        "請陳先生（身份證[HKID]）致電[PHONE]或電郵[EMAIL]確認出席。"
    );
    for secret in ["A123456", "9123 4567", "chan@example.gov.hk"] {
        assert!(
            !run.output.contains(secret),
            "stored output still has {secret}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&source).unwrap(),
        input,
        "the user's file is untouched"
    );
    // The user's own result is not masked.
    let shown = result["text"].as_str().unwrap();
    assert!(!shown.contains("[HKID]") && !shown.contains("[PHONE]"));
    // Without the setting, nothing is masked.
    let out = wenshu_with_db(&path)
        .args(["polish", "--max-tokens", "10", "--json"])
        .arg(&source)
        .output()
        .unwrap();
    let id = json_of(&out)["run_id"].as_i64().unwrap();
    assert_eq!(Store::open(&path).unwrap().get(id).unwrap().input, input);
}

#[test]
fn history_export_writes_markdown_json_and_docx_and_delete_removes_runs() {
    let (dir, path) = db();
    let out = wenshu_with_db(&path)
        .args(["polish", "-", "--max-tokens", "20", "--json"])
        .write_stdin("Pls send the form back by Fri.")
        .output()
        .unwrap();
    let id = json_of(&out)["run_id"].as_i64().unwrap().to_string();
    wenshu_with_db(&path)
        .args(["history", "export", &id, "--format", "md"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## Input")
                .and(predicate::str::contains("Pls send the form back by Fri.")),
        );
    let json_out = wenshu_with_db(&path)
        .args(["history", "export", &id, "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(v["runs"][0]["input"], "Pls send the form back by Fri.");
    let docx = dir.path().join("run.docx");
    wenshu_with_db(&path)
        .args(["history", "export", &id, "--format", "docx", "-o"])
        .arg(&docx)
        .assert()
        .success();
    let bytes = std::fs::read(&docx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "a .docx is a zip package");
    wenshu_with_db(&path)
        .args(["history", "delete", &id])
        .assert()
        .success();
    wenshu_with_db(&path)
        .args(["history", "show", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("history list"));
}
