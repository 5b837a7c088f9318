//! The command line: clap definitions and what each command does.

use crate::baseline;
use crate::cloudformation::template::ParamOverrides;
use crate::config;
use crate::finding::Severity;
use crate::focus::{self, Focus};
use crate::report::{self, Format, RenderOptions};
use crate::rules::{self, ExampleKind, RuleDoc};
use crate::selection::Selection;
use crate::terraform::inputs::CliVars;
use crate::walk::FileKind;
use crate::{Options, Scan, scan_paths};
use clap::{Parser, Subcommand, ValueEnum};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Exit codes.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "bucketlint",
    // The version and, when known, the commit (see build.rs).
    version = env!("BUCKETLINT_VERSION"),
    about = "Offline security scanner for Amazon S3 in Terraform and CloudFormation",
    long_about = None,
    after_help = "Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage error or a file that could not be parsed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for S3 misconfigurations.
    Check(Box<CheckArgs>),
    /// Record the current findings in a baseline file, so `check --baseline`
    /// reports only new ones.
    Baseline(Box<BaselineArgs>),
    /// Show the documentation of one rule.
    Rule {
        /// Rule code or name (`BL110`, `public-acl`).
        rule: String,
    },
    /// Print the effective configuration: the file found (or given) with every
    /// default filled in.
    Config {
        /// Where to look for the configuration (walking up). Default: `.`.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The configuration file, instead of discovery.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Serve diagnostics, hovers and quick fixes to an editor: a Language Server
    /// Protocol server on standard input and output.
    Server,
    /// Compare what is deployed (a Terraform state, `terraform show -json`) with
    /// what the code declares: drifted settings, the rules the deployed values
    /// break, buckets on one side only. Exit 1 when there is drift.
    Drift(Box<DriftArgs>),
    /// Who can reach each bucket: bucket policies' principals, identity policies,
    /// the roles that hold them and who may assume those roles.
    Graph(Box<GraphArgs>),
    /// A compliance report of the scanned code, control by control, for one
    /// framework (`--profile`): the resources that pass and fail each control,
    /// the findings accepted and why, and what was scanned.
    Report(Box<ReportArgs>),
    /// List the rules.
    Rules {
        /// `text` (a table) or `json` (every field of every rule but its examples).
        #[arg(long, short = 'f', default_value = "text")]
        format: RulesFormat,
        /// Only the rules mapped to this compliance framework, with its controls.
        #[arg(long, value_name = "PROFILE")]
        profile: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }
}

#[derive(Debug, Default, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // command-line switches
pub struct CheckArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Output format: text, concise, json, sarif, github (workflow-command
    /// annotations), junit or markdown. Repeat to write several; `FORMAT=FILE`
    /// writes that format to FILE. Default: text, or github and text when
    /// `GITHUB_ACTIONS=true`.
    #[arg(long, short = 'f', value_name = "FORMAT[=FILE]")]
    pub format: Vec<String>,

    /// Write the report(s) without `=FILE` here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a finding is at least this severe. Default: low
    /// (any finding), or the configuration's `fail-on`.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Exit with status 0 even when there are findings (parse errors still give 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// No colours in the text report (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,

    /// For a pre-commit hook: PATHs are the staged files; each Terraform file's
    /// directory is scanned as one module and only findings in the given files
    /// (or about them: a module call, a tfvars file) are reported, concise by
    /// default.
    #[arg(long)]
    pub pre_commit: bool,

    /// A file listing changed files, one per line (`git diff --name-only`): only
    /// findings in them become `github` annotations. Other reports keep all.
    #[arg(long, value_name = "FILE")]
    pub changed_files: Option<PathBuf>,

    /// Report only findings not recorded in this baseline (see `bucketlint
    /// baseline`); recorded ones stay in JSON and SARIF as `unchanged`, and
    /// entries nothing matches any more are listed as stale. Default: the
    /// configuration's `baseline`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Report only findings that the git revision REV (for example `origin/main`)
    /// did not have: the same paths are read as they are at REV from git's object
    /// store, without touching the work tree, and matched by file, resource and
    /// rule as a baseline is.
    #[arg(long, value_name = "REV", conflicts_with_all = ["baseline", "stdin_filename", "pre_commit"])]
    pub new_since: Option<String>,

    /// Read the file to check from standard input (the path `-`), judged as PATH
    /// within its module: for editors and linters that pipe an unsaved buffer. PATH
    /// need not exist; its name says how to parse the buffer.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Apply the safe fixes to the files, scan again, and report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Apply unsafe fixes too (they may need a person: a key to choose, a public
    /// website they would close). Implies `--fix` unless `--diff` is given.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and write nothing; exit 1 when there is
    /// a diff.
    #[arg(long)]
    pub diff: bool,
}

