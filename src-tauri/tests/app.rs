//! The desktop shell's commands through Tauri's mock runtime (no window,
//! no webview), with the app's real context: its capabilities decide what
//! each window may call, exactly as in the built app. Tasks run in the real
//! model worker (this package's binary) on the demo model.
//!
//! Modules: capabilities (every command granted, each window only its own),
//! commands (settings, documents, history, errors), worker (streaming run,
//! crash and recovery).

// A test binary: its helpers may panic like its tests (clippy.toml
// allows `unwrap` in `#[test]` functions only).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use wenshu_desktop::{AppState, Paths, COMMANDS};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn demo_model() -> PathBuf {
    let path = repo().join("models/gemma-3-270m-q4_k_m.gguf");
    assert!(
        path.is_file(),
        "the demo model is missing at {}; run `make model` (models/fetch-demo) first",
        path.display()
    );
    path
}

struct Harness {
    _dir: tempfile::TempDir,
    home: PathBuf,
    app: App<MockRuntime>,
    main: WebviewWindow<MockRuntime>,
    popup: WebviewWindow<MockRuntime>,
}

/// An app on the mock runtime with its own settings and history files, the
/// demo model set in its settings, and one thread for the worker.
fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_path_buf();
    let settings_path = home.join("settings.toml");
    let mut settings = wenshu_core::settings::Settings::default();
    settings.engine.model = Some(demo_model());
    settings.engine.threads = Some(1);
    settings.engine.n_ctx = 2048;
    settings.save(&settings_path).unwrap();
    let paths = Paths {
        settings: settings_path,
        db: home.join("history.sqlite3"),
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_wenshu-desktop")),
        dev_models: Some(repo().join("models")),
    };
    let app = wenshu_desktop::core_builder(mock_builder(), AppState::new(paths))
        .build(wenshu_desktop::context())
        .unwrap();
    let main = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let popup = WebviewWindowBuilder::new(&app, "popup", Default::default())
        .build()
        .unwrap();
    Harness {
        _dir: dir,
        home,
        app,
        main,
        popup,
    }
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

fn code(err: &Value) -> &str {
    err["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an ApiError: {err}"))
}

fn denied(err: &Value) -> bool {
    err.as_str().is_some_and(|s| s.contains("not allowed"))
}

// ---- capabilities ----------------------------------------------------------

