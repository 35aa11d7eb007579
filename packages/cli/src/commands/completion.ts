import type { Command } from 'commander';
import { bashScript, fishScript, zshScript } from '../completion-scripts.js';
import { closestMatches } from '@mlx-gateway/shared/config';
import { completionTree } from '../completion-tree.js';

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
export const COMPLETION_SHELLS = Object.keys(SCRIPTS);

/** `mlx-gateway completion bash|zsh|fish`: prints the completion script for the shell. */
export function completion(program: Command, shell: string): void {
  if (!Object.hasOwn(SCRIPTS, shell)) {
    const [best] = closestMatches(shell, COMPLETION_SHELLS, 1);
    throw new Error(
      `no completion for "${shell}"${best ? `; did you mean "${best}"?` : ''} (shells: ${COMPLETION_SHELLS.join(', ')})`,
    );
  }
  const script = SCRIPTS[shell as keyof typeof SCRIPTS];
  process.stdout.write(script(program.name(), completionTree(program)));
}
