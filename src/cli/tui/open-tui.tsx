import { setPriority } from 'node:os';
import { render } from 'ink';
import { CampaignMonitor } from '../../runtime/monitor/campaign-monitor.js';
import { campaignActions } from './actions.js';
import { App } from './app.js';

/**
 * Runs the terminal UI on the campaign at `root` until the user quits, at scheduling priority
 * `nice` (a live run on the same cores goes first).
 */
export async function openTui(root: string, refreshMs: number, nice: number): Promise<void> {
  try {
    setPriority(nice);
  } catch {
    // Already lower (a user may not raise it back): lower is what was asked for anyway.
  }
  const monitor = CampaignMonitor.open(root);
  try {
    const bin = process.argv[1] ?? 'retort';
    const app = render(
      <App monitor={monitor} actions={campaignActions(root, bin)} refreshMs={refreshMs} />,
      {
        exitOnCtrlC: true,
      },
    );
    await app.waitUntilExit();
  } finally {
    monitor.close();
  }
}
