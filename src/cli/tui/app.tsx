import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CampaignMonitor } from '../../runtime/monitor/campaign-monitor.js';
import type { TuiActions } from './actions.js';
import { Confirm } from './components/confirm.js';
import { Keys } from './components/table.js';
import { KeyRouter, type ViewKeys } from './key-router.js';
import { useSnapshot } from './use-snapshot.js';
import { colour, stateColour } from './theme.js';
import { Batches, type BatchAction } from './views/batches.js';
import { Calcs } from './views/calcs.js';
import { Help } from './views/help.js';
import { Hosts, type HostCheck } from './views/hosts.js';
import { Logs } from './views/logs.js';
import { Overview } from './views/overview.js';
import { Templates } from './views/templates.js';
import { Workflows } from './views/workflows.js';

/** The views, in tab order; the digit keys 1–7 open them. */
export const VIEWS = [
  'Overview',
  'Calcs',
  'Batches',
  'Hosts',
  'Logs',
  'Workflows',
  'Templates',
] as const;
export type ViewName = (typeof VIEWS)[number];

interface Pending {
  readonly question: string;
  readonly run: () => string | Promise<string>;
}

/**
 * The whole terminal UI: a header (campaign, runner), the views as tabs, a message line and the
 * global keys. It polls the monitor every `refreshMs` at best (use-snapshot.ts: the monitor skips
 * the store's queries when nothing changed, an unchanged view is not rendered, the interval
 * stretches with the UI's own CPU time) and takes no lock: the runner in another process goes
 * on undisturbed.
 */
