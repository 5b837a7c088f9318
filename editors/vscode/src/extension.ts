// Starts `bucketlint server` and connects VS Code to it: all the checking happens in
// the server, through the same pipeline as `bucketlint check`.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("bucketlint")) {
        await client?.stop();
        await start();
      }
    }),
  );
  await start();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("bucketlint");
  const serverOptions: ServerOptions = {
    command: config.get<string>("path", "bucketlint"),
    args: ["server"],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", pattern: "**/*.{tf,tfvars}" },
      { scheme: "file", pattern: "**/*.tf.json" },
      { scheme: "file", pattern: "**/*.{yaml,yml,json,template}" },
    ],
    initializationOptions: {
      select: config.get<string[]>("select", []),
      profile: config.get<string[]>("profile", []),
    },
    synchronize: {
      // The server reads the configuration again when it changes.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{bucketlint.toml,.bucketlint.toml}"),
    },
  };
  client = new LanguageClient("bucketlint", "bucketlint", serverOptions, clientOptions);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
