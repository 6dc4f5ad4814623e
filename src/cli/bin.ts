import { main, terminalIo } from './main.js';

void main(process.argv.slice(2), terminalIo()).then((code) => {
  process.exitCode = code;
});
