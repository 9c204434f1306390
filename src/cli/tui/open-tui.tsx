import { render } from 'ink';
import { CampaignMonitor } from '../../runtime/monitor/campaign-monitor.js';
import { campaignActions } from './actions.js';
import { App } from './app.js';

/** Runs the terminal UI on the campaign at `root` until the user quits. */
export async function openTui(root: string, refreshMs: number): Promise<void> {
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
