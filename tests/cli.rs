//! The `wenshu` binary end to end: exit codes 0/1/2, `--json` shape, input
//! from standard input, errors that say what to do.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::util::{demo_model, root, sample, scratch_db, scratch_home, write_tiny_gguf};

fn wenshu() -> Command {
    let mut cmd = Command::cargo_bin("wenshu").expect("wenshu binary is built");
    cmd.env_remove("WENSHU_MODEL")
        .env_remove("WENSHU_HOME")
        .env_remove("RUST_LOG");
    cmd.env("WENSHU_MODEL", demo_model());
    // Runs go to a scratch database, never the tester's own history.
    cmd.env("WENSHU_DB", scratch_db());
    cmd.env("WENSHU_HOME", scratch_home());
    cmd.current_dir(root());
    cmd
}

#[test]
fn summarise_reads_standard_input_streams_text_and_exits_0() {
    let assert = wenshu()
        .args(["summarise", "--max-tokens", "64", "--to", "zh-Hant"])
        .write_stdin(sample("press-release.zh-Hant.txt"))
        .assert()
        .success()
        .code(0);
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        out.lines().any(|l| l.starts_with("- ")),
        "no key point in {out:?}"
    );
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.contains("tokens"), "timings go to stderr: {err}");
}

#[test]
fn json_output_carries_the_result_provenance_and_timings() {
    let output = wenshu()
        .args([
            "translate",
            "-",
            "--to",
            "en",
            "--json",
            "--max-tokens",
            "40",
            "--seed",
            "7",
        ])
        .write_stdin("政府今日公布新措施。\n\n措施將於下月一日生效。")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON object");
    assert_eq!(v["task"], "translate");
    assert_eq!(v["source_lang"], "zh-Hant");
    assert_eq!(v["target_lang"], "en");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["input_paragraphs"], 2);
    assert_eq!(v["output_paragraphs"], 2);
    assert!(v["text"].is_string());
    let p = &v["provenance"];
    assert_eq!(p["model_file"], "gemma-3-270m-q4_k_m.gguf");
    assert_eq!(
        p["model_sha256"],
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    );
    assert_eq!(p["sampling"]["seed"], 7);
    assert_eq!(p["prompts"][0]["id"], "translate.general.zh-Hant-to-en");
    assert!(p["prompts"][0]["version"].as_u64().unwrap() >= 1);
    assert_eq!(p["prompts"][0]["hash"].as_str().unwrap().len(), 64);
    assert!(p["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    assert!(p["usage"]["total_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_file_argument_works_and_draft_needs_a_type() {
    wenshu()
        .args(["draft", "samples/notice.en.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--type"));
    wenshu()
        .args([
            "draft",
            "samples/notice.en.txt",
            "--type",
            "memo",
            "--to",
            "en",
            "--max-tokens",
            "30",
        ])
        .assert()
        .code(0);
}

#[test]
fn bad_arguments_and_bad_input_exit_2_with_the_fix() {
    wenshu()
        .args(["draft", "--type", "haiku", "-"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("memo"));
    wenshu()
        .args(["summarise", "-"])
        .write_stdin("   \n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    wenshu()
        .args(["summarise", "no/such/file.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.txt"));
    wenshu()
        .args(["translate", "-", "--to", "en"])
        .write_stdin("Already English text here.")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--to zh-Hant"));
    wenshu()
        .args(["summarise", "-"])
        .write_stdin(vec![0x00, 0x01, 0x02, 0x80, 0xff, 0x00, 0x03, 0x9c])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UTF-8"));
}

#[test]
fn big5_input_is_decoded_rather_than_refused() {
    let text = "政府今日公布新措施，協助市民應付生活開支。\n\n措施下月生效。";
    let (big5, _, lossy) = encoding_rs::BIG5.encode(text);
    assert!(!lossy);
    assert!(
        String::from_utf8(big5.to_vec()).is_err(),
        "the fixture is not UTF-8"
    );
    let out = wenshu()
        .args([
            "translate",
            "-",
            "--to",
            "en",
            "--max-tokens",
            "16",
            "--json",
        ])
        .write_stdin(big5.to_vec())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["source_lang"], "zh-Hant");
    assert_eq!(result["input_paragraphs"], 2);
}

#[test]
fn a_missing_or_broken_model_exits_2_and_a_load_failure_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.gguf");
    wenshu()
        .env("WENSHU_MODEL", &missing)
        .args(["polish", "-"])
        .write_stdin("Hello.")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not found").and(predicate::str::contains("fetch-demo")));
    let empty = dir.path().join("empty.gguf");
    std::fs::write(&empty, b"").unwrap();
    let out = wenshu()
        .env("WENSHU_MODEL", &empty)
        .args(["polish", "-", "--json"])
        .write_stdin("Hello.")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("a JSON error object");
    assert_eq!(v["error"]["code"], "model_empty");
    let alien = dir.path().join("alien.gguf");
    write_tiny_gguf(&alien, &[("general.architecture", "wenshu-test-arch")]);
    wenshu()
        .env("WENSHU_MODEL", &alien)
        .args(["polish", "-"])
        .write_stdin("Hello.")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could not load"));
}

#[test]
fn models_list_info_and_verify_work_on_the_demo_model() {
    wenshu()
        .args(["models", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gemma-3-270m-q4_k_m.gguf"));
    let out = wenshu()
        .args(["models", "info", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["architecture"], "gemma3");
    assert_eq!(v["file_size"], v["expected_size"]);
    wenshu()
        .args(["models", "verify"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        ));
    wenshu()
        .args(["models", "verify", "--sha256", &"0".repeat(64)])
        .assert()
        // A file that is not the one asked for is bad input, like any damaged model.
        .code(2)
        .stderr(predicate::str::contains("sha256"));
}

#[test]
fn ctrl_c_stops_generation_keeps_the_partial_text_and_exits_1() {
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("wenshu");
    let mut child = Std::new(bin)
        .env("WENSHU_MODEL", demo_model())
        .env("WENSHU_DB", scratch_db())
        .env("WENSHU_HOME", scratch_home())
        .args([
            "draft",
            "-",
            "--type",
            "speech",
            "--to",
            "en",
            "--max-tokens",
            "2000",
            "--temperature",
            "0.8",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"Notes: opening of a new library in Tai Po; thank residents; many books and study rooms.").unwrap();
    }
    // Wait for the first streamed bytes, then interrupt.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0, "no output before the interrupt");
    let status = Std::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(1), "stderr: {err}");
    assert!(err.contains("cancelled"), "stderr: {err}");
}
