//! The GitHub Action and the pre-commit hook: their definitions checked
//! structurally, and the action's step scripts run the way the runner runs them
//! (inputs as `INPUT_*` variables from `action.yml`'s defaults, `GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY`, `GITHUB_ACTION_PATH`) against a git repository with a
//! pull request's history.

mod common;

use common::{git, project, root};
use saphyr::{LoadableYamlNode, Yaml};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn load(path: &str) -> Yaml<'static> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let text: &'static str = Box::leak(text.into_boxed_str());
    Yaml::load_from_str(text).unwrap().remove(0)
}

fn text<'a>(y: &'a Yaml<'a>) -> Option<&'a str> {
    y.as_str()
}

/// A mapping's value, `None` when absent (indexing panics).
fn get<'a>(y: &'a Yaml<'a>, key: &str) -> Option<&'a Yaml<'a>> {
    y.as_mapping_get(key)
}

fn keys<'a>(y: &'a Yaml<'a>) -> Vec<&'a str> {
    y.as_mapping()
        .map(|m| m.keys().filter_map(|k| k.as_str()).collect())
        .unwrap_or_default()
}

/// Inputs and their defaults, as the runner would pass them.
fn input_defaults() -> BTreeMap<String, String> {
    let action = load("action.yml");
    let inputs = &action["inputs"];
    keys(inputs)
        .into_iter()
        .map(|k| {
            let d = get(&inputs[k], "default")
                .and_then(text)
                .unwrap_or("")
                .to_string();
            (k.to_string(), d)
        })
        .collect()
}

#[test]
fn action_yml_is_a_complete_composite_action() {
    let action = load("action.yml");
    for key in ["name", "description", "inputs", "outputs", "runs"] {
        assert!(get(&action, key).is_some(), "action.yml lacks `{key}`");
    }
    assert_eq!(text(&action["runs"]["using"]), Some("composite"));
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let mut used = String::new();
    let mut step_ids = Vec::new();
    for step in steps {
        let name = get(step, "name")
            .and_then(text)
            .expect("every step is named");
        if let Some(run) = get(step, "run").and_then(text) {
            assert!(
                get(step, "shell").and_then(text).is_some(),
                "step {name:?} has no shell"
            );
            // Scripts live in files the tests run; they must exist.
            if let Some(script) = run.split("$GITHUB_ACTION_PATH/").nth(1) {
                let script = script.trim_end_matches(['"', '\n']);
                assert!(root().join(script).is_file(), "{script} is missing");
            }
        } else {
            assert!(
                get(step, "uses").and_then(text).is_some(),
                "step {name:?} neither runs nor uses"
            );
        }
        if let Some(id) = get(step, "id").and_then(text) {
            step_ids.push(id.to_string());
        }
        for k in keys(step) {
            let _ = writeln!(used, "{k}: {:?}", step[k]);
        }
    }
    // Every input reaches a step, and every step output read exists.
    let inputs = keys(&action["inputs"]);
    for required in [
        "path",
        "config",
        "format",
        "fail-on",
        "baseline",
        "sarif-file",
        "annotations",
        "summary",
        "args",
        "only-changed",
        "skip-install",
    ] {
        assert!(inputs.contains(&required), "input {required} is missing");
    }
    for input in &inputs {
        assert!(
            used.contains(&format!("inputs.{input} "))
                || used.contains(&format!("inputs.{input}}}")),
            "input {input} is never used"
        );
        assert!(
            get(&action["inputs"][*input], "description").is_some(),
            "input {input} has no description"
        );
    }
    assert_eq!(input_defaults()["sarif-file"], "bucketlint.sarif");
    for output in ["sarif-file", "findings", "exit-code"] {
        let value = text(&action["outputs"][output]["value"]).unwrap();
        let step = value
            .split("steps.")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap();
        assert!(
            step_ids.iter().any(|s| s == step),
            "{output} reads unknown step {step}"
        );
    }
}