export function App(props: {
  readonly monitor: CampaignMonitor;
  readonly actions: TuiActions;
  readonly refreshMs: number;
  readonly initialView?: ViewName;
}) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  // A terminal that reports no size (a pipe, a test) is taken as 100×30.
  const measure = (): { width: number; height: number } => ({
    width: Math.max(80, stdout.columns || 100),
    height: Math.max(24, stdout.rows || 30),
  });
  const [size, setSize] = useState(measure);
  const snapshot = useSnapshot(props.monitor, props.refreshMs);
  const [view, setView] = useState<ViewName>(props.initialView ?? 'Overview');
  const [help, setHelp] = useState(false);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [checks, setChecks] = useState<ReadonlyMap<string, HostCheck>>(new Map());

  useEffect(() => {
    const resize = (): void => {
      setSize(measure());
    };
    stdout.on('resize', resize);
    return () => {
      stdout.off('resize', resize);
    };
  }, [stdout]);

  // The question waiting for y/n, also as a ref: a key typed before React renders again must
  // see the question asked or answered by the key before it.
  const asked = useRef<Pending | undefined>(undefined);
  const ask = (question: string, run: Pending['run']): void => {
    asked.current = { question, run };
    setPending(asked.current);
  };
  const answer = (yes: boolean): void => {
    const p = asked.current;
    asked.current = undefined;
    setPending(undefined);
    if (!yes || p === undefined) {
      setMessage('cancelled');
      return;
    }
    void Promise.resolve(p.run()).then(setMessage);
  };
  const run = snapshot.run;
  const onCancel = (key: string, name: string): void => {
    ask(`Cancel ${name} (a running calc is killed; it ends failed, cancelled)?`, () =>
      props.actions.cancel(key),
    );
  };
  const onBatchAction = (a: BatchAction): void => {
    const ids = a.itemIds.join(',');
    if (a.kind === 'requeue') {
      ask(`Put ${a.itemIds.length} items of ${a.batchId} back in the queue (Rerun)?`, () =>
        props.actions.command(['batch', 'requeue', ...a.itemIds]),
      );
    } else {
      ask(`Run ${a.itemIds.length} items in a new batch?`, async () => {
        const requeued = await props.actions.command(['batch', 'requeue', ...a.itemIds]);
        return `${requeued}; ${props.actions.detached(['batch', 'run', '--molecules', ids])}`;
      });
    }
  };
  const onTemplateSubmit = (args: readonly string[]): void => {
    // One runner per campaign: retort calc would find the lock taken.
    if (snapshot.runner.alive) {
      setMessage(
        `a runner is running (pid ${snapshot.runner.pid ?? '?'}): run the calc when it has finished`,
      );
      return;
    }
    ask(`Run retort ${args.join(' ')} in the background?`, () => props.actions.detached(args));
  };
  const onCheck = (host: string): void => {
    setChecks((m) => new Map(m).set(host, { lines: [], ok: undefined }));
    props.actions.checkHost(
      host,
      (line) => {
        setChecks((m) => {
          const c = m.get(host);
          return new Map(m).set(host, { lines: [...(c?.lines ?? []), line], ok: undefined });
        });
      },
      (ok) => {
        setChecks((m) => new Map(m).set(host, { lines: m.get(host)?.lines ?? [], ok }));
      },
    );
  };

  // The one stdin listener: stable, so that no key falls between two listeners; it calls the
  // handler of the latest render through a ref (see key-router.ts for the views' keys).
  const viewKeys = useRef<ViewKeys | null>(null);
  viewKeys.current = null;
  const onKey = (input: string, key: Key): void => {
    if (asked.current !== undefined) {
      if (input === 'y' || input === 'Y') answer(true);
      else if (input === 'n' || input === 'N' || key.escape) answer(false);
      return;
    }
    if (help) {
      setHelp(false);
      return;
    }
    if (viewKeys.current?.(input, key) === true) return;
    if (input === 'q') exit();
    else if (input === '?') setHelp(true);
    else if (key.tab)
      setView(
        VIEWS[(VIEWS.indexOf(view) + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length] ??
          'Overview',
      );
    else if (/^[1-7]$/.test(input)) {
      setView(VIEWS[Number(input) - 1] ?? 'Overview');
    } else if (input === 'S') {
      ask('Stop the run gracefully (running calcs finish, nothing new starts)?', () =>
        props.actions.stop('drain'),
      );
    } else if (input === 'K') {
      ask('Stop NOW (running calcs are killed and requeued)?', () => props.actions.stop('now'));
    } else if (input === 'R' && run !== undefined) {
      ask(`Start the last run again (${run.command}) in the background?`, () =>
        props.actions.relaunch(run, []),
      );
    } else if (input === 'F' && run !== undefined) {
      ask(`Run the last command again with --retry-failed (${run.command})?`, () =>
        props.actions.relaunch(run, ['--retry-failed']),
      );
    }
  };
  const latestKey = useRef(onKey);
  latestKey.current = onKey;
  useInput(
    useCallback((input: string, key: Key) => {
      latestKey.current(input, key);
    }, []),
  );

  // The question's box: its wrapped lines (' [y/N]' added, a border and a space each side).
  const asking =
    pending === undefined
      ? 0
      : 2 + Math.ceil((pending.question.length + 6) / Math.max(10, size.width - 4));
  const bodyHeight = Math.max(5, size.height - 5 - asking);
  const active = pending === undefined && !help;
  // What every paging view takes: where it reads, its size, whether its keys are live.
  const pane = {
    monitor: props.monitor,
    snapshot,
    width: size.width,
    height: bodyHeight - 1,
    active,
  };
  return (
    <KeyRouter.Provider value={viewKeys}>
      <Box flexDirection="column" width={size.width}>
        <Text wrap="truncate-end">
          <Text bold color={colour('cyan')}>
            retort
          </Text>{' '}
          {snapshot.root} ·{' '}
          {snapshot.runner.alive ? (
            <Text color={stateColour('running')}>runner pid {snapshot.runner.pid}</Text>
          ) : (
            <Text dimColor>no runner alive</Text>
          )}
          {run === undefined ? '' : ' · '}
          {run === undefined ? null : <Text color={stateColour(run.state)}>{run.state}</Text>}
        </Text>
        <Text wrap="truncate-end">
          {VIEWS.map((v, i) => (
            <Text key={v} inverse={v === view} bold={v === view}>
              {` ${i + 1} ${v} `}
            </Text>
          ))}
        </Text>
        <Box flexDirection="column" height={bodyHeight} overflow="hidden">
          {help ? (
            <Help />
          ) : view === 'Overview' ? (
            <Overview snapshot={snapshot} width={size.width} />
          ) : view === 'Calcs' ? (
            <Calcs {...pane} onCancel={onCancel} />
          ) : view === 'Batches' ? (
            <Batches {...pane} onAction={onBatchAction} />
          ) : view === 'Hosts' ? (
            <Hosts
              snapshot={snapshot}
              width={size.width}
              active={active}
              checks={checks}
              onCheck={onCheck}
            />
          ) : view === 'Workflows' ? (
            <Workflows {...pane} onCancel={onCancel} />
          ) : view === 'Templates' ? (
            <Templates
              root={snapshot.root}
              width={size.width}
              height={bodyHeight - 1}
              active={active}
              onSubmit={onTemplateSubmit}
            />
          ) : (
            <Logs
              logsDir={props.monitor.logsDir}
              snapshot={snapshot}
              height={bodyHeight - 1}
              active={active}
            />
          )}
        </Box>
        {pending === undefined ? null : <Confirm question={pending.question} />}
        <Text wrap="truncate-end" color={colour('yellow')}>
          {message}
        </Text>
        <Keys
          keys={[
            ['1-7', 'views'],
            ['S', 'stop'],
            ['K', 'stop now'],
            ['R', 'resume'],
            ['F', 'retry failed'],
            ['?', 'help'],
            ['q', 'quit'],
          ]}
        />
      </Box>
    </KeyRouter.Provider>
  );
}
