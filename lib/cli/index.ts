#!/usr/bin/env node
/**
 * The `wxpay` executable (package `bin`). From source: `node --import tsx lib/cli/index.ts --help`.
 * @example
 * ```sh
 * wxpay crt --mchid 1900000109 --serial 3775… --privatekey ./apiclient_key.pem --output ./certs
 * ```
 * @module
 */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
