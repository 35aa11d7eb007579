import type { Command, Option } from 'commander';

/** What a shell completes at one point of the command line: words and option flags. */
export interface CompletionNode {
  /** Subcommand names from the root, empty for the root. */
  path: string[];
  commands: Array<{ name: string; description: string }>;
  options: Array<{ flags: string[]; description: string; takesValue: boolean }>;
}

function optionFlags(option: Option): string[] {
  return [option.short, option.long].filter((f): f is string => f !== undefined);
}

/** Walks the commander tree: one node per command, with its subcommands and options. */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string[]) => {
    const options = command.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        flags: optionFlags(o),
        description: o.description,
        takesValue: o.required || o.optional,
      }));
    options.push({ flags: ['-h', '--help'], description: 'display help', takesValue: false });
    nodes.push({
      path,
      commands: command.commands.map((c) => ({ name: c.name(), description: c.description() })),
      options,
    });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}

/** Every flag that takes a value, so a completer can skip the value when it finds the path. */
export function valueFlags(nodes: CompletionNode[]): string[] {
  return [
    ...new Set(nodes.flatMap((n) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags))),
  ];
}
