//! The language server in a real editor: Neovim's built-in LSP client (0.7 and
//! later), headless, opens a Terraform module and a CloudFormation template, waits
//! for bucketlint's diagnostics, fixes the finding in the buffer and sees the
//! diagnostic go without saving. Skipped, and said, where Neovim is not installed
//! (`.ci/run` installs it).

mod common;

use std::process::Command;
use std::time::Duration;

/// The Lua the editor runs: for each file, open it, attach the server, wait for a
/// diagnostic, replace line `fix_line` (1-based) and wait for none; every step is
/// written to the result file.
const SCRIPT: &str = r#"
local bin, root, out = _G.BL_BIN, _G.BL_ROOT, _G.BL_OUT
local log = io.open(out, "w")
local client = vim.lsp.start_client({ cmd = { bin, "server" }, root_dir = root, name = "bucketlint" })
local function code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
end
for _, case in ipairs(_G.BL_CASES) do
  vim.cmd("edit " .. root .. "/" .. case.file)
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, client)
  local got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(codes, code(d) .. "@" .. (d.lnum + 1))
  end
  log:write(case.file .. " open " .. tostring(got) .. " " .. table.concat(codes, ",") .. "\n")
  vim.api.nvim_buf_set_lines(buf, case.fix_line - 1, case.fix_line, false, { case.fixed })
  local cleared = vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
  log:write(case.file .. " fixed " .. tostring(cleared) .. " modified " .. tostring(vim.bo[buf].modified) .. "\n")
end
log:close()
vim.lsp.stop_client(client)
vim.wait(5000, function() return vim.lsp.client_is_stopped(client) end, 20)
vim.cmd("qa!")
"#;

#[test]
fn neovim_shows_and_clears_diagnostics_of_unsaved_buffers() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("skipped: Neovim (nvim) is not installed; `.ci/run` installs it");
        return;
    }
    let dir = common::project(&[
        (
            "m/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
        ),
        (
            "stack.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
        ),
        ("bucketlint.toml", "select = [\"BL110\"]\n"),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let out = root.join("result.txt");
    let lua = root.join("init.lua");
    let cases = r#"{
  { file = "m/main.tf", fix_line = 3, fixed = '  acl    = "private"' },
  { file = "stack.yaml", fix_line = 5, fixed = "      AccessControl: Private" },
}"#;
    std::fs::write(
        &lua,
        format!(
            "_G.BL_BIN = {:?}\n_G.BL_ROOT = {:?}\n_G.BL_OUT = {:?}\n_G.BL_CASES = {cases}\n{SCRIPT}",
            env!("CARGO_BIN_EXE_bucketlint"),
            root.display().to_string(),
            out.display().to_string(),
        ),
    )
    .unwrap();
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-u"])
        .arg(&lua)
        .current_dir(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nvim starts");
    // Never hang the suite: the script waits at most 80 s in all.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    // The server ends as the protocol asks (exit 0 after shutdown): Neovim says
    // nothing about it.
    let said = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(!said.contains("quit with exit code"), "{said}");
    let result = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(
        result,
        "m/main.tf open true BL110@3\n\
         m/main.tf fixed true modified true\n\
         stack.yaml open true BL110@5\n\
         stack.yaml fixed true modified true\n"
    );
    // The files on disk are as they were.
    assert!(
        std::fs::read_to_string(root.join("m/main.tf"))
            .unwrap()
            .contains("public-read")
    );
}
