// SPDX-License-Identifier: Apache-2.0
// Runs a wasm32-wasi module under node's WebAssembly (V8) with node:wasi: node node-run.mjs MODULE [ARGS]...
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env } from 'node:process';
const wasi = new WASI({ version: 'preview1', args: argv.slice(2), env, preopens: {} });
const mod = await WebAssembly.compile(await readFile(argv[2]));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
