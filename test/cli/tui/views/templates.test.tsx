import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../../src/cli/tui/app.js';
import { calcWorkdir, campaignPaths } from '../../../../src/core/campaign-layout.js';
import { campaignActions } from '../../../../src/cli/tui/actions.js';
import { CampaignMonitor } from '../../../../src/runtime/monitor/campaign-monitor.js';
import { acquireRunnerLock } from '../../../../src/runtime/runner-lock.js';
import {
  cleanupTempDirs,
  hasProgram,
  RETORT_BIN,
  runCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../../../helpers/cli.js';
import { KEY, press, tuiFixture, until, type TuiFixture } from '../tui-fixture.js';

const RIGHT = '\u001B[C';
const BACKSPACE = '\u007F';

const WATER = `3
water
O 0.000000 0.000000 0.117300
H 0.000000 0.757200 -0.469200
H 0.000000 -0.757200 -0.469200
`;

/** A campaign template: a range, a choice, a bool and a required string. */
const MINE = `{#---
engine: xtb
task: energy
description: a template of this campaign
parameters:
  - {name: molecule, type: molecule, required: true, help: "the molecule"}
  - {name: accuracy, type: float, default: 1.0, min: 0.0001, max: 1000, help: "xtb --acc"}
  - {name: gfn, type: choice, choices: [0, 1, 2], default: 2, help: "the GFN level"}
  - {name: verbose, type: bool, default: false}
  - {name: note, type: string, required: true, help: "a note for the title"}
---#}
{{ note }} gfn={{ gfn }} acc={{ accuracy }} verbose={{ verbose }} n={{ molecule.natoms }}
`;

let f: TuiFixture;
let xyz: string;
beforeEach(() => {
  f = tuiFixture();
  const templates = join(f.campaign.paths.root, 'templates');
  mkdirSync(templates);
  writeFileSync(join(templates, 'mine.j2'), MINE);
  xyz = join(f.campaign.paths.root, 'water.xyz');
  writeFileSync(xyz, WATER);
});
afterEach(() => {
  cleanup();
  f.close();
});

const open = () =>
  render(
    <App monitor={f.monitor} actions={f.actions} refreshMs={10_000} initialView="Templates" />,
  );
const frame = (ui: ReturnType<typeof open>): string =>
  stripVTControlCharacters(ui.lastFrame() ?? '');

/** The lines of the rendered input the preview shows (blank lines as ''). */
function previewOf(ui: ReturnType<typeof open>): string[] {
  const shown = frame(ui).split('\n');
  const from = shown.findIndex((l) => l.startsWith('Rendered input'));
  return shown.slice(from + 1).map((l) => l.trimEnd());
}

/** Moves the cursor to the template named `name` in the list and opens its form. */
async function openForm(ui: ReturnType<typeof open>, name: string): Promise<void> {
  await until(() => {
    expect(frame(ui)).toContain('Templates (');
  });
  const names = frame(ui)
    .split('\n')
    .map((l) => /^ {2}(\S+) /.exec(l)?.[1])
    .filter((n) => n !== undefined && n !== 'template');
  const at = names.indexOf(name);
  expect(at, names.join(' ')).toBeGreaterThanOrEqual(0);
  await press(ui, ...Array<string>(at).fill(KEY.down), KEY.enter);
  await until(() => {
    expect(frame(ui)).toContain(`Template ${name}`);
  });
}

describe('the templates view', () => {
  it('lists the campaign’s templates and the built-ins, with the selected one’s parameters', async () => {
    const ui = open();
    await until(() => {
      expect(frame(ui)).toMatch(/mine +xtb +energy +campaign +a template of this campaign/);
    });
    expect(frame(ui)).toMatch(/mopac-optimize +mopac +optimize +built-in/);
    expect(frame(ui)).toMatch(/psi4-energy +psi4 +energy +built-in/);
    // The list is sorted: crystal-bands first, with its parameters below the list.
    expect(frame(ui)).toContain('crystal-bands: shrink (int 8, 1 … 48) · title (string');
  });

  it('fills a form: a path checked, a range enforced, a choice cycled, a bool toggled; previews the input', async () => {
    const ui = open();
    await openForm(ui, 'mine');
    expect(frame(ui)).toMatch(/molecule\* +\(path\) +molecule/);
    expect(frame(ui)).toMatch(/accuracy +1 +0\.0001 … 1000/);
    expect(frame(ui)).toMatch(/gfn +‹2› +0 \| 1 \| 2/);
    expect(frame(ui)).toMatch(/charge +0 /);
    expect(frame(ui)).toContain('molecule: a molecule (an XYZ file), a path — the molecule');
    // p before the required fields are filled names the first one missing.
    await press(ui, 'p');
    await until(() => {
      expect(frame(ui)).toContain('molecule: required');
    });
    await press(ui, KEY.enter, 'nowhere.xyz', KEY.enter);
    await until(() => {
      expect(frame(ui)).toContain('molecule: no file nowhere.xyz');
    });
    await press(ui, ...Array<string>('nowhere.xyz'.length).fill(BACKSPACE), xyz, KEY.enter);
    await until(() => {
      expect(frame(ui)).toMatch(/molecule\* +…\S*\/water\.xyz/);
    });
    await press(ui, KEY.down, KEY.enter, BACKSPACE, '5000', KEY.enter);
    await until(() => {
      expect(frame(ui)).toContain('accuracy: expected a number between 0.0001 and 1000');
    });
    await press(ui, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, '0.5', KEY.enter);
    await press(ui, KEY.down, RIGHT, KEY.down, ' ', KEY.down, KEY.enter, 'hello', KEY.enter);
    await until(() => {
      expect(frame(ui)).toMatch(/note\* +hello/);
    });
    expect(frame(ui)).toMatch(/gfn +‹0›/);
    expect(frame(ui)).toMatch(/verbose +true/);
    await press(ui, 'p');
    await until(() => {
      expect(frame(ui)).toContain('Rendered input (1 lines)');
    });
    expect(frame(ui)).toContain('hello gfn=0 acc=0.5 verbose=true n=3');
  });

  it('previews what retort template render gives for the same values', async () => {
    const ui = open();
    await openForm(ui, 'mopac-optimize');
    await press(ui, KEY.enter, xyz, KEY.enter, KEY.down, RIGHT, RIGHT, 'p');
    await until(() => {
      expect(frame(ui)).toContain('Rendered input');
    });
    const cli = runCli(
      ['template', 'render', 'mopac-optimize', '--set', 'method=PM6-D3H4', '--molecule', xyz],
      { cwd: f.campaign.paths.root },
    );
    expect(cli.status, cli.stderr).toBe(0);
    // The terminal shows no trailing blanks.
    const expected = cli.stdout
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.trimEnd());
    expect(previewOf(ui).slice(0, expected.length)).toEqual(expected);
    expect(cli.stdout).toContain('PM6-D3H4 CHARGE=0 SINGLET');
  });

  it('runs the filled form as retort calc --template after y, and not after n', async () => {
    const ui = open();
    await openForm(ui, 'mopac-optimize');
    await press(ui, KEY.enter, xyz, KEY.enter, KEY.down, RIGHT);
    await press(ui, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter, BACKSPACE, '2', KEY.enter);
    await until(() => {
      expect(frame(ui)).toMatch(/multiplicity +2/);
    });
    await press(ui, 'r');
    await until(() => {
      expect(frame(ui)).toContain('[y/N]');
    });
    await press(ui, 'n');
    await until(() => {
      expect(frame(ui)).toContain('cancelled');
    });
    expect(f.actions.calls).toEqual([]);
    await press(ui, 'r');
    await until(() => {
      expect(frame(ui)).toContain('[y/N]');
    });
    await press(ui, 'y');
    await until(() => {
      expect(f.actions.calls).toEqual([
        `detached calc --template mopac-optimize --set method=PM6 --xyz ${xyz} --charge 0 --multiplicity 2 --label template mopac-optimize`,
      ]);
    });
  });
});

