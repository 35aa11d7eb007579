import { describe, expect, it } from 'vitest';
import { registerSecret } from '@mlx-gateway/shared/security';
import { AnsiHtml, ansiLinesToHtml } from './ansi.js';

describe('ANSI log rendering', () => {
  it('turns colours into classed spans', () => {
    const html = new AnsiHtml().render('\u001b[31mred\u001b[0m plain');
    expect(html).toContain('<span class="ansi-red-fg">red</span>');
    expect(html).toContain(' plain');
    expect(html).not.toContain('\u001b');
  });

  it('escapes markup in the log text, coloured or not', () => {
    const html = ansiLinesToHtml([
      '<script>alert(1)</script>',
      '\u001b[32m<img src=x onerror=alert(2)>\u001b[0m',
      'a & b "quoted" \'single\'',
    ]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('a &amp; b');
  });

  it('keeps a colour open across chunks of the same log', () => {
    const log = new AnsiHtml();
    log.render('\u001b[33mstart ');
    expect(log.render('still yellow')).toContain('class="ansi-yellow-fg"');
  });

  it('scrubs secrets before rendering', () => {
    const secret = 'dash-ansi-secret-value-123456';
    registerSecret(secret);
    const html = ansiLinesToHtml([`OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwx`, `x ${secret} y`]);
    expect(html).not.toContain(secret);
    expect(html).not.toContain('sk-abcdefghijklmnopqrstuvwx');
    expect(html).toContain('[redacted]');
  });
});
