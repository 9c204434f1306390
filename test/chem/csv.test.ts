import { describe, expect, it } from 'vitest';
import { csvField, csvLine, parseCsv } from '../../src/chem/csv.js';
import { InputError } from '../../src/core/errors.js';

function cells(text: string): string[][] {
  const t = parseCsv(text);
  return [[...t.header], ...t.rows.map((r) => [...r.cells])];
}

describe('parseCsv', () => {
  it('reads a header and rows with their 1-based line numbers', () => {
    const t = parseCsv('a,b\n1,2\n3,4\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.headerLine).toBe(1);
    expect(t.rows).toEqual([
      { line: 2, cells: ['1', '2'] },
      { line: 3, cells: ['3', '4'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    expect(cells('a,b\n"x,y","say ""hi"""\n"two\nlines",z\n')).toEqual([
      ['a', 'b'],
      ['x,y', 'say "hi"'],
      ['two\nlines', 'z'],
    ]);
  });

  it('counts the lines a quoted field spans, so the next record has its real line number', () => {
    const t = parseCsv('a,b\n"one\ntwo\nthree",1\nlast,2\n');
    expect(t.rows.map((r) => r.line)).toEqual([2, 5]);
  });

  it('accepts CRLF and lone CR line endings, and keeps a CRLF inside quotes as data', () => {
    expect(cells('a,b\r\n1,"x\r\ny"\r\n2,3\r4,5')).toEqual([
      ['a', 'b'],
      ['1', 'x\r\ny'],
      ['2', '3'],
      ['4', '5'],
    ]);
    expect(parseCsv('a\r\n1\r\n2\r\n').rows.map((r) => r.line)).toEqual([2, 3]);
  });

  it('drops a UTF-8 byte order mark', () => {
    expect(parseCsv('\ufeff,smiles\n1,C\n').header).toEqual(['', 'smiles']);
  });

  it('keeps empty fields, including a trailing one, and an empty first header cell', () => {
    expect(cells(',smiles,\n1,,x\n2,C,\n')).toEqual([
      ['', 'smiles', ''],
      ['1', '', 'x'],
      ['2', 'C', ''],
    ]);
  });

  it('skips blank lines but keeps counting them', () => {
    const t = parseCsv('a\n\n1\n\r\n2\n\n');
    expect(t.rows).toEqual([
      { line: 3, cells: ['1'] },
      { line: 5, cells: ['2'] },
    ]);
  });

  it('reads a last record without a final line ending', () => {
    expect(cells('a,b\n1,"2"')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('returns an empty header for an empty file', () => {
    expect(parseCsv('')).toEqual({ header: [], headerLine: 1, rows: [] });
  });

  it('names file:line of a quoted field that is never closed', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"open\nmore\n', 'data.csv')).toThrow(
      /^data\.csv:3: a quoted field is never closed/,
    );
  });

  it('refuses text after a closing quote, naming the line', () => {
    let error: unknown;
    try {
      parseCsv('a,b\n1,"x"y\n', 'data.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).where).toBe('data.csv:2');
  });

  it('keeps a quote inside an unquoted field as data', () => {
    expect(cells('a\nab"c\n')).toEqual([['a'], ['ab"c']]);
  });
});

describe('csvLine', () => {
  it('quotes only the fields that need it, and ends the record with a newline', () => {
    expect(csvLine(['MOL00001', 'CCO', 1, -17.89, null, undefined, true])).toBe(
      'MOL00001,CCO,1,-17.89,,,true\n',
    );
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', 'cr\r', ' padded'])).toBe(
      '"a,b","say ""hi""","two\nlines","cr\r"," padded"\n',
    );
  });

  it('writes what parseCsv reads back unchanged', () => {
    const records = [
      ['', 'smiles', 'note'],
      ['1', 'C=Cc1ccc(C)o1', 'a "quoted", multi\nline note'],
      ['8', '[NH4+]', ''],
    ];
    const text = records.map((r) => csvLine(r)).join('');
    expect(cells(text)).toEqual(records);
  });

  it('leaves plain SMILES unquoted', () => {
    expect(csvField('CC(=O)[O-]')).toBe('CC(=O)[O-]');
    expect(csvField('C[C@@H](N)C(=O)O')).toBe('C[C@@H](N)C(=O)O');
  });
});
