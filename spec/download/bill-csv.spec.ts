import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../lib/index.js';
import { type BillRow, parseBill } from '../../lib/download/index.js';

async function all(source: Parameters<typeof parseBill>[0]): Promise<BillRow[]> {
  const rows: BillRow[] = [];
  for await (const row of parseBill(source)) rows.push(row);
  return rows;
}

const FUNDFLOW = '\ufeff记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）\n'
  + '`2019-06-11 00:00:01,`4200000000000000000000000001,`1900000109201906110000000001,`退款,`退款,`支出,`0.01,`99.99\n'
  + '资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\n'
  + '`1.0,`0,`0.00,`1,`0.01\n';

describe('parseBill', () => {
  it('reads a fund flow bill with a BOM, stripping the ` prefixes, in chunks split anywhere', async () => {
    const bytes = Buffer.from(FUNDFLOW);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const rows = await all(Readable.from(chunks));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ section: 'detail', line: 2, fields: { 记账时间: '2019-06-11 00:00:01', '收支金额（元）': '0.01', '账户结余（元）': '99.99' } });
    expect(rows[1]).toMatchObject({ section: 'summary', line: 4, fields: { 资金流水总笔数: '1.0', 支出金额: '0.01' } });
    expect(rows[1]!.values).toEqual(['1.0', '0', '0.00', '1', '0.01']);
  });

  it('keeps commas inside values (fields are told apart by their ` prefix)', async () => {
    const rows = await all(Readable.from(['名称,金额\n`a, b, c,`1.00\n']));
    expect(rows[0]!.fields).toEqual({ 名称: 'a, b, c', 金额: '1.00' });
  });

  it('accepts an async iterable of strings', async () => {
    async function* text() {
      yield '交易时间,金额\n`2019-06-11 10:00:00,';
      yield '`0.01\n';
    }
    expect((await all(text()))[0]!.fields).toEqual({ 交易时间: '2019-06-11 10:00:00', 金额: '0.01' });
  });

  it('stops early without reading the rest', async () => {
    let pulled = 0;
    async function* lines() {
      yield '交易时间,金额\n';
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield `\`2019-06-11 10:00:00,\`${i}.00\n`;
      }
    }
    for await (const row of parseBill(lines())) {
      expect(row.fields['金额']).toBe('0.00');
      break;
    }
    expect(pulled).toBeLessThan(100_000);
  });

  it('fails with DecodeError on a row that does not match its header, naming the line', async () => {
    await expect(all(Readable.from(['a,b,c\n`1,`2\n']))).rejects.toThrow(DecodeError);
    await expect(all(Readable.from(['a,b,c\n`1,`2\n']))).rejects.toThrow(/line 2/);
  });

  it('fails with DecodeError when the file cannot be read', async () => {
    await expect(all('/nonexistent/bill.csv')).rejects.toThrow(DecodeError);
  });
});
