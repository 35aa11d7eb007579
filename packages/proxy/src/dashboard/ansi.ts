import { AnsiUp } from 'ansi_up';
import { scrubSecrets } from '@mlx-gateway/shared/security';

/**
 * A log's text as HTML: ANSI colours become spans with classes (the page's CSS colours them in
 * both themes), everything else is escaped, and secrets are scrubbed first (a model server may
 * print its environment). One converter per log followed, since a colour can span lines.
 */
export class AnsiHtml {
  private readonly converter = new AnsiUp();

  constructor() {
    this.converter.escape_html = true;
    this.converter.use_classes = true;
  }

  render(text: string): string {
    return this.converter.ansi_to_html(scrubSecrets(text));
  }
}

/** Lines of a log as HTML (a fresh converter: the lines stand alone). */
export function ansiLinesToHtml(lines: readonly string[]): string {
  return new AnsiHtml().render(lines.join('\n'));
}