describe('a template run while a runner holds the campaign', () => {
  it('is refused with the runner named, without asking', async () => {
    const lock = acquireRunnerLock(f.campaign.paths.lock, 'retort run calcs.jsonl');
    try {
      const ui = render(
        <App monitor={f.monitor} actions={f.actions} refreshMs={50} initialView="Templates" />,
      );
      await until(() => {
        expect(frame(ui)).toContain(`runner pid ${process.pid}`);
      });
      await openForm(ui, 'mopac-optimize');
      await press(ui, KEY.enter, xyz, KEY.enter, 'r');
      await until(() => {
        expect(frame(ui)).toContain(`a runner is running (pid ${process.pid})`);
      });
      expect(frame(ui)).not.toContain('[y/N]');
      expect(f.actions.calls).toEqual([]);
    } finally {
      lock.release();
    }
  });
});

describe.skipIf(!hasProgram('mopac'))('a template run from the terminal UI', () => {
  it('becomes a real calc in the background whose input is the one previewed', async () => {
    const dir = tempCampaign();
    const water = join(dir, 'water.xyz');
    writeFileSync(water, WATER);
    const monitor = CampaignMonitor.open(dir);
    try {
      const ui = render(
        <App
          monitor={monitor}
          actions={campaignActions(dir, RETORT_BIN)}
          refreshMs={200}
          initialView="Templates"
        />,
      );
      await openForm(ui, 'mopac-optimize');
      await press(ui, KEY.enter, water, KEY.enter, KEY.down, RIGHT, 'p');
      await until(() => {
        expect(frame(ui)).toContain('Rendered input');
      });
      const preview = previewOf(ui);
      expect(preview[0]).toBe('PM6 CHARGE=0 SINGLET');
      await press(ui, KEY.escape, 'r');
      await until(() => {
        expect(frame(ui)).toContain('[y/N]');
      });
      await press(ui, 'y');
      await until(() => {
        expect(frame(ui)).toContain('started retort calc --template mopac-optimize');
      });
      const key = await waitFor(
        'the calc to succeed',
        () =>
          withStore(dir, (db) =>
            db
              .prepare("SELECT key FROM calcs WHERE status = 'succeeded' AND program = 'mopac'")
              .pluck()
              .get(),
          ) as string | undefined,
      );
      const input = readFileSync(join(calcWorkdir(campaignPaths(dir), key), 'input.mop'), 'utf8');
      const ran = input
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => l.trimEnd());
      expect(preview.slice(0, ran.length)).toEqual(ran);
      expect(ran).toHaveLength(6); // the keyword line, the title, a blank line, three atoms
      ui.unmount();
    } finally {
      monitor.close();
    }
    expect(await cleanupTempDirs()).toEqual([]);
  }, 120_000);
});
