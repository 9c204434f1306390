import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.js';
import {
  dagToDot,
  dagToMermaid,
  dagToSvg,
  drawDag,
  parseDagFormat,
} from '../../../../src/pipelines/workflow/graph/index.js';
import { bands } from './examples.js';

describe('choosing the format of a drawing', () => {
  it('draws with the function of each format', () => {
    expect(drawDag(bands, parseDagFormat('svg', '--format'))).toBe(dagToSvg(bands));
    expect(drawDag(bands, parseDagFormat('dot', '--format'))).toBe(dagToDot(bands));
    expect(drawDag(bands, parseDagFormat('mermaid', '--format'))).toBe(dagToMermaid(bands));
  });

  it('refuses another format, naming the ones there are', () => {
    expect(() => parseDagFormat('png', '--format')).toThrow(InputError);
    expect(() => parseDagFormat('png', '--format')).toThrow(
      '--format: expected svg, dot, mermaid, got "png"',
    );
  });
});
