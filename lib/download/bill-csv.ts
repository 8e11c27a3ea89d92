/**
 * A streaming parser for WeChat Pay CSV bills (trade, fund flow, profit sharing…): a header line,
 * detail rows whose fields are prefixed with `` ` `` (so spreadsheets keep them as text), then a
 * summary header and its rows. Rows are yielded one by one; the file is never held whole.
 * @module
 */
import { pipeline, Readable } from 'node:stream';

import { DecodeError } from '../errors.js';
import { printable } from '../printable.js';
import { csvParse, nodeFs } from '../lazy.js';

/**
 * One row of a bill: `section` tells detail rows from the summary; `fields` maps the section's
 * header names to the values with the `` ` `` prefix removed (amounts stay strings: no float rounding).
 * @example
 * ```ts
 * const row: BillRow = { section: 'detail', line: 2, fields: { 交易时间: '2019-06-11 10:00:00', 订单金额: '0.01' }, values: ['2019-06-11 10:00:00', '0.01'] };
 * ```
 */
export interface BillRow<Name extends string = string> {
  section: 'detail' | 'summary';
  /** 1-based line number in the file. */
  line: number;
  fields: Record<Name, string>;
  /** The values in column order. */
  values: string[];
}

/**
 * Options of {@link parseBill}.
 * @example
 * ```ts
 * parseBill('/data/trade.csv', { encoding: 'utf8' });
 * ```
 */
export interface ParseBillOptions {
  /** Text encoding of the file (bills are UTF-8, sometimes with a BOM). */
  encoding?: BufferEncoding;
}

function clean(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('`') ? trimmed.slice(1) : trimmed;
}

/**
 * Parses a bill from a path, a stream or an async iterable of chunks.
 * @throws {DecodeError} when the CSV is malformed or a row does not match its header
 * @example
 * ```ts
 * import { parseBill } from 'wechatpay-chain';
 * let total = 0;
 * for await (const row of parseBill('/data/trade-2019-06-11.csv')) {
 *   if (row.section === 'detail') total += Math.round(Number(row.fields['订单金额']) * 100);
 *   else console.log('summary', row.fields);
 * }
 * ```
 */
export async function* parseBill<Name extends string = string>(
  source: string | Readable | AsyncIterable<Uint8Array | string>,
  options: ParseBillOptions = {},
): AsyncGenerator<BillRow<Name>> {
  const input = typeof source === 'string' ? nodeFs.createReadStream(source) : source instanceof Readable ? source : Readable.from(source);
  const { parse } = await csvParse();
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, encoding: options.encoding ?? 'utf8', info: true });
  // errors of the input reach the reader through the parser; stopping early tears both down
  pipeline(input, parser, () => undefined);

  let header: string[] | undefined;
  let section: BillRow['section'] = 'detail';
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const raw = record;
      // a line without the ` prefix after the detail rows starts the next section (the summary header)
      const isHeader = header === undefined || !raw.some((value) => value.trim().startsWith('`'));
      if (isHeader || header === undefined) {
        if (header !== undefined) section = 'summary';
        header = raw.map((name) => name.trim());
        continue;
      }
      // every real field starts with `: a piece without it is the rest of a value holding a comma
      const merged: string[] = [];
      for (const piece of raw) {
        if (merged.length > 0 && !piece.trimStart().startsWith('`')) merged[merged.length - 1] += `,${piece}`;
        else merged.push(piece);
      }
      const values = merged.map(clean);
      if (values.length !== header.length) {
        throw new DecodeError(`bill line ${info.lines}: ${values.length} fields for a header of ${header.length}`);
      }
      const fields = {} as Record<Name, string>;
      header.forEach((name, i) => (fields[name as Name] = values[i] as string));
      yield { section, line: info.lines, fields, values };
    }
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(`bill is not valid CSV: ${printable((error as Error).message)}`, { cause: error });
  } finally {
    parser.destroy();
  }
}
