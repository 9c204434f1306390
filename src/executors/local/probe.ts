import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';

export interface ProbeResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/** Runs a short command without a shell and returns what it printed. Never rejects. */
export function probe(argv: readonly string[]): Promise<ProbeResult> {
  const [file, ...args] = argv;
  if (file === undefined) {
    return Promise.resolve({ exitCode: null, stdout: '', stderr: 'empty command' });
  }
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      // In the temp directory: some programs (psi4) leave files in their working directory.
      { cwd: tmpdir(), timeout: PROBE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ exitCode: 0, stdout, stderr });
          return;
        }
        const { code } = error;
        if (code === 'ENOENT' || code === 'EACCES') {
          const reason = code === 'ENOENT' ? 'not found' : 'not executable';
          resolve({ exitCode: null, stdout, stderr: `${file}: ${reason}` });
        } else if (typeof code === 'number') {
          resolve({ exitCode: code, stdout, stderr });
        } else {
          const why = error.killed
            ? `timed out after ${PROBE_TIMEOUT_MS / 1000} s`
            : (error.signal ?? error.message);
          resolve({
            exitCode: null,
            stdout,
            stderr: `${stderr}${stderr === '' ? '' : '\n'}${file}: ${why}`,
          });
        }
      },
    );
  });
}
