// The Pod Birth language server: a separate process started by the extension (vscode-languageclient).
// It owns manifest analysis; it never talks to the cluster.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './serve.js';

startServer(createConnection(ProposedFeatures.all));
