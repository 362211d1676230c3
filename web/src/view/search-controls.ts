// The search box: asks the loader worker which records contain the text, then steps through
// the matching syscalls.
import { byId } from './dom.js';
import { formatCount } from '../model/format.js';

export interface SearchHandlers {
  search(query: string): Promise<number>;
  step(direction: 1 | -1): void;
}

export class SearchControls {
  readonly input = byId<HTMLInputElement>('search');
  private readonly count = byId('search-count');
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(private readonly handlers: SearchHandlers) {
    this.input.addEventListener('input', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.run(), 200);
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        const direction = event.shiftKey ? -1 : 1;
        if (this.timer) {
          // typed and pressed Enter at once: search first, then go to the match
          clearTimeout(this.timer);
          this.timer = null;
          void this.run().then(() => this.handlers.step(direction));
        } else this.handlers.step(direction);
      } else if (event.key === 'Escape') {
        this.input.value = '';
        void this.run();
        this.input.blur();
      }
    });
    byId('search-prev').addEventListener('click', () => this.handlers.step(-1));
    byId('search-next').addEventListener('click', () => this.handlers.step(1));
  }

  clear(): void {
    this.input.value = '';
    this.count.textContent = '';
  }

  private async run(): Promise<void> {
    this.timer = null;
    const mine = ++this.generation;
    const query = this.input.value.trim();
    this.count.textContent = query ? 'searching…' : '';
    const found = await this.handlers.search(query);
    if (mine === this.generation) this.count.textContent = query ? `${formatCount(found)} syscall${found === 1 ? '' : 's'}` : '';
  }
}