/// Two hooks, one contract: the repository's own (`language: rust`, built from
/// source) and the mirror's (`language: python`, the prebuilt wheel) differ only in
/// how bucketlint is installed.
#[test]
fn pre_commit_hook_definitions_are_complete_and_agree() {
    let rust = load(".pre-commit-hooks.yaml");
    let python = load("pre-commit-mirror/.pre-commit-hooks.yaml");
    let rust = &rust.as_sequence().unwrap()[0];
    let python = &python.as_sequence().unwrap()[0];
    assert_eq!(text(&rust["language"]), Some("rust"));
    assert_eq!(text(&python["language"]), Some("python"));
    for hook in [rust, python] {
        assert_eq!(text(&hook["id"]), Some("bucketlint"));
        assert_eq!(text(&hook["entry"]), Some("bucketlint check --pre-commit"));
        assert_eq!(hook["require_serial"].as_bool(), Some(true));
        assert!(text(&hook["name"]).is_some());
    }
    for key in [
        "files",
        "pass_filenames",
        "minimum_pre_commit_version",
        "name",
    ] {
        assert_eq!(rust[key], python[key], "the two hooks differ in {key}");
    }
    let files = text(&rust["files"]).unwrap();
    for ext in [
        "main.tf",
        "x.tf.json",
        "prod.tfvars",
        "t.yaml",
        "t.yml",
        "t.json",
        "t.template",
    ] {
        assert!(
            matches_files_pattern(files, ext),
            "{files} does not match {ext}"
        );
    }
    assert!(!matches_files_pattern(files, "README.md"));
    // The mirror installs the wheel of this very version.
    let mirror = std::fs::read_to_string(root().join("pre-commit-mirror/pyproject.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        mirror.contains(&format!("version = \"{version}\""))
            && mirror.contains(&format!("\"bucketlint=={version}\"")),
        "pre-commit-mirror/pyproject.toml must pin bucketlint {version}"
    );
}

/// The hook's `files` pattern is an alternation of extensions: check it by
/// expanding it (no regex engine needed for this one shape).
fn matches_files_pattern(pattern: &str, name: &str) -> bool {
    let inner = pattern
        .strip_prefix("\\.(")
        .and_then(|p| p.strip_suffix(")$"))
        .expect("the pattern is `\\.(a|b|...)$`");
    inner.split('|').any(|alt| {
        let alt = alt.replace("\\.", ".");
        let options: Vec<String> = if let Some(rest) = alt.strip_prefix("ya?") {
            vec![format!("ya{rest}"), format!("y{rest}")]
        } else {
            vec![alt]
        };
        options.iter().any(|o| name.ends_with(&format!(".{o}")))
    })
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

const PUBLIC: &str = "resource \"aws_s3_bucket\" \"NAME\" {\n  bucket = \"example-NAME\"\n  acl    = \"public-read\"\n}\n";

/// A repository whose `main` has `old.tf`, and a pull-request branch that adds
/// `new.tf`.
fn pull_request_repo() -> tempfile::TempDir {
    let dir = project(&[("infra/old.tf", &PUBLIC.replace("NAME", "old"))]);
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "feature"]);
    std::fs::write(d.join("infra/new.tf"), PUBLIC.replace("NAME", "new")).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "add a bucket"]);
    dir
}

