// The mandate extension: starts `mandate lsp` on standard input and output for .policy files.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("mandate").get("path") || "mandate";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "mandate",
    "mandate",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }, { scheme: "untitled", language: "policy" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
