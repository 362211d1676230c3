// A vite plugin for the self-contained viewer page: the built script and stylesheet go inside
// index.html, and a Content-Security-Policy meta allows that script and that style by their
// sha256 and nothing else (no other script, no network, workers only from blob:).
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy of the page: what `cttrace export --html` pages are allowed to do. */
export function standaloneCsp(script: string, style: string): string {
  return [
    "default-src 'none'",
    // 'wasm-unsafe-eval': the loader's line scanner is WebAssembly (compiling it is all it allows)
    `script-src ${sha256(script)} 'wasm-unsafe-eval'`,
    `style-src ${sha256(style)}`,
    // the loader workers, made from code inside the page
    'worker-src blob:',
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Text that would end an inline script or style early, or change how the HTML parser reads it. */
function checkInlinable(name: string, text: string, closing: 'script' | 'style'): void {
  const bad = new RegExp(`</${closing}|<!--`, 'i').exec(text);
  if (bad) throw new Error(`${name} holds "${bad[0]}" at ${bad.index}: it cannot be inlined into the standalone page`);
}

export function inlineIntoPage(): Plugin {
  return {
    name: 'cttrace-inline-into-page',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle['index.html'];
      if (!page || page.type !== 'asset') throw new Error('the standalone build made no index.html');
      let html = String(page.source);
      let script = '';
      let style = '';
      for (const [fileName, output] of Object.entries(bundle)) {
        if (fileName === 'index.html') continue;
        const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (output.type === 'chunk' && output.isEntry) {
          script = output.code;
          html = html.replace(new RegExp(`<script type="module" crossorigin src="\\./${escaped}"></script>\\s*`), '');
        } else if (output.type === 'asset' && fileName.endsWith('.css')) {
          style = String(output.source);
          html = html.replace(new RegExp(`<link rel="stylesheet" crossorigin href="\\./${escaped}">\\s*`), '');
        } else if (output.type === 'chunk') {
          throw new Error(`the standalone build made a second chunk (${fileName}): the page must hold all its code`);
        }
        delete bundle[fileName];
      }
      if (!script || !style) throw new Error('the standalone build made no script or no stylesheet');
      if (/<script[^>]*\ssrc=|<link[^>]*stylesheet/i.test(html)) throw new Error('the standalone page still loads a file');
      checkInlinable('the script', script, 'script');
      checkInlinable('the stylesheet', style, 'style');
      const csp = `<meta http-equiv="Content-Security-Policy" content="${standaloneCsp(script, style)}" />`;
      html = html
        .replace(/<meta charset="utf-8" \/>/, (charset) => `${charset}\n    ${csp}`)
        .replace('</head>', () => `  <style>${style}</style>\n    <script type="module">${script}</script>\n  </head>`); // a function: `$&` in the code is not a pattern
      page.source = html;
    },
  };
}