struct Step {
    code: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

/// Runs an action script in `repo` as the runner would.
fn run_step(script: &str, repo: &Path, env: &[(&str, &str)], path: &str) -> Step {
    let runner = tempfile::tempdir().unwrap();
    let output = runner.path().join("output");
    let summary = runner.path().join("summary");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("action").join(script))
        .current_dir(repo)
        .env("PATH", path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_PATH", runner.path().join("path"))
        .env("RUNNER_TEMP", runner.path())
        // Never the real tool cache; never the network (nothing listens on port 9).
        .env("RUNNER_TOOL_CACHE", runner.path())
        .env("BUCKETLINT_DOWNLOAD_URL", "http://127.0.0.1:9/releases");
    for (k, v) in input_defaults() {
        cmd.env(format!("INPUT_{}", k.to_uppercase().replace('-', "_")), v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Step {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap(),
    }
}

/// PATH with the bucketlint under test first.
fn path_with_bucketlint() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_bucketlint"));
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn annotated_files(stdout: &str) -> Vec<String> {
    let mut files: Vec<String> = stdout
        .lines()
        .filter(|l| {
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")
        })
        .filter_map(|l| l.split("file=").nth(1))
        .map(|rest| rest.split(',').next().unwrap().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The scan step on a fresh pull-request repository; `None` without git and bash.
fn scan_pull_request(env: &[(&str, &str)]) -> Option<(tempfile::TempDir, Step)> {
    if !have("git") || !have("bash") {
        eprintln!("skipped: git and bash are needed");
        return None;
    }
    let repo = pull_request_repo();
    let step = run_step("scan.sh", repo.path(), env, &path_with_bucketlint());
    Some((repo, step))
}

#[test]
fn the_scan_step_annotates_changed_files_and_writes_everything_else() {
    let Some((repo, step)) = scan_pull_request(&[
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_BASE_REF", "main"),
    ]) else {
        return;
    };
    assert_eq!(step.code, 1, "{}", step.stdout);
    assert_eq!(step.outputs["exit-code"], "1");
    assert_eq!(step.outputs["sarif-file"], "bucketlint.sarif");
    // Annotations only for the file the pull request added.
    assert_eq!(
        annotated_files(&step.stdout),
        ["infra/new.tf"],
        "{}",
        step.stdout
    );
    assert!(
        step.stdout.contains("in files this change does not touch"),
        "{}",
        step.stdout
    );
    // The text report (default `format`) is in the log, with both files.
    assert!(
        step.stdout.contains("--> infra/old.tf:3:12"),
        "{}",
        step.stdout
    );
    // The SARIF has everything, and the count matches the JSON report.
    let sarif_text = std::fs::read_to_string(repo.path().join("bucketlint.sarif")).unwrap();
    common::assert_valid_sarif(&sarif_text);
    let sarif: Value = serde_json::from_str(&sarif_text).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"infra/old.tf") && uris.contains(&"infra/new.tf"));
    let json = Command::new(env!("CARGO_BIN_EXE_bucketlint"))
        .current_dir(repo.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        step.outputs["findings"],
        json["summary"]["findings"].to_string()
    );
    assert_eq!(uris.len().to_string(), step.outputs["findings"]);
    // The job summary.
    assert!(
        step.summary.starts_with("## bucketlint"),
        "{}",
        step.summary
    );
    assert!(
        step.summary.contains("`infra/new.tf:1`"),
        "{}",
        step.summary
    );
}

/// `new-only`: the pull request is judged by what it adds (`--new-since` against the
/// base branch); the SARIF still has every finding, the old ones `unchanged`.
#[test]
fn new_only_reports_what_the_pull_request_introduces() {
    let Some((repo, step)) = scan_pull_request(&[
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_BASE_REF", "main"),
        ("INPUT_NEW_ONLY", "true"),
        ("INPUT_FORMAT", "concise"),
    ]) else {
        return;
    };
    assert_eq!(step.code, 1, "{}", step.stdout);
    let concise: Vec<&str> = step.stdout.lines().filter(|l| l.contains(": BL")).collect();
    assert!(!concise.is_empty());
    assert!(
        concise.iter().all(|l| l.starts_with("infra/new.tf:")),
        "{}",
        step.stdout
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("bucketlint.sarif")).unwrap(),
    )
    .unwrap();
    let states: Vec<(&str, &str)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
                r["baselineState"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        states.contains(&("infra/old.tf", "unchanged")),
        "{states:?}"
    );
    assert!(states.contains(&("infra/new.tf", "new")), "{states:?}");
    assert_eq!(
        step.outputs["findings"],
        concise.len().to_string(),
        "{}",
        step.stdout
    );
    assert!(
        step.summary.contains("already at `main`"),
        "{}",
        step.summary
    );
    // Without a base branch (a push), it says so and reports everything.
    let Some((_, step)) =
        scan_pull_request(&[("GITHUB_EVENT_NAME", "push"), ("INPUT_NEW_ONLY", "true")])
    else {
        return;
    };
    assert!(
        step.stdout
            .contains("new-only needs a pull request's base branch"),
        "{}",
        step.stdout
    );
    assert!(step.stdout.contains("infra/old.tf"), "{}", step.stdout);
}

#[test]
fn on_a_push_every_finding_is_annotated_and_inputs_apply() {
    let Some((repo, step)) = scan_pull_request(&[
        ("GITHUB_EVENT_NAME", "push"),
        ("INPUT_FAIL_ON", "critical"),
        ("INPUT_SUMMARY", "false"),
        ("INPUT_FORMAT", "concise"),
        ("INPUT_SARIF_FILE", "out/report.sarif"),
        ("INPUT_ARGS", "--select BL110"),
    ]) else {
        return;
    };
    // Public-read is high, not critical: the step passes.
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert_eq!(step.outputs["exit-code"], "0");
    assert_eq!(step.outputs["findings"], "2");
    assert_eq!(
        annotated_files(&step.stdout),
        ["infra/new.tf", "infra/old.tf"]
    );
    assert!(
        step.stdout.contains("infra/new.tf:3:12: BL110 [high]"),
        "{}",
        step.stdout
    );
    assert!(step.summary.is_empty());
    // Report directories are created.
    assert!(repo.path().join("out/report.sarif").is_file());
}

#[test]
fn the_prepare_step_skips_the_build_when_bucketlint_is_on_path() {
    if !have("bash") {
        eprintln!("skipped: bash is needed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let step = run_step("prepare.sh", dir.path(), &[], &path_with_bucketlint());
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert_eq!(step.outputs["build"], "false");
    // Without one on PATH it plans a cached build keyed by OS, arch, ref and rustc.
    let cargo = Command::new("sh")
        .args(["-c", "command -v cargo"])
        .output()
        .unwrap();
    let cargo = String::from_utf8(cargo.stdout).unwrap();
    let cargo_dir = Path::new(cargo.trim())
        .parent()
        .unwrap()
        .display()
        .to_string();
    let step = run_step(
        "prepare.sh",
        dir.path(),
        &[
            ("ACTION_REF", "v1.2.3"),
            ("RUNNER_OS_NAME", "Linux"),
            ("RUNNER_ARCH_NAME", "X64"),
        ],
        &format!("{cargo_dir}:/usr/bin:/bin"),
    );
    assert_eq!(step.code, 0, "{}", step.stdout);
    // No release binary could be fetched: it plans a build from source, cached by the
    // exact commit of the action (a tag or branch may move).
    assert!(
        step.stdout.contains("no release binary at"),
        "{}",
        step.stdout
    );
    assert_eq!(step.outputs["build"], "true");
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "v1.2.3".to_string(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        );
    assert!(
        step.outputs["cache-key"].starts_with(&format!("bucketlint-Linux-X64-{commit}-rustc_")),
        "{:?}",
        step.outputs
    );
    assert!(step.outputs["root"].ends_with(&format!("bucketlint/{commit}")));
    // skip-install without a binary is a clear error.
    let step = run_step(
        "prepare.sh",
        dir.path(),
        &[("INPUT_SKIP_INSTALL", "true")],
        "/usr/bin:/bin",
    );
    assert_eq!(step.code, 1);
    assert!(
        step.stdout.contains("no bucketlint is on PATH"),
        "{}",
        step.stdout
    );
}

/// A release server on 127.0.0.1: GET serves the files under `dir` (200), anything
/// else is 404. Serves until the test process ends.
fn serve(dir: &Path) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let body = (!path.contains("..") && file.is_file())
                .then(|| std::fs::read(&file).ok())
                .flatten();
            let mut stream = &stream;
            let _ = match body {
                Some(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    format!("http://{addr}")
}

fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const LINUX_ARCHIVE: &str = "bucketlint-x86_64-unknown-linux-musl.tar.gz";

/// A fake release `v{version}` under `dir/releases`: the binary under test in the
/// Linux x86_64 archive and its checksum file, as the release workflow names them.
fn fake_release(dir: &Path, version: &str) {
    let release = format!("releases/v{version}");
    std::fs::create_dir_all(dir.join(&release)).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_bucketlint"), dir.join("bucketlint")).unwrap();
    sh(
        dir,
        &format!("tar -czf {release}/{LINUX_ARCHIVE} bucketlint"),
    );
    sh(
        dir,
        &format!(
            "cd {release} && sha256sum {LINUX_ARCHIVE} > bucketlint-x86_64-unknown-linux-musl.sha256"
        ),
    );
}

fn have_download_tools() -> bool {
    let ok = ["bash", "curl", "tar", "sha256sum"].iter().all(|t| have(t));
    if !ok {
        eprintln!("skipped: bash, curl, tar and sha256sum are needed");
    }
    ok
}

/// A release is downloaded over HTTP from a server on 127.0.0.1, its SHA-256
/// checked, and used without a build; a binary that does not match its checksum is
/// refused; a release without this runner's archive falls back to a build.
#[test]
fn the_prepare_step_downloads_a_verified_release() {
    if !have_download_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fake_release(dir.path(), "9.9.9");
    let url = format!("{}/releases", serve(dir.path()));
    let cache = dir.path().join("cache");
    let cache_dir = cache.display().to_string();
    let env = [
        ("ACTION_REF", "v9.9.9"),
        ("RUNNER_OS_NAME", "Linux"),
        ("RUNNER_ARCH_NAME", "X64"),
        ("BUCKETLINT_DOWNLOAD_URL", url.as_str()),
        ("RUNNER_TOOL_CACHE", cache_dir.as_str()),
    ];
    // No cargo on PATH: success means nothing was built.
    let step = run_step("prepare.sh", dir.path(), &env, "/usr/bin:/bin");
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert_eq!(step.outputs["build"], "false");
    assert!(
        step.stdout
            .contains("bucketlint 9.9.9 for x86_64-unknown-linux-musl: downloaded, SHA-256 "),
        "{}",
        step.stdout
    );
    let exe = cache.join("bucketlint/v9.9.9-x86_64-unknown-linux-musl/bin/bucketlint");
    let out = Command::new(&exe).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("bucketlint "));

    // The `version` input wins over the ref, and must be a version.
    let step = run_step(
        "prepare.sh",
        dir.path(),
        &[
            ("INPUT_VERSION", "latest"),
            ("RUNNER_TOOL_CACHE", cache_dir.as_str()),
        ],
        "/usr/bin:/bin",
    );
    assert_eq!(step.code, 1);
    assert!(
        step.stdout.contains("is not a release version"),
        "{}",
        step.stdout
    );

    // A moving tag (`@v0`, `@v0.1`) is a release commit: its own version is downloaded.
    let version = env!("CARGO_PKG_VERSION");
    fake_release(dir.path(), version);
    let major = format!("v{}", version.split('.').next().unwrap());
    let minor = format!("v{}", version.rsplit_once('.').unwrap().0);
    for tag in [major.as_str(), minor.as_str()] {
        let mut moving = env;
        moving[0] = ("ACTION_REF", tag);
        let step = run_step("prepare.sh", dir.path(), &moving, "/usr/bin:/bin");
        assert_eq!(step.code, 0, "{tag}: {}", step.stdout);
        assert!(
            step.stdout.contains(&format!(
                "bucketlint {version} for x86_64-unknown-linux-musl: downloaded"
            )),
            "{tag}: {}",
            step.stdout
        );
    }
    // Another series's tag, or a branch, is not a release of this source: no download.
    for reference in ["v99", "main"] {
        let mut other = env;
        other[0] = ("ACTION_REF", reference);
        let step = run_step("prepare.sh", dir.path(), &other, "/usr/bin:/bin");
        assert!(
            !step.stdout.contains("downloaded") && step.stdout.contains("needs a Rust toolchain"),
            "{reference}: {}",
            step.stdout
        );
    }

    // A release with no archive for this runner (404): a build from source is planned.
    let mut arm = env;
    arm[2] = ("RUNNER_ARCH_NAME", "ARM64");
    let step = run_step("prepare.sh", dir.path(), &arm, "/usr/bin:/bin");
    assert!(
        step.stdout.contains(&format!(
            "no release binary at {url}/v9.9.9/bucketlint-aarch64-unknown-linux-musl.tar.gz"
        )),
        "{}",
        step.stdout
    );
    // (Without cargo on PATH that build is a clear error.)
    assert_eq!(step.code, 1, "{}", step.stdout);
    assert!(
        step.stdout.contains("needs a Rust toolchain"),
        "{}",
        step.stdout
    );

    // A tampered archive is refused, never run and never built around.
    std::fs::remove_dir_all(&cache).unwrap();
    sh(
        dir.path(),
        &format!("echo tampered >> releases/v9.9.9/{LINUX_ARCHIVE}"),
    );
    let step = run_step("prepare.sh", dir.path(), &env, "/usr/bin:/bin");
    assert_eq!(step.code, 1, "{}", step.stdout);
    assert!(
        step.stdout.contains("does not match its published SHA-256"),
        "{}",
        step.stdout
    );
    assert!(!exe.exists());
}

#[test]
fn the_install_step_uses_a_restored_build() {
    if !have("bash") {
        eprintln!("skipped: bash is needed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_bucketlint"), bin.join("bucketlint")).unwrap();
    let root_dir = dir.path().display().to_string();
    // No cargo on PATH: a rebuild would fail, so success means the cache was used.
    let step = run_step(
        "install.sh",
        dir.path(),
        &[("INSTALL_ROOT", &root_dir), ("CACHE_HIT", "true")],
        "/usr/bin:/bin",
    );
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert!(
        step.stdout.contains("restored from the cache: bucketlint "),
        "{}",
        step.stdout
    );
}

/// What a simulated job did: the steps that ran (by name), the one that failed.
struct Job {
    ran: Vec<String>,
    failed: Option<String>,
    log: String,
}

/// The value of a `${{ }}` expression or `if:` operand the action uses.
fn context_value(
    expr: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let expr = expr.trim();
    if let Some(name) = expr.strip_prefix("inputs.") {
        return inputs[name].clone();
    }
    if let Some(rest) = expr.strip_prefix("steps.") {
        let (id, name) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
        return outputs
            .get(id)
            .and_then(|o| o.get(name))
            .cloned()
            .unwrap_or_default();
    }
    match expr {
        "github.action_ref" => "main".into(),
        "runner.os" => "Linux".into(),
        "runner.arch" => "X64".into(),
        _ => panic!("the simulated runner does not know `{expr}`: teach it"),
    }
}

fn substitute(
    text: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start;
        out.push_str(&context_value(&rest[start + 3..end], inputs, outputs));
        rest = &rest[end + 2..];
    }
    out + rest
}

/// An `if:` of the shapes the action uses: `A == 'v'` and `A != 'v'` joined by `&&`.
fn condition(
    text: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> bool {
    text.split("&&").all(|term| {
        let (lhs, rhs, equal) = if let Some((l, r)) = term.split_once("==") {
            (l, r, true)
        } else {
            let (l, r) = term.split_once("!=").expect("`==` or `!=`");
            (l, r, false)
        };
        let rhs = rhs.trim().trim_matches('\'');
        (context_value(lhs, inputs, outputs) == rhs) == equal
    })
}

/// The composite action as the runner runs it: each step of action.yml in order,
/// its `if:` evaluated and its `${{ }}` substituted; `run:` steps in bash with their
/// `env:`, `GITHUB_PATH` entries put first on PATH for the later steps; the two cache
/// actions simulated on `store` (restore copies a saved key back, save copies the
/// path in). A step that fails ends the job, as it does on GitHub.
fn run_job(repo: &Path, store: &Path, env: &[(&str, &str)], path: &str) -> Job {
    let action = load("action.yml");
    let inputs = input_defaults();
    let runner = tempfile::tempdir().unwrap();
    let github_path = runner.path().join("path");
    std::fs::write(&github_path, "").unwrap();
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut job = Job {
        ran: Vec::new(),
        failed: None,
        log: String::new(),
    };
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        let name = text(&step["name"]).unwrap().to_string();
        if let Some(cond) = get(step, "if").and_then(text)
            && !condition(cond, &inputs, &outputs)
        {
            continue;
        }
        job.ran.push(name.clone());
        let id = get(step, "id").and_then(text).unwrap_or("").to_string();
        let with = |key: &str| substitute(text(&step["with"][key]).unwrap(), &inputs, &outputs);
        let mut step_outputs = BTreeMap::new();
        let mut ok = true;
        if let Some(uses) = get(step, "uses").and_then(text) {
            let (dir, saved) = (with("path"), store.join(with("key")));
            if uses.starts_with("actions/cache/restore@") {
                let hit = saved.is_dir();
                if hit {
                    sh(
                        store,
                        &format!("mkdir -p '{dir}' && cp -R '{}/.' '{dir}'", saved.display()),
                    );
                }
                step_outputs.insert("cache-hit".into(), if hit { "true" } else { "" }.into());
            } else if uses.starts_with("actions/cache/save@") {
                sh(
                    store,
                    &format!("mkdir -p '{0}' && cp -R '{dir}/.' '{0}'", saved.display()),
                );
            } else {
                panic!("the simulated runner does not know {uses}");
            }
        } else {
            let script = text(&step["run"]).unwrap();
            let output = runner.path().join(format!("output-{}", job.ran.len()));
            std::fs::write(&output, "").unwrap();
            let added: Vec<String> = std::fs::read_to_string(&github_path)
                .unwrap()
                .lines()
                .rev()
                .map(str::to_string)
                .collect();
            let mut cmd = Command::new("bash");
            cmd.args(["-c", script])
                .current_dir(repo)
                .env(
                    "PATH",
                    added
                        .iter()
                        .map(String::as_str)
                        .chain([path])
                        .collect::<Vec<_>>()
                        .join(":"),
                )
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", root())
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", runner.path().join("summary"))
                .env("GITHUB_PATH", &github_path)
                .env("RUNNER_TEMP", runner.path());
            for (k, v) in env {
                cmd.env(k, v);
            }
            if let Some(vars) = get(step, "env") {
                for k in keys(vars) {
                    cmd.env(
                        k,
                        substitute(text(&vars[k]).unwrap_or(""), &inputs, &outputs),
                    );
                }
            }
            let out = cmd.output().unwrap();
            job.log.push_str(&String::from_utf8_lossy(&out.stdout));
            job.log.push_str(&String::from_utf8_lossy(&out.stderr));
            ok = out.status.success();
            for line in std::fs::read_to_string(&output).unwrap().lines() {
                if let Some((k, v)) = line.split_once('=') {
                    step_outputs.insert(k.to_string(), v.to_string());
                }
            }
        }
        outputs.insert(id, step_outputs);
        if !ok {
            job.failed = Some(name);
            break;
        }
    }
    job
}

/// The build-from-source path with findings present: the first job builds, saves
/// the build right after building, then fails on its findings; the next job (a
/// fresh runner) restores the build and compiles nothing.
#[test]
fn a_build_is_cached_even_when_the_scan_fails_on_findings() {
    if !have("bash") || !have("git") {
        eprintln!("skipped: bash and git are needed");
        return;
    }
    let repo = project(&[("main.tf", &PUBLIC.replace("NAME", "x"))]);
    let store = tempfile::tempdir().unwrap();
    // A stand-in toolchain: `cargo install` copies the binary under test into
    // `--root` and counts itself; a real compile is what the cache saves.
    let tools = tempfile::tempdir().unwrap();
    let builds = tools.path().join("builds");
    std::fs::write(
        tools.path().join("cargo"),
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\nmkdir -p \"$root/bin\" && cp '{}' \"$root/bin/bucketlint\"\n",
            builds.display(),
            env!("CARGO_BIN_EXE_bucketlint")
        ),
    )
    .unwrap();
    std::fs::write(tools.path().join("rustc"), "#!/bin/sh\necho rustc 1.95.0\n").unwrap();
    sh(tools.path(), "chmod +x cargo rustc");
    let path = format!("{}:/usr/bin:/bin", tools.path().display());

    let build_count = || {
        std::fs::read_to_string(&builds)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let mut saved_key = String::new();
    for run in 0..2 {
        // Each job is a fresh runner: its own tool cache.
        let tool_cache = tempfile::tempdir().unwrap();
        let tool_cache = tool_cache.path().display().to_string();
        let env = [
            ("RUNNER_TOOL_CACHE", tool_cache.as_str()),
            ("BUCKETLINT_DOWNLOAD_URL", "http://127.0.0.1:9/releases"),
        ];
        let job = run_job(repo.path(), store.path(), &env, &path);
        assert_eq!(job.failed.as_deref(), Some("Scan"), "{}", job.log);
        assert!(job.log.contains("BL110"), "{}", job.log);
        let keys: Vec<String> = std::fs::read_dir(store.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert!(keys[0].starts_with("bucketlint-Linux-X64-"), "{keys:?}");
        if run == 0 {
            assert_eq!(
                job.ran,
                [
                    "Look for bucketlint",
                    "Restore the bucketlint build",
                    "Build bucketlint",
                    "Save the bucketlint build",
                    "Scan"
                ],
                "{}",
                job.log
            );
            assert_eq!(build_count(), 1);
            assert!(store.path().join(&keys[0]).join("bin/bucketlint").is_file());
            saved_key = keys[0].clone();
        } else {
            // Restored, not rebuilt, not saved again.
            assert_eq!(
                job.ran,
                [
                    "Look for bucketlint",
                    "Restore the bucketlint build",
                    "Build bucketlint",
                    "Scan"
                ],
                "{}",
                job.log
            );
            assert_eq!(build_count(), 1, "{}", job.log);
            assert!(job.log.contains("restored from the cache"), "{}", job.log);
            assert_eq!(keys[0], saved_key);
        }
    }
}
