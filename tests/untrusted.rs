//! What a pull request controls is hostile (issue 12): the files a configuration
//! found in the tree names stay in the tree, nothing but regular files is read, a
//! closed pipe ends the run quietly, and a byte-order mark hides nothing.

mod common;

use common::{bucketlint_in, project};
use std::fmt::Write as _;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PUBLIC: &str =
    "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n";

#[test]
fn a_configuration_in_the_tree_cannot_name_files_outside_it() {
    let outside = project(&[("secret.tfvars", "token = \"ghp_not_for_your_eyes\"\n")]);
    let secret = outside.path().join("secret.tfvars");
    for (key, value) in [
        ("var-files", format!("[{:?}]", secret.display().to_string())),
        ("var-files", "[\"/proc/self/environ\"]".to_string()),
        ("cfn-params", format!("{:?}", secret.display().to_string())),
        ("baseline", "\"../baseline.json\"".to_string()),
    ] {
        let dir = project(&[
            ("repo/bucketlint.toml", &format!("{key} = {value}\n")),
            ("repo/main.tf", PUBLIC),
        ]);
        let out = bucketlint_in(dir.path().join("repo"))
            .args(["check", "."])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{key}: {stderr}");
        assert!(
            stderr.contains("outside the configuration's directory"),
            "{key}: {stderr}"
        );
        assert!(!stdout.contains("ghp_") && !stderr.contains("ghp_"));
    }
    // Inside the tree is fine, and --config is the user's own choice.
    let dir = project(&[
        (
            "repo/bucketlint.toml",
            "var-files = [\"env/prod.tfvars\"]\n",
        ),
        ("repo/env/prod.tfvars", "x = 1\n"),
        ("repo/main.tf", PUBLIC),
    ]);
    let out = bucketlint_in(dir.path().join("repo"))
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let chosen = project(&[(
        "c.toml",
        &format!("var-files = [{:?}]\n", secret.display().to_string()),
    )]);
    let out = bucketlint_in(dir.path().join("repo"))
        .args(["check", ".", "--config"])
        .arg(chosen.path().join("c.toml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The binary as a `std` command, to spawn and hang up on.
fn spawnable(dir: &std::path::Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("bucketlint"));
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR");
    c
}

/// Makes a FIFO with the system's `mkfifo`; `None` where there is none.
fn mkfifo(path: &std::path::Path) -> Option<()> {
    let ok = Command::new("mkfifo").arg(path).status().ok()?.success();
    ok.then_some(())
}

#[test]
fn fifos_are_never_opened() {
    let dir = project(&[("main.tf", PUBLIC), (".terraform/modules/.keep", "")]);
    if mkfifo(&dir.path().join("pipe.tf")).is_none()
        || mkfifo(&dir.path().join(".terraform/modules/modules.json")).is_none()
        || mkfifo(&dir.path().join("vars.tfvars")).is_none()
    {
        eprintln!("skipped: no mkfifo on this machine");
        return;
    }
    let run = |args: &[&str]| {
        let start = Instant::now();
        let mut child = spawnable(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut out = String::new();
                child
                    .stdout
                    .take()
                    .unwrap()
                    .read_to_string(&mut out)
                    .unwrap();
                return (status.code(), out);
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("bucketlint {args:?} hangs on a FIFO");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // Named on the command line and met in the walk: a located BL001, not a hang.
    let (status, out) = run(&["check", "pipe.tf", "--format", "concise"]);
    assert_eq!(status, Some(2));
    assert!(
        out.contains("pipe.tf:1:1: BL001") && out.contains("not a regular file"),
        "{out}"
    );
    let (status, out) = run(&["check", ".", "--format", "concise"]);
    assert_eq!(status, Some(2), "{out}");
    assert!(out.contains("BL110"), "{out}");
    // As a --var-file: a clear error.
    let (status, _) = run(&["check", "main.tf", "--var-file", "vars.tfvars"]);
    assert_eq!(status, Some(2));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = project(&[("main.tf", &common::public_buckets(3000))]);
    let mut child = spawnable(dir.path())
        .args(["check", ".", "--format", "text", "--no-color"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up, as `| head` does.
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

#[test]
fn a_byte_order_mark_does_not_break_a_yaml_template() {
    let dir = project(&[(
        "t.yaml",
        "\u{FEFF}AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    )]);
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise", "--select", "BL110"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        "t.yaml:6:22: BL110 [high] bucket B gives everyone read access through canned ACL `public-read`"
    );
}

/// Runs the binary and returns (seconds, stdout); the bound is generous for a
/// loaded 2-core machine and a debug build, and far below what the quadratic
/// renderers took (51 s and about 30 s for these inputs).
fn timed(dir: &std::path::Path, args: &[&str]) -> (f64, String) {
    let start = Instant::now();
    let out = bucketlint_in(dir).args(args).output().unwrap();
    (
        start.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_text_report_stays_linear_and_caps_repeated_findings() {
    let dir = project(&[("main.tf", &common::public_buckets(3000))]);
    let (secs, text) = timed(
        dir.path(),
        &["check", ".", "--format", "text", "--no-color"],
    );
    println!("3,000 public buckets, text report: {secs:.2} s");
    assert!(secs < 20.0, "{secs} s");
    // 50 drawn per rule and file, the rest counted; JSON keeps every finding.
    assert_eq!(text.matches("high[BL110]").count(), 50);
    assert!(text.contains("note: main.tf: 2950 more BL110 findings not shown (the JSON and SARIF reports list all 3000)"), "{}", &text[text.len() - 2000..]);
    let (_, json) = timed(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(json.matches("\"code\": \"BL110\"").count(), 3000);
}

#[test]
fn a_one_line_template_costs_no_more_than_a_pretty_one() {
    let one_line = common::one_line_template(3000);
    let dir = project(&[("t.json", &one_line)]);
    for format in ["json", "sarif", "text", "concise"] {
        let (secs, out) = timed(
            dir.path(),
            &["check", ".", "--format", format, "--no-color"],
        );
        println!("3,000 buckets on one line, {format}: {secs:.2} s");
        assert!(secs < 15.0, "{format}: {secs} s");
        assert!(!out.is_empty());
    }
    // Columns stay exact far along the line (code points, not bytes).
    let (_, concise) = timed(
        dir.path(),
        &["check", ".", "--format", "concise", "--select", "BL110"],
    );
    let last = concise
        .lines()
        .find(|l| l.contains("bucket B2999 "))
        .unwrap();
    let at = one_line
        .find("\"PublicRead\", \"BucketName\": \"é-2999\"")
        .unwrap();
    let column = one_line[..at].chars().count() + 1;
    assert!(
        last.starts_with(&format!("t.json:1:{column}: BL110")),
        "{last}"
    );
}

#[test]
fn names_from_the_pull_request_cannot_write_log_lines() {
    // A file name and a bucket name carrying a newline and a workflow command.
    let name = "x\n::warning file=README.md,line=1::INJECTED\n.tf";
    let dir = project(&[(
        name,
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"a\\n::error::INJECTED\"\n  acl    = \"public-read\"\n}\n",
    )]);
    for format in ["text", "concise", "github", "markdown"] {
        let out = bucketlint_in(dir.path())
            .args(["check", ".", "--format", format, "--no-color"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("INJECTED"),
            "{format}: the finding is reported"
        );
        for line in stdout.lines() {
            assert!(
                !line.starts_with("::warning file=README")
                    && !line.starts_with("::error::INJECTED"),
                "{format}: {line}"
            );
        }
    }
}

#[test]
fn many_suppressions_are_matched_in_linear_time() {
    let mut text = String::new();
    for i in 0..10_000 {
        let _ = write!(
            text,
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  acl = \"public-read\" # bucketlint:ignore BL110 reviewed\n}}\n"
        );
    }
    let dir = project(&[("main.tf", &text)]);
    let (secs, json) = timed(
        dir.path(),
        &["check", ".", "--format", "json", "--select", "BL110"],
    );
    println!("10,000 suppressed findings: {secs:.2} s");
    assert!(secs < 30.0, "{secs} s");
    assert!(
        json.contains("\"suppressed\": 10000"),
        "{}",
        &json[json.len().saturating_sub(400)..]
    );
}

#[test]
fn the_parser_nesting_limit_is_said_to_be_the_parsers() {
    let dir = project(&[(
        "main.tf",
        &format!(
            "locals {{\n  x = {}1{}\n}}\nresource \"aws_s3_bucket\" \"b\" {{}}\n",
            "[".repeat(130),
            "]".repeat(130)
        ),
    )]);
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text.contains("main.tf:2:134: BL001")
            && text.contains("a limit of the HCL parser bucketlint uses"),
        "{text}"
    );
}

#[test]
fn escaped_resource_types_do_not_hide_a_template() {
    let dir = project(&[
        (
            "t.json",
            "{\"Resources\": {\"B\": {\"Type\": \"AWS\\u003a\\u003aS3\\u003a\\u003aBucket\", \"Properties\": {\"AccessControl\": \"PublicReadWrite\"}}}}\n",
        ),
        (
            "t.yaml",
            "Resources:\n  B:\n    Type: \"AWS\\x3a\\x3aS3\\x3a\\x3aBucket\"\n    Properties:\n      AccessControl: PublicRead\n",
        ),
    ]);
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise", "--select", "BL110"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("t.json:1:101: BL110 [critical]"), "{text}");
    assert!(text.contains("t.yaml:5:22: BL110 [high]"), "{text}");
}

#[test]
fn a_tracked_file_cannot_be_hidden_by_gitignore() {
    let dir = project(&[
        (".gitignore", "infra/hidden.tf\n"),
        ("infra/hidden.tf", PUBLIC),
        ("infra/untracked-ignored.tf", PUBLIC),
    ]);
    std::fs::write(
        dir.path().join(".gitignore"),
        "infra/hidden.tf\ninfra/untracked-ignored.tf\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    if git(&["init", "-q"]).is_none() {
        eprintln!("skipped: git is not installed");
        return;
    }
    git(&["add", "-f", ".gitignore", "infra/hidden.tf"]).unwrap();
    git(&["commit", "-qm", "hide a bucket"]).unwrap();
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise", "--select", "BL110"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The tracked file is scanned and the notice says why; an ignored file git does
    // not track stays ignored.
    assert!(text.contains("infra/hidden.tf:3:12: BL110"), "{text}");
    assert!(
        text.contains("tracked by git but matched by an ignore file"),
        "{text}"
    );
    assert!(!text.contains("untracked-ignored.tf:"), "{text}");
}

#[test]
fn module_sources_through_symlinked_folders_load_once() {
    let dir = project(&[(
        "m/main.tf",
        "module \"x\" {\n  source = \"./a\"\n}\nmodule \"y\" {\n  source = \"./b\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
    )]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(".", dir.path().join("m/a")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("m/b")).unwrap();
    }
    let (secs, out) = timed(
        dir.path(),
        &["check", "m", "--format", "concise", "--select", "BL110"],
    );
    println!("two self-links as module sources: {secs:.2} s");
    assert!(secs < 10.0, "{secs} s");
    assert!(out.contains("m/main.tf:9:12: BL110"), "{out}");
    #[cfg(unix)]
    assert!(
        out.contains("through a symbolic link; not followed"),
        "{out}"
    );
}

#[test]
fn inputs_the_configuration_rejects_are_usage_errors() {
    let dir = project(&[
        (
            "tf/main.tf",
            "variable \"acl\" {\n  type = string\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n",
        ),
        (
            "cfn/t.yaml",
            "Parameters:\n  Access:\n    Type: String\n    AllowedValues: [Private, PublicRead]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: !Ref Access\n",
        ),
    ]);
    let run = |args: &[&str]| {
        let out = bucketlint_in(dir.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Declared and allowed: the values are used.
    let (status, _) = run(&[
        "check",
        "tf",
        "--var",
        "acl=public-read",
        "--format",
        "concise",
    ]);
    assert_eq!(status, Some(1));
    let (status, _) = run(&[
        "check",
        "cfn",
        "--cfn-param",
        "Access=PublicRead",
        "--format",
        "concise",
    ]);
    assert_eq!(status, Some(1));
    // Undeclared, or outside AllowedValues: a clear error, exit 2.
    let (status, err) = run(&["check", "tf", "--var", "acl_typo=public-read"]);
    assert_eq!(status, Some(2));
    assert!(
        err.contains("--var acl_typo: no scanned root module declares"),
        "{err}"
    );
    let (status, err) = run(&["check", "cfn", "--cfn-param", "Acess=PublicRead"]);
    assert_eq!(status, Some(2));
    assert!(
        err.contains("--cfn-param Acess: no scanned template declares"),
        "{err}"
    );
    let (status, err) = run(&["check", "cfn", "--cfn-param", "Access=PublicReadWrite"]);
    assert_eq!(status, Some(2));
    assert!(
        err.contains(
            "Access=PublicReadWrite is not one of its AllowedValues (Private, PublicRead)"
        ),
        "{err}"
    );
}

#[test]
fn what_is_skipped_is_said() {
    let dir = project(&[("infra/main.tf", PUBLIC)]);
    common::write(dir.path(), "data/blob.json", b"{\"a\": 1}\0\x01\x02binary");
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise", "--select", "BL110"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("blob.json: note: binary file (contains NUL bytes), not a template; skipped"),
        "{text}"
    );
    // Links into `.terraform/` (never walked) and out of the tree are said too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        common::write(
            dir.path(),
            ".terraform/modules/m/main.tf",
            PUBLIC.as_bytes(),
        );
        symlink(".terraform/modules/m", dir.path().join("mods")).unwrap();
        symlink(".terraform/modules/m/main.tf", dir.path().join("linked.tf")).unwrap();
        let out = bucketlint_in(dir.path())
            .args(["check", ".", "--format", "concise", "--select", "BL110"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for link in ["mods", "linked.tf"] {
            assert!(
                text.contains(&format!(
                    "{link}: note: symbolic link points into `.terraform/`, which is not scanned; not followed"
                )),
                "{text}"
            );
        }
        std::fs::remove_file(dir.path().join("linked.tf")).unwrap();
        std::fs::remove_file(dir.path().join("mods")).unwrap();
    }
    // A configuration that excludes everything says so.
    std::fs::write(dir.path().join("bucketlint.toml"), "exclude = [\"**\"]\n").unwrap();
    let out = bucketlint_in(dir.path())
        .args(["check", ".", "--format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("leaves out all 2 files found: nothing was scanned"),
        "{text}"
    );
}

#[test]
fn undecidable_conditions_do_not_make_the_scan_quadratic() {
    let t = common::undecidable_conditions(6, 600);
    let dir = project(&[("t.yaml", &t)]);
    let (secs, json) = timed(dir.path(), &["check", ".", "--format", "json"]);
    println!("6 undecidable conditions x 600 buckets: {secs:.2} s");
    assert!(secs < 60.0, "{secs} s");
    // Public only in some worlds: never reported; what holds in every world is.
    assert_eq!(json.matches("\"code\": \"BL110\"").count(), 0);
    assert_eq!(json.matches("\"code\": \"BL100\"").count(), 600);
}

#[test]
fn what_the_inputs_do_not_create_is_said_and_can_be_checked() {
    let dir = project(&[
        (
            "main.tf",
            "variable \"public\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"b\" {\n  count  = var.public ? 1 : 0\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\nmodule \"m\" {\n  source   = \"./m\"\n  for_each = toset([])\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"aws_s3_bucket\" \"c\" {\n  acl = \"public-read\"\n}\n",
        ),
        (
            "t.yaml",
            "Parameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Condition: IsProd\n    Properties:\n      AccessControl: PublicRead\n",
        ),
    ]);
    let run = |extra: &[&str]| {
        bucketlint_in(dir.path())
            .args(["check", ".", "--select", "BL110", "--no-color"])
            .args(extra)
            .output()
            .unwrap()
    };
    // Under these inputs nothing is created: no finding, but the summary says so.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "3 not created by these inputs and not checked (--assume-created checks them)"
        ),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "json"]).stdout).unwrap();
    let listed: Vec<(String, String, u64)> = json["not_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["resource"].as_str().unwrap().to_string(),
                n["reason"].as_str().unwrap().to_string(),
                n["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("aws_s3_bucket.b".into(), "`count` is 0".into(), 4),
            ("module.m".into(), "`for_each` is empty".into(), 9),
            ("B".into(), "condition `IsProd` is false".into(), 8),
        ]
    );
    assert_eq!(json["summary"]["not_created"], 3);
    // Checked as if created: each public ACL is found, nothing is listed.
    let out = run(&["--assume-created", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for at in [
        "m/main.tf:2:9: BL110",
        "main.tf:7:12: BL110",
        "t.yaml:12:22: BL110",
    ] {
        assert!(text.contains(at), "{at}: {text}");
    }
}
