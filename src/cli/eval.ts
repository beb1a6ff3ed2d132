/** `loa eval`: answer quality on a set of cases. Implemented in knowledge/eval.ts. */
import { runEvalCli } from '../knowledge/eval.js';

export async function run(args: string[]): Promise<number> {
  return runEvalCli(args);
}