fn granted_by(capability: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("capabilities")
        .join(capability);
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    value["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

#[test]
fn every_registered_command_is_granted_to_a_window_and_every_grant_names_a_command() {
    let main = granted_by("main.json");
    let popup = granted_by("popup.json");
    for command in COMMANDS {
        assert!(
            main.iter().chain(&popup).any(|g| g == command),
            "command `{command}` is registered but no capability grants allow-{}",
            command.replace('_', "-")
        );
    }
    for grant in main.iter().chain(&popup) {
        assert!(
            COMMANDS.contains(&grant.as_str()),
            "a capability grants unknown command `{grant}`"
        );
    }
    // The handler and the list agree: every listed command reaches a handler
    // (a missing one would answer "not found", a denied one "not allowed").
    let h = harness();
    for command in COMMANDS {
        let window = if main.iter().any(|g| g == command) {
            &h.main
        } else {
            &h.popup
        };
        if let Err(err) = invoke(window, command, json!({ "__probe": true })) {
            let text = err.to_string();
            assert!(
                !text.contains("not found") && !denied(&err),
                "{command}: {text}"
            );
        }
    }
}

#[test]
fn the_popup_can_only_call_what_it_uses() {
    let h = harness();
    for command in [
        "history_search",
        "settings_save",
        "batch_start",
        "open_path",
        "history_delete",
    ] {
        let err = invoke(&h.popup, command, json!({})).unwrap_err();
        assert!(denied(&err), "popup could call {command}: {err}");
    }
    let selection = invoke(&h.popup, "popup_text", json!({})).unwrap();
    assert_eq!(selection, json!({ "text": "", "source": "none" }));
    // And the main window has no use for the popup's own commands.
    assert!(denied(
        &invoke(&h.main, "popup_text", json!({})).unwrap_err()
    ));
}

// ---- commands --------------------------------------------------------------

#[test]
fn settings_are_validated_saved_and_reported_by_app_info() {
    let h = harness();
    let mut settings = invoke(&h.main, "settings_get", json!({})).unwrap();
    settings["engine"]["n_ctx"] = json!(16);
    let err = invoke(&h.main, "settings_save", json!({ "settings": settings })).unwrap_err();
    assert_eq!(code(&err), "settings_invalid");
    assert!(err["message"].as_str().unwrap().contains("engine.n_ctx"));

    settings["engine"]["n_ctx"] = json!(4096);
    settings["app"]["ui_lang"] = json!("en");
    settings["history"]["retention_days"] = json!(30);
    invoke(&h.main, "settings_save", json!({ "settings": settings })).unwrap();
    let on_disk = std::fs::read_to_string(h.home.join("settings.toml")).unwrap();
    assert!(
        on_disk.contains("ui_lang = \"en\"") && on_disk.contains("retention_days = 30"),
        "{on_disk}"
    );

    let info = invoke(&h.main, "app_info", json!({})).unwrap();
    assert_eq!(info["settings"]["app"]["ui_lang"], "en");
    assert_eq!(info["model_file"], "gemma-3-270m-q4_k_m.gguf");
    assert_eq!(
        info["model_loaded"], false,
        "no worker before the first request"
    );
    assert_eq!(info["resumable_batch"], Value::Null);
}

#[test]
fn a_model_file_is_checked_and_a_broken_one_is_refused_with_its_code() {
    let h = harness();
    let check = invoke(&h.main, "check_model", json!({ "path": demo_model() })).unwrap();
    assert_eq!(check["architecture"], "gemma3");
    assert_eq!(check["catalog_name"], "gemma-3-270m-demo");
    assert!(
        check["estimated_memory_bytes"].as_u64().unwrap() > check["size_bytes"].as_u64().unwrap()
    );
    let broken = h.home.join("broken.gguf");
    std::fs::write(&broken, b"GGUF\x03\x00\x00\x00truncated").unwrap();
    let err = invoke(&h.main, "check_model", json!({ "path": broken })).unwrap_err();
    assert!(code(&err).starts_with("model_"), "{err}");
}

#[test]
fn output_is_saved_as_docx_or_markdown_and_an_opened_docx_gives_its_paragraphs() {
    let h = harness();
    let text = "第一段，共 3 項。\n\nSecond paragraph.";
    let docx = h.home.join("out.docx");
    invoke(
        &h.main,
        "save_output",
        json!({ "path": docx, "text": text }),
    )
    .unwrap();
    let opened = invoke(&h.main, "open_document", json!({ "path": docx })).unwrap();
    assert_eq!(opened["format"], "docx");
    assert_eq!(opened["text"], text);
    assert_eq!(opened["blocks"], 2);

    let md = h.home.join("out.md");
    invoke(&h.main, "save_output", json!({ "path": md, "text": text })).unwrap();
    assert_eq!(std::fs::read_to_string(&md).unwrap(), format!("{text}\n"));

    let err = invoke(
        &h.main,
        "save_output",
        json!({ "path": h.home.join("out.exe"), "text": text }),
    )
    .unwrap_err();
    assert_eq!(code(&err), "save_format");
    let err = invoke(
        &h.main,
        "open_document",
        json!({ "path": h.home.join("none.docx") }),
    )
    .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("none.docx"),
        "{err}"
    );
}

#[test]
fn empty_input_and_a_draft_without_a_type_are_refused_before_the_model_starts() {
    let h = harness();
    let err = invoke(
        &h.main,
        "run_task",
        json!({ "request": { "task": "summarise", "input": "  \n" }, "onEvent": "__CHANNEL__:1" }),
    )
    .unwrap_err();
    assert_eq!(code(&err), "input_empty");
    let err = invoke(
        &h.main,
        "run_task",
        json!({ "request": { "task": "draft", "input": "notes" }, "onEvent": "__CHANNEL__:2" }),
    )
    .unwrap_err();
    assert_eq!(code(&err), "missing_doc_type");
    assert!(h.app.state::<AppState>().worker_pid().is_none());
}

#[test]
fn a_batch_with_the_output_inside_nothing_is_refused_before_any_model_loads() {
    let h = harness();
    let src = h.home.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let err = invoke(
        &h.main,
        "batch_start",
        json!({ "request": { "source": src, "out": src, "target": "en", "bilingual": false }, "onEvent": "__CHANNEL__:3" }),
    )
    .unwrap_err();
    assert_eq!(code(&err), "batch_out_is_source");
    let jobs = invoke(&h.main, "batch_jobs", json!({})).unwrap();
    assert_eq!(jobs, json!([]));
}

// ---- the model worker ------------------------------------------------------

const PARAGRAPH: &str =
    "The Transport Department will open 3 new cross-harbour bus routes on 1 March. \
Passengers can check timetables at all 120 stops and on the department's website.";

#[test]
fn a_summary_runs_in_the_worker_is_kept_in_history_and_found_by_a_word_of_it() {
    let h = harness();
    let outcome = invoke(
        &h.main,
        "run_task",
        json!({ "request": { "task": "summarise", "input": PARAGRAPH, "target": "en", "max_points": 3 }, "onEvent": "__CHANNEL__:4" }),
    )
    .unwrap();
    assert_eq!(outcome["status"], "completed", "{outcome}");
    assert!(
        !outcome["text"].as_str().unwrap().trim().is_empty(),
        "{outcome}"
    );
    assert_eq!(outcome["model_file"], "gemma-3-270m-q4_k_m.gguf");
    let run_id = outcome["run_id"].as_i64().expect("history row id");
    let found = invoke(
        &h.main,
        "history_search",
        json!({ "query": "cross-harbour", "limit": 10 }),
    )
    .unwrap();
    assert_eq!(found[0]["id"].as_i64(), Some(run_id), "{found}");
    let record = invoke(&h.main, "history_get", json!({ "id": run_id })).unwrap();
    assert_eq!(record["input"], PARAGRAPH);
    assert_eq!(record["output"], outcome["text"]);
    assert_eq!(
        invoke(&h.main, "history_delete", json!({ "ids": [run_id] })).unwrap(),
        1
    );
    assert_eq!(
        invoke(
            &h.main,
            "history_search",
            json!({ "query": "cross-harbour" })
        )
        .unwrap(),
        json!([])
    );
}

#[test]
fn killing_the_worker_mid_generation_fails_that_request_only_and_the_next_one_succeeds() {
    let h = harness();
    let state_app = h.app.handle().clone();
    let long_input = [PARAGRAPH; 6].join("\n\n");
    let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let killed = killed.clone();
        std::thread::spawn(move || {
            let state = state_app.state::<AppState>();
            let started = Instant::now();
            // Wait for the worker, then for the model to be generating.
            while state.worker_pid().is_none() && started.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(2500));
            if let Some(pid) = state.worker_pid() {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
                killed.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        })
    };
    let err = invoke(
        &h.main,
        "run_task",
        json!({ "request": { "task": "translate", "input": long_input, "target": "zh-Hant" }, "onEvent": "__CHANNEL__:5" }),
    )
    .unwrap_err();
    killer.join().unwrap();
    assert!(killed.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(code(&err), "worker_crashed", "{err}");
    assert!(err["details"]["partial"].is_string());

    let outcome = invoke(
        &h.main,
        "run_task",
        json!({ "request": { "task": "translate", "input": "本署明日開放。", "target": "en" }, "onEvent": "__CHANNEL__:6" }),
    )
    .unwrap();
    assert_eq!(outcome["status"], "completed");
    assert_eq!(outcome["source_paragraphs"], json!(["本署明日開放。"]));
    assert_eq!(outcome["output_paragraphs"].as_array().unwrap().len(), 1);
}

#[test]
fn a_job_left_unfinished_is_offered_for_resumption_and_a_finished_one_is_not() {
    let h = harness();
    let src = h.home.join("src");
    let job = {
        let mut store = wenshu_core::store::Store::open(&h.home.join("history.sqlite3")).unwrap();
        let id = store
            .batch_create(
                "identity",
                &src.to_string_lossy(),
                "/tmp/out",
                "en",
                &json!({ "bilingual": true }),
            )
            .unwrap();
        store
            .batch_set_status(id, wenshu_core::store::JobStatus::Interrupted)
            .unwrap();
        id
    };
    let info = invoke(&h.main, "app_info", json!({})).unwrap();
    assert_eq!(info["resumable_batch"]["id"].as_i64(), Some(job), "{info}");
    assert_eq!(info["resumable_batch"]["status"], "interrupted");
    let jobs = invoke(&h.main, "batch_jobs", json!({})).unwrap();
    assert_eq!(jobs[0]["source_dir"], src.to_string_lossy().as_ref());

    invoke(&h.main, "batch_cancel", json!({ "job": job })).unwrap();
    let info = invoke(&h.main, "app_info", json!({})).unwrap();
    assert_eq!(
        info["resumable_batch"],
        Value::Null,
        "a cancelled job is not offered"
    );
}

// ---- one export format -----------------------------------------------------

/// The `wenshu` CLI built beside this test (`cargo test --workspace` builds it).
fn cli() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let cli = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join(format!("wenshu{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cli.is_file(),
        "the CLI is not built at {}; run the tests with `cargo test --workspace`",
        cli.display()
    );
    cli
}

#[test]
fn the_cli_and_the_app_export_the_same_runs_as_the_same_bytes() {
    let h = harness();
    let db = h.home.join("history.sqlite3");
    wenshu_core::bench::history::fill(&db, 3, 7, &mut |_| {}).unwrap();
    for ext in ["md", "json"] {
        let from_app = h.home.join(format!("app.{ext}"));
        let n = invoke(
            &h.main,
            "history_export",
            json!({ "ids": [3, 1, 2], "path": from_app }),
        )
        .unwrap();
        assert_eq!(n, json!(3));
        let from_cli = h.home.join(format!("cli.{ext}"));
        let status = std::process::Command::new(cli())
            .env("WENSHU_HOME", &h.home)
            .args(["--db"])
            .arg(&db)
            .args(["history", "export", "3", "1", "2", "-o"])
            .arg(&from_cli)
            .status()
            .unwrap();
        assert!(status.success(), "{status}");
        let app_bytes = std::fs::read(&from_app).unwrap();
        assert_eq!(
            app_bytes,
            std::fs::read(&from_cli).unwrap(),
            "the .{ext} exports differ"
        );
        let text = String::from_utf8(app_bytes).unwrap();
        match ext {
            "md" => {
                assert_eq!(text.matches("\n---\n\n# Wenshu run ").count(), 2, "{text}");
                assert!(text.starts_with("# Wenshu run 3\n"), "in the order asked");
                assert!(text.ends_with('\n') && !text.ends_with("\n\n"));
            }
            _ => {
                let value: Value = serde_json::from_str(&text).unwrap();
                let ids: Vec<i64> = value["runs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_i64().unwrap())
                    .collect();
                assert_eq!(ids, [3, 1, 2]);
            }
        }
    }
}