/// What to scan and how: shared by `check` and `baseline`.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Rules to run (codes, names or code prefixes, comma-separated or repeated;
    /// `ALL` for every rule). Default: the rules that are on by default.
    #[arg(long, value_name = "RULES")]
    pub select: Vec<String>,

    /// Rules not to run.
    #[arg(long, value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Run the rules mapped to a compliance framework: fsbp, cis, nist, pci, hipaa,
    /// soc2, gdpr or iso27001 (comma-separated or repeated). Replaces the default set; `--select`
    /// adds rules, `--ignore` removes them.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Vec<String>,

    /// The bucket tag that classifies its data (values `public`, or
    /// `confidential`, `restricted`, `sensitive`, `pii`, `phi`, `pci`). Default:
    /// `DataClassification`.
    #[arg(long, value_name = "KEY")]
    pub classification_tag: Option<String>,

    /// An AWS account ID of your organisation: its principals are not "another
    /// account" for BL122 and BL503. Repeatable.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub owned_account: Vec<String>,

    /// The configuration file. Default: the nearest `bucketlint.toml` (or
    /// `.bucketlint.toml`) at or above the first scanned path.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A Terraform variable value for root modules (`NAME=VALUE`), as `terraform
    /// plan -var`; repeatable. `TF_VAR_name` environment variables are read too.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,

    /// A Terraform variable definitions file for root modules, as `terraform plan
    /// -var-file`; repeatable.
    #[arg(long, value_name = "FILE")]
    pub var_file: Vec<PathBuf>,

    /// A CloudFormation parameter value (`KEY=VALUE`), used instead of its
    /// `Default`; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub cfn_param: Vec<String>,

    /// A CloudFormation parameters file: the `aws cloudformation` CLI shape
    /// (`[{"ParameterKey": ..., "ParameterValue": ...}]`) or `{"Parameters": {...}}`.
    #[arg(long, value_name = "FILE")]
    pub cfn_params: Option<PathBuf>,

    /// The AWS account blocks public access (all four account-level settings are
    /// on, outside the scanned code): bucket-level blocks are not required.
    #[arg(long)]
    pub account_public_access_block: bool,

    /// Check resources and module calls the inputs do not create (`count = 0`, an
    /// empty `for_each`, a false CloudFormation condition) as if they were created,
    /// each with an unknown index or key. Without it they are listed as not checked.
    #[arg(long)]
    pub assume_created: bool,

    /// Parse every Terraform directory, also those that name no AWS resource or data
    /// source and call no module that does (skipped by default; only their syntax
    /// errors would be reported).
    #[arg(long)]
    pub parse_all: bool,
}

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// The deployed state: `terraform show -json > state.json`.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,

    #[command(flatten)]
    pub scan: ScanArgs,

    /// `text` (default), `json`, `markdown` or `sarif`.
    #[arg(long, short = 'f', default_value = "text")]
    pub format: DriftFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Only the bucket with this name or address, and what reaches it.
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,

    /// `mermaid` (default), `dot`, `json`, or `html` (a self-contained page to open
    /// in a browser; nothing is fetched).
    #[arg(long, short = 'f', default_value = "mermaid")]
    pub format: GraphFormat,

    /// Write the graph to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// `markdown` (default), `json`, `html` (a self-contained page) or `csv`.
    #[arg(long, short = 'f', default_value = "markdown")]
    pub format: ReportFormat,

    /// Findings recorded in this baseline are listed as accepted. Default: the
    /// configuration's `baseline`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
    Html,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
    Markdown,
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Where to write the baseline. Default: the configuration's `baseline`, else
    /// `.bucketlint-baseline.json`.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A requested output: a format and where it goes (`None`: standard output or
/// `--output`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

pub fn parse_outputs(specs: &[String]) -> Result<Vec<OutputSpec>, String> {
    if specs.is_empty() {
        return Ok(vec![OutputSpec {
            format: Format::Text,
            file: None,
        }]);
    }
    specs
        .iter()
        .map(|s| {
            let (f, file) = match s.split_once('=') {
                Some((f, file)) if !file.is_empty() => (f, Some(PathBuf::from(file))),
                Some((f, _)) => return Err(format!("--format {f}=: the file name is empty")),
                None => (s.as_str(), None),
            };
            Ok(OutputSpec {
                format: f.parse()?,
                file,
            })
        })
        .collect()
}

/// Runs the command line; returns the exit status.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Server => crate::server::run(),
        Command::Baseline(args) => record_baseline(&args),
        Command::Drift(args) => drift(&args),
        Command::Graph(args) => graph(&args),
        Command::Report(args) => compliance_report(&args),
        Command::Rule { rule } => {
            if let Some(entry) = rules::find(&rule) {
                print(&rule_doc(&entry.doc));
                EXIT_CLEAN
            } else {
                let hint = Selection::new(std::slice::from_ref(&rule), &[])
                    .err()
                    .map(|e| e.to_string());
                eprintln!(
                    "error: {}",
                    hint.unwrap_or_else(|| format!("unknown rule {rule:?}"))
                );
                EXIT_ERROR
            }
        }
        Command::Config { path, config } => match effective_config(config.as_ref(), &path) {
            Ok(text) => {
                print(&text);
                EXIT_CLEAN
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_ERROR
            }
        },
        Command::Rules { format, profile } => {
            let profile = profile.map(|p| p.to_ascii_lowercase());
            if let Some(p) = &profile
                && crate::compliance::framework(p).is_none()
            {
                eprintln!("error: {}", crate::selection::UnknownProfile(p.clone()));
                return EXIT_ERROR;
            }
            print(&match format {
                RulesFormat::Text => rules_table(profile.as_deref()),
                RulesFormat::Json => rules_json(profile.as_deref()),
            });
            EXIT_CLEAN
        }
    }
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
}

