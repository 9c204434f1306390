import { describe, expect, it } from 'vitest';
import { SERIES_COLORS } from '../../src/plots/render-svg.js';
import { timingsPlot } from '../../src/plots/timings.js';

describe('the timings plot', () => {
  it('draws actual against predicted time on log axes, one colour per program', async () => {
    const svg = await timingsPlot({
      title: 'predicted vs actual',
      points: [
        { predicted_s: 2, actual_s: 3, group: 'xtb', label: 'ethanol' },
        { predicted_s: 40, actual_s: 35, group: 'mopac', label: 'benzene' },
        { predicted_s: 900, actual_s: 1500, group: 'psi4', label: 'water dimer' },
      ],
    });
    expect(svg).toContain('aria-label="water dimer: predicted 900.0 s, actual 1500.0 s"');
    for (const name of ['mopac', 'psi4', 'xtb']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('>predicted wall time (s)</text>');
    expect(svg).toContain('>actual wall time (s)</text>');
    // Log axes from 1 s to 10,000 s: every power of ten is a tick.
    for (const tick of ['1', '10', '100', '1,000', '10,000'])
      expect(svg).toContain(`>${tick}</text>`);
  });

  it('colours the programs with the series colours every plot uses, in legend order', async () => {
    const svg = await timingsPlot({
      title: 't',
      points: ['a', 'b', 'c'].map((group, i) => ({
        predicted_s: 10 * (i + 1),
        actual_s: 12 * (i + 1),
        group,
        label: group,
      })),
    });
    const fillOf = (label: string): string | undefined =>
      new RegExp(`aria-label="${label}: [^"]*"[^>]*fill="(#[0-9a-f]{6})"`).exec(svg)?.[1] ??
      new RegExp(`fill="(#[0-9a-f]{6})"[^>]*aria-label="${label}: `).exec(svg)?.[1];
    expect(['a', 'b', 'c'].map(fillOf)).toEqual(SERIES_COLORS.slice(0, 3));
  });

  it('draws a calc of 0 s at the lower end and says so', async () => {
    const svg = await timingsPlot({
      title: 't',
      points: [
        { predicted_s: 5, actual_s: 0, group: 'command', label: 'echo' },
        { predicted_s: 20, actual_s: 30, group: 'command', label: 'sleep' },
      ],
    });
    expect(svg).toContain('>1 calc with a time of 0 s drawn at 1 s</text>');
  });
});
