#!/usr/bin/env node
/**
 * The `wxpay` executable (package `bin`). From source: `node --import tsx lib/cli/index.ts --help`.
 * @example
 * ```sh
 * wxpay crt --mchid 1900000109 --serial 3775… --privatekey ./apiclient_key.pem --output ./certs
 * ```
 *
 * DESIGN (lib/cli/): a thin shell over the library: ./program.ts parses with commander and calls
 * the same Builder, certificates and doctor the package exports; ./config.ts reads the config file
 * and WECHATPAY_* variables; the library never imports the CLI.
 * @module
 */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