/// The configuration for a scan of `paths`: `--config`, else the nearest file at or
/// above the first path; defaults when there is none.
pub fn load_config(
    explicit: Option<&PathBuf>,
    paths: &[PathBuf],
) -> Result<config::Loaded, String> {
    let path = match explicit {
        Some(p) => Some(p.clone()),
        None => config::discover(
            paths
                .first()
                .map_or(std::path::Path::new("."), PathBuf::as_path),
        ),
    };
    match path {
        Some(p) => config::load(&p)
            .map(|l| config::Loaded {
                explicit: explicit.is_some(),
                ..l
            })
            .map_err(|e| e.to_string()),
        None => Ok(config::Loaded {
            base: std::env::current_dir().unwrap_or_default(),
            ..config::Loaded::default()
        }),
    }
}

/// What a scan runs with: the command line over the configuration file over the
/// defaults.
pub fn options(
    args: &ScanArgs,
    fail_on: Option<FailOn>,
    loaded: &config::Loaded,
) -> Result<(Options, FailOn), String> {
    let c = &loaded.config;
    let explicit = !args.select.is_empty();
    let select = if explicit {
        args.select.clone()
    } else {
        c.select.clone().unwrap_or_default()
    };
    let ignore: Vec<String> = c.ignore.iter().chain(&args.ignore).cloned().collect();
    let mut selection = Selection::new(&select, &ignore).map_err(|e| e.to_string())?;
    let profiles = if args.profile.is_empty() {
        &c.profile
    } else {
        &args.profile
    };
    selection = selection
        .with_profiles(profiles)
        .map_err(|e| e.to_string())?;
    if !explicit {
        selection = selection
            .with_extend(&c.extend_select)
            .map_err(|e| e.to_string())?;
    }
    if let Some(bad) = args
        .owned_account
        .iter()
        .find(|a| !config::is_account_id(a))
    {
        return Err(format!(
            "--owned-account {bad:?} is not a 12-digit AWS account ID"
        ));
    }
    let defaults = rules::Settings::default();
    let class = c.classification.clone().unwrap_or_default();
    let settings = rules::Settings {
        classification_tag: args
            .classification_tag
            .clone()
            .or(class.tag)
            .unwrap_or(defaults.classification_tag),
        public_values: class.public.unwrap_or(defaults.public_values),
        sensitive_values: class.sensitive.unwrap_or(defaults.sensitive_values),
        owned_accounts: c
            .owned_accounts
            .iter()
            .chain(&args.owned_account)
            .cloned()
            .collect(),
    };
    let mut cfn = ParamOverrides::new();
    if let Some(file) = &c.cfn_params {
        cfn.extend(read_params_file(&loaded.file(file, "cfn-params")?)?);
    }
    let given = cfn_params(args)?;
    let cfn_param_names: Vec<String> = given.keys().cloned().collect();
    cfn.extend(given);
    let (tf_vars, cli_files) = terraform_vars(args)?;
    let mut var_files = c
        .var_files
        .iter()
        .map(|f| {
            let p = loaded.file(f, "var-files")?;
            crate::source::read_regular(&p)
                .map(|t| (p.clone(), t))
                .map_err(|e| format!("cannot read var-file {}: {e}", p.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    var_files.extend(cli_files);
    let fail_on = match (fail_on, c.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some(f)) => FailOn::from_str(f, true).map_err(|e| format!("fail-on: {e}"))?,
        (None, None) => FailOn::Low,
    };
    let options = Options {
        selection,
        settings,
        assume_account_block: args.account_public_access_block
            || c.account_public_access_block == Some(true),
        cfn_params: cfn,
        cfn_param_names,
        tf_vars,
        var_files,
        readable: Vec::new(),
        paths: config::PathRules::new(loaded),
        assume_created: args.assume_created,
        parse_all: args.parse_all,
        overlays: std::sync::Arc::default(),
        fixes: false,
        keep_model: false,
        prior_state: false,
    };
    Ok((options, fail_on))
}

/// Loads the configuration and scans: what `check` and `baseline` share.
/// With `pre_commit`, `args.paths` are staged files: their module directories
/// are scanned and the findings narrowed to them.
fn prepare_and_scan(
    args: &ScanArgs,
    loaded: &config::Loaded,
    fail_on: Option<FailOn>,
    pre_commit: bool,
    overlays: HashMap<PathBuf, Vec<u8>>,
    (fixes, keep_model): (bool, bool),
) -> Result<(Scan, FailOn), String> {
    let (mut options, fail_on) = options(args, fail_on, loaded)?;
    options.overlays = std::sync::Arc::new(overlays);
    options.fixes = fixes;
    options.keep_model = keep_model;
    let mut scan = if pre_commit {
        // The hook passes every staged file: the configuration's `exclude` still
        // applies to them.
        let staged: Vec<PathBuf> = args
            .paths
            .iter()
            .filter(|p| !options.paths.excluded(p))
            .cloned()
            .collect();
        let paths = focus::module_files(&staged);
        if paths.is_empty() {
            // A commit without infrastructure files.
            return Ok((Scan::default(), FailOn::None));
        }
        let mut scan = scan_paths(&paths, &options).map_err(|e| e.to_string())?;
        let ids = Focus::new(&staged).file_ids(&scan);
        scan.findings.retain(|f| focus::touches(f, &ids));
        scan
    } else {
        scan_named(&args.paths, &options)?
    };
    // One configuration per run: a scanned path under another file is worth saying.
    if args.config.is_none() {
        for p in args.paths.iter().skip(1) {
            let other = config::discover(p);
            if other.as_deref().and_then(|o| o.canonicalize().ok())
                != loaded.path.as_deref().and_then(|o| o.canonicalize().ok())
            {
                scan.notices.push(crate::walk::Notice {
                    path: p.clone(),
                    message: format!(
                        "this path has another configuration ({}); the run uses {}",
                        other.map_or_else(|| "none".into(), |o| o.display().to_string()),
                        loaded
                            .path
                            .as_ref()
                            .map_or_else(|| "the defaults".into(), |o| o.display().to_string())
                    ),
                });
            }
        }
    }
    Ok((scan, fail_on))
}

/// What an editor asks for: the files `named` (absolute paths) judged within their
/// modules, with unsaved buffers in `overlays`, under the configuration found from
/// the first, with the editor's settings.
pub fn scan_buffers(
    named: &[PathBuf],
    overlays: crate::Overlays,
    editor: &EditorSettings,
) -> Result<Scan, String> {
    let args = ScanArgs {
        paths: named.to_vec(),
        select: editor.select.clone(),
        profile: editor.profile.clone(),
        ..ScanArgs::default()
    };
    let loaded = load_config(None, &args.paths)?;
    let (mut options, _) = options(&args, None, &loaded)?;
    options.overlays = overlays;
    // Fixes become code actions.
    options.fixes = true;
    // Module sources may be read anywhere in the workspace, as from the directory
    // a `check` runs in.
    let dirs = named.iter().filter_map(|p| p.parent());
    options.readable = editor
        .workspace
        .iter()
        .map(PathBuf::as_path)
        .chain(dirs)
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    scan_named(&args.paths, &options)
}

/// What an editor sets: rules (as `--select`, `--profile`) and its workspace folders.
#[derive(Debug, Clone, Default)]
pub struct EditorSettings {
    pub select: Vec<String>,
    pub profile: Vec<String>,
    pub workspace: Vec<PathBuf>,
}

/// The buffer `--stdin-filename PATH -` reads: PATH and its bytes (at most the
/// largest file a scan reads, and one byte more to tell it was larger).
fn stdin_buffer(args: &CheckArgs) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let dash = args.scan.paths.iter().any(|p| p.as_os_str() == "-");
    let Some(path) = &args.stdin_filename else {
        if dash {
            return Err("the path `-` (standard input) needs --stdin-filename PATH: the name says how to parse the buffer and which module it belongs to".into());
        }
        return Ok(None);
    };
    let only_dash = args
        .scan
        .paths
        .iter()
        .all(|p| p.as_os_str() == "-" || p.as_os_str() == ".");
    if !only_dash {
        return Err("--stdin-filename checks standard input only: give `-` as the one path".into());
    }
    if args.pre_commit || args.changed_files.is_some() {
        return Err(
            "--stdin-filename cannot be combined with --pre-commit or --changed-files".into(),
        );
    }
    if FileKind::of(path).is_none() {
        return Err(format!(
            "--stdin-filename {}: not a name bucketlint reads (.tf, .tf.json, .tfvars, .json, .yaml, .yml, .template)",
            path.display()
        ));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), crate::source::MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(Some((path.clone(), bytes)))
}

/// Scans `paths`. A Terraform file named on its own is judged with its module
/// directory (an access block in `access.tf` covers the bucket in `main.tf`), and
/// only the findings in it (or pointing into it) are reported.
fn scan_named(paths: &[PathBuf], options: &crate::Options) -> Result<Scan, String> {
    let named: Vec<PathBuf> = paths
        .iter()
        .filter(|p| {
            (p.is_file() || options.overlay(p).is_some())
                && FileKind::of(p).is_some_and(FileKind::is_terraform)
        })
        .cloned()
        .collect();
    if named.is_empty() {
        return scan_paths(paths, options).map_err(|e| e.to_string());
    }
    let given: std::collections::HashSet<PathBuf> =
        paths.iter().map(|p| crate::source::absolute(p)).collect();
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| crate::source::absolute(p))
        .collect();
    let mut all: Vec<PathBuf> = paths.to_vec();
    for f in focus::module_files(&named) {
        if !all.contains(&f) {
            all.push(f);
        }
    }
    let mut scan = scan_paths(&all, options).map_err(|e| e.to_string())?;
    // Findings in the module's other files are there only as context.
    let ids = Focus::new(&named).file_ids(&scan);
    let context = |f: &crate::finding::Finding| {
        let path = crate::source::absolute(&scan.sources.get(f.span.file).path);
        !given.contains(&path) && !dirs.iter().any(|d| path.starts_with(d))
    };
    let keep: Vec<bool> = scan
        .findings
        .iter()
        .map(|f| focus::touches(f, &ids) || !context(f))
        .collect();
    let mut keep = keep.into_iter();
    scan.findings.retain(|_| keep.next().unwrap_or(true));
    Ok(scan)
}

/// The baseline file: the command line's, else the configuration's (relative to
/// the configuration file).
fn baseline_file(
    given: Option<&PathBuf>,
    loaded: &config::Loaded,
) -> Result<Option<PathBuf>, String> {
    match (given, &loaded.config.baseline) {
        (Some(g), _) => Ok(Some(g.clone())),
        (None, Some(b)) => loaded.file(b, "baseline").map(Some),
        (None, None) => Ok(None),
    }
}

/// `bucketlint graph`: the access graph of the scanned code.
fn graph(args: &GraphArgs) -> u8 {
    let run = || -> Result<String, String> {
        let loaded = load_config(args.scan.config.as_ref(), &args.scan.paths)?;
        let (mut options, _) = options(&args.scan, None, &loaded)?;
        options.keep_model = true;
        let scan = scan_named(&args.scan.paths, &options)?;
        let mut g = crate::graph::build(&scan);
        if let Some(name) = &args.bucket {
            g = g.reaching(name);
            if g.nodes.is_empty() {
                return Err(format!(
                    "--bucket {name}: no bucket of the scan has this name or address"
                ));
            }
        }
        Ok(match args.format {
            GraphFormat::Mermaid => crate::graph::render::mermaid(&g),
            GraphFormat::Dot => crate::graph::render::dot(&g),
            GraphFormat::Json => crate::graph::render::json(&g),
            GraphFormat::Html => crate::graph::html::html(&g),
        })
    };
    match run().and_then(|text| emit(args.output.as_deref(), &text)) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

/// `bucketlint report --profile NAME`: the compliance report of the scanned code.
fn compliance_report(args: &ReportArgs) -> u8 {
    let run = || -> Result<String, String> {
        let loaded = load_config(args.scan.config.as_ref(), &args.scan.paths)?;
        let (mut options, _) = options(&args.scan, None, &loaded)?;
        let framework = match options.selection.profiles.as_slice() {
            [one] => crate::compliance::framework(one)
                .ok_or_else(|| format!("unknown profile {one:?}"))?,
            [] => {
                return Err(format!(
                    "a report is for one framework: give --profile NAME ({})",
                    crate::selection::PROFILES.join(", ")
                ));
            }
            more => {
                return Err(format!(
                    "a report is for one framework, got {}: run one report per profile",
                    more.join(", ")
                ));
            }
        };
        let file = baseline_file(args.baseline.as_ref(), &loaded)?;
        let entries = file.as_deref().map(baseline::load).transpose()?;
        options.keep_model = true;
        let mut scan = scan_named(&args.scan.paths, &options)?;
        if let (Some(file), Some(entries)) = (&file, &entries) {
            baseline::compare(&mut scan, entries, file);
        }
        let ran: Vec<&rules::Entry> = rules::catalog()
            .iter()
            .filter(|e| options.selection.enabled(&e.doc))
            .collect();
        let evidence = crate::compliance::build::evidence(
            &args.scan.paths,
            loaded.path.as_deref(),
            file.as_deref(),
            &ran,
        );
        let report = crate::compliance::build(&scan, framework, evidence, &ran);
        Ok(match args.format {
            ReportFormat::Markdown => crate::compliance::render::markdown(&report),
            ReportFormat::Json => crate::compliance::render::json(&report),
            ReportFormat::Csv => crate::compliance::render::csv(&report),
            ReportFormat::Html => crate::compliance::html::html(&report),
        })
    };
    match run().and_then(|text| emit(args.output.as_deref(), &text)) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

/// A report to `output`, else to standard output.
fn emit(output: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    if let Some(file) = output {
        return std::fs::write(file, text)
            .map_err(|e| format!("cannot write {}: {e}", file.display()));
    }
    print(text);
    Ok(())
}

/// `bucketlint drift`: the code and the state through the one pipeline, compared.
fn drift(args: &DriftArgs) -> u8 {
    let run = || -> Result<(String, bool), String> {
        let text = crate::source::read_regular(&args.state)
            .map_err(|e| format!("--state {}: {e}", args.state.display()))?;
        // A plan stands for the state it was planned from: a refresh-only plan's
        // `prior_state` is what is deployed now.
        let from_plan = match crate::terraform::plan::detect(&text) {
            Some("state") => false,
            Some(_) => true,
            None => {
                return Err(format!(
                    "--state {}: not a Terraform state (or plan) as `terraform show -json` writes it",
                    args.state.display()
                ));
            }
        };
        let loaded = load_config(args.scan.config.as_ref(), &args.scan.paths)?;
        let (mut options, _) = options(&args.scan, None, &loaded)?;
        options.keep_model = true;
        let code = scan_named(&args.scan.paths, &options)?;
        options.prior_state = from_plan;
        let display = args.state.to_string_lossy().replace('\\', "/");
        let state = crate::analyze(
            vec![crate::Input {
                path: args.state.clone(),
                display,
                kind: FileKind::Plan,
                content: Ok(text),
            }],
            &options,
        );
        // A state that cannot be read is an error, never "no drift".
        if let Some(f) = state
            .findings
            .iter()
            .find(|f| f.code == rules::parse_error::CODE)
        {
            let file = state.sources.get(f.span.file);
            let p = file.position(f.span.start as usize);
            return Err(format!(
                "{}:{}:{}: {}",
                file.display, p.line, p.column, f.message
            ));
        }
        let d = crate::drift::compare(&code, &state);
        let sides = crate::drift::render::Sides {
            code: &code.sources,
            state: &state.sources,
        };
        let report = match args.format {
            DriftFormat::Text => crate::drift::render::text(&d, &sides),
            DriftFormat::Json => crate::drift::render::json(&d, &sides),
            DriftFormat::Markdown => crate::drift::render::markdown(&d, &sides),
            DriftFormat::Sarif => crate::drift::render::sarif(&d, &sides),
        };
        Ok((report, d.any()))
    };
    match run().and_then(|(report, any)| emit(args.output.as_deref(), &report).map(|()| any)) {
        Ok(any) => {
            if any {
                EXIT_FINDINGS
            } else {
                EXIT_CLEAN
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

/// `bucketlint baseline`: records the current findings.
fn record_baseline(args: &BaselineArgs) -> u8 {
    let recorded = load_config(args.scan.config.as_ref(), &args.scan.paths).and_then(|loaded| {
        let file = baseline_file(args.output.as_ref(), &loaded)?
            .unwrap_or_else(|| PathBuf::from(baseline::DEFAULT_FILE));
        let (scan, _) = prepare_and_scan(
            &args.scan,
            &loaded,
            None,
            false,
            HashMap::new(),
            (false, false),
        )?;
        let text = baseline::record(&scan, &file);
        write_report(&file, |w| w.write_all(text.as_bytes()))?;
        Ok((scan, file))
    });
    match recorded {
        Ok((scan, file)) => {
            let n = scan.reported().count();
            eprintln!(
                "recorded {n} finding{} in {} ({})",
                report::plural(n),
                file.display(),
                report::summary_line(&scan)
            );
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

fn check(args: &CheckArgs) -> u8 {
    // In GitHub Actions, annotations for the pull request and the full report for
    // the log.
    let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let formats = if !args.format.is_empty() {
        args.format.clone()
    } else if args.pre_commit {
        vec![Format::Concise.to_string()]
    } else if in_actions {
        vec![Format::Github.to_string(), Format::Text.to_string()]
    } else {
        Vec::new()
    };
    let outputs = match parse_outputs(&formats) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let changed = match args.changed_files.as_deref().map(Focus::read).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let stdin = match stdin_buffer(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    // The buffer stands for its file: the configuration is found from there.
    let paths = match &stdin {
        Some((path, _)) => vec![path.clone()],
        None => args.scan.paths.clone(),
    };
    let overlays: HashMap<PathBuf, Vec<u8>> = stdin
        .into_iter()
        .map(|(p, bytes)| (crate::source::absolute(&p), bytes))
        .collect();
    let fixing = args.fix || args.unsafe_fixes || args.diff;
    if fixing && !overlays.is_empty() {
        eprintln!("error: --fix and --diff work on files, not on standard input");
        return EXIT_ERROR;
    }
    // The Markdown report draws who can reach the buckets of its most severe findings.
    let markdown = outputs.iter().any(|o| matches!(o.format, Format::Markdown));
    // SARIF carries the fixes too, and so does the Markdown of what is new.
    let fixes = fixing
        || outputs.iter().any(|o| {
            matches!(o.format, Format::Sarif)
                || (args.new_since.is_some() && matches!(o.format, Format::Markdown))
        });
    let mut session = crate::fix::Session::default();
    let scanned = load_config(args.scan.config.as_ref(), &paths).and_then(|loaded| {
        // Read the baseline first: a typo in its name should not cost a scan.
        let file = match &args.new_since {
            Some(_) => None,
            None => baseline_file(args.baseline.as_ref(), &loaded)?,
        };
        let entries = file.as_deref().map(baseline::load).transpose()?;
        let scan_args = ScanArgs {
            paths,
            ..args.scan.clone()
        };
        // `--new-since`: the findings of the same paths at that revision.
        let since = match &args.new_since {
            Some(rev) => {
                let at_rev = |paths: &[PathBuf]| {
                    let old = ScanArgs {
                        paths: paths.to_vec(),
                        ..args.scan.clone()
                    };
                    prepare_and_scan(
                        &old,
                        &loaded,
                        args.fail_on,
                        false,
                        HashMap::new(),
                        (false, false),
                    )
                    .map(|(scan, _)| scan)
                };
                Some(crate::since::findings_at(rev, &scan_args.paths, &at_rev)?)
            }
            None => None,
        };
        let roots = crate::fix::roots(&scan_args.paths);
        let allowed = |p: &std::path::Path| crate::fix::confined(p, &roots);
        let scan = |overlays| {
            let (mut scan, fail_on) = prepare_and_scan(
                &scan_args,
                &loaded,
                args.fail_on,
                args.pre_commit,
                overlays,
                (fixes, markdown),
            )?;
            if let (Some(file), Some(entries)) = (&file, &entries) {
                // Findings recorded in the baseline are not fixed.
                baseline::compare(&mut scan, entries, file);
            }
            if let Some(revision) = &since {
                crate::since::compare(&mut scan, revision);
            }
            Ok((scan, fail_on))
        };
        if fixing {
            session.run(&overlays, args.unsafe_fixes, &allowed, scan)
        } else {
            scan(overlays)
        }
    });
    let (mut scan, fail_on) = match scanned {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    for note in &session.notes {
        eprintln!("warning: {note}");
    }
    if fixing {
        // What a person still has to do, said once (a long list is cut).
        let left = crate::fix::left_over(&scan, args.unsafe_fixes);
        for line in left.iter().take(20) {
            eprintln!("note: {line}");
        }
        if left.len() > 20 {
            eprintln!("note: and {} more", left.len() - 20);
        }
    }
    if args.diff {
        let diff = session.diff();
        print!("{diff}");
        return if diff.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        };
    }
    if fixing {
        match session.write() {
            Ok(files) => eprintln!("{} in {files} file(s)", session.summary()),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        }
    }
    if let Some(changed) = changed {
        scan.annotate = Some(changed.file_ids(&scan));
    }
    crate::trace::stage("scanned");
    let no_color = args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    for spec in &outputs {
        let target = spec.file.as_ref().or(args.output.as_ref());
        let color = !no_color && target.is_none() && std::io::stdout().is_terminal();
        let options = RenderOptions { color };
        let written = match target {
            Some(path) => write_report(path, |w| report::write(spec.format, &scan, options, w)),
            None => match write_buffered(std::io::stdout().lock(), |w| {
                report::write(spec.format, &scan, options, w)
            }) {
                // The reader stopped (`bucketlint check | head`): nothing more to
                // say, and the scan's outcome still stands.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                other => other.map_err(|e| format!("cannot write to standard output: {e}")),
            },
        };
        if let Err(e) = written {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    }
    crate::trace::stage("reported");
    // Inputs the configuration rejects: the scan ran, but not as the user meant.
    if !scan.errors.is_empty() {
        for e in &scan.errors {
            eprintln!("error: {e}");
        }
        return EXIT_ERROR;
    }
    match exit_status(&scan, fail_on) {
        EXIT_FINDINGS if args.exit_zero => EXIT_CLEAN,
        status => status,
    }
}

/// Writes a report file, creating its directory (`reports/bucketlint.sarif`).
fn write_report(
    path: &std::path::Path,
    report: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::File::create(path)
        .and_then(|file| write_buffered(file, report))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `report` written through a buffer to `out`, flushed.
fn write_buffered(
    out: impl Write,
    report: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    report(&mut out)?;
    out.flush()
}

/// The configuration as a scan would use it, as TOML: the file's settings with the
/// defaults made explicit (the selected rules listed by code).
fn effective_config(explicit: Option<&PathBuf>, path: &std::path::Path) -> Result<String, String> {
    let loaded = load_config(explicit, &[path.to_path_buf()])?;
    let (options, fail_on) = options(&ScanArgs::default(), None, &loaded)?;
    let mut c = loaded.config.clone();
    c.select = Some(
        rules::catalog()
            .iter()
            .filter(|e| options.selection.enabled(&e.doc))
            .map(|e| e.doc.code.clone())
            .collect(),
    );
    c.extend_select.clear();
    c.ignore.clear();
    c.fail_on = Some(
        fail_on
            .to_possible_value()
            .map_or_else(|| "low".into(), |v| v.get_name().to_string()),
    );
    c.account_public_access_block = Some(options.assume_account_block);
    c.owned_accounts
        .clone_from(&options.settings.owned_accounts);
    c.classification = Some(config::Classification {
        tag: Some(options.settings.classification_tag.clone()),
        public: Some(options.settings.public_values.clone()),
        sensitive: Some(options.settings.sensitive_values.clone()),
    });
    let mut out = match &loaded.path {
        Some(p) => format!("# from {}\n", p.display()),
        None => "# no configuration file found: defaults\n".to_string(),
    };
    out.push_str(&toml::to_string(&c).map_err(|e| e.to_string())?);
    Ok(out)
}

/// Terraform variable values: `TF_VAR_` environment variables, `--var`, and the
/// contents of `--var-file` files.
fn terraform_vars(args: &ScanArgs) -> Result<(CliVars, Vec<(PathBuf, String)>), String> {
    let mut vars = CliVars {
        env: std::env::vars()
            .filter_map(|(k, v)| Some((k.strip_prefix("TF_VAR_")?.to_string(), v)))
            .collect(),
        vars: Vec::new(),
    };
    vars.env.sort();
    for v in &args.var {
        let (k, val) = v
            .split_once('=')
            .ok_or_else(|| format!("--var {v:?}: expected NAME=VALUE"))?;
        vars.vars.push((k.trim().to_string(), val.to_string()));
    }
    let files = args
        .var_file
        .iter()
        .map(|p| {
            crate::source::read_regular(p)
                .map(|t| (p.clone(), t))
                .map_err(|e| format!("cannot read --var-file {}: {e}", p.display()))
        })
        .collect::<Result<_, _>>()?;
    Ok((vars, files))
}

/// Parameter values from `--cfn-params FILE` then `--cfn-param KEY=VALUE` (which
/// wins).
fn cfn_params(args: &ScanArgs) -> Result<ParamOverrides, String> {
    let mut out = ParamOverrides::new();
    if let Some(path) = &args.cfn_params {
        out.extend(read_params_file(path)?);
    }
    for p in &args.cfn_param {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("--cfn-param {p:?}: expected KEY=VALUE"))?;
        out.insert(k.trim().to_string(), v.to_string());
    }
    Ok(out)
}

fn read_params_file(path: &std::path::Path) -> Result<ParamOverrides, String> {
    let text = crate::source::read_regular(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_params_file(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a parameters file: `[{"ParameterKey": K, "ParameterValue": V}, ...]` (the
/// CloudFormation CLI), `{"Parameters": {K: V}}` (CodePipeline) or `{K: V}`.
pub fn parse_params_file(text: &str) -> Result<ParamOverrides, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .or_else(|| Some(i.to_string()))
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    };
    let mut out = ParamOverrides::new();
    match &v {
        serde_json::Value::Array(items) => {
            for item in items {
                let key = item.get("ParameterKey").and_then(|k| k.as_str());
                let value = item.get("ParameterValue").and_then(scalar);
                match (key, value) {
                    (Some(k), Some(v)) => {
                        out.insert(k.to_string(), v);
                    }
                    // `UsePreviousValue` entries carry no value: keep the default.
                    (Some(_), None) => {}
                    _ => return Err("each entry needs a ParameterKey".into()),
                }
            }
        }
        serde_json::Value::Object(map) => {
            let map = map
                .get("Parameters")
                .and_then(|p| p.as_object())
                .unwrap_or(map);
            for (k, v) in map {
                if let Some(v) = scalar(v) {
                    out.insert(k.clone(), v);
                }
            }
        }
        _ => return Err("expected a list of parameters or an object".into()),
    }
    Ok(out)
}

/// 2 when a file could not be parsed, 1 when a finding reaches the threshold, else 0.
pub fn exit_status(scan: &Scan, fail_on: FailOn) -> u8 {
    if scan.incomplete() {
        return EXIT_ERROR;
    }
    match fail_on.threshold() {
        Some(t) if scan.reported().any(|f| f.severity >= t) => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

/// `bucketlint rule CODE`: the rule's documentation as plain text.
pub fn rule_doc(doc: &RuleDoc) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", doc.code, doc.name);
    let sev = match doc.max_severity {
        Some(max) => format!("{} (up to {max})", doc.severity),
        None => doc.severity.to_string(),
    };
    let _ = writeln!(
        s,
        "severity: {sev}; {}",
        if doc.is_default() {
            "on by default"
        } else {
            "opt-in"
        }
    );
    let _ = writeln!(
        s,
        "\n{}\n\n{}\n",
        doc.summary.trim(),
        doc.explanation.trim()
    );
    let _ = writeln!(s, "Remediation:\n{}", doc.remediation.trim());
    let _ = writeln!(
        s,
        "\nAutomatic fix: {}{}",
        doc.fix.as_str(),
        doc.fix_detail
            .as_deref()
            .map(|d| format!(" ({})", d.trim()))
            .unwrap_or_default()
    );
    if !doc.compliance.is_empty() {
        let _ = writeln!(s, "\nCompliance:");
        for (framework, controls) in &doc.compliance {
            let _ = writeln!(s, "  {framework}: {}", controls.join(", "));
        }
    }
    for ex in doc.examples() {
        let kind = match ex.kind {
            ExampleKind::Bad => "Bad",
            ExampleKind::Good => "Good",
        };
        let _ = writeln!(s, "\n{kind}: {}\n", ex.title);
        for line in ex.source.trim_end().lines() {
            let _ = writeln!(s, "    {line}");
        }
    }
    let _ = writeln!(s, "\nMore: {}", doc.help_uri());
    s
}

/// The catalog as JSON: what tools need to map codes to names, severities and
/// controls.
/// The catalog, or the rules mapped to the framework `profile`.
fn listed(profile: Option<&str>) -> impl Iterator<Item = &'static rules::Entry> + '_ {
    rules::catalog()
        .iter()
        .filter(move |e| profile.is_none_or(|p| e.doc.compliance.contains_key(p)))
}

fn rules_json(profile: Option<&str>) -> String {
    let rules: Vec<serde_json::Value> = listed(profile)
        .map(|e| {
            let d = &e.doc;
            serde_json::json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "max_severity": d.max_severity,
                "default": if d.is_default() { "on" } else { "opt-in" },
                "summary": d.summary,
                "explanation": d.explanation.trim(),
                "remediation": d.remediation.trim(),
                "compliance": d.compliance,
                "compliance_sources": d.compliance_sources,
                "applies_to": d.applies_to,
                "not_expressible": d.not_expressible,
                "fix": d.fix,
                "fix_detail": d.fix_detail,
                "help_uri": d.help_uri(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "rules": rules }))
        .unwrap_or_default();
    s.push('\n');
    s
}

fn rules_table(profile: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<6} {:<34} {:<9} {:<7} {}",
        "code",
        "name",
        "severity",
        "default",
        if profile.is_some() {
            "controls: summary"
        } else {
            "summary"
        }
    );
    for e in listed(profile) {
        let d = &e.doc;
        let controls = profile
            .and_then(|p| d.compliance.get(p))
            .map(|c| format!("{}: ", c.join(", ")))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{:<6} {:<34} {:<9} {:<7} {controls}{}",
            d.code,
            d.name,
            d.severity.as_str(),
            if d.is_default() { "on" } else { "opt-in" },
            d.summary
        );
    }
    if let Some(f) = profile.and_then(crate::compliance::framework) {
        let _ = writeln!(
            s,
            "\nMappings from {}; each rule's source: `bucketlint rules --profile {} --format json`.",
            f.source, f.id
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        let o = parse_outputs(&["sarif=out.sarif".into(), "text".into()]).unwrap();
        assert_eq!(o[0].format, Format::Sarif);
        assert_eq!(
            o[0].file.as_deref(),
            Some(std::path::Path::new("out.sarif"))
        );
        assert_eq!(o[1].file, None);
        assert!(parse_outputs(&["xml".into()]).is_err());
        assert!(parse_outputs(&["json=".into()]).is_err());
        assert_eq!(parse_outputs(&[]).unwrap()[0].format, Format::Text);
    }

    #[test]
    fn parameter_files() {
        let cli = parse_params_file(r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Old", "UsePreviousValue": true}]"#).unwrap();
        assert_eq!(cli.get("Env").map(String::as_str), Some("prod"));
        assert!(!cli.contains_key("Old"));
        let pipeline = parse_params_file(
            r#"{"Parameters": {"Env": "dev", "Count": 2, "Subnets": ["a", "b"]}}"#,
        )
        .unwrap();
        assert_eq!(pipeline.get("Count").map(String::as_str), Some("2"));
        assert_eq!(pipeline.get("Subnets").map(String::as_str), Some("a,b"));
        assert!(parse_params_file("3").is_err());
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
