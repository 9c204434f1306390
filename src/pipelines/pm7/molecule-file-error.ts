import { errorMessage, InfrastructureError } from '../../core/errors.js';

/**
 * A file of one molecule (its detail, its ensemble) could not be written. It fails that
 * molecule (Rerun, or Skip when its retries are spent), never the batch: the batch goes on
 * with the other molecules.
 */
export class MoleculeFileError extends InfrastructureError {
  readonly molId: string;

  constructor(molId: string, file: string, cause: unknown) {
    super(`cannot write ${file}: ${errorMessage(cause)}`, { cause, retryable: true });
    this.molId = molId;
  }
}

/** Runs `write`; a failure becomes a MoleculeFileError naming `file`. */
export function writeMoleculeFile<T>(molId: string, file: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw new MoleculeFileError(molId, file, error);
  }
}
