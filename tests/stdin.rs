//! `check --stdin-filename PATH -`: an unsaved buffer piped in, judged as PATH within
//! its module (nvim-lint, ALE, efm and other tools that pipe).

mod common;

use common::{bucketlint_in, project};

const ACCESS_BLOCK: &str = "resource \"aws_s3_bucket_public_access_block\" \"p\" {\n  bucket                  = aws_s3_bucket.b.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n";

/// `path:line: code` of each concise line.
fn found(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, ':');
            let (path, line, _col, rest) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let code = rest.split_whitespace().next()?;
            Some(format!("{path}:{line}: {code}"))
        })
        .collect()
}

/// `check --stdin-filename PATH - --format concise [--select RULES]` in `dir`, with
/// `buffer` on standard input.
fn check_stdin(
    dir: &std::path::Path,
    path: &str,
    select: Option<&str>,
    buffer: &[u8],
) -> std::process::Output {
    let mut cmd = bucketlint_in(dir);
    cmd.args([
        "check",
        "--stdin-filename",
        path,
        "-",
        "--format",
        "concise",
    ]);
    if let Some(rules) = select {
        cmd.args(["--select", rules]);
    }
    cmd.write_stdin(buffer).output().unwrap()
}

#[test]
fn the_buffer_replaces_the_file_and_is_judged_with_its_module() {
    let dir = project(&[
        ("m/access.tf", ACCESS_BLOCK),
        (
            "m/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
    ]);
    // On disk the bucket is private; the unsaved buffer makes it public-read. The
    // access block in access.tf (on disk) ignores public ACLs: BL106, not BL110.
    let buffer =
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n";
    let out = check_stdin(
        dir.path(),
        "m/main.tf",
        Some("BL106,BL110,BL100"),
        buffer.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(found(&out.stdout), ["m/main.tf:3: BL106"]);
    // The file on disk is unchanged and, checked itself, has no such finding.
    let out = bucketlint_in(dir.path())
        .args([
            "check",
            "m/main.tf",
            "--format",
            "concise",
            "--select",
            "BL106,BL110,BL100",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_buffer_not_yet_saved_is_checked_and_only_its_findings_reported() {
    let dir = project(&[(
        "m/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl = \"public-read\"\n}\n",
    )]);
    let out = check_stdin(
        dir.path(),
        "m/new.tf",
        Some("BL110,BL401"),
        "resource \"aws_s3_bucket\" \"c\" {\n  bucket = \"y\"\n}\n".as_bytes(),
    );
    assert_eq!(found(&out.stdout), ["m/new.tf:1: BL401"]);
    assert!(!dir.path().join("m/new.tf").exists());
}

#[test]
fn templates_are_read_from_standard_input_too() {
    let dir = project(&[]);
    let out = check_stdin(
        dir.path(),
        "stack.yaml",
        Some("BL110"),
        b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    );
    assert_eq!(found(&out.stdout), ["stack.yaml:5: BL110"]);
}

#[test]
fn a_broken_buffer_gets_a_located_syntax_error() {
    let dir = project(&[]);
    let out = check_stdin(
        dir.path(),
        "main.tf",
        None,
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n".as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(found(&out.stdout), ["main.tf:1: BL001"]);
    let out = check_stdin(dir.path(), "main.tf", None, b"a = \"\xff\"\n");
    assert_eq!(found(&out.stdout), ["main.tf:1: BL001"]);
}

#[test]
fn standard_input_needs_a_name_it_can_read() {
    let dir = project(&[]);
    for (args, says) in [
        (&["check", "-"][..], "needs --stdin-filename"),
        (
            &["check", "--stdin-filename", "notes.txt", "-"][..],
            "not a name bucketlint reads",
        ),
        (
            &["check", "--stdin-filename", "main.tf", "other/"][..],
            "give `-` as the one path",
        ),
        (
            &["check", "--stdin-filename", "main.tf", "--pre-commit", "-"][..],
            "cannot be combined",
        ),
    ] {
        let out = bucketlint_in(dir.path())
            .args(args)
            .write_stdin("x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// An editor's unsaved buffer in a called module is what the caller's check reads.
#[test]
fn unsaved_buffers_of_called_modules_are_read_instead_of_the_files() {
    let dir = project(&[
        (
            "root/main.tf",
            "module \"store\" {\n  source = \"../store\"\n}\n",
        ),
        (
            "store/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let scan = |overlays: Vec<(std::path::PathBuf, Vec<u8>)>| {
        let options = bucketlint::Options {
            selection: bucketlint::selection::Selection::new(&["BL110".to_string()], &[]).unwrap(),
            overlays: std::sync::Arc::new(overlays.into_iter().collect()),
            // Module sources are read below the scanned roots (or the working directory).
            readable: vec![root.clone()],
            ..bucketlint::Options::default()
        };
        let scan = bucketlint::scan_paths(&[root.join("root")], &options).unwrap();
        scan.findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    scan.sources.get(f.span.file).path.display(),
                    f.code
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(scan(Vec::new()), Vec::<String>::new());
    let public =
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n";
    let found = scan(vec![(root.join("store/main.tf"), public.to_vec())]);
    assert_eq!(
        found,
        [format!("{} BL110", root.join("store/main.tf").display())]
    );
}
