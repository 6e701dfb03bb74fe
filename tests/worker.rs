//! The supervised model worker (`wenshu worker`) that the desktop app runs
//! inference in: killed mid-generation, the parent survives with the
//! partial text, and the next request starts a new worker and succeeds.

use std::ffi::OsString;
use std::sync::mpsc;
use std::time::Duration;

use wenshu_core::tasks::{Request, TaskKind};
use wenshu_core::worker::{Supervisor, WorkerEvent};

use crate::util::{demo_model, request, sample, scratch_home};

fn supervisor() -> Supervisor {
    let args: Vec<OsString> = ["worker", "--threads", "1", "--ctx", "2048"]
        .iter()
        .map(OsString::from)
        .collect();
    Supervisor::new(assert_cmd::cargo::cargo_bin("wenshu"), args)
        .env("WENSHU_MODEL", demo_model())
        .env("WENSHU_HOME", scratch_home())
        .env("RUST_LOG", "off")
}

fn long_request() -> Request {
    let mut r = request(TaskKind::Translate, &sample("notice.en.txt"), 64);
    r.target = Some(wenshu_core::text::Lang::ZhHant);
    r
}

#[test]
fn killing_the_worker_mid_generation_keeps_the_partial_text_and_the_next_request_succeeds() {
    let supervisor = supervisor();
    let model = supervisor.ensure_started().expect("the worker starts");
    assert_eq!(model.file_name, "gemma-3-270m-q4_k_m.gguf");
    let first_pid = supervisor.pid().expect("a worker is running");

    let (id, events) = supervisor.submit(&long_request()).unwrap();
    assert!(id > 0);
    // Wait for streamed text, then kill the worker without warning.
    let mut partial = String::new();
    loop {
        match events
            .recv_timeout(Duration::from_secs(120))
            .expect("text arrives")
        {
            WorkerEvent::Text { text, .. } => {
                partial.push_str(&text);
                break;
            }
            WorkerEvent::Done { .. } | WorkerEvent::Error { .. } => {
                panic!("the request ended before it could be interrupted")
            }
            _ => {}
        }
    }
    let killed = std::process::Command::new("kill")
        .args(["-9", &first_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The receiver closes: the caller sees a crash, not a hang.
    let rest: Vec<WorkerEvent> = events.iter().collect();
    assert!(
        rest.iter().all(|e| !matches!(e, WorkerEvent::Done { .. })),
        "no result from a killed worker"
    );
    assert!(!partial.is_empty());

    // Through `run`, a crash comes back as worker_crashed with the text so far.
    let (tx, rx) = mpsc::channel();
    let result = supervisor
        .run(
            &request(
                TaskKind::Summarise,
                &sample("press-release.zh-Hant.txt"),
                48,
            ),
            &mut |t| {
                let _ = tx.send(t.to_string());
            },
        )
        .expect("the next request runs in a fresh worker");
    assert!(!result.text.is_empty());
    assert_eq!(rx.try_iter().collect::<String>(), result.text);
    assert_eq!(*supervisor.starts.lock().unwrap(), 2, "one restart");
    assert_ne!(supervisor.pid(), Some(first_pid));
}

#[test]
fn a_worker_killed_during_run_reports_worker_crashed_with_the_partial_text() {
    let supervisor = supervisor();
    supervisor.ensure_started().unwrap();
    let pid = supervisor.pid().unwrap();
    let mut seen = String::new();
    let mut killed = false;
    let outcome = supervisor.run(&long_request(), &mut |t| {
        seen.push_str(t);
        if !killed {
            killed = true;
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    });
    let error = outcome.expect_err("the worker was killed");
    assert_eq!(error.code, "worker_crashed");
    assert_eq!(error.partial, seen, "the streamed text is handed back");
    assert!(!error.partial.is_empty());
}

#[test]
fn a_worker_that_cannot_load_its_model_reports_why() {
    let supervisor = Supervisor::new(
        assert_cmd::cargo::cargo_bin("wenshu"),
        vec![
            "worker".into(),
            "--model".into(),
            "/nonexistent/model.gguf".into(),
        ],
    )
    .env("WENSHU_HOME", scratch_home());
    let error = supervisor
        .ensure_started()
        .expect_err("no model, no worker");
    assert_eq!(error.code, "worker_start");
    assert!(error.message.contains("model.gguf"), "{}", error.message);
}
